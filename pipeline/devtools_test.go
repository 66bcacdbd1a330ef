package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/otiai10/gosseract/v2"
	"gocv.io/x/gocv"

	"github.com/sohoa/sohoa/ocr"
	"github.com/sohoa/sohoa/preprocess"
	"github.com/sohoa/sohoa/synth"
)

// Development aids, skipped unless their environment variable is set.

// TestDevCrossReadScales reads every field of the kinds in
// PIPELINE_DEV_KINDS (default "name") on the pages of the synthetic corpus
// PIPELINE_DEV_CORPUS once more from its grey crop at each scale of
// PIPELINE_DEV_SCALES (default "0.6,0.75,0.85,1"), and writes a JSON line
// per field to PIPELINE_DEV_OUT: the truth, the page's reading and each
// scale's, with the confidence of their least sure words;
// PIPELINE_DEV_ALT_LANG adds the readings of another model at the same
// scales. This is how crossReads were chosen. PIPELINE_DEV_PART=i and
// PIPELINE_DEV_PARTS=n take every n-th page from the i-th, to run n
// processes side by side.
func TestDevCrossReadScales(t *testing.T) {
	dir := os.Getenv("PIPELINE_DEV_CORPUS")
	if dir == "" {
		t.Skip("set PIPELINE_DEV_CORPUS")
	}
	kinds := strings.Split(orDefault(os.Getenv("PIPELINE_DEV_KINDS"), "name"), ",")
	var scales []float64
	for _, f := range strings.Split(orDefault(os.Getenv("PIPELINE_DEV_SCALES"), "0.6,0.75,0.85,1"), ",") {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || v <= 0 {
			t.Fatalf("PIPELINE_DEV_SCALES: %q is not a scale", f)
		}
		scales = append(scales, v)
	}
	part, _ := strconv.Atoi(os.Getenv("PIPELINE_DEV_PART"))
	parts, _ := strconv.Atoi(os.Getenv("PIPELINE_DEV_PARTS"))
	out, err := os.Create(orDefault(os.Getenv("PIPELINE_DEV_OUT"), filepath.Join(os.TempDir(), "crossread-scales.jsonl")))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	enc := json.NewEncoder(out)
	ctx := context.Background()
	sc := testScanner(t)
	// PIPELINE_DEV_ALT_LANG: also read each crop with this model (columns
	// "L<scale>"), e.g. ocr.ScriptModel
	opts := ocr.DefaultOptions()
	models := []devModel{{prefix: "x"}}
	if lang := os.Getenv("PIPELINE_DEV_ALT_LANG"); lang != "" {
		opts.Models = append(opts.Models, lang)
		models = append(models, devModel{prefix: "L", model: lang})
	}
	e, err := ocr.NewEngine(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	files, err := filepath.Glob(filepath.Join(dir, "*.gt.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no *.gt.json in %s", dir)
	}
	slices.Sort(files)
	for i, gt := range files {
		if parts > 0 && i%parts != part {
			continue
		}
		truth, err := synth.LoadTruth(gt)
		if err != nil {
			t.Fatal(err)
		}
		src := gocv.IMRead(filepath.Join(dir, truth.Image), gocv.IMReadColor)
		page, err := Cleanup(ctx, src, sc.Preprocess)
		src.Close()
		if err != nil {
			t.Fatalf("%s: %v", truth.Image, err)
		}
		text, err := Recognize(ctx, e, page)
		if err == nil {
			err = devReadScales(ctx, sc, e, page, text, truth, kinds, scales, models, enc)
		}
		page.Close()
		if err != nil {
			t.Fatalf("%s: %v", truth.Image, err)
		}
	}
}

// devModel is a model the development test reads crops with, and the
// prefix of its columns.
type devModel struct{ prefix, model string }

func devReadScales(ctx context.Context, sc *Scanner, e *ocr.Engine, page *preprocess.Page, text *ocr.Page, truth *synth.PageTruth, kinds []string, scales []float64, models []devModel, enc *json.Encoder) error {
	res, err := sc.Templates.Extract(text)
	if err != nil {
		return err
	}
	for ei, ent := range res.Entries {
		if ei >= len(truth.Records) {
			break
		}
		for _, key := range sortedKeys(ent.Fields) {
			rd := ent.Fields[key]
			tf, ok := truth.Records[ei].Fields[key]
			if rd == nil || rd.Value == nil || !ok || !slices.Contains(kinds, rd.Kind) {
				continue
			}
			row := map[string]any{"file": truth.Name, "entry": ei, "key": key, "kind": rd.Kind, "quality": truth.Quality,
				"font": truth.Font, "truth": tf.Value, "page": *rd.Value, "page_conf": minConf(rd.WordConfs)}
			for _, m := range models {
				for _, s := range scales {
					name := fmt.Sprintf("%s%g", m.prefix, s)
					alt := sc.readCrop(ctx, e, page.Gray, rd, ocr.RegionOptions{PageSegMode: gosseract.PSM_SINGLE_LINE, Scale: s, Model: m.model})
					if alt == nil || alt.Value == nil {
						row[name] = nil
						continue
					}
					row[name], row[name+"_conf"] = *alt.Value, minConf(alt.WordConfs)
				}
			}
			if err := enc.Encode(row); err != nil {
				return err
			}
		}
	}
	return nil
}

// orDefault returns v, or def when v is empty.
func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
