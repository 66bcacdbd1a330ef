package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/sohoa/sohoa/internal/atomicfile"
	"github.com/sohoa/sohoa/ocr"
	"github.com/sohoa/sohoa/pipeline"
	"github.com/sohoa/sohoa/preprocess"
)

func (a *app) ocrCmd() *cobra.Command {
	var (
		jobs   int
		outDir string
		words  bool
	)
	cmd := &cobra.Command{
		Use:   "ocr [--jobs N] --out-dir DIR FILE|DIR...",
		Short: "Clean up pages and write their text, one printed line per line",
		Long: "ocr deskews, enhances and cleans every page (dotted leaders and ruling lines removed),\n" +
			"reads it with Tesseract (vie) and writes DIR/NAME.txt, NAME being the file name without\n" +
			"its extension (NAME-pN.txt for page N of a multi-page TIFF). Files that cannot be read\n" +
			"are reported with the reason; the exit status is 1 when any page failed.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if outDir == "" {
				return fmt.Errorf("--out-dir is required")
			}
			if jobs < 1 {
				return fmt.Errorf("--jobs %d: want at least 1", jobs)
			}
			files, err := expandInputs(args)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return fmt.Errorf("--out-dir: %w", err)
			}
			cfg := pipeline.Config{
				Jobs:       jobs,
				Limits:     preprocess.DefaultLimits(),
				Preprocess: preprocess.DefaultOptions(),
				OCR:        ocr.DefaultOptions(),
			}
			cfg.OCR.Models = nil // pages only: no field is read again
			bar := newProgress(a.stderr, len(files), "ocr")
			sum := newSummary()
			err = pipeline.Run(cmd.Context(), files, cfg, pipeline.OCRStage(cfg.Preprocess), func(r pipeline.PageResult) {
				if r.Err == nil {
					r.Err = writePageText(outDir, r, words)
				}
				sum.add(r)
				if r.Err != nil {
					a.log.Warn("page failed", "file", r.Source, "page", r.PageIndex+1, "err", r.Err)
				}
				if bar != nil && r.PageIndex+1 >= r.Pages {
					_ = bar.Add(1)
				}
			})
			if bar != nil {
				_ = bar.Finish()
			}
			sum.print(a.stdout)
			if err != nil {
				return err
			}
			if sum.failed > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d of %d pages failed", sum.failed, sum.pages+sum.failed)}
			}
			return nil
		},
	}
	cmd.Flags().IntVarP(&jobs, "jobs", "j", runtime.NumCPU(), "pages processed in parallel (one Tesseract engine each)")
	cmd.Flags().StringVarP(&outDir, "out-dir", "o", "", "directory for the NAME.txt files (required)")
	cmd.Flags().BoolVar(&words, "words", false, "also write NAME.words.json: lines and words with boxes (original-page pixels) and confidences")
	return cmd
}

func writePageText(dir string, r pipeline.PageResult, words bool) error {
	if err := atomicfile.Write(filepath.Join(dir, r.Name+".txt"), []byte(r.OCR.Text())); err != nil {
		return err
	}
	if !words {
		return nil
	}
	doc := struct {
		Source  string             `json:"source"`
		PageNo  int                `json:"page"`
		Quality preprocess.Quality `json:"quality"`
		*ocr.Page
	}{r.Source, r.PageIndex + 1, r.Quality, r.OCR}
	b, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, r.Name+".words.json"), b)
}

// summary accumulates what the user is told at the end of a run.
type summary struct {
	start    time.Time
	cpuStart time.Duration
	pages    int
	failed   int
	records  int
	accepted int // fields
	review   int // fields
	failures []string
}

func newSummary() *summary { return &summary{start: time.Now(), cpuStart: processCPU()} }

func (s *summary) add(r pipeline.PageResult) {
	if r.Err != nil {
		s.failed++
		where := r.Source
		if r.Pages > 1 {
			where = fmt.Sprintf("%s (page %d)", r.Source, r.PageIndex+1)
		}
		s.failures = append(s.failures, fmt.Sprintf("%s: %v", where, r.Err))
		return
	}
	s.pages++
}

func (s *summary) print(w interface{ Write([]byte) (int, error) }) {
	wall := time.Since(s.start)
	cpu := processCPU() - s.cpuStart
	fmt.Fprintf(w, "pages: %d ok, %d failed\n", s.pages, s.failed)
	if n := s.pages + s.failed; n > 0 {
		fmt.Fprintf(w, "time: %.1f s wall, %.2f s/page wall, %.2f s/page CPU\n",
			wall.Seconds(), wall.Seconds()/float64(n), cpu.Seconds()/float64(n))
	}
	if s.records > 0 {
		fmt.Fprintf(w, "records: %d; fields: %d accepted, %d to review (%.1f%% straight through)\n",
			s.records, s.accepted, s.review, 100*float64(s.accepted)/float64(max(1, s.accepted+s.review)))
	}
	sort.Strings(s.failures)
	for _, f := range s.failures {
		fmt.Fprintf(w, "failed: %s\n", f)
	}
}
