package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"sync"

	"github.com/spf13/cobra"
	"gocv.io/x/gocv"

	"github.com/sohoa/sohoa/confidence"
	"github.com/sohoa/sohoa/eval"
	"github.com/sohoa/sohoa/extract"
	"github.com/sohoa/sohoa/internal/atomicfile"
	"github.com/sohoa/sohoa/ocr"
	"github.com/sohoa/sohoa/pipeline"
	"github.com/sohoa/sohoa/preprocess"
	"github.com/sohoa/sohoa/synth"
)

func (a *app) calibrateCmd() *cobra.Command {
	var (
		corpus, out, templates, version, dump string
		budget                                float64
		jobs                                  int
		crossRead                             []string
	)
	cmd := &cobra.Command{
		Use:   "calibrate --corpus DIR --out MODEL.json",
		Short: "Fit the field confidence model and thresholds on a synthetic corpus",
		Long: "calibrate reads every page of a corpus made by `sohoa synth`, extracts its fields, labels\n" +
			"each reading right or wrong against the ground truth, fits the confidence model per field\n" +
			"kind and picks each kind's threshold so that accepted fields stay within the error budget\n" +
			"(with a statistical margin). Use the model with `sohoa scan --model`, or rebuild the\n" +
			"embedded one (confidence/model.json).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if corpus == "" || out == "" {
				return fmt.Errorf("--corpus and --out are required")
			}
			set, err := extract.LoadTemplates(templates)
			if err != nil {
				return err
			}
			pages, err := eval.LoadCorpus(corpus)
			if err != nil {
				return err
			}
			truth := map[string]*synth.PageTruth{}
			var files []string
			for _, p := range pages {
				t, err := synth.LoadTruth(filepath.Join(corpus, p.Name+".gt.json"))
				if err != nil {
					return err
				}
				truth[p.Name] = t
				files = append(files, filepath.Join(corpus, t.Image))
			}
			samples, err := collectSamples(cmd.Context(), files, truth, set, crossRead, jobs)
			if err != nil {
				return err
			}
			m, err := confidence.Fit(samples, confidence.FitOptions{Budget: budget, Corpus: filepath.Base(filepath.Clean(corpus)), Version: version, CrossRead: crossRead})
			if err != nil {
				return err
			}
			if err := m.Save(out); err != nil {
				return err
			}
			if dump != "" {
				if err := dumpSamples(dump, m, samples); err != nil {
					return err
				}
			}
			printModel(a, m, len(files), len(samples))
			return nil
		},
	}
	cmd.Flags().StringVar(&corpus, "corpus", "", "corpus directory written by `sohoa synth`")
	cmd.Flags().StringVarP(&out, "out", "o", "", "model file to write")
	cmd.Flags().StringVar(&templates, "templates", "", "directory of extra templates")
	cmd.Flags().StringVar(&version, "version", "", "version string stored in the model")
	cmd.Flags().Float64Var(&budget, "budget", confidence.DefaultBudget, "allowed share of wrong accepted fields")
	cmd.Flags().StringVar(&dump, "samples", "", "also write every labelled reading with its score as JSON Lines (for analysis)")
	cmd.Flags().StringSliceVar(&crossRead, "cross-read", []string{"name", "text"}, "field kinds read twice (from the page and from their crops), the agreement of the two readings being evidence; none with --cross-read=\"\"")
	cmd.Flags().IntVarP(&jobs, "jobs", "j", runtime.NumCPU(), "pages processed in parallel")
	return cmd
}

func collectSamples(ctx context.Context, files []string, truth map[string]*synth.PageTruth, set *extract.Set, crossRead []string, jobs int) ([]confidence.Sample, error) {
	// The readings are settled exactly as `scan` settles them, so that the
	// model is fitted on the evidence it will be given.
	sc := &pipeline.Scanner{Templates: set, Model: &confidence.Model{CrossRead: crossRead}, ReOCR: true}
	cfg := pipeline.Config{Jobs: jobs, Limits: preprocess.DefaultLimits(), Preprocess: preprocess.DefaultOptions(), OCR: ocr.DefaultOptions()}
	var mu sync.Mutex
	var samples []confidence.Sample
	stage := func(ctx context.Context, e *ocr.Engine, src gocv.Mat, r *pipeline.PageResult) error {
		page, err := pipeline.Cleanup(ctx, src, cfg.Preprocess)
		if err != nil {
			return err
		}
		defer page.Close()
		text, err := pipeline.Recognize(ctx, e, page)
		if err != nil {
			return err
		}
		res, err := set.Extract(text)
		if err != nil {
			return err
		}
		pq := pipeline.PageQuality(page.Quality)
		s := eval.Samples(truth[r.Name], res, func(rd *extract.Reading) (*extract.Reading, confidence.Evidence) {
			return sc.Reading(ctx, e, page, rd, pq)
		})
		mu.Lock()
		samples = append(samples, s...)
		mu.Unlock()
		return nil
	}
	var failed []string
	err := pipeline.Run(ctx, files, cfg, stage, func(r pipeline.PageResult) {
		if r.Err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", r.Source, r.Err))
		}
	})
	if err != nil {
		return nil, err
	}
	if len(failed) > 0 {
		sort.Strings(failed)
		return nil, fmt.Errorf("%d corpus pages failed, first: %s", len(failed), failed[0])
	}
	return samples, nil
}

func printModel(a *app, m *confidence.Model, pages, samples int) {
	fmt.Fprintf(a.stdout, "calibrated on %d pages, %d field readings, budget %.2f%%\n", pages, samples, 100*m.Budget)
	kinds := make([]string, 0, len(m.Kinds))
	for k := range m.Kinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Fprintf(a.stdout, "%-14s %8s %10s %9s %7s %9s\n", "kind", "samples", "threshold", "accepted", "wrong", "err rate")
	for _, k := range kinds {
		v := m.Kinds[k]
		fmt.Fprintf(a.stdout, "%-14s %8d %10.3f %9d %7d %8.2f%%\n", k, v.Samples, v.Threshold, v.Accepted, v.Wrong, 100*v.ErrorRate)
	}
}

func dumpSamples(path string, m *confidence.Model, samples []confidence.Sample) error {
	var b []byte
	for _, s := range samples {
		line, err := json.Marshal(struct {
			confidence.Sample
			Score float64 `json:"score"`
		}{s, m.Score(s.Evidence)})
		if err != nil {
			return err
		}
		b = append(append(b, line...), '\n')
	}
	return atomicfile.Write(path, b)
}
