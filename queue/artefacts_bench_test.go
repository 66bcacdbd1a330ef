package queue

import (
	"bytes"
	"testing"

	"github.com/klauspost/compress/s2"
	"gocv.io/x/gocv"

	"github.com/sohoa/sohoa/pipeline"
	"github.com/sohoa/sohoa/preprocess"
)

// cleanedSample cleans a bundled sample page; the caller closes it.
func cleanedSample(tb testing.TB) *preprocess.Page {
	tb.Helper()
	mats, err := preprocess.DecodeFile("../testdata/samples/p0002-birth-register-scanned.jpg", preprocess.DefaultLimits())
	if err != nil {
		tb.Fatal(err)
	}
	defer mats[0].Close()
	page, err := pipeline.Cleanup(tb.Context(), mats[0], preprocess.DefaultOptions())
	if err != nil {
		tb.Fatal(err)
	}
	return page
}

// BenchmarkCleanedArtefacts measures what the service does to a page on top
// of `sohoa scan`: encoding the cleaned page's two images at the end of the
// cleanup task and decoding them at the start of the OCR task, as stored
// (u8-s2) and as lossless PNG for comparison (the object store round trip
// is in scripts/bench-service).
//
//	go test -run '^$' -bench CleanedArtefacts -benchtime 20x ./queue/
func BenchmarkCleanedArtefacts(b *testing.B) {
	page := cleanedSample(b)
	defer page.Close()
	png := func(m gocv.Mat) ([]byte, error) {
		buf, err := gocv.IMEncodeWithParams(gocv.PNGFileExt, m, []int{gocv.IMWritePngCompression, 1})
		if err != nil {
			return nil, err
		}
		defer buf.Close()
		return bytes.Clone(buf.GetBytes()), nil
	}
	unpng := func(data []byte, _, _ int) (gocv.Mat, error) { return gocv.IMDecode(data, gocv.IMReadUnchanged) }
	var bufs buffers
	for _, f := range []struct {
		name   string
		encode func(gocv.Mat) ([]byte, error)
		decode func([]byte, int, int) (gocv.Mat, error)
	}{
		{"u8-s2", func(m gocv.Mat) ([]byte, error) { return encodeGray(nil, m) }, decodeGray},
		// As the worker does it: into a slice lent again and again.
		{"u8-s2-lent", func(m gocv.Mat) ([]byte, error) {
			dst := bufs.get(s2.MaxEncodedLen(int(m.Total())))
			defer bufs.put(dst)
			return encodeGray(dst, m)
		}, decodeGray},
		{"png", png, unpng},
	} {
		for _, a := range []struct {
			name string
			mat  gocv.Mat
		}{{"binary", page.Binary}, {"gray", page.Gray}} {
			data, err := f.encode(a.mat)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(f.name+"/"+a.name+"/encode", func(b *testing.B) {
				for b.Loop() {
					if _, err := f.encode(a.mat); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(data)), "bytes")
			})
			b.Run(f.name+"/"+a.name+"/decode", func(b *testing.B) {
				for b.Loop() {
					m, err := f.decode(data, a.mat.Cols(), a.mat.Rows())
					if err != nil {
						b.Fatal(err)
					}
					m.Close()
				}
			})
		}
	}
}

// TestGrayRoundTrip: the stored form gives back the same pixels, and a
// damaged or mis-sized object is refused with an error, not a bad image.
func TestGrayRoundTrip(t *testing.T) {
	page := cleanedSample(t)
	defer page.Close()
	for _, m := range []gocv.Mat{page.Binary, page.Gray} {
		data, err := encodeGray(nil, m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeGray(data, m.Cols(), m.Rows())
		if err != nil {
			t.Fatal(err)
		}
		diff := gocv.NewMat()
		gocv.AbsDiff(m, back, &diff)
		if n := gocv.CountNonZero(diff); n != 0 {
			t.Errorf("%d pixels differ after the round trip", n)
		}
		diff.Close()
		back.Close()
		if _, err := decodeGray(data, m.Cols()+1, m.Rows()); err == nil {
			t.Error("decodeGray accepted the wrong width")
		}
		if _, err := decodeGray(data[:len(data)/2], m.Cols(), m.Rows()); err == nil {
			t.Error("decodeGray accepted a truncated object")
		}
	}
	empty := gocv.NewMat()
	defer empty.Close()
	if _, err := encodeGray(nil, empty); err == nil {
		t.Error("encodeGray accepted an empty image")
	}
}
