package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// loaderClient is a Client with the loader token of e.
func (e *testEnv) loaderClient(t testing.TB) *Client {
	t.Helper()
	c, err := NewClient(e.http.URL, e.tokens[storage.RoleLoader], e.http.Client())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// cursorNow pulls every change so far and returns the cursor after them:
// what a test that pulls from it sees is its own doing (the package's
// tests do not run in parallel).
func (e *testEnv) cursorNow(t testing.TB) int64 {
	t.Helper()
	var next int64
	for ch, err := range e.loaderClient(t).Pull(t.Context(), 0, PullOptions{Limit: storage.MaxRecordsLimit}) {
		if err != nil {
			t.Fatal(err)
		}
		next = ch.Next
	}
	return next
}

// recordIDs are the ids of recs.
func recordIDs(recs []models.Record) []string {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	return ids
}

func TestPullFilters(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := t.Context()
	since := e.cursorNow(t)
	rng := rand.New(rand.NewPCG(1, 2))
	offices := testOffices()
	book, err := e.store.CreateBatch(ctx, storage.NewBatch{Name: "Sổ đăng ký khai sinh 2019", Office: offices[0]})
	if err != nil {
		t.Fatal(err)
	}
	extracts, err := e.store.CreateBatch(ctx, storage.NewBatch{Name: "Trích lục"})
	if err != nil {
		t.Fatal(err)
	}
	record := func(index int, rt models.RegisterType, status models.Status, date, office string) models.Record {
		r := birthRecord(rng, index, "2019-01-01", office, 1)
		r.RegisterType, r.Status = rt, status
		f := r.Fields["registration_date"]
		f.Value = &date
		r.Fields["registration_date"] = f
		return r
	}
	// In the book of offices[0]: a birth, and a death whose entry names
	// offices[1]. Extracts: a marriage of offices[0] registered in a month,
	// a birth of offices[2] registered in a year.
	birth := record(0, models.Birth, models.StatusAccepted, "2019-03-05", offices[0])
	death := record(1, models.Death, models.StatusReview, "2019-12-31", offices[1])
	marriage := record(0, models.Marriage, models.StatusVerified, "2020-01", offices[0])
	old := record(0, models.Birth, models.StatusAccepted, "2018", offices[2])
	saveTestPage(t, e.store, book.ID, birth, death)
	saveTestPage(t, e.store, extracts.ID, marriage)
	saveTestPage(t, e.store, extracts.ID, old)
	decomposed := norm.NFD.String(strings.ReplaceAll(offices[0], " ", "  "))

	tests := []struct {
		name  string
		query url.Values
		want  []models.Record
	}{
		{"none", url.Values{}, []models.Record{birth, death, marriage, old}},
		{"type", url.Values{"type": {"birth"}}, []models.Record{birth, old}},
		{"status", url.Values{"status": {"verified"}}, []models.Record{marriage}},
		{"batch", url.Values{"batch": {extracts.ID}}, []models.Record{marriage, old}},
		{"office of the book or of the entry", url.Values{"office": {offices[0]}}, []models.Record{birth, death, marriage}},
		{"office of an entry only", url.Values{"office": {offices[1]}}, []models.Record{death}},
		{"office as typed (NFD, double spaces)", url.Values{"office": {decomposed}}, []models.Record{birth, death, marriage}},
		{"from a day", url.Values{"from": {"2019-12-31"}}, []models.Record{death, marriage}},
		{"to a day, inclusive", url.Values{"to": {"2019-12-31"}}, []models.Record{birth, death, old}},
		{"a year", url.Values{"from": {"2019"}, "to": {"2019"}}, []models.Record{birth, death}},
		{"a month", url.Values{"from": {"2020-01"}, "to": {"2020-01"}}, []models.Record{marriage}},
		{"a month's record counts as its first day", url.Values{"from": {"2020-01-02"}}, nil},
		{"all together", url.Values{"type": {"birth"}, "office": {offices[0]}, "batch": {book.ID}, "status": {"accepted"},
			"from": {"2019-03-05"}, "to": {"2019-03-05"}}, []models.Record{birth}},
	}
	loader := e.tokens[storage.RoleLoader]
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.query.Set("since", strconv.FormatInt(since, 10))
			r := e.do(t, http.MethodGet, "/v1/records?"+tc.query.Encode(), loader, nil, nil)
			if r.status != http.StatusOK {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if got, want := recordIDs(readLines(t, r.body)), recordIDs(tc.want); !slices.Equal(got, want) {
				t.Errorf("got %v, want %v (in change order)", got, want)
			}
		})
	}
}

func TestPullCSV(t *testing.T) {
	e := newTestEnv(t, nil)
	since := e.cursorNow(t)
	rng := rand.New(rand.NewPCG(3, 4))
	b, err := e.store.CreateBatch(t.Context(), storage.NewBatch{Name: "Sổ khai sinh"})
	if err != nil {
		t.Fatal(err)
	}
	recs := []models.Record{birthRecord(rng, 0, "2019-03-05", testOffices()[0], 1), birthRecord(rng, 1, "2019-03-06", testOffices()[0], 1)}
	name := `Nguyễn Thị "Vân", <b>`
	f := recs[1].Fields["full_name"]
	f.Value = &name
	recs[1].Fields["full_name"] = f
	saveTestPage(t, e.store, b.ID, recs...)
	loader := e.tokens[storage.RoleLoader]
	path := "/v1/records?batch=" + b.ID + "&since=" + strconv.FormatInt(since, 10)
	for how, h := range map[string]http.Header{
		"format=csv":      {},
		"Accept text/csv": {"Accept": {"application/json;q=0.5, text/csv"}},
	} {
		t.Run(how, func(t *testing.T) {
			p := path
			if how == "format=csv" {
				p += "&format=csv"
			}
			r := e.do(t, http.MethodGet, p, loader, nil, h)
			if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
				t.Fatalf("%d %v %s", r.status, r.header, r.body)
			}
			rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
			if err != nil {
				t.Fatalf("not CSV: %v\n%s", err, r.body)
			}
			if len(rows) != 1+len(recs) {
				t.Fatalf("%d rows, want a header and %d records", len(rows), len(recs))
			}
			for i, rec := range recs {
				row := map[string]string{}
				for j, col := range rows[0] {
					row[col] = rows[1+i][j]
				}
				for _, k := range []string{"full_name", "registration_date", "registration_office", "personal_id", "mother_name"} {
					if want := *rec.Fields[k].Value; row[k] != want {
						t.Errorf("record %d %s = %q, want %q", i, k, row[k], want)
					}
				}
				if row["id"] != rec.ID || row["status"] != "accepted" || row["register_type"] != "birth" {
					t.Errorf("record %d: %v", i, row)
				}
			}
			if _, err := strconv.ParseInt(r.header.Get(headerNextAfter), 10, 64); err != nil {
				t.Errorf("X-Next-After = %q", r.header.Get(headerNextAfter))
			}
		})
	}
	// No record still names the columns.
	r := e.do(t, http.MethodGet, path+"&format=csv&type=death", loader, nil, nil)
	if rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll(); err != nil || len(rows) != 1 || rows[0][0] != "id" {
		t.Errorf("empty CSV: %v %q", err, r.body)
	}
	// format= wins over Accept.
	r = e.do(t, http.MethodGet, path+"&format=jsonl", loader, nil, http.Header{"Accept": {"text/csv"}})
	if !strings.HasPrefix(r.header.Get("Content-Type"), "application/x-ndjson") || len(readLines(t, r.body)) != 2 {
		t.Errorf("format=jsonl with Accept text/csv: %v %s", r.header, r.body)
	}
}

func TestPullRefuses(t *testing.T) {
	e := newTestEnv(t, nil)
	next := e.cursorNow(t)
	tests := []struct {
		query string
		want  string // in the message
	}{
		{"type=adoption", "type="},
		{"status=done", "status="},
		{"from=2019-13-01", "from="},
		{"from=19", "from="},
		{"from=5/3/2019", "from="},
		{"to=2019-02-30", "to="},
		{"to=0999", "to="},
		{"from=2020&to=2019-12-31", "from=2020 is after to=2019-12-31"},
		{"format=xml", "format="},
		{"limit=0", "limit="},
		{"limit=10001", "limit="},
		{"since=-1", "since="},
		{"since=abc", "since="},
		{"after=x", "after="},
		{"since=" + strconv.FormatInt(next+1000, 10), "since="},
		{"batch=not-a-uuid", "batch="},
		{"page=42", "page="},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			r := e.do(t, http.MethodGet, "/v1/records?"+tc.query, e.tokens[storage.RoleLoader], nil, nil)
			if r.status != http.StatusBadRequest {
				t.Fatalf("%d %s, want 400", r.status, r.body)
			}
			if eb := r.errBody(t); eb.Code != codeBadRequest || !strings.Contains(eb.Error, tc.want) {
				t.Errorf("error %+v does not name %q", eb, tc.want)
			}
		})
	}
	for role, want := range map[storage.Role]int{
		storage.RoleScanner: http.StatusForbidden, storage.RoleVerifier: http.StatusOK,
		storage.RoleLoader: http.StatusOK, storage.RoleAdmin: http.StatusOK,
	} {
		if r := e.do(t, http.MethodGet, "/v1/records?format=csv&type=birth", e.tokens[role], nil, nil); r.status != want {
			t.Errorf("%s: %d, want %d", role, r.status, want)
		}
	}
	_, err := e.loaderClient(t).PullChanges(t.Context(), 0, PullOptions{RegisterType: "adoption"})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || !strings.Contains(ae.Message, "type=") {
		t.Errorf("client: %v, want the 400", err)
	}
}

// TestPullLoaderResumesExactlyOnce: a loader pulls a batch with a small
// limit while records are added and corrected (in transactions held open,
// some rolled back). It crashes now and then: in the middle of an answer,
// or after an answer but before saving it; each time it resumes from the
// cursor it saved last, with what it saved. In the end it holds every
// record in its latest version, and it saved no version of a record twice
// (or an older one after a newer), and none that was rolled back.
func TestPullLoaderResumesExactlyOnce(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := t.Context()
	b, err := e.store.CreateBatch(ctx, storage.NewBatch{Name: "Sổ khai sinh", Office: testOffices()[0]})
	if err != nil {
		t.Fatal(err)
	}
	const rolledBack = 1000 // versions of saves rolled back start here
	var (
		mu        sync.Mutex
		committed = map[string]int{} // record id → latest committed version
		writing   atomic.Bool
	)
	writing.Store(true)
	var wg sync.WaitGroup
	for w := range 2 {
		rng := rand.New(rand.NewPCG(uint64(w), 11))
		wg.Go(func() {
			var pages []writtenPage
			for range 40 {
				if err := writeSome(ctx, e.store, rng, b.ID, &pages, rolledBack); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, p := range pages {
					for _, r := range p.recs {
						committed[r.ID] = recordVersion(r)
					}
				}
				mu.Unlock()
			}
		})
	}
	go func() { wg.Wait(); writing.Store(false) }()

	client := e.loaderClient(t)
	opts := PullOptions{BatchID: b.ID, Limit: 3}
	rng := rand.New(rand.NewPCG(5, 6))
	var (
		saved      int64              // the loader's cursor, saved with have
		have       = map[string]int{} // what the loader saved: id → version
		redelivers int                // records saved again in a newer version
		crashes    int
	)
	for {
		stillWriting := writing.Load()
		switch rng.IntN(6) {
		case 0: // crash in the middle of an answer
			e.readSomeAndDrop(t, saved, opts)
			crashes++
			continue
		case 1: // crash after an answer, before saving it
			if _, err := client.PullChanges(ctx, saved, opts); err != nil {
				t.Fatal(err)
			}
			crashes++
			continue
		}
		ch, err := client.PullChanges(ctx, saved, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range ch.Records {
			v := recordVersion(r)
			switch prev, ok := have[r.ID]; {
			case v >= rolledBack:
				t.Errorf("record %s: got version %d of a save rolled back", r.ID, v)
			case ok && v <= prev:
				t.Errorf("record %s: got version %d after version %d", r.ID, v, prev)
			case ok:
				redelivers++
			}
			have[r.ID] = v
		}
		if ch.Next < saved {
			t.Fatalf("cursor went back from %d to %d", saved, ch.Next)
		}
		saved = ch.Next // in the same transaction as have, for a real loader
		if !stillWriting && !ch.More {
			break
		}
	}
	wg.Wait()
	if len(committed) < 20 || redelivers == 0 || crashes == 0 {
		t.Fatalf("too little happened: %d records, %d corrections seen, %d crashes", len(committed), redelivers, crashes)
	}
	for id, v := range committed {
		if have[id] != v {
			t.Errorf("record %s: loader has version %d, latest is %d", id, have[id], v)
		}
	}
	if len(have) != len(committed) {
		t.Errorf("loader has %d records, %d committed", len(have), len(committed))
	}
	t.Logf("%d records, %d corrections pulled again, %d crashes", len(committed), redelivers, crashes)

	// A new loader from the start gets each record once, in its latest
	// version, through the client's iterator.
	fresh := map[string]int{}
	for ch, err := range client.Pull(ctx, 0, PullOptions{BatchID: b.ID, Limit: 7}) {
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range ch.Records {
			if _, dup := fresh[r.ID]; dup {
				t.Errorf("record %s twice", r.ID)
			}
			fresh[r.ID] = recordVersion(r)
		}
	}
	for id, v := range committed {
		if fresh[id] != v {
			t.Errorf("fresh loader: record %s version %d, want %d", id, fresh[id], v)
		}
	}
}

// writtenPage is a page a test writer made, with its committed records.
type writtenPage struct {
	id   string
	recs []models.Record
}

// writeSome adds a page of one to three records or corrects a record of
// a page written before, in a transaction held open a while (so that
// change numbers commit out of order); one time in four it rolls back,
// with versions from rolledBack up.
func writeSome(ctx context.Context, s *storage.Store, rng *rand.Rand, batchID string, pages *[]writtenPage, rolledBack int) error {
	rollback := rng.IntN(4) == 0
	var p writtenPage
	var recs []models.Record
	if len(*pages) == 0 || rng.IntN(2) == 0 {
		for i := range 1 + rng.IntN(3) {
			recs = append(recs, birthRecord(rng, i, "2019-03-05", testOffices()[0], 1))
		}
	} else {
		i := rng.IntN(len(*pages))
		p = (*pages)[i]
		recs = slices.Clone(p.recs)
		k := rng.IntN(len(recs))
		next := birthRecord(rng, recs[k].EntryIndex, "2019-03-05", testOffices()[0], recordVersion(recs[k])+1)
		next.ID = recs[k].ID
		recs[k] = next
	}
	if rollback {
		for i := range recs {
			recs[i].Warnings = []string{"version " + strconv.Itoa(rolledBack+rng.IntN(100))}
		}
	}
	err := s.WithTx(ctx, func(tx *storage.Store) error {
		if p.id == "" {
			page, err := tx.AddPage(ctx, newTestPage(batchID))
			if err != nil {
				return err
			}
			p.id = page.ID
		}
		if err := tx.SaveRecords(ctx, p.id, recs); err != nil {
			return err
		}
		time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
		if rollback {
			return errRolledBack
		}
		return nil
	})
	if rollback && errors.Is(err, errRolledBack) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(p.recs) == 0 {
		*pages = append(*pages, writtenPage{id: p.id, recs: recs})
		return nil
	}
	for i := range *pages {
		if (*pages)[i].id == p.id {
			(*pages)[i].recs = recs
		}
	}
	return nil
}

var errRolledBack = errors.New("rolled back on purpose")

// getRecords sends GET /v1/records?query with the loader token and
// returns the answer, whose body the caller closes.
func (e *testEnv) getRecords(t testing.TB, query string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, e.http.URL+"/v1/records?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.tokens[storage.RoleLoader])
	resp, err := e.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// readSomeAndDrop starts a pull from the cursor, reads part of the answer
// and drops the connection, like a loader that crashes.
func (e *testEnv) readSomeAndDrop(t *testing.T, since int64, opts PullOptions) {
	t.Helper()
	resp := e.getRecords(t, opts.query(since).Encode())
	defer resp.Body.Close()
	_, _ = bufio.NewReader(resp.Body).ReadString('\n')
	_, _ = io.CopyN(io.Discard, resp.Body, 10)
}

// TestPullCutResponse: a record that fails on its way out, after the
// status and the first records are sent, cuts the answer: the client sees
// an error, never a short answer it would take as whole.
func TestPullCutResponse(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := t.Context()
	since := e.cursorNow(t)
	rng := rand.New(rand.NewPCG(7, 8))
	b, err := e.store.CreateBatch(ctx, storage.NewBatch{Name: "Sổ khai sinh"})
	if err != nil {
		t.Fatal(err)
	}
	var recs []models.Record
	for i := range 30 {
		recs = append(recs, birthRecord(rng, i, "2019-03-05", testOffices()[0], 1))
	}
	saveTestPage(t, e.store, b.ID, recs...)
	pool, err := testPoolOn(ctx, os.Getenv("SOHOA_DATABASE_URL"), dbName)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	// A warning that is NULL, written behind the store's back, cannot be
	// read: the last record of the answer fails.
	if _, err := pool.Exec(ctx, `UPDATE records SET warnings = ARRAY[NULL]::text[] WHERE id = $1`, recs[0].ID); err != nil {
		t.Fatal(err)
	}
	// Mend it after, or every later pull from the start would fail on it.
	t.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), `UPDATE records SET warnings = '{}' WHERE id = $1`, recs[0].ID); err != nil {
			t.Error(err)
		}
	})
	query := url.Values{"batch": {b.ID}, "since": {strconv.FormatInt(since, 10)}}
	for _, format := range []string{"jsonl", "csv"} {
		t.Run(format, func(t *testing.T) {
			query.Set("format", format)
			resp := e.getRecords(t, query.Encode())
			defer resp.Body.Close()
			if _, err := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("read a cut answer: %d, %v; want 200 and io.ErrUnexpectedEOF", resp.StatusCode, err)
			}
		})
	}
	_, err = e.loaderClient(t).PullChanges(ctx, since, PullOptions{BatchID: b.ID})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("client: %v, want io.ErrUnexpectedEOF", err)
	}
	if logs := e.logs.String(); !strings.Contains(logs, "response aborted") {
		t.Errorf("the cut is not logged:\n%s", logs)
	}
}
