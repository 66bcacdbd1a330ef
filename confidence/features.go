package confidence

import "math"

// Evidence is what is known about one field reading.
type Evidence struct {
	Kind        string    // validate kind: name, date, personal_id, …
	Found       bool      // a value was read at all
	WordConfs   []float64 // Tesseract word confidences of the value, 0..1
	LabelScore  float64   // how well the label matched, 0..1
	PageQuality float64   // 0..1, from the cleanup's quality report
	Invalid     bool      // validation found a blocking problem
	Repaired    bool      // the normaliser repaired OCR look-alikes
	DictScore   float64   // 0..1 dictionary agreement (1 when the kind has none)
	Chars       int       // length of the raw value in runes
}

// nFeatures is the length of the feature vector, bias included.
const nFeatures = 10

// vector turns evidence into the model's inputs. Kept in one place so that
// fitting and scoring can never disagree.
func (e Evidence) vector() [nFeatures]float64 {
	minC, meanC := 0.0, 0.0
	if len(e.WordConfs) > 0 {
		minC = 1
		for _, c := range e.WordConfs {
			minC = math.Min(minC, c)
			meanC += c
		}
		meanC /= float64(len(e.WordConfs))
	}
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	return [nFeatures]float64{
		1,
		minC,
		meanC,
		minC * minC * minC, // Tesseract's confidence is sharply informative near the top
		e.LabelScore,
		e.PageQuality,
		b(e.Invalid),
		b(e.Repaired),
		e.DictScore,
		math.Log1p(float64(e.Chars)) / 4,
	}
}
