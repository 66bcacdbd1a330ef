package confidence

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
)

// DefaultBudget is the share of accepted fields allowed to be wrong.
const DefaultBudget = 0.005

// ErrBadModel is returned for a model file that cannot be used.
var ErrBadModel = errors.New("confidence: bad model")

// Kind is the fitted model of one field kind.
type Kind struct {
	Weights   []float64 `json:"weights"`
	Threshold float64   `json:"threshold"`
	// Calibration-set figures for the chosen threshold.
	Samples   int     `json:"samples"`
	Accepted  int     `json:"accepted"`
	Wrong     int     `json:"wrong"`
	ErrorRate float64 `json:"error_rate"`
}

// Model scores evidence and holds the acceptance thresholds.
type Model struct {
	Version string           `json:"version"`
	Budget  float64          `json:"budget"`
	Corpus  string           `json:"corpus"` // how the calibration corpus was made
	Kinds   map[string]*Kind `json:"kinds"`
	// CrossRead lists the kinds whose fields are read a second time from
	// their crops, the two readings compared (Evidence.Agree) and the
	// better kept. The model was fitted with that evidence, so scanning
	// must gather it the same way.
	CrossRead []string `json:"cross_read,omitempty"`
	// Overrides are per-field-key thresholds set by configuration.
	Overrides map[string]float64 `json:"overrides,omitempty"`
}

//go:embed model.json
var embedded []byte

// Default returns the model shipped with the binary.
func Default() (*Model, error) { return parse(embedded, "embedded model") }

// Load reads a model written by `sohoa calibrate`.
func Load(path string) (*Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("confidence: %w", err)
	}
	return parse(b, path)
}

func parse(b []byte, what string) (*Model, error) {
	var m Model
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadModel, what, err)
	}
	if len(m.Kinds) == 0 || m.Kinds["*"] == nil {
		return nil, fmt.Errorf("%w: %s has no fallback kind \"*\"", ErrBadModel, what)
	}
	for k, v := range m.Kinds {
		if len(v.Weights) != nFeatures {
			return nil, fmt.Errorf("%w: %s: kind %q has %d weights, want %d", ErrBadModel, what, k, len(v.Weights), nFeatures)
		}
	}
	return &m, nil
}

// Save writes the model as indented JSON.
func (m *Model) Save(path string) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func (m *Model) kind(k string) *Kind {
	if v, ok := m.Kinds[k]; ok {
		return v
	}
	return m.Kinds["*"]
}

// Score returns the calibrated probability that the reading is right.
func (m *Model) Score(e Evidence) float64 {
	if !e.Found {
		return 0
	}
	return sigmoid(dot(m.kind(e.Kind).Weights, e.vector()))
}

// Threshold is the acceptance threshold for a field key of a kind.
func (m *Model) Threshold(key, kind string) float64 {
	if t, ok := m.Overrides[key]; ok {
		return t
	}
	return m.kind(kind).Threshold
}

// CrossReads says whether fields of kind are read twice (see CrossRead).
func (m *Model) CrossReads(kind string) bool { return slices.Contains(m.CrossRead, kind) }

// AcceptedShare is the share of the calibration's readings of a kind that
// its threshold accepted (0 for a kind nothing of which can be accepted).
func (m *Model) AcceptedShare(kind string) float64 {
	k := m.kind(kind)
	if k.Samples == 0 || k.Threshold > 1 {
		return 0
	}
	return float64(k.Accepted) / float64(k.Samples)
}

// RisesWithAgreement says whether kind's score never falls as the agreeing
// readings' confidence (Evidence.AgreeConf) rises: its weights for it are
// not negative.
func (m *Model) RisesWithAgreement(kind string) bool {
	k := m.kind(kind)
	if k == nil || len(k.Weights) != nFeatures {
		return false
	}
	return k.Weights[featAgreeConf] >= 0 && k.Weights[featAgreeConf3] >= 0
}

// Accept says whether a field with this evidence may skip human review:
// its confidence clears the threshold and validation found no problem.
func (m *Model) Accept(key string, e Evidence) (score float64, ok bool) {
	s := m.Score(e)
	return s, e.Found && !e.Invalid && s >= m.Threshold(key, e.Kind)
}

func dot(w []float64, x [nFeatures]float64) float64 {
	var s float64
	for i := range x {
		s += w[i] * x[i]
	}
	return s
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }
