package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sohoa/sohoa/eval"
	"github.com/sohoa/sohoa/internal/atomicfile"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/synth"
)

func (a *app) evalCmd() *cobra.Command {
	var truthDir, predDir, recordsFile, jsonOut string
	var worst int
	cmd := &cobra.Command{
		Use:   "eval --truth CORPUS_DIR [--pred OUT_DIR] [--records FILE.jsonl]",
		Short: "Score recognised pages against a synthetic corpus's ground truth",
		Long: "eval compares every CORPUS_DIR/NAME.gt.txt with OUT_DIR/NAME.txt (as written by\n" +
			"`sohoa ocr`, or by any other tool) and prints the page character error rate (CER) per\n" +
			"scan quality and overall. Text is compared in NFC with white space folded; line breaks\n" +
			"count. A page with no prediction counts as entirely wrong.\n\n" +
			"With --records (the JSON Lines of `sohoa scan`) it also reports field metrics: accuracy,\n" +
			"straight-through rate (share of fields accepted without review) and precision of the\n" +
			"accepted fields, per scan quality, register type and field.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if truthDir == "" || (predDir == "" && recordsFile == "") {
				return fmt.Errorf("--truth and one of --pred, --records are required")
			}
			corpus, err := eval.LoadCorpus(truthDir)
			if err != nil {
				return err
			}
			var full struct {
				Pages  *eval.Report      `json:"pages,omitempty"`
				Fields *eval.FieldReport `json:"fields,omitempty"`
			}
			if predDir != "" {
				if full.Pages, err = eval.ComparePages(corpus, predDir); err != nil {
					return err
				}
				printReport(a, full.Pages, worst)
			}
			if recordsFile != "" {
				if full.Fields, err = fieldReport(truthDir, corpus, recordsFile); err != nil {
					return err
				}
				printFieldReport(a, full.Fields)
			}
			if jsonOut != "" {
				b, err := json.MarshalIndent(full, "", " ")
				if err != nil {
					return err
				}
				return atomicfile.Write(jsonOut, b)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&truthDir, "truth", "", "corpus directory (NAME.gt.txt, NAME.gt.json)")
	cmd.Flags().StringVar(&predDir, "pred", "", "directory of recognised NAME.txt files")
	cmd.Flags().StringVar(&recordsFile, "records", "", "records written by `sohoa scan` (JSON Lines) for field metrics")
	cmd.Flags().StringVar(&jsonOut, "json", "", "also write the full report as JSON to this file")
	cmd.Flags().IntVar(&worst, "worst", 5, "list this many worst pages")
	return cmd
}

func printReport(a *app, rep *eval.Report, worst int) {
	w := a.stdout
	qs := make([]string, 0, len(rep.ByQuality))
	for q := range rep.ByQuality {
		qs = append(qs, q)
	}
	sort.Strings(qs)
	count := map[string]int{}
	for _, p := range rep.Pages {
		count[p.Quality]++
	}
	fmt.Fprintf(w, "%-10s %6s %9s %8s %7s\n", "quality", "pages", "chars", "errors", "CER")
	for _, q := range qs {
		s := rep.ByQuality[q]
		fmt.Fprintf(w, "%-10s %6d %9d %8d %6.2f%%\n", q, count[q], s.Chars, s.Errors, 100*s.CER())
	}
	fmt.Fprintf(w, "%-10s %6d %9d %8d %6.2f%%\n", "all", len(rep.Pages), rep.Total.Chars, rep.Total.Errors, 100*rep.Total.CER())
	if rep.Missing > 0 {
		fmt.Fprintf(w, "missing predictions: %d (counted as wrong)\n", rep.Missing)
	}
	pages := append([]eval.PageScore(nil), rep.Pages...)
	sort.SliceStable(pages, func(i, j int) bool { return pages[i].CER > pages[j].CER })
	for i := 0; i < worst && i < len(pages); i++ {
		fmt.Fprintf(w, "worst: %-40s %-8s %6.2f%%\n", pages[i].Name, pages[i].Quality, 100*pages[i].CER)
	}
}

func fieldReport(truthDir string, corpus []eval.TruthPage, recordsFile string) (*eval.FieldReport, error) {
	var truth []*synth.PageTruth
	for _, p := range corpus {
		t, err := synth.LoadTruth(filepath.Join(truthDir, p.Name+".gt.json"))
		if err != nil {
			return nil, err
		}
		truth = append(truth, t)
	}
	f, err := os.Open(recordsFile)
	if err != nil {
		return nil, fmt.Errorf("--records: %w", err)
	}
	defer f.Close()
	var recs []models.Record
	dec := json.NewDecoder(f)
	for {
		var r models.Record
		if err := dec.Decode(&r); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("--records %s: record %d: %w", recordsFile, len(recs)+1, err)
		}
		recs = append(recs, r)
	}
	return eval.CompareRecords(truth, recs), nil
}

func printFieldReport(a *app, rep *eval.FieldReport) {
	w := a.stdout
	row := func(name string, t *eval.Tally) {
		fmt.Fprintf(w, "%-22s %7d %9.2f%% %9.2f%% %10.2f%% %6d\n", name, t.Fields, 100*t.Accuracy(), 100*t.StraightThrough(), 100*t.Precision(), t.AcceptedWrong)
	}
	section := func(title string, m map[string]*eval.Tally) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(w, "\n%-22s %7s %10s %10s %11s %6s\n", title, "fields", "accuracy", "straight", "precision", "wrong")
		for _, k := range keys {
			row(k, m[k])
		}
	}
	section("by quality", rep.ByQuality)
	section("by register type", rep.ByType)
	section("by field", rep.ByKey)
	fmt.Fprintln(w)
	total := rep.Total
	row("all fields", &total)
	if len(rep.MissingPages) > 0 {
		fmt.Fprintf(w, "pages with no records: %d (%s)\n", len(rep.MissingPages), strings.Join(rep.MissingPages, ", "))
	}
}
