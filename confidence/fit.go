package confidence

import (
	"fmt"
	"math"
	"sort"
)

// Sample is one field reading of the calibration corpus with the verdict of
// its ground truth.
type Sample struct {
	Key      string
	Evidence Evidence
	Correct  bool
}

// FitOptions tune the fit.
type FitOptions struct {
	Budget  float64 // error budget for accepted fields (DefaultBudget)
	MinKind int     // fewer samples than this: the kind uses the fallback model (200)
	Epochs  int     // gradient-descent passes (400)
	L2      float64 // ridge penalty (1e-3)
	Corpus  string  // description stored in the model
	Version string
	// CrossRead: the kinds whose samples carry a second reading (stored
	// in the model; see Model.CrossRead).
	CrossRead []string
}

func (o FitOptions) withDefaults() FitOptions {
	if o.Budget == 0 {
		o.Budget = DefaultBudget
	}
	if o.MinKind == 0 {
		o.MinKind = 200
	}
	if o.Epochs == 0 {
		o.Epochs = 400
	}
	if o.L2 == 0 {
		o.L2 = 1e-3
	}
	return o
}

// Fit fits one logistic model per field kind (and a fallback "*" on all
// samples), then picks each kind's threshold.
func Fit(samples []Sample, o FitOptions) (*Model, error) {
	o = o.withDefaults()
	found := samples[:0:0]
	for _, s := range samples {
		if s.Evidence.Found {
			found = append(found, s)
		}
	}
	if len(found) < 50 {
		return nil, fmt.Errorf("confidence: %d usable samples, need at least 50", len(found))
	}
	byKind := map[string][]Sample{"*": found}
	for _, s := range found {
		byKind[s.Evidence.Kind] = append(byKind[s.Evidence.Kind], s)
	}
	m := &Model{Version: o.Version, Budget: o.Budget, Corpus: o.Corpus, Kinds: map[string]*Kind{}, CrossRead: o.CrossRead}
	all := fitLogistic(found, o)
	m.Kinds["*"] = &Kind{Weights: all}
	for k, ss := range byKind {
		if k == "*" || len(ss) < o.MinKind {
			continue
		}
		m.Kinds[k] = &Kind{Weights: fitLogistic(ss, o)}
	}
	for k, ss := range byKind {
		kk, ok := m.Kinds[k]
		if !ok {
			continue
		}
		chooseThreshold(kk, ss, o)
	}
	return m, nil
}

// fitLogistic minimises the L2-penalised log loss by full-batch gradient
// descent with a decaying step; the data sets are small (thousands).
func fitLogistic(ss []Sample, o FitOptions) []float64 {
	w := make([]float64, nFeatures)
	xs := make([][nFeatures]float64, len(ss))
	ys := make([]float64, len(ss))
	for i, s := range ss {
		xs[i] = s.Evidence.vector()
		if s.Correct {
			ys[i] = 1
		}
	}
	g := make([]float64, nFeatures)
	n := float64(len(ss))
	for epoch := 0; epoch < o.Epochs*10; epoch++ {
		clear(g)
		for i := range xs {
			p := sigmoid(dot(w, xs[i]))
			d := p - ys[i]
			for j := range g {
				g[j] += d * xs[i][j]
			}
		}
		step := 2.0 / (1 + float64(epoch)/500)
		for j := range w {
			reg := o.L2 * w[j]
			if j == 0 {
				reg = 0
			}
			w[j] -= step * (g[j]/n + reg)
		}
	}
	return w
}

// chooseThreshold picks the lowest threshold at which the accepted share
// of the calibration samples (valid and scoring at or above it) has an
// error rate whose upper confidence bound stays within the budget. Few samples
// therefore mean a strict threshold rather than an optimistic one.
func chooseThreshold(k *Kind, ss []Sample, o FitOptions) {
	type sc struct {
		s  float64
		ok bool
	}
	var cand []sc
	for _, s := range ss {
		if s.Evidence.Invalid {
			continue
		}
		cand = append(cand, sc{sigmoid(dot(k.Weights, s.Evidence.vector())), s.Correct})
	}
	k.Samples = len(ss)
	sort.Slice(cand, func(i, j int) bool { return cand[i].s > cand[j].s })
	best := -1
	wrong := 0
	for i, c := range cand {
		if !c.ok {
			wrong++
		}
		if upperBound(wrong, i+1) <= o.Budget && (i+1 == len(cand) || cand[i+1].s < c.s) {
			best = i
		}
	}
	if best < 0 {
		k.Threshold = 1.01 // nothing can be accepted safely
		k.Accepted, k.Wrong, k.ErrorRate = 0, 0, 0
		return
	}
	k.Threshold = cand[best].s
	k.Accepted = best + 1
	k.Wrong = 0
	for _, c := range cand[:best+1] {
		if !c.ok {
			k.Wrong++
		}
	}
	k.ErrorRate = float64(k.Wrong) / float64(k.Accepted)
}

// upperBound is the one-sided Wilson upper bound (z = 1, about 84 %) of an
// error rate: with no error seen it asks for about 200 accepted samples
// before it trusts a 0.5 % budget.
func upperBound(wrong, n int) float64 {
	if n == 0 {
		return 1
	}
	const z = 1.0
	p := float64(wrong) / float64(n)
	nn := float64(n)
	den := 1 + z*z/nn
	c := p + z*z/(2*nn)
	r := z * math.Sqrt(p*(1-p)/nn+z*z/(4*nn*nn))
	return (c + r) / den
}
