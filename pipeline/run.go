package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gocv.io/x/gocv"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/ocr"
	"github.com/sohoa/sohoa/preprocess"
)

// Config configures a local run.
type Config struct {
	Jobs       int
	Limits     preprocess.Limits
	Preprocess preprocess.Options
	OCR        ocr.Options
}

// PageResult is the outcome for one page of one input file. Err is set
// when the page (or the whole file) could not be processed.
type PageResult struct {
	Source    string // the input path as given
	SHA256    string // of the file's bytes ("" when it could not be read)
	Name      string // output base name: file name without extension, "-pN" added for multi-page files
	PageIndex int    // 0-based page index within the file
	Pages     int    // pages in the file (0 when the file could not be decoded)
	OCR       *ocr.Page
	Records   []models.Record
	Quality   preprocess.Quality
	Err       error
	Elapsed   time.Duration
}

// Stage processes one decoded page with an engine and fills r.
type Stage func(ctx context.Context, e *ocr.Engine, src gocv.Mat, r *PageResult) error

// OCRStage runs cleanup and recognition; boxes end in original-page pixels.
func OCRStage(opts preprocess.Options) Stage {
	return func(ctx context.Context, e *ocr.Engine, src gocv.Mat, r *PageResult) error {
		page, err := Cleanup(ctx, src, opts)
		if err != nil {
			return err
		}
		defer page.Close()
		r.Quality = page.Quality
		res, err := Recognize(ctx, e, page)
		if err != nil {
			return err
		}
		MapToOriginal(res, page.ToOriginal)
		res.Width, res.Height = src.Cols(), src.Rows()
		r.OCR = res
		return nil
	}
}

// Run processes files with cfg.Jobs workers, each owning one OCR engine,
// applies stage to every page and calls sink (serialised) for every page or
// failed file as soon as it is done. It returns when every file is done or
// ctx is cancelled.
func Run(ctx context.Context, files []string, cfg Config, stage Stage, sink func(PageResult)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	jobs := max(cfg.Jobs, 1)
	jobs = min(jobs, max(len(files), 1))
	pool, err := ocr.NewPool(jobs, cfg.OCR)
	if err != nil {
		return err
	}
	defer pool.Close()

	var mu sync.Mutex
	emit := func(r PageResult) {
		mu.Lock()
		defer mu.Unlock()
		sink(r)
	}
	work := make(chan string)
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				err := pool.Do(ctx, func(e *ocr.Engine) error {
					processFile(ctx, e, f, cfg, stage, emit)
					return nil
				})
				if err != nil {
					emit(PageResult{Source: f, Name: baseName(f), Err: err})
				}
			}
		}()
	}
feed:
	for _, f := range files {
		select {
		case work <- f:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	return ctx.Err()
}

// ReadInput reads a file within the size limit and returns its bytes and
// their SHA-256 (hex).
func ReadInput(path string, lim preprocess.Limits) ([]byte, string, error) {
	if lim.MaxFileBytes <= 0 {
		lim.MaxFileBytes = preprocess.DefaultLimits().MaxFileBytes
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, "", &preprocess.DecodeError{File: path, Reason: "cannot read file", Err: err}
	}
	if st.Size() > lim.MaxFileBytes {
		return nil, "", &preprocess.DecodeError{File: path,
			Reason: fmt.Sprintf("file is %d bytes, limit %d", st.Size(), lim.MaxFileBytes), Err: preprocess.ErrTooLarge}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", &preprocess.DecodeError{File: path, Reason: "cannot read file", Err: err}
	}
	sum := sha256.Sum256(data)
	return data, hex.EncodeToString(sum[:]), nil
}

func processFile(ctx context.Context, e *ocr.Engine, path string, cfg Config, stage Stage, emit func(PageResult)) {
	start := time.Now()
	name := baseName(path)
	data, sum, err := ReadInput(path, cfg.Limits)
	if err != nil {
		emit(PageResult{Source: path, Name: name, Err: err, Elapsed: time.Since(start)})
		return
	}
	mats, err := preprocess.Decode(path, data, cfg.Limits)
	if err != nil {
		emit(PageResult{Source: path, SHA256: sum, Name: name, Err: err, Elapsed: time.Since(start)})
		return
	}
	defer func() {
		for i := range mats {
			mats[i].Close()
		}
	}()
	for i := range mats {
		r := PageResult{Source: path, SHA256: sum, Name: name, PageIndex: i, Pages: len(mats)}
		if len(mats) > 1 {
			r.Name = fmt.Sprintf("%s-p%d", name, i+1)
		}
		if err := ctx.Err(); err != nil {
			r.Err = err
		} else {
			r.Err = stage(ctx, e, mats[i], &r)
		}
		r.Elapsed = time.Since(start)
		start = time.Now()
		emit(r)
		if errors.Is(r.Err, context.Canceled) {
			return
		}
	}
}

func baseName(path string) string {
	b := filepath.Base(path)
	return strings.TrimSuffix(b, filepath.Ext(b))
}
