package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sohoa/sohoa/confidence"
	"github.com/sohoa/sohoa/export"
	"github.com/sohoa/sohoa/extract"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/ocr"
	"github.com/sohoa/sohoa/pipeline"
	"github.com/sohoa/sohoa/preprocess"
)

type scanFlags struct {
	jobs int
	out  string
	extractFlags
}

// extractFlags configure extraction and routing, the same for `scan` and
// `worker` so that both produce the same records.
type extractFlags struct {
	templates  string
	model      string
	thresholds []string
	noReOCR    bool
}

func (f *extractFlags) add(fl *pflag.FlagSet) {
	fl.StringVar(&f.templates, "templates", "", "directory of extra or overriding templates (*.yaml)")
	fl.StringVar(&f.model, "model", "", "confidence model from `sohoa calibrate` (default: the embedded one)")
	fl.StringSliceVar(&f.thresholds, "threshold", nil, "per-field acceptance threshold, KEY=VALUE (repeatable), e.g. personal_id=0.99")
	fl.BoolVar(&f.noReOCR, "no-reocr", false, "read every field once, from the page: no second reading of names and free text from their crops, nor of low-confidence fields (faster; fewer fields accepted)")
}

// scanner builds the extraction stage the flags describe.
func (f *extractFlags) scanner() (*pipeline.Scanner, error) {
	set, err := extract.LoadTemplates(f.templates)
	if err != nil {
		return nil, err
	}
	model, err := loadModel(f.model, f.thresholds)
	if err != nil {
		return nil, err
	}
	return &pipeline.Scanner{Templates: set, Model: model, Preprocess: preprocess.DefaultOptions(), ReOCR: !f.noReOCR}, nil
}

func (a *app) scanCmd() *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan [--jobs N] [--out FILE.jsonl|FILE.csv] FILE|DIR...",
		Short: "Turn register pages into validated records (cleanup, OCR, extraction, routing)",
		Long: "scan runs the whole pipeline on this machine with no servers: cleanup, OCR, template\n" +
			"detection and field extraction, normalisation and validation, calibrated confidence,\n" +
			"and routing (a field is accepted when its confidence clears its threshold and it is\n" +
			"valid; otherwise it goes to review with reasons). Records are written as the record\n" +
			"format's JSON Lines (or CSV, one row per record, when --out ends in .csv). A page that\n" +
			"cannot be processed appears in the output with its error; nothing is dropped.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runScan(cmd, args, f) },
	}
	cmd.Flags().IntVarP(&f.jobs, "jobs", "j", runtime.NumCPU(), "pages processed in parallel")
	cmd.Flags().StringVarP(&f.out, "out", "o", "", "output file (.jsonl or .csv); standard output (JSON Lines) when empty")
	f.extractFlags.add(cmd.Flags())
	return cmd
}

func loadModel(path string, overrides []string) (*confidence.Model, error) {
	var m *confidence.Model
	var err error
	if path == "" {
		m, err = confidence.Default()
	} else {
		m, err = confidence.Load(path)
	}
	if err != nil {
		return nil, err
	}
	for _, kv := range overrides {
		k, v, ok := strings.Cut(kv, "=")
		t, perr := strconv.ParseFloat(v, 64)
		if !ok || perr != nil || t < 0 || t > 1.01 {
			return nil, fmt.Errorf("--threshold %q: want KEY=VALUE with VALUE in 0..1", kv)
		}
		if m.Overrides == nil {
			m.Overrides = map[string]float64{}
		}
		m.Overrides[k] = t
	}
	return m, nil
}

func (a *app) runScan(cmd *cobra.Command, args []string, f scanFlags) error {
	if f.jobs < 1 {
		return fmt.Errorf("--jobs %d: want at least 1", f.jobs)
	}
	format := export.JSONL
	if strings.EqualFold(filepath.Ext(f.out), ".csv") {
		format = export.CSV
	}
	files, err := expandInputs(args)
	if err != nil {
		return err
	}
	sc, err := f.scanner()
	if err != nil {
		return err
	}
	cfg := pipeline.Config{Jobs: f.jobs, Limits: preprocess.DefaultLimits(), Preprocess: sc.Preprocess, OCR: ocr.DefaultOptions()}

	bar := newProgress(a.stderr, len(files), "scan")
	sum := newSummary()
	var recs []models.Record
	err = pipeline.Run(cmd.Context(), files, cfg, sc.Stage(), func(r pipeline.PageResult) {
		sum.add(r)
		if r.Err != nil {
			a.log.Warn("page failed", "file", r.Source, "page", r.PageIndex+1, "err", r.Err)
			recs = append(recs, pipeline.FailedRecord(r))
		} else {
			recs = append(recs, r.Records...)
			sum.records += len(r.Records)
			for _, rec := range r.Records {
				for _, fl := range rec.Fields {
					if fl.Status == models.StatusAccepted {
						sum.accepted++
					} else {
						sum.review++
					}
				}
			}
		}
		if bar != nil && r.PageIndex+1 >= r.Pages {
			_ = bar.Add(1)
		}
	})
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		return err
	}
	sort.SliceStable(recs, func(i, j int) bool {
		if recs[i].Source != recs[j].Source {
			return recs[i].Source < recs[j].Source
		}
		return recs[i].EntryIndex < recs[j].EntryIndex
	})
	if err := writeRecords(f.out, format, recs, a.stdout); err != nil {
		return err
	}
	sum.print(a.stderr)
	if sum.failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d of %d pages failed (listed in the output with their error)", sum.failed, sum.pages+sum.failed)}
	}
	return nil
}

// writeRecords writes to a temporary file renamed into place at the end, so
// an interrupted run never leaves a half-written output.
func writeRecords(path string, format export.Format, recs []models.Record, stdout interface{ Write([]byte) (int, error) }) (err error) {
	if path == "" {
		w, err := export.NewWriter(stdout, format)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := w.Write(r); err != nil {
				return err
			}
		}
		return w.Close()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w, err := export.NewWriter(tmp, format)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if err = w.Write(r); err != nil {
			return err
		}
	}
	if err = w.Close(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
