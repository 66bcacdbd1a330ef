package export

import (
	"fmt"
	"io"
	"os"
)

// spool holds the workbook while the PDFs are written: a temporary file,
// removed on Close, so a large book does not sit in memory.
type spool struct{ f *os.File }

func newSpool() (*spool, error) {
	f, err := os.CreateTemp("", "sohoa-export-*.xlsx")
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return &spool{f: f}, nil
}

func (s *spool) Write(p []byte) (int, error) { return s.f.Write(p) }

// CopyTo writes everything written so far to w.
func (s *spool) CopyTo(w io.Writer) error {
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, s.f)
	return err
}

func (s *spool) Close() error {
	name := s.f.Name()
	err := s.f.Close()
	if rmErr := os.Remove(name); err == nil && !os.IsNotExist(rmErr) {
		err = rmErr
	}
	return err
}
