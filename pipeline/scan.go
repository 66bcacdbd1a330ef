package pipeline

import (
	"context"
	"fmt"
	"image"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/otiai10/gosseract/v2"
	"gocv.io/x/gocv"

	"github.com/sohoa/sohoa/confidence"
	"github.com/sohoa/sohoa/extract"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/ocr"
	"github.com/sohoa/sohoa/preprocess"
	"github.com/sohoa/sohoa/validate"
	"github.com/sohoa/sohoa/vn"
)

// recordNamespace makes record ids stable: the same page bytes and entry
// always give the same id, so re-running a page updates rather than
// duplicates its records.
var recordNamespace = uuid.MustParse("6f1c1f0e-6a43-4f0e-9d8e-5d3b8f2a9c11")

// labelResidue is what a crop's left edge may catch of the label: its
// colon, alone or read with a letter or two ("1:", "y:").
var labelResidue = regexp.MustCompile(`^\PL{0,2}\pL?[:;]\s*`)

// Reasons a field goes to review (record format: field reasons).
const (
	ReasonLowConfidence = "low_confidence"
	ReasonMissing       = "missing"
	ReasonInvalid       = "invalid"
	ReasonConflict      = "conflict"
)

// Scanner is the extraction stage: templates, the confidence model and
// whether low-confidence fields are read again from their crops.
type Scanner struct {
	Templates  *extract.Set
	Model      *confidence.Model
	Preprocess preprocess.Options
	// ReOCR re-reads a field whose confidence is below its threshold from
	// its crop with other settings, keeping the better reading.
	ReOCR bool
}

// Stage runs cleanup, OCR, extraction and routing on one page.
func (s *Scanner) Stage() Stage {
	return func(ctx context.Context, e *ocr.Engine, src gocv.Mat, r *PageResult) error {
		page, err := Cleanup(ctx, src, s.Preprocess)
		if err != nil {
			return err
		}
		defer page.Close()
		r.Quality = page.Quality
		res, err := Recognize(ctx, e, page)
		if err != nil {
			return err
		}
		recs, err := s.Records(ctx, e, page, res, Source{Path: r.Source, SHA256: r.SHA256})
		if err != nil {
			return err
		}
		MapToOriginal(res, page.ToOriginal)
		res.Width, res.Height = src.Cols(), src.Rows()
		r.OCR = res
		r.Records = recs
		return nil
	}
}

// Source identifies the page records come from.
type Source struct {
	Path   string
	SHA256 string
}

// Records extracts, scores and routes the records of one recognised page.
// text is in the cleaned page's coordinates; the records' boxes are mapped
// to the original page.
func (s *Scanner) Records(ctx context.Context, e *ocr.Engine, page *preprocess.Page, text *ocr.Page, src Source) ([]models.Record, error) {
	if err := s.checkModels(e); err != nil {
		return nil, err
	}
	res, err := s.Templates.Extract(text)
	if err != nil {
		return nil, err
	}
	return s.records(ctx, e, page, res, src), nil
}

// records settles every field of the page's entries (second readings of
// their crops included), checks the fields against each other again on
// the settled readings (extract.Recheck: a second reading validated alone
// can resolve a conflict or bring one) and routes them.
func (s *Scanner) records(ctx context.Context, e *ocr.Engine, page *preprocess.Page, res *extract.Result, src Source) []models.Record {
	pq := PageQuality(page.Quality)
	second := make([]map[string]confidence.Evidence, len(res.Entries))
	first := make([]map[string]*extract.Reading, len(res.Entries))
	for i, entry := range res.Entries {
		second[i], first[i] = map[string]confidence.Evidence{}, map[string]*extract.Reading{}
		for _, k := range sortedKeys(entry.Fields) {
			first[i][k] = entry.Fields[k]
			entry.Fields[k], second[i][k] = s.settle(ctx, e, page, entry.Fields[k], pq)
		}
	}
	extract.Recheck(res.RegisterType, res.Entries)
	keepPageReadings(res.RegisterType, res.Entries, first)
	warnings := append([]string(nil), page.Quality.Warnings...)
	recs := make([]models.Record, 0, len(res.Entries))
	for i, entry := range res.Entries {
		rec := models.Record{
			ID:           RecordID(src.SHA256, src.Path, entry.Index),
			Source:       src.Path,
			PageSHA256:   src.SHA256,
			EntryIndex:   entry.Index,
			RegisterType: res.RegisterType,
			Template:     res.Template,
			Status:       models.StatusAccepted,
			Fields:       map[string]models.Field{},
			Warnings:     warnings,
		}
		for _, k := range sortedKeys(entry.Fields) {
			rd := entry.Fields[k]
			// The checks across fields may have changed since settle: the
			// evidence is gathered again, with the second reading's.
			ev := Evidence(rd, pq)
			ev.Agree, ev.AgreeConf = second[i][k].Agree, second[i][k].AgreeConf
			f := s.decide(rd, ev)
			f.BBox = mapBox(f.BBox, page.ToOriginal)
			if rd.Value == nil && rd.Raw == "" && len(rd.WordConfs) == 0 {
				f.BBox = models.BBox{}
			}
			if f.Status != models.StatusAccepted {
				rec.Status = models.StatusReview
			}
			rec.Fields[k] = f
		}
		recs = append(recs, rec)
	}
	return recs
}

// checkModels says whether e holds every model the crops of the kinds
// the confidence model cross-reads are read with (crossReads): without
// one, those fields would never agree and would all go to review, page
// after page, with nothing to say why.
func (s *Scanner) checkModels(e *ocr.Engine) error {
	if !s.ReOCR || e == nil || s.Model == nil {
		return nil
	}
	for _, kind := range s.Model.CrossRead {
		for _, o := range crossReads(kind) {
			if !e.HasModel(o.Model) {
				return fmt.Errorf("pipeline: fields of kind %s are read again with model %q: %w (ocr.Options.Models; ocr.DefaultOptions loads it)", kind, o.Model, ocr.ErrModel)
			}
		}
	}
	return nil
}

// keepPageReadings puts back the page's reading (first) of every field
// refused for nothing but a conflict with other fields wherever the
// conflict goes without replacing it; the entries' checks are left as the
// readings kept give them (the caller has run extract.Recheck on the
// settled readings). A conflict says that one of its fields was misread,
// not which, and all of them were read again: on 540 pages a registration
// date read right, in conflict only with a misread birth date, was read
// again wrongly and accepted once the birth date's second reading had
// resolved the conflict. (A page reading put back had disagreed with its
// second reading, or it would not have been replaced: its fields keep
// Agree false.)
func keepPageReadings(rt models.RegisterType, entries []extract.Entry, first []map[string]*extract.Reading) {
	for i, entry := range entries {
		for _, k := range sortedKeys(entry.Fields) {
			fst, cur := first[i][k], entry.Fields[k]
			if fst == nil || fst == cur || !validate.Blocking(fst.Checks) || validate.Blocking(fst.Own()) {
				continue
			}
			entry.Fields[k] = fst
			extract.Recheck(rt, entries)
			if validate.Blocking(fst.Problems) {
				entry.Fields[k] = cur
				extract.Recheck(rt, entries)
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// minRereadShare is the share of a kind's readings the calibration must
// have accepted before its low-confidence fields are read a second time.
const minRereadShare = 0.5

// Reading settles a field's reading and the evidence for its confidence.
// For the kinds the model cross-reads (names and free text: Tesseract's
// confidence does not tell their misread marks from right ones) the
// field's crop is read a second time, from the enhanced grey page rather
// than the binary one the page was read from. The two readings agreeing is
// evidence of its own; where they differ, the one whose least sure word is
// surer is kept (on 160 pages of dev corpus, names right 93.3 → 96.4 %,
// free text 93.9 → 96.2 %). A name whose two readings agree is read a
// third time, by another model (crossReads; e must hold ocr.ScriptModel,
// as engines made with ocr.DefaultOptions do: Records checks), where
// agreeing could get it accepted, and agrees only if all three readings
// do; the least sure word of the agreeing crops is evidence too
// (AgreeConf). Readings longer than crossReadShort are read again only
// where agreeing could get them accepted.
func (s *Scanner) Reading(ctx context.Context, e *ocr.Engine, page *preprocess.Page, rd *extract.Reading, pq float64) (*extract.Reading, confidence.Evidence) {
	ev := Evidence(rd, pq)
	if !s.ReOCR || e == nil || page == nil || rd.Value == nil || !s.Model.CrossReads(rd.Kind) || conflictsWithin(rd) {
		return rd, ev
	}
	// Tesseract's time follows the characters read, and a line of an
	// address costs four times a name. A long reading is read again only
	// where agreeing could get it accepted; one that stays in review
	// anyway keeps its page reading. The guess assumes the crop's least
	// sure word as sure as the page reading's words on average. (The
	// crop's reading is often surer than the page's: of the 5,313 names
	// and free text over crossReadShort in the calibration, read twice,
	// 2,899 were accepted; this guess reads 4,374 of them twice and misses
	// 1 of those accepted, where the page reading's least sure word would
	// miss 267.)
	if utf8.RuneCountInString(rd.Raw) > crossReadShort && !s.couldAccept(rd.Key, ev, meanConf(ev.WordConfs)) {
		return rd, ev
	}
	reads := crossReads(rd.Kind)
	alt := s.readCrop(ctx, e, page.Gray, rd, reads[0])
	if alt == nil || alt.Value == nil {
		return rd, ev
	}
	agree := *alt.Value == *rd.Value
	if !agree && minConf(alt.WordConfs) > minConf(rd.WordConfs) {
		rd, ev = alt, Evidence(alt, pq)
	}
	conf := minConf(alt.WordConfs)
	// The further readings confirm an agreement: agreeing then means all
	// of them do.
	for _, o := range reads[1:] {
		if !agree {
			break
		}
		// A further reading can only lower the agreeing confidence (the
		// least sure word of all): where the score rises with it and
		// agreeing at conf would not get the field accepted, the field
		// stays in review whatever that reading says, and it is not read.
		if s.Model.RisesWithAgreement(ev.Kind) && !s.couldAccept(rd.Key, ev, conf) {
			agree = false
			break
		}
		more := s.readCrop(ctx, e, page.Gray, rd, o)
		agree = more != nil && more.Value != nil && *more.Value == *rd.Value
		if agree {
			conf = min(conf, minConf(more.WordConfs))
		}
	}
	ev.Agree = agree
	if agree {
		ev.AgreeConf = conf
	}
	return rd, ev
}

// crossReads are how the crop of a field of kind is read again: the first
// gives the second reading; each further one is read only while all
// readings so far agree, and must agree too. Scales are relative to the
// cleaned page, whose x-height is normalised to about 24 pixels.
//
// Names, mostly printed in capitals, are read best a quarter smaller: on
// 240 pages of a dev corpus (seed 777), 869 names read from the grey crop
// were right 95.9 % of the time at 0.75 against 94.7 % at 1 (0.6: 94.9 %,
// 0.85: 94.9 %), and where the crop's reading agreed with the page's it
// was wrong 1.6 % of the time against 2.5 %. Free text is read best at the
// page's own scale (1,309 readings: 91.7 % right at 1, 91.6 % at 0.75,
// and wrong 1.9 % against 2.6 % when agreeing); a line of an address costs
// four times a name.
//
// The confirming reading is by another model, ocr.ScriptModel: "vie" read
// at another scale repeats many of its own misread marks, a model trained
// apart repeats fewer. On two dev corpora (seeds 777 and 4242, 360 pages;
// TestDevCrossReadScales with PIPELINE_DEV_ALT_LANG), of 1,302 names the
// page and the crop at 0.75 agreed on 1,209, 21 of them wrong; a third
// reading by "vie" at 0.85 left 1,192 agreeing, 15 wrong; by
// ocr.ScriptModel at 0.85, 1,150, 7 wrong. Free text is not read a third
// time: of 1,962, the page and the crop agreed on 1,801, 36 wrong, and
// ocr.ScriptModel agreeing too at 0.85 left 1,711, 17 wrong, but in the
// calibration that got only 71 more of 5,875 accepted, for 11–15 % more
// CPU a page (the model is three times the size of "vie", and an
// address four times a name).
func crossReads(kind string) []ocr.RegionOptions {
	if validate.Kind(kind) == validate.KindName {
		return []ocr.RegionOptions{
			{PageSegMode: gosseract.PSM_SINGLE_LINE, Scale: 0.75},
			{PageSegMode: gosseract.PSM_SINGLE_LINE, Scale: 0.85, Model: ocr.ScriptModel},
		}
	}
	return []ocr.RegionOptions{
		{PageSegMode: gosseract.PSM_SINGLE_LINE, Scale: 1},
	}
}

// crossReadShort is the longest reading (in characters, as read) that is
// always read a second time: person names and short places.
const crossReadShort = 24

// couldAccept says whether a reading of field key with evidence ev would
// be accepted if its readings agreed with confidence conf (the least sure
// word of the agreeing crops). A model still being fitted (no kinds yet)
// reads everything.
func (s *Scanner) couldAccept(key string, ev confidence.Evidence, conf float64) bool {
	if len(s.Model.Kinds) == 0 {
		return true
	}
	ev.Agree, ev.AgreeConf = true, conf
	_, ok := s.Model.Accept(key, ev)
	return ok
}

// conflictsWithin says whether a reading contradicts another part of
// itself (validate.CodeConflict among its own problems: a date's figures
// against its words). Its crop read again and validated alone could lose
// the part it contradicts, so a second reading must not replace it: a
// person decides. A conflict with other fields (Reading.Checks: a birth
// after the registration, entry numbers out of sequence) does not stop a
// second reading, since the checks run again on the settled readings.
func conflictsWithin(rd *extract.Reading) bool {
	return slices.ContainsFunc(rd.Own(), func(p validate.Problem) bool { return p.Code == validate.CodeConflict })
}

func meanConf(cs []float64) float64 {
	if len(cs) == 0 {
		return 0
	}
	var sum float64
	for _, c := range cs {
		sum += c
	}
	return sum / float64(len(cs))
}

func minConf(cs []float64) float64 {
	if len(cs) == 0 {
		return 0
	}
	return slices.Min(cs)
}

// settle returns a field's final reading and its evidence, with whether
// its two readings agreed (Reading). A field of a kind that is not
// cross-read (dates, numbers, …) is re-read once from its crop, larger,
// when the first reading is not good enough; that second reading replaces
// the first only if it is accepted, since between two readings a person
// will check anyway a higher score is no sign of the better one.
func (s *Scanner) settle(ctx context.Context, e *ocr.Engine, page *preprocess.Page, rd *extract.Reading, pq float64) (*extract.Reading, confidence.Evidence) {
	rd, ev := s.Reading(ctx, e, page, rd, pq)
	// Re-read only where a better reading is likely to be accepted: a kind
	// whose threshold nothing can reach is always reviewed, and one of which
	// the calibration accepted under half is mostly reviewed whatever its
	// second reading.
	if !s.ReOCR || rd.Value == nil || e == nil || page == nil || s.Model.CrossReads(rd.Kind) || conflictsWithin(rd) ||
		s.Model.Threshold(rd.Key, rd.Kind) > 1 || s.Model.AcceptedShare(rd.Kind) < minRereadShare {
		return rd, ev
	}
	if _, ok := s.Model.Accept(rd.Key, ev); ok {
		return rd, ev
	}
	alt := s.readCrop(ctx, e, page.Gray, rd, ocr.RegionOptions{PageSegMode: gosseract.PSM_SINGLE_LINE, Scale: 1.5})
	if alt == nil {
		return rd, ev
	}
	aev := Evidence(alt, pq)
	if _, ok := s.Model.Accept(alt.Key, aev); ok {
		return alt, aev
	}
	return rd, ev
}

// decide gives a settled reading its confidence, status and reasons.
func (s *Scanner) decide(rd *extract.Reading, ev confidence.Evidence) models.Field {
	score, ok := s.Model.Accept(rd.Key, ev)
	f := models.Field{Value: rd.Value, Raw: rd.Raw, Confidence: math.Round(score*1000) / 1000, BBox: rd.BBox, Reasons: []string{}}
	if ok {
		f.Status = models.StatusAccepted
		return f
	}
	f.Status = models.StatusReview
	switch {
	case rd.Value == nil:
		f.Reasons = append(f.Reasons, ReasonMissing)
	default:
		if score < s.Model.Threshold(rd.Key, rd.Kind) {
			f.Reasons = append(f.Reasons, ReasonLowConfidence)
		}
	}
	for _, p := range rd.Problems {
		if p.Code == validate.CodeMissing && slices.Contains(f.Reasons, ReasonMissing) {
			continue
		}
		if validate.Blocking([]validate.Problem{p}) && !slices.Contains(f.Reasons, p.Code) {
			f.Reasons = append(f.Reasons, p.Code)
		}
	}
	return f
}

// readCrop OCRs the field's crop of img as one line with options o (a
// white margin of half the line's height is added) and normalises it
// again.
func (s *Scanner) readCrop(ctx context.Context, e *ocr.Engine, img gocv.Mat, rd *extract.Reading, o ocr.RegionOptions) *extract.Reading {
	b := rd.BBox
	h := b[3] - b[1]
	if b[2] <= b[0] || h <= 0 {
		return nil
	}
	// Only a sliver to the left: the label's colon sits there and would be
	// read into the value.
	r := image.Rect(b[0]-h/6, b[1]-h/3, b[2]+h/2, b[3]+h/3)
	o.Pad = h / 2
	alt, err := e.RecognizeRegion(ctx, img, r, o)
	if err != nil || len(alt.Lines) == 0 {
		return nil
	}
	var words []string
	var confs []float64
	for _, w := range alt.Words() {
		words = append(words, w.Text)
		confs = append(confs, w.Conf)
	}
	raw := labelResidue.ReplaceAllString(strings.Join(words, " "), "")
	val, probs := validate.Field(rd.Key, raw)
	out := *rd
	out.Raw = raw
	out.WordConfs = confs
	out.Problems, out.Checks = probs, nil
	out.Value = nil
	if val != "" {
		out.Value = &val
	}
	return &out
}

// Evidence gathers what the confidence model needs about a reading.
func Evidence(rd *extract.Reading, pageQuality float64) confidence.Evidence {
	ev := confidence.Evidence{
		Kind:        rd.Kind,
		Found:       rd.Value != nil,
		WordConfs:   rd.WordConfs,
		LabelScore:  rd.LabelScore,
		PageQuality: pageQuality,
		Invalid:     validate.Blocking(rd.Problems),
		DictScore:   1,
		Chars:       len([]rune(rd.Raw)),
	}
	ev.MarkRisk, ev.Upper = confidence.MarkRisk(rd.Raw)
	for _, p := range rd.Problems {
		if p.Code == validate.CodeRepaired {
			ev.Repaired = true
			ev.DictScore = 0.5
		}
	}
	if rd.Value == nil {
		return ev
	}
	// The dictionaries: a misread family name is seldom another family
	// name, a misread given name seldom another usual one, and a misread
	// commune or district is seldom another one of the same district or
	// province. An unknown given name is weaker evidence than an unknown
	// family name (names of other traditions than Kinh are seldom listed).
	switch validate.Kind(rd.Kind) {
	case validate.KindName:
		switch {
		case !validate.FamilyNameKnown(*rd.Value):
			ev.DictScore = 0
		case !validate.GivenNamesKnown(*rd.Value):
			ev.DictScore = min(ev.DictScore, 0.5)
		}
	case validate.KindText:
		switch vn.CheckAddress(*rd.Value) {
		case vn.AddressKnown:
			ev.DictScore = 1
		case vn.AddressUnknown:
			ev.DictScore = 0
		}
	}
	return ev
}

// PageQuality condenses the cleanup's quality report into 0..1: ink
// contrast and resolution dominate what Tesseract can read.
func PageQuality(q preprocess.Quality) float64 {
	c := math.Min(1, q.Contrast/0.6)
	d := 1.0
	if q.EstimatedDPI > 0 {
		d = math.Min(1, float64(q.EstimatedDPI)/300)
	}
	return math.Round(100*(0.5*c+0.5*d)) / 100
}

// RecordID is the stable id of entry index of a page.
func RecordID(sha, path string, index int) string {
	key := sha
	if key == "" {
		key = path
	}
	return uuid.NewSHA1(recordNamespace, []byte(fmt.Sprintf("%s#%d", key, index))).String()
}

// FailedRecord stands for a page that could not be processed, so that it
// appears in the output with its reason instead of vanishing.
func FailedRecord(r PageResult) models.Record {
	src := r.Source
	if r.Pages > 1 {
		src = fmt.Sprintf("%s#%d", r.Source, r.PageIndex+1)
	}
	return models.Record{
		ID:         RecordID(r.SHA256, src, -1),
		Source:     src,
		PageSHA256: r.SHA256,
		Status:     models.StatusReview,
		Fields:     map[string]models.Field{},
		Warnings:   []string{},
		Error:      r.Err.Error(),
	}
}
