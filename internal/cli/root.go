// Package cli implements the sohoa command line.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/sohoa/sohoa/internal/procenv"
)

// exitError carries a specific exit status out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// Main runs the command line and returns the process exit status.
func Main(args []string) int {
	if err := procenv.Ensure(procenv.Defaults()); err != nil {
		fmt.Fprintln(os.Stderr, "sohoa:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRoot(os.Stdout, os.Stderr)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "sohoa:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		return 1
	}
	return 0
}

type app struct {
	stdout, stderr io.Writer
	logLevel       string
	log            *slog.Logger
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	a := &app{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "sohoa",
		Short: "Digitise scanned Vietnamese civil-status registers",
		Long: "sohoa turns scanned pages of Vietnamese civil-status registers (birth, marriage, death)\n" +
			"into text and structured, verified records.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			var lvl slog.Level
			if err := lvl.UnmarshalText([]byte(a.logLevel)); err != nil {
				return fmt.Errorf("--log-level: %w", err)
			}
			a.log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: lvl}))
			return nil
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&a.logLevel, "log-level", "warn", "log level: debug, info, warn, error")
	root.AddCommand(a.ocrCmd(), a.scanCmd(), a.synthCmd(), a.evalCmd(), a.calibrateCmd(), a.serveCmd(), a.tokenCmd(), a.uploadCmd(), a.workerCmd(), a.migrateCmd(), a.batchCmd(), a.userCmd(), a.exportCmd())
	return root
}
