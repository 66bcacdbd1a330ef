package server

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// benchRecords is how many records BenchmarkPullAPI seeds and pulls.
const benchRecords = 10000

// BenchmarkPullAPI seeds 10,000 birth records with every field of the
// register (ten to a ledger page, as `sohoa scan` makes them) once, then
// pulls them all from the start, as a new loader does, through the real
// handler and store over HTTP (httptest), and reports records/s (target:
// at least 5,000). The client only counts lines, so the figure is what the
// server delivers; client/jsonl decodes every record with the Go client,
// as a loader written in Go does, on the same cores.
//
//	go test -run '^$' -bench BenchmarkPullAPI -benchtime 5x ./server/
func BenchmarkPullAPI(b *testing.B) {
	e := newTestEnv(b, nil)
	since := e.cursorNow(b)
	seedBenchRecords(b, e)
	for _, bc := range []struct {
		name  string
		query string
	}{
		{"jsonl/limit=10000", "limit=10000"},
		{"jsonl/limit=1000", "limit=1000"},
		{"jsonl/limit=100", ""},
		{"csv/limit=10000", "limit=10000&format=csv"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cpu := processCPU(b)
			for b.Loop() {
				if n := pullCount(b, e, since, bc.query); n != benchRecords {
					b.Fatalf("pulled %d records, want %d", n, benchRecords)
				}
			}
			reportPull(b, cpu)
		})
	}
	b.Run("client/jsonl/limit=10000", func(b *testing.B) {
		c := e.loaderClient(b)
		cpu := processCPU(b)
		for b.Loop() {
			n := 0
			for ch, err := range c.Pull(b.Context(), since, PullOptions{Limit: storage.MaxRecordsLimit}) {
				if err != nil {
					b.Fatal(err)
				}
				n += len(ch.Records)
			}
			if n != benchRecords {
				b.Fatalf("pulled %d records, want %d", n, benchRecords)
			}
		}
		reportPull(b, cpu)
	})
}

// reportPull reports records/s and the CPU time of this process (server
// and client, not PostgreSQL) per record since cpu0, a figure the other
// loads of a shared machine disturb less than the rate.
func reportPull(b *testing.B, cpu0 time.Duration) {
	records := float64(benchRecords * b.N)
	b.ReportMetric(records/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/records, "go-cpu-µs/record")
}

// processCPU is the user and system CPU time this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// seedBenchRecords stores benchRecords records, ten to a page, then has
// PostgreSQL vacuum and analyse them as autovacuum would in a while.
func seedBenchRecords(b *testing.B, e *testEnv) {
	b.Helper()
	ctx := b.Context()
	rng := rand.New(rand.NewPCG(2026, 12))
	batch, err := e.store.CreateBatch(ctx, storage.NewBatch{Name: "Sổ đăng ký khai sinh (benchmark)"})
	if err != nil {
		b.Fatal(err)
	}
	offices := testOffices()
	for p := range benchRecords / 10 {
		recs := make([]models.Record, 10)
		for i := range recs {
			date := fmt.Sprintf("%d-%02d-%02d", 2010+p%10, 1+rng.IntN(12), 1+rng.IntN(28))
			recs[i] = birthRecord(rng, i, date, offices[p%len(offices)], 1)
		}
		saveTestPage(b, e.store, batch.ID, recs...)
	}
	pool, err := testPoolOn(ctx, os.Getenv("SOHOA_DATABASE_URL"), dbName)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `VACUUM (ANALYZE) records`); err != nil {
		b.Fatal(err)
	}
}

// pullCount pulls every change after since with the extra query, one
// answer after the other, and returns how many records came. It counts
// lines without decoding them (less CSV headers).
func pullCount(b *testing.B, e *testEnv, since int64, query string) int {
	b.Helper()
	n := 0
	for {
		resp := e.getRecords(b, "since="+strconv.FormatInt(since, 10)+"&"+query)
		lines, err := countLines(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("pull: %d %v", resp.StatusCode, err)
		}
		if resp.Header.Get("Content-Type") != contentType("jsonl") {
			lines-- // the CSV header
		}
		n += lines
		if since, err = strconv.ParseInt(resp.Header.Get(headerNextAfter), 10, 64); err != nil {
			b.Fatal(err)
		}
		if resp.Header.Get(headerHasMore) != "true" {
			return n
		}
	}
}

func countLines(r io.Reader) (int, error) {
	buf := make([]byte, 64<<10)
	n := 0
	for {
		k, err := r.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
