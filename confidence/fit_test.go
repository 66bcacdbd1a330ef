package confidence

import (
	"math"
	"math/rand/v2"
	"testing"
)

// synthetic samples: correctness depends on the minimum word confidence.
func makeSamples(n int, seed uint64) []Sample {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]Sample, n)
	for i := range out {
		c := r.Float64()
		out[i] = Sample{Key: "full_name", Evidence: Evidence{
			Kind: "name", Found: true, WordConfs: []float64{c, 0.5 + c/2}, LabelScore: 1, PageQuality: 1, DictScore: 1, Chars: 12,
		}, Correct: r.Float64() < c*c}
	}
	return out
}

func TestFitSeparatesAndMeetsBudget(t *testing.T) {
	train := makeSamples(4000, 1)
	m, err := Fit(train, FitOptions{Budget: 0.02})
	if err != nil {
		t.Fatal(err)
	}
	hi := Evidence{Kind: "name", Found: true, WordConfs: []float64{0.97, 0.98}, LabelScore: 1, PageQuality: 1, DictScore: 1, Chars: 12}
	lo := hi
	lo.WordConfs = []float64{0.2, 0.6}
	if m.Score(hi) <= m.Score(lo) {
		t.Fatalf("score(high conf) %.3f <= score(low conf) %.3f", m.Score(hi), m.Score(lo))
	}
	// On fresh data from the same distribution the accepted error rate
	// stays near the budget.
	test := makeSamples(4000, 2)
	acc, wrong := 0, 0
	for _, s := range test {
		if _, ok := m.Accept(s.Key, s.Evidence); ok {
			acc++
			if !s.Correct {
				wrong++
			}
		}
	}
	if acc == 0 {
		t.Fatal("nothing accepted")
	}
	if rate := float64(wrong) / float64(acc); rate > 0.035 {
		t.Fatalf("accepted error rate %.3f on held-out data, budget 0.02", rate)
	}
}

func TestInvalidAndMissingNeverAccepted(t *testing.T) {
	m, err := Fit(makeSamples(2000, 3), FitOptions{Budget: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	e := Evidence{Kind: "name", Found: true, WordConfs: []float64{1, 1}, LabelScore: 1, PageQuality: 1, DictScore: 1, Chars: 10}
	if _, ok := m.Accept("full_name", e); !ok {
		t.Fatal("a perfect reading was not accepted")
	}
	e.Invalid = true
	if _, ok := m.Accept("full_name", e); ok {
		t.Fatal("an invalid value was accepted")
	}
	e.Invalid, e.Found = false, false
	if s, ok := m.Accept("full_name", e); ok || s != 0 {
		t.Fatalf("a missing value scored %.2f, accepted %v", s, ok)
	}
	m.Overrides = map[string]float64{"full_name": 2}
	e.Found = true
	if _, ok := m.Accept("full_name", e); ok {
		t.Fatal("per-field threshold override ignored")
	}
}

func TestFewSamplesRefused(t *testing.T) {
	if _, err := Fit(makeSamples(10, 4), FitOptions{}); err == nil {
		t.Fatal("want an error for too few samples")
	}
}

func TestUpperBound(t *testing.T) {
	if ub := upperBound(0, 200); ub > 0.0055 || ub < 0.004 {
		t.Fatalf("upperBound(0,200) = %v", ub)
	}
	if upperBound(5, 100) <= 0.05 {
		t.Fatal("upper bound below the observed rate")
	}
}

func TestModelRoundTrip(t *testing.T) {
	m, err := Fit(makeSamples(1000, 5), FitOptions{Budget: 0.05, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	p := t.TempDir() + "/m.json"
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	e := makeSamples(1, 9)[0].Evidence
	if m.Score(e) != m2.Score(e) {
		t.Fatal("scores differ after save and load")
	}
	if _, err := Load(t.TempDir() + "/none.json"); err == nil {
		t.Fatal("want an error for a missing file")
	}
}

func TestMarkRisk(t *testing.T) {
	tests := []struct {
		s     string
		risk  float64
		upper bool
	}{
		{"Nguyen Van An", 0, false},
		{"SẦN", 1.0 / 3, true},
		{"Vẩy", 1.0 / 3, false},
		{"Lê Thị Oanh", 0, false}, // ê alone and ị are not confusable pairs
		{"12/03/1990", 0, false},
	}
	for _, tc := range tests {
		r, u := MarkRisk(tc.s)
		if r != tc.risk || u != tc.upper {
			t.Errorf("MarkRisk(%q) = %v, %v; want %v, %v", tc.s, r, u, tc.risk, tc.upper)
		}
	}
}

// TestEmbeddedModel checks the shipped model: it loads, has a fallback and
// a threshold per fitted kind, and scores a clean reading above a poor one.
func TestEmbeddedModel(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if m.Budget != DefaultBudget {
		t.Errorf("budget %v, want %v", m.Budget, DefaultBudget)
	}
	good := Evidence{Kind: "date", Found: true, WordConfs: []float64{0.97}, LabelScore: 1, PageQuality: 1, DictScore: 1, Chars: 10}
	poor := good
	poor.WordConfs = []float64{0.3}
	if m.Score(good) <= m.Score(poor) {
		t.Fatalf("score(good) %.3f <= score(poor) %.3f", m.Score(good), m.Score(poor))
	}
	if _, ok := m.Accept("date_of_birth", good); !ok {
		t.Errorf("a clean date reading (score %.3f) is not accepted", m.Score(good))
	}
}

func TestAcceptedShare(t *testing.T) {
	m := &Model{Kinds: map[string]*Kind{
		"*":    {Threshold: 0.9, Samples: 10, Accepted: 9},
		"text": {Threshold: 0.98, Samples: 200, Accepted: 10},
		"name": {Threshold: 1.01, Samples: 300},
		"none": {Threshold: 0.5},
	}}
	for kind, want := range map[string]float64{"text": 0.05, "name": 0, "none": 0, "date": 0.9} {
		if got := m.AcceptedShare(kind); got != want {
			t.Errorf("AcceptedShare(%q) = %v, want %v", kind, got, want)
		}
	}
}

// Two readings agreeing is learned as evidence where it separates right
// from wrong, and the cross-read kinds are kept with the model.
func TestFitLearnsAgreement(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 1))
	var train []Sample
	for range 4000 {
		agree := r.Float64() < 0.7
		p := 0.6
		if agree {
			p = 0.995
		}
		train = append(train, Sample{Key: "full_name", Evidence: Evidence{
			Kind: "name", Found: true, WordConfs: []float64{0.9, 0.95}, LabelScore: 1, PageQuality: 1, DictScore: 1, Chars: 12, Agree: agree,
		}, Correct: r.Float64() < p})
	}
	m, err := Fit(train, FitOptions{Budget: 0.02, CrossRead: []string{"name"}})
	if err != nil {
		t.Fatal(err)
	}
	e := train[0].Evidence
	e.Agree = true
	_, okAgree := m.Accept("full_name", e)
	e.Agree = false
	_, okDisagree := m.Accept("full_name", e)
	if !okAgree || okDisagree {
		t.Fatalf("accepted with agreement %v, without %v; want only with", okAgree, okDisagree)
	}
	if !m.CrossReads("name") || m.CrossReads("date") {
		t.Fatalf("cross-read kinds %v, want [name]", m.CrossRead)
	}
}

// TestFitLearnsAgreeingConfidence: where two readings agree, the second
// reading's confidence separates right from wrong even when the first
// reading's does not, and it counts only with agreement.
func TestFitLearnsAgreeingConfidence(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 3))
	var train []Sample
	for range 6000 {
		sure := r.Float64() < 0.5
		c, p := 0.55, 0.9
		if sure {
			c, p = 0.97, 0.999
		}
		train = append(train, Sample{Key: "full_name", Evidence: Evidence{
			Kind: "name", Found: true, WordConfs: []float64{0.9, 0.95}, LabelScore: 1, PageQuality: 1, DictScore: 1, Chars: 12,
			Agree: true, AgreeConf: c,
		}, Correct: r.Float64() < p})
	}
	m, err := Fit(train, FitOptions{Budget: 0.005, CrossRead: []string{"name"}})
	if err != nil {
		t.Fatal(err)
	}
	e := train[0].Evidence
	e.AgreeConf = 0.97
	_, okSure := m.Accept("full_name", e)
	e.AgreeConf = 0.55
	_, okUnsure := m.Accept("full_name", e)
	if !okSure || okUnsure {
		t.Fatalf("accepted with a sure agreeing reading %v, with an unsure one %v; want only the sure", okSure, okUnsure)
	}
	if a, b := (Evidence{AgreeConf: 0.97}).vector(), (Evidence{}).vector(); a != b {
		t.Fatalf("the agreeing reading's confidence counted without agreement: %v against %v", a, b)
	}
}

// RisesWithAgreement reads the weights of the agreeing confidence and its
// cube: the positions named must be where vector puts them.
func TestRisesWithAgreement(t *testing.T) {
	ev := Evidence{Kind: "name", Found: true, WordConfs: []float64{0.9}, Agree: true, AgreeConf: 0.37}
	x := ev.vector()
	if x[featAgreeConf] != 0.37 || math.Abs(x[featAgreeConf3]-0.37*0.37*0.37) > 1e-12 {
		t.Fatalf("vector %v: agreeing confidence not at %d and %d", x, featAgreeConf, featAgreeConf3)
	}
	weights := func(agree, cube float64) []float64 {
		w := make([]float64, nFeatures)
		w[featAgreeConf], w[featAgreeConf3] = agree, cube
		return w
	}
	tests := []struct {
		name  string
		model *Model
		want  bool
	}{
		{"both positive", &Model{Kinds: map[string]*Kind{"name": {Weights: weights(1, 0.5)}}}, true},
		{"cube negative", &Model{Kinds: map[string]*Kind{"name": {Weights: weights(1, -0.5)}}}, false},
		{"from the default kind", &Model{Kinds: map[string]*Kind{"*": {Weights: weights(0, 0)}}}, true},
		{"weights of another length", &Model{Kinds: map[string]*Kind{"name": {Weights: []float64{1, 1}}}}, false},
		{"no kind", &Model{Kinds: map[string]*Kind{}}, false},
	}
	for _, tc := range tests {
		if got := tc.model.RisesWithAgreement("name"); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	// names are read a third time only where it could get them accepted
	if !m.RisesWithAgreement("name") {
		t.Error("embedded model: the score of names falls with the agreeing confidence")
	}
}
