package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/server"
	"github.com/sohoa/sohoa/storage"
)

type uploadFlags struct {
	server  string
	token   string
	batch   string
	jobs    int
	retries int
	wait    time.Duration
}

func (a *app) uploadCmd() *cobra.Command {
	var f uploadFlags
	cmd := &cobra.Command{
		Use:   "upload --batch ID [--jobs N] FILE|DIR...",
		Short: "Upload page images to a batch of a sohoa server (parallel, resumable)",
		Long: "upload sends page images (jpg, png, tif; directories are searched) to a batch of a\n" +
			"sohoa server, several at a time. Each file's SHA-256 is computed first and the server\n" +
			"asked whether it has the image already: what it has is skipped, so running upload again\n" +
			"after an interruption sends only the rest. The server checks every upload against its\n" +
			"SHA-256 and refuses what is not an accepted image or is too large; the summary lists the\n" +
			"refusals with their reasons, and near-duplicates the server flagged. Network errors and\n" +
			"server errors are retried. The exit status is 1 when anything was refused or failed.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runUpload(cmd.Context(), args, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.server, "server", "", "server URL, e.g. http://127.0.0.1:8080 (default $SOHOA_SERVER)")
	fl.StringVar(&f.token, "token", "", "API token of role scanner or admin (default $SOHOA_TOKEN, which keeps it out of ps)")
	fl.StringVar(&f.batch, "batch", "", "id of the batch the pages belong to (required)")
	fl.IntVarP(&f.jobs, "jobs", "j", 4, "files uploaded in parallel")
	fl.IntVar(&f.retries, "retries", 3, "attempts per file on network or server errors")
	fl.DurationVar(&f.wait, "wait", 0, "after uploading, wait up to this long for the batch to be processed and print its progress (e.g. 10m)")
	return cmd
}

// uploadOutcome is what happened to one file.
type uploadOutcome int

const (
	outcomeUploaded uploadOutcome = iota
	outcomeSkipped                // the server had it already
	outcomeRefused                // the server refused it (4xx): sending again will not help
	outcomeFailed                 // network or server error after the retries, or unreadable file
)

type uploadResult struct {
	path    string
	outcome uploadOutcome
	reason  string // refused or failed: why
	similar []server.SimilarPage
}

func (a *app) runUpload(ctx context.Context, args []string, f uploadFlags) error {
	f.server = fromEnv(f.server, "SOHOA_SERVER", "")
	f.token = fromEnv(f.token, "SOHOA_TOKEN", "")
	switch {
	case f.server == "":
		return errors.New("--server (or SOHOA_SERVER) is required")
	case f.token == "":
		return errors.New("--token (or SOHOA_TOKEN) is required")
	case f.batch == "":
		return errors.New("--batch is required")
	case f.jobs < 1:
		return fmt.Errorf("--jobs %d: want at least 1", f.jobs)
	case f.retries < 1:
		return fmt.Errorf("--retries %d: want at least 1", f.retries)
	}
	files, err := expandInputs(args)
	if err != nil {
		return err
	}
	client, err := server.NewClient(f.server, f.token, &http.Client{Timeout: 30 * time.Minute})
	if err != nil {
		return err
	}
	if _, err := client.GetBatch(ctx, f.batch); err != nil {
		return fmt.Errorf("batch %s: %w", f.batch, err)
	}

	bar := newProgress(a.stderr, len(files), "upload")
	results := make([]uploadResult, len(files))
	work := make(chan int)
	var wg sync.WaitGroup
	var barMu sync.Mutex
	for range min(f.jobs, len(files)) {
		wg.Go(func() {
			for i := range work {
				results[i] = a.uploadOne(ctx, client, f, files[i])
				if bar != nil {
					barMu.Lock()
					_ = bar.Add(1)
					barMu.Unlock()
				}
			}
		})
	}
feed:
	for i := range files {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if bar != nil {
		_ = bar.Finish()
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("upload interrupted (run it again to send the rest): %w", err)
	}
	sumErr := printUploadSummary(a.stdout, results)
	if f.wait > 0 {
		if err := a.waitBatch(ctx, client, f.batch, f.wait); err != nil {
			return err
		}
	}
	return sumErr
}

// waitBatch polls the batch's progress until every page is routed or
// failed, or until the wait is over, and prints where it stands.
func (a *app) waitBatch(ctx context.Context, c *server.Client, batch string, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		p, err := c.BatchProgress(ctx, batch)
		if err == nil && p.Done {
			printProgress(a.stdout, p)
			// Known once the pages are read: a listing that fails does
			// not undo the batch, so it is only reported.
			if same, err := c.BatchSameEntries(ctx, batch); err != nil {
				fmt.Fprintf(a.stderr, "upload: pages holding the same entries not listed: %v\n", err)
			} else {
				printSameEntries(a.stdout, same)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			if p != nil {
				printProgress(a.stdout, p)
			}
			return fmt.Errorf("batch %s not processed within %s (pages keep going; check its progress later)", batch, wait)
		case <-tick.C:
		}
	}
}

func printProgress(w io.Writer, p *server.Progress) {
	fmt.Fprintf(w, "batch %s: %d pages", p.BatchID, p.Pages)
	for _, st := range []string{"uploaded", "cleaned", "recognized", "extracted", "routed", "failed"} {
		if n := p.States[storage.PageState(st)]; n > 0 {
			fmt.Fprintf(w, ", %d %s", n, st)
		}
	}
	fmt.Fprintf(w, "\nrecords: %d accepted, %d to review\n", p.Records[models.StatusAccepted], p.Records[models.StatusReview])
}

// printSameEntries lists the batch's pages whose entries (book and entry
// number) other pages hold too: sheets scanned twice, or entries
// numbered twice, for the station to check.
func printSameEntries(w io.Writer, b *server.BatchSameEntries) {
	if len(b.Pages) == 0 {
		return
	}
	fmt.Fprintln(w, "pages holding entries that other pages hold (the same sheet scanned twice?):")
	for _, p := range b.Pages {
		for _, t := range p.SameEntries {
			fmt.Fprintf(w, "  %s (page %s): entries shared with %s (page %s, batch %s): %d\n",
				p.Source, p.PageID, t.Source, t.PageID, t.BatchID, t.Entries)
		}
	}
}

// uploadOne hashes a file, skips it if the server has it and uploads it
// otherwise, retrying network and server errors with a growing pause.
func (a *app) uploadOne(ctx context.Context, c *server.Client, f uploadFlags, path string) uploadResult {
	res := uploadResult{path: path}
	sum, size, err := hashFile(path)
	if err != nil {
		res.outcome, res.reason = outcomeFailed, err.Error()
		return res
	}
	source := filepath.ToSlash(path)
	var last error
	for attempt := range f.retries {
		if attempt > 0 {
			a.log.Warn("upload retry", "file", path, "attempt", attempt+1, "err", last)
			select {
			case <-time.After(time.Duration(1<<(attempt-1)) * time.Second):
			case <-ctx.Done():
				res.outcome, res.reason = outcomeFailed, ctx.Err().Error()
				return res
			}
		}
		var page *server.Page
		page, last = c.PageBySHA256(ctx, sum)
		if last == nil && page != nil {
			res.outcome = outcomeSkipped
			return res
		}
		if last == nil {
			var up *server.UploadResult
			up, last = uploadFile(ctx, c, f.batch, source, path, size, sum)
			if last == nil {
				res.outcome, res.similar = outcomeUploaded, up.SimilarTo
				if up.Duplicate {
					res.outcome = outcomeSkipped
				}
				return res
			}
		}
		var ae *server.APIError
		if errors.As(last, &ae) && ae.Refused() && ae.Status != http.StatusTooManyRequests {
			res.outcome, res.reason = outcomeRefused, ae.Message
			return res
		}
		if ctx.Err() != nil {
			break
		}
	}
	res.outcome, res.reason = outcomeFailed, last.Error()
	return res
}

func uploadFile(ctx context.Context, c *server.Client, batch, source, path string, size int64, sum string) (*server.UploadResult, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return c.UploadPage(ctx, batch, source, fh, size, sum)
}

// hashFile returns the hex SHA-256 and size of a file.
func hashFile(path string) (string, int64, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer fh.Close()
	h := sha256.New()
	n, err := io.Copy(h, fh)
	if err != nil {
		return "", 0, fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// printUploadSummary writes the counts, the refusals and failures with
// their reasons and the near-duplicates, and returns exit status 1 when
// anything was refused or failed.
func printUploadSummary(w io.Writer, results []uploadResult) error {
	var counts [4]int
	for _, r := range results {
		counts[r.outcome]++
	}
	fmt.Fprintf(w, "uploaded %d, skipped %d (already on the server), refused %d, failed %d\n",
		counts[outcomeUploaded], counts[outcomeSkipped], counts[outcomeRefused], counts[outcomeFailed])
	for _, section := range []struct {
		outcome uploadOutcome
		title   string
	}{
		{outcomeRefused, "refused (fix or leave out these files):"},
		{outcomeFailed, "failed (run upload again to retry):"},
	} {
		if counts[section.outcome] == 0 {
			continue
		}
		fmt.Fprintln(w, section.title)
		for _, r := range results {
			if r.outcome == section.outcome {
				fmt.Fprintf(w, "  %s: %s\n", r.path, r.reason)
			}
		}
	}
	header := false
	for _, r := range results {
		for _, s := range r.similar {
			if !header {
				fmt.Fprintln(w, "near-duplicates (uploaded, flagged for a check):")
				header = true
			}
			fmt.Fprintf(w, "  %s looks like page %s (%s) of batch %s, %d bits apart\n", r.path, s.PageID, s.Source, s.BatchID, s.Distance)
		}
	}
	if n := counts[outcomeRefused] + counts[outcomeFailed]; n > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d of %d files were not uploaded", n, len(results))}
	}
	return nil
}
