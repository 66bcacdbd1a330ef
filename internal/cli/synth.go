package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/synth"
)

func (a *app) synthCmd() *cobra.Command {
	var (
		outDir    string
		pages     int
		seed      int64
		qualities []string
		types     []string
		layouts   []string
		fontDirs  []string
	)
	cmd := &cobra.Command{
		Use:   "synth --out DIR [--pages N] [--seed S]",
		Short: "Render a synthetic corpus of register pages with full ground truth",
		Long: "synth renders realistic Vietnamese civil-status register pages (birth, marriage, death;\n" +
			"extracts and register-book entries; both label eras) at three scan qualities (clean,\n" +
			"scanned, worn) and writes for each page the image, NAME.gt.txt (the text, one printed\n" +
			"line per line) and NAME.gt.json (lines, boxes and field values per the record format).\n" +
			"The same seed always gives the same corpus.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if outDir == "" {
				return fmt.Errorf("--out is required")
			}
			if pages < 1 {
				return fmt.Errorf("--pages %d: want at least 1", pages)
			}
			opts := synth.Options{Seed: seed, Pages: pages, FontDirs: fontDirs, Layouts: layouts}
			for _, q := range qualities {
				opts.Qualities = append(opts.Qualities, synth.Quality(strings.TrimSpace(q)))
			}
			for _, t := range types {
				opts.RegisterTypes = append(opts.RegisterTypes, models.RegisterType(strings.TrimSpace(t)))
			}
			truth, err := synth.Generate(cmd.Context(), opts, outDir)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "wrote %d pages to %s\n", len(truth), outDir)
			return nil
		},
	}
	cmd.Flags().StringVarP(&outDir, "out", "o", "", "output directory (required)")
	cmd.Flags().IntVarP(&pages, "pages", "n", 30, "number of pages")
	cmd.Flags().Int64Var(&seed, "seed", 1, "random seed")
	cmd.Flags().StringSliceVar(&qualities, "quality", nil, "scan qualities to cycle through: clean, scanned, worn (default all)")
	cmd.Flags().StringSliceVar(&types, "type", nil, "register types: birth, marriage, death (default all)")
	cmd.Flags().StringSliceVar(&layouts, "layout", nil, "layouts: extract, register (default both)")
	cmd.Flags().StringSliceVar(&fontDirs, "font-dir", nil, "directories searched for fonts (default /usr/share/fonts)")
	return cmd
}
