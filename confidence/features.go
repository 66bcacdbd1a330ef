package confidence

import (
	"math"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Evidence is what is known about one field reading.
type Evidence struct {
	Kind        string    // validate kind: name, date, personal_id, …
	Found       bool      // a value was read at all
	WordConfs   []float64 // Tesseract word confidences of the value, 0..1
	LabelScore  float64   // how well the label matched, 0..1
	PageQuality float64   // 0..1, from the cleanup's quality report
	Invalid     bool      // validation found a blocking problem
	Repaired    bool      // the normaliser repaired OCR look-alikes
	DictScore   float64   // 0..1 dictionary agreement: 0 for a name whose family name, or an address whose commune, district or province, is not in the tables (vn); 0.5 for a name whose given names are not all usual ones, or when repaired (and not confirmed by the tables); 1 otherwise
	Chars       int       // length of the raw value in runes
	// MarkRisk is the share of letters carrying the marks Tesseract's
	// Vietnamese model confuses most (hook above, tilde, a tone on a
	// circumflex, breve or horn vowel: ấ/ẩ, ễ/ế, …); see MarkRisk().
	MarkRisk float64
	// Upper: the value is printed in capitals, where marks are squeezed.
	Upper bool
	// Agree: a second, independent reading of the field's crop gave the
	// same normalised value (only for the kinds the model's CrossRead
	// names; false elsewhere).
	Agree bool
	// AgreeConf: the confidence of the least sure word of the agreeing
	// readings of the crop (the second reading, and for names the third)
	// when they agree (0 otherwise). Where two readings agree, the
	// second one's confidence tells right from wrong better than the
	// first's: on 1,740 names of two dev corpora, of the 1,589 whose two
	// readings agreed, ranked by the page reading's least sure word no
	// share could be accepted within 0.5 % (by the bound the fit uses);
	// ranked by the lesser of the two readings' least sure words, 430.
	AgreeConf float64
}

// nFeatures is the length of the feature vector, bias included.
const nFeatures = 15

// Positions in the feature vector of the agreeing readings' confidence and
// its cube.
const (
	featAgreeConf  = 13
	featAgreeConf3 = 14
)

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
	agreeC := 0.0
	if e.Agree {
		agreeC = e.AgreeConf
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
		e.MarkRisk,
		b(e.Upper),
		b(e.Agree),
		agreeC,
		agreeC * agreeC * agreeC,
	}
}

// MarkRisk returns the share of the letters of s that carry a confusable
// combination of Vietnamese marks, and whether s is written in capitals.
func MarkRisk(s string) (risk float64, upper bool) {
	letters, risky, lower := 0, 0, 0
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		if unicode.IsLower(r) {
			lower++
		}
		d := norm.NFD.String(string(r))
		var hookOrTilde, vowelMark, tone bool
		for _, m := range d {
			switch m {
			case '\u0309', '\u0303': // hook above, tilde
				hookOrTilde = true
			case '\u0302', '\u0306', '\u031B': // circumflex, breve, horn
				vowelMark = true
			case '\u0300', '\u0301', '\u0323': // grave, acute, dot below
				tone = true
			}
		}
		if hookOrTilde || (vowelMark && tone) {
			risky++
		}
	}
	if letters == 0 {
		return 0, false
	}
	return float64(risky) / float64(letters), lower == 0
}
