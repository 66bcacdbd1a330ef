package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// BenchmarkReviewHTTP measures review claim and submit as a verifier meets
// them: over HTTP, through the UI's handlers behind the API server
// (session cookie, CSRF token, the review page rendered from its
// template), on the real PostgreSQL with a pool of `sohoa serve`'s default
// size (4 × GOMAXPROCS, at least 4; internal/cli/dbpool.go). Target: p99
// under 50 ms for each, with 50 verifiers at once.
//
// 50 verifiers log in over HTTP (login form, session cookie), each on a
// keep-alive connection of its own, as 50 browsers would hold, and claim a
// first item (POST /ui/claim). Each then loops over what the browser does,
// less static files and images:
//
//   - claim: GET /ui/items/{id}, the review page the claim redirects to
//     (session, item and record, progress counters, duplicate warnings,
//     template);
//   - submit: POST /ui/items/{id}, the review form with its CSRF token and
//     every field's value, the machine's readings accepted or corrected
//     (validation, audit rows, the record updated) — which also claims the
//     next item and answers 303 to its review page.
//
// The claim query thus runs inside the submit, as the UI runs it. b.N is
// the number of claim + submit pairs, shared by the 50 verifiers. Before
// timing, each verifier does benchWarmup untimed pairs (pool connections
// open, statements prepared, caches warm); they count in no figure. The
// metrics are the median and p99 latency of each request, from sending it
// to the last byte of the answer, in ms; enter-p99-ms, the p99 of a submit
// plus the review page its redirect leads to (what a verifier waits for
// after pressing Enter); and requests/s over the timed part.
//
// Sub-benchmarks double=off, double=on and crop loop without pause, as the
// storage benchmark (BenchmarkClaimSubmit) does: the machine is saturated,
// and each request waits for the others' (about 50 × the cost of a pair
// ÷ the pairs the machine serves at once), so their latencies measure
// throughput more than a request's own cost. think=1s pauses 0.5 to 1.5 s
// (1 s on average) between showing a review page and submitting it, as a
// person would, if a much faster one than the 10 s or more a record takes:
// about 50 pairs per second, the load of 500 people.
//
// double=off has double entry off, so each record is one review item;
// double=on has it on: a first review queues the blind second keying of the
// record's critical fields (names, dates, identity numbers) for another
// verifier, and about half the items claimed are such blind keyings. The
// review page's images (the page scan, one zoomed crop per field with a
// box) are separate requests the browser makes after the page, not part of
// claim: the benchmark checks the page links them and does not fetch them,
// but in crop, where each verifier also loads, after each review page, the
// page scan and one crop, that of the field with the cursor, timed as
// image and crop; claim and submit are then timed beside that load. (A
// browser that runs the review page's script fetches no crop: it cuts them
// from the page scan. crop is the load of browsers without scripts, which
// fetch the server-cut crop of every field with a box; each crop the server
// has to decode the page scan for costs about 100 ms of CPU with the
// sample's 2480 × 3508 JPEG, so run crop with a smaller -benchtime.)
//
// Every answer must have the expected status (303 to the next item after a
// submit, 200 for a review page), no item may be claimed twice, and at the
// end the batch's done items, the verified records and the audit rows of
// the corrections must match what the verifiers submitted.
func BenchmarkReviewHTTP(b *testing.B) {
	b.Run("double=off", func(b *testing.B) { benchReviewHTTP(b, benchOptions{}) })
	b.Run("double=on", func(b *testing.B) { benchReviewHTTP(b, benchOptions{doubleEntry: true}) })
	b.Run("crop", func(b *testing.B) { benchReviewHTTP(b, benchOptions{images: true}) })
	b.Run("think=1s", func(b *testing.B) { benchReviewHTTP(b, benchOptions{think: time.Second}) })
}

const (
	benchVerifiers = 50
	benchWarmup    = 3 // untimed claim + submit pairs per verifier
)

// serveMaxConns is the pool size of `sohoa serve` without --db-max-conns.
func serveMaxConns() int32 { return int32(max(4, 4*runtime.GOMAXPROCS(0))) }

// benchOptions vary the benchmark.
type benchOptions struct {
	doubleEntry bool
	images      bool          // the browser loads the review page's images
	think       time.Duration // mean pause between a review page and its submit
}

// benchReviewHTTP runs the benchmark.
func benchReviewHTTP(b *testing.B, o benchOptions) {
	e := newEnvConns(b, serveMaxConns())
	if o.doubleEntry {
		setDoubleEntry(b, e)
	}
	// Claims: one first claim per verifier, then one per submit.
	claims := benchVerifiers*(1+benchWarmup) + b.N
	records := claims + 10
	if o.doubleEntry {
		// Each first review queues a second keying, claimed after the
		// seeded items (queue order); some slack for the last verifiers,
		// who may not key a record twice.
		records = (claims+benchVerifiers)/2 + 60
	}
	sb := seedReviewBatch(b, e, records)
	vs := loginVerifiers(b, e, sb)

	var (
		claimed sync.Map // item id → verifier, to catch an item claimed twice
		started atomic.Int64
		stop    atomic.Bool // set on the first failure
		warm    sync.WaitGroup
		done    sync.WaitGroup
		mu      sync.Mutex
		all     benchTimes
	)
	start := make(chan struct{})
	fail := func(format string, args ...any) {
		stop.Store(true)
		b.Errorf(format, args...)
	}
	take := func(v *benchVerifier, id int64) bool {
		if prev, dup := claimed.LoadOrStore(id, v.user.Username); dup {
			fail("item %d claimed twice: by %s, then by %s", id, prev, v.user.Username)
			return false
		}
		return true
	}
	warm.Add(len(vs))
	for _, v := range vs {
		done.Go(func() {
			warming := true
			defer func() {
				if warming {
					warm.Done()
				}
			}()
			// The first claim, as the home page's button sends it.
			id, err := v.firstClaim(sb)
			if err != nil {
				fail("%s: first claim: %v", v.user.Username, err)
				return
			}
			if !take(v, id) {
				return
			}
			var t benchTimes
			var lastSubmit time.Duration // of the timed pair before
			for i := 0; ; i++ {
				if i == benchWarmup {
					warming = false
					warm.Done()
					<-start
					if o.think > 0 {
						// Not all at once: as if somewhere in a pause.
						time.Sleep(time.Duration(rand.Int64N(int64(o.think) * 3 / 2)))
					}
				}
				if stop.Load() || (!warming && started.Add(1) > int64(b.N)) {
					break
				}
				next, pt, err := v.pair(sb, o)
				if err != nil {
					fail("%s: %v", v.user.Username, err)
					return
				}
				if !take(v, next) {
					return
				}
				if !warming {
					t.add(pt, lastSubmit)
					lastSubmit = pt.submit
				}
			}
			mu.Lock()
			all.merge(t)
			mu.Unlock()
		})
	}
	warm.Wait()
	if stop.Load() {
		close(start)
		done.Wait()
		b.FailNow()
	}
	b.ResetTimer()
	close(start)
	done.Wait()
	b.StopTimer()
	if b.Failed() {
		return
	}
	all.report(b, o.images)
	checkReviewBatch(b, e, sb, vs, o.doubleEntry)
}

// setDoubleEntry turns double entry on for the benchmark.
func setDoubleEntry(b *testing.B, e *testEnv) {
	if err := e.store.SetReviewSettings(b.Context(), storage.ReviewSettings{DoubleEntry: true}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.store.SetReviewSettings(ctx, storage.ReviewSettings{}); err != nil {
			b.Error(err)
		}
	})
}

// pairTimes are the latencies of one claim and submit, and of the images
// loaded with the review page (0: not loaded).
type pairTimes struct {
	claim, submit, image, crop time.Duration
}

// benchTimes are latencies of many.
type benchTimes struct {
	claims, submits, enters, images, crops []time.Duration
}

// add adds a pair's times; lastSubmit is the verifier's timed submit before
// (0: none), whose redirect led to this pair's claim.
func (t *benchTimes) add(p pairTimes, lastSubmit time.Duration) {
	t.claims, t.submits = append(t.claims, p.claim), append(t.submits, p.submit)
	if lastSubmit > 0 {
		t.enters = append(t.enters, lastSubmit+p.claim)
	}
	if p.image > 0 {
		t.images, t.crops = append(t.images, p.image), append(t.crops, p.crop)
	}
}

func (t *benchTimes) merge(o benchTimes) {
	t.claims, t.submits, t.enters = append(t.claims, o.claims...), append(t.submits, o.submits...),
		append(t.enters, o.enters...)
	t.images, t.crops = append(t.images, o.images...), append(t.crops, o.crops...)
}

func (t *benchTimes) report(b *testing.B, images bool) {
	b.ReportMetric(benchQuantile(t.claims, 50), "claim-p50-ms")
	b.ReportMetric(benchQuantile(t.claims, 99), "claim-p99-ms")
	b.ReportMetric(benchQuantile(t.submits, 50), "submit-p50-ms")
	b.ReportMetric(benchQuantile(t.submits, 99), "submit-p99-ms")
	b.ReportMetric(benchQuantile(t.enters, 99), "enter-p99-ms")
	if images {
		b.ReportMetric(benchQuantile(t.images, 50), "image-p50-ms")
		b.ReportMetric(benchQuantile(t.images, 99), "image-p99-ms")
		b.ReportMetric(benchQuantile(t.crops, 50), "crop-p50-ms")
		b.ReportMetric(benchQuantile(t.crops, 99), "crop-p99-ms")
	}
	requests := len(t.claims) + len(t.submits) + len(t.images) + len(t.crops)
	b.ReportMetric(float64(requests)/b.Elapsed().Seconds(), "req/s")
}

// benchQuantile returns the q-th percentile of d in milliseconds.
func benchQuantile(d []time.Duration, q int) float64 {
	if len(d) == 0 {
		return 0
	}
	d = slices.Clone(d)
	slices.Sort(d)
	return float64(d[min(len(d)*q/100, len(d)-1)].Microseconds()) / 1000
}

// reviewSample is the register page of testdata/samples whose two birth
// records the seeded records are made from, with its scan.
const reviewSample = "../testdata/samples/p0002-birth-register-scanned"

// reviewFields are the fields the machine sends to review, four per
// record, by turns.
var reviewFields = []string{"full_name", "date_of_birth", "mother_name", "place_of_birth", "personal_id",
	"father_name", "hometown"}

var (
	benchSurnames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	benchMiddles  = []string{"Văn", "Thị", "Minh", "Hồng", "Đức", "Ngọc", "Quang", "Thanh", "Hữu", "Thu", "Gia", "Bảo"}
	benchGiven    = []string{"An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Ngân", "Phúc", "Quyết", "Sơn", "Tâm", "Thảo", "Trâm", "Trung", "Tuấn", "Vân", "Yến"}
)

// benchBatch is a batch seeded for review, with what each record truly
// says (by entry index), which the verifiers key.
type benchBatch struct {
	batch storage.Batch
	truth []map[string]string
}

// seedReviewBatch stores, in a batch of its own, n birth records in
// review, two per page as on the sample register page (all pages share the
// sample's scan). Each has the sample's 23 fields (each with its box), with names, dates,
// entry number and personal id of its own; four fields are in review with
// low confidence, and the machine misread one or two of them (diacritics
// lost, a digit wrong), which the verifiers correct.
func seedReviewBatch(b *testing.B, e *testEnv, n int) *benchBatch {
	b.Helper()
	ctx := b.Context()
	gtData, err := os.ReadFile(reviewSample + ".gt.json")
	if err != nil {
		b.Fatal(err)
	}
	var gt struct {
		Records []models.Record `json:"records"`
	}
	if err := json.Unmarshal(gtData, &gt); err != nil || len(gt.Records) == 0 {
		b.Fatalf("%s.gt.json: %v", reviewSample, err)
	}
	scan, err := os.ReadFile(reviewSample + ".jpg")
	if err != nil {
		b.Fatal(err)
	}
	sum := sha256.Sum256(scan)
	scanSum := hex.EncodeToString(sum[:])
	if _, _, err := e.objects.PutOriginal(ctx, bytes.NewReader(scan), int64(len(scan)), scanSum,
		storage.PutOriginalOptions{ContentType: "image/jpeg"}); err != nil {
		b.Fatal(err)
	}
	// A book number of its own, so that the records of other runs are not
	// taken for duplicates.
	book := fmt.Sprintf("%02d/%d", 1+rand.IntN(99), 1990+rand.IntN(35))
	batch, err := e.store.CreateBatch(ctx, storage.NewBatch{Name: b.Name() + " " + randomHex(4), BookNumber: book,
		RegisterType: models.Birth, Office: "UBND xã Quảng Hải"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := e.pool.Exec(ctx, `UPDATE review_items SET done_at = now(), lease_until = NULL
			WHERE batch_id = $1 AND done_at IS NULL`, batch.ID); err != nil {
			b.Errorf("close the benchmark's review items: %v", err)
		}
	})
	sb := &benchBatch{batch: batch, truth: make([]map[string]string, n)}
	recs := make([]models.Record, n)
	for i := range recs {
		base := gt.Records[i%len(gt.Records)]
		fields := maps.Clone(base.Fields)
		truth := map[string]string{}
		set := func(k, v, raw string) {
			f := fields[k]
			f.Value, f.Raw = &v, raw
			fields[k] = f
		}
		name := benchSurnames[i%len(benchSurnames)] + " " + benchMiddles[i/len(benchSurnames)%len(benchMiddles)] + " " +
			benchGiven[i/7%len(benchGiven)]
		day, month := 1+i%28, 1+i/28%12
		set("entry_number", strconv.Itoa(i+1), strconv.Itoa(i+1))
		set("book_number", book, book)
		set("full_name", name, name)
		set("date_of_birth", fmt.Sprintf("2019-%02d-%02d", month, day), fmt.Sprintf("%02d/%02d/2019", day, month))
		set("personal_id", fmt.Sprintf("0383%08d", 19000000+i), fmt.Sprintf("0383%08d", 19000000+i))
		for k, f := range fields {
			f.Status, f.Confidence = models.StatusAccepted, 0.97+float64(len(k)%3)/100
			fields[k] = f
			truth[k] = *f.Value
		}
		for j := range 4 {
			k := reviewFields[(i+j)%len(reviewFields)]
			f := fields[k]
			f.Status, f.Confidence, f.Reasons = models.StatusReview, 0.41+float64(j)/10, []string{"low_confidence"}
			if j == 0 || (j == 1 && i%3 == 0) {
				wrong := misread(*f.Value)
				f.Value = &wrong
			}
			fields[k] = f
		}
		sb.truth[i] = truth
		recs[i] = models.Record{ID: uuid.NewString(), EntryIndex: i, RegisterType: models.Birth,
			Status: models.StatusReview, Fields: fields}
	}
	// Pages of two records, stored by four writers at once.
	pages := make(chan []models.Record)
	var wg sync.WaitGroup
	var failed atomic.Bool
	for range 4 {
		wg.Go(func() {
			for page := range pages {
				if failed.Load() {
					continue
				}
				pageSum := randomHex(32)
				p, err := e.store.AddPage(ctx, storage.NewPage{BatchID: batch.ID, ObjectKey: storage.OriginalKey(scanSum), SHA256: pageSum})
				if err == nil {
					err = e.store.SaveRecords(ctx, p.ID, page)
				}
				if err != nil && !failed.Swap(true) {
					b.Error(err)
				}
			}
		})
	}
	for i := 0; i < n; i += 2 {
		pages <- recs[i:min(i+2, n)]
	}
	close(pages)
	wg.Wait()
	if failed.Load() {
		b.FailNow()
	}
	return sb
}

// misread is what a weak OCR makes of s: the diacritics of its first word
// lost, or a digit wrong.
func misread(s string) string {
	if r := misreader.Replace(s); r != s {
		return r
	}
	b := []byte(s)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] >= '0' && b[i] <= '9' {
			b[i] = '0' + (b[i]-'0'+3)%10
			return string(b)
		}
	}
	return s + " ?"
}

var misreader = strings.NewReplacer("Nguyễn", "Nguyen", "Trần", "Tran", "Lê", "Le", "Phạm", "Pham", "Hoàng", "Hoang",
	"Huỳnh", "Huynh", "Vũ", "Vu", "Võ", "Vo", "Đặng", "Dang", "Bùi", "Bui", "Đỗ", "Do", "Hồ", "Ho", "Quách", "Quach",
	"Trạm", "Tram", "xã", "xa")

// benchVerifier is one person at a browser.
type benchVerifier struct {
	e    *testEnv
	user storage.User
	c    *http.Client
	csrf string
	page string // the review page to load next
	// submits made, of which blind keyings, and the values the first
	// reviews changed.
	submits, blind, changed int
}

// benchHash is a bcrypt hash of testPassword, made once: creating 50 users
// through CreateUser would hash 50 times.
var benchHash = sync.OnceValues(func() ([]byte, error) {
	return bcrypt.GenerateFromPassword([]byte(testPassword), storage.BcryptCost)
})

// loginVerifiers creates 50 verifiers and logs each in over HTTP, in a
// browser of its own (cookie jar, keep-alive connection), and opens its
// home page with the batch chosen.
func loginVerifiers(b *testing.B, e *testEnv, sb *benchBatch) []*benchVerifier {
	b.Helper()
	hash, err := benchHash()
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, benchVerifiers)
	for i := range names {
		names[i] = fmt.Sprintf("verifier-%02d-%s", i, randomHex(4))
	}
	rows, err := e.pool.Query(b.Context(), `INSERT INTO users (username, role, password_hash)
		SELECT u, 'verifier', $2 FROM unnest($1::text[]) u RETURNING id::text, username`, names, string(hash))
	if err != nil {
		b.Fatal(err)
	}
	var vs []*benchVerifier
	for rows.Next() {
		v := &benchVerifier{e: e, user: storage.User{Role: storage.UserVerifier}}
		if err := rows.Scan(&v.user.ID, &v.user.Username); err != nil {
			b.Fatal(err)
		}
		jar, err := cookiejar.New(nil)
		if err != nil {
			b.Fatal(err)
		}
		tr := &http.Transport{MaxIdleConnsPerHost: 2, IdleConnTimeout: time.Minute}
		b.Cleanup(tr.CloseIdleConnections)
		v.c = &http.Client{Jar: jar, Transport: tr, Timeout: time.Minute,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	// bcrypt makes a login cost about as much as the whole benchmark's
	// other requests of a verifier: a few at a time.
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	errs := make(chan error, len(vs))
	for _, v := range vs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := v.login(sb); err != nil {
				errs <- fmt.Errorf("%s: %w", v.user.Username, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return vs
}

var (
	benchCSRFRE   = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	benchInputRE  = regexp.MustCompile(`<input id="f-([a-z_]+)" name="f\.([a-z_]+)" value="([^"]*)"`)
	benchHiddenRE = regexp.MustCompile(`<input type="hidden" name="([a-z]+)"[^>]* value="([^"]*)">`)
	benchEntryRE  = regexp.MustCompile(`Bản ghi số (\d+) ·`)
	benchItemRE   = regexp.MustCompile(`^/ui/items/(\d+)\?`)
	benchCropRE   = regexp.MustCompile(`<img class="crop" src="([^"]+)"[^>]*></noscript>\s*<input [^>]* autofocus`)
)

// do sends a request and reads the whole answer; it returns how long that
// took.
func (v *benchVerifier) do(req *http.Request) (status int, location, body string, d time.Duration, err error) {
	t0 := time.Now()
	res, err := v.c.Do(req)
	if err != nil {
		return 0, "", "", 0, err
	}
	data, err := io.ReadAll(res.Body)
	res.Body.Close()
	d = time.Since(t0)
	return res.StatusCode, res.Header.Get("Location"), string(data), d, err
}

func (v *benchVerifier) get(path string) (int, string, string, time.Duration, error) {
	req, err := http.NewRequest(http.MethodGet, v.e.http.URL+path, nil)
	if err != nil {
		return 0, "", "", 0, err
	}
	return v.do(req)
}

func (v *benchVerifier) post(path string, form url.Values) (int, string, string, time.Duration, error) {
	req, err := http.NewRequest(http.MethodPost, v.e.http.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", "", 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return v.do(req)
}

// login goes through the login form and opens the home page with the
// batch chosen, keeping the session's CSRF token.
func (v *benchVerifier) login(sb *benchBatch) error {
	status, _, body, _, err := v.get("/login")
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("GET /login: %d %v", status, err)
	}
	m := benchCSRFRE.FindStringSubmatch(body)
	if m == nil {
		return fmt.Errorf("no CSRF token on the login page")
	}
	status, loc, _, _, err := v.post("/login", url.Values{"csrf": {m[1]}, "username": {v.user.Username},
		"password": {testPassword}, "next": {"/ui/"}})
	if err != nil || status != http.StatusSeeOther || loc != "/ui/" {
		return fmt.Errorf("POST /login: %d %q %v", status, loc, err)
	}
	status, _, body, _, err = v.get("/ui/?batch=" + sb.batch.ID)
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("GET /ui/: %d %v", status, err)
	}
	if m = benchCSRFRE.FindStringSubmatch(body); m == nil {
		return fmt.Errorf("no CSRF token on the home page")
	}
	v.csrf = m[1]
	return nil
}

// firstClaim presses the home page's claim button, the batch chosen, and
// returns the item claimed.
func (v *benchVerifier) firstClaim(sb *benchBatch) (int64, error) {
	status, loc, _, _, err := v.post("/ui/claim", url.Values{"csrf": {v.csrf}, "batch": {sb.batch.ID},
		"book": {""}, "type": {""}})
	if err != nil {
		return 0, err
	}
	if status != http.StatusSeeOther {
		return 0, fmt.Errorf("POST /ui/claim: %d, want 303", status)
	}
	return v.follow(loc)
}

// follow takes the 303 after a claim: it must lead to an item's review
// page, which is loaded next.
func (v *benchVerifier) follow(loc string) (int64, error) {
	m := benchItemRE.FindStringSubmatch(loc)
	if m == nil {
		return 0, fmt.Errorf("claim went to %q, want an item (queue empty?)", loc)
	}
	v.page = loc
	return strconv.ParseInt(m[1], 10, 64)
}

// pair loads the review page of the item claimed (with its images, if
// images), fills in the form as the person would and submits it; it
// returns the next item claimed and how long the requests took.
func (v *benchVerifier) pair(sb *benchBatch, o benchOptions) (next int64, pt pairTimes, err error) {
	status, _, body, d, err := v.get(v.page)
	if err != nil {
		return 0, pt, fmt.Errorf("GET %s: %w", v.page, err)
	}
	pt.claim = d
	item := strings.TrimPrefix(v.page[:strings.IndexByte(v.page, '?')], "/ui/items/")
	if status != http.StatusOK {
		return 0, pt, fmt.Errorf("GET %s: %d\n%.2000s", v.page, status, body)
	}
	form, blind, changed, err := v.fill(sb, item, body)
	if err != nil {
		return 0, pt, fmt.Errorf("review page %s: %w", v.page, err)
	}
	if o.images {
		if err := v.images(item, body, &pt); err != nil {
			return 0, pt, err
		}
	}
	if o.think > 0 {
		time.Sleep(time.Duration(float64(o.think) * (0.5 + rand.Float64()))) // 0.5 to 1.5 × think
	}
	status, loc, body, d, err := v.post("/ui/items/"+item, form)
	if err != nil {
		return 0, pt, fmt.Errorf("POST /ui/items/%s: %w", item, err)
	}
	pt.submit = d
	if status != http.StatusSeeOther {
		return 0, pt, fmt.Errorf("POST /ui/items/%s: %d, want 303\n%.2000s", item, status, body)
	}
	v.submits++
	if blind {
		v.blind++
	} else {
		v.changed += changed
	}
	next, err = v.follow(loc)
	return next, pt, err
}

// images loads the page scan of item and the crop of the field the review
// page puts the cursor in (the first in review), as the page links them.
func (v *benchVerifier) images(item, body string, pt *pairTimes) error {
	crop := benchCropRE.FindStringSubmatch(body)
	if crop == nil {
		return fmt.Errorf("review page of item %s links no crop of the field with the cursor", item)
	}
	for p, d := range map[string]*time.Duration{"/ui/items/" + item + "/image": &pt.image, html.UnescapeString(crop[1]): &pt.crop} {
		status, _, body, took, err := v.get(p)
		if err != nil {
			return fmt.Errorf("GET %s: %w", p, err)
		}
		if status != http.StatusOK || len(body) < 100 {
			return fmt.Errorf("GET %s: %d, %d bytes", p, status, len(body))
		}
		*d = took
	}
	return nil
}

// fill reads the review form of item off its page and answers it: every
// input sent back with what the record truly says (the machine's reading
// kept where it is right, corrected where not; typed in for a blind
// keying). It returns the form, whether the keying is blind and how many
// values differ from what the page showed.
func (v *benchVerifier) fill(sb *benchBatch, item, body string) (form url.Values, blind bool, changed int, err error) {
	action := `action="/ui/items/` + item + `" id="review-form"`
	start := strings.Index(body, action)
	if start < 0 {
		return nil, false, 0, fmt.Errorf("no review form for item %s", item)
	}
	end := strings.Index(body[start:], "</form>")
	if end < 0 {
		return nil, false, 0, fmt.Errorf("review form not closed")
	}
	formHTML := body[start : start+end]
	m := benchEntryRE.FindStringSubmatch(body)
	if m == nil {
		return nil, false, 0, fmt.Errorf("no entry number on the review page")
	}
	entry, _ := strconv.Atoi(m[1])
	if entry < 0 || entry >= len(sb.truth) {
		return nil, false, 0, fmt.Errorf("entry %d is not the batch's", entry)
	}
	truth := sb.truth[entry]
	blind = strings.Contains(body, `class="kind kind-double"`)
	form = url.Values{}
	for _, h := range benchHiddenRE.FindAllStringSubmatch(formHTML, -1) {
		form.Set(h[1], html.UnescapeString(h[2]))
	}
	if form.Get("csrf") != v.csrf || form.Get("batch") != sb.batch.ID {
		return nil, false, 0, fmt.Errorf("form's csrf %q and batch %q: want the session's and %s",
			form.Get("csrf"), form.Get("batch"), sb.batch.ID)
	}
	inputs := benchInputRE.FindAllStringSubmatch(formHTML, -1)
	if len(inputs) == 0 {
		return nil, false, 0, fmt.Errorf("review form without fields")
	}
	// The page links the scan and the crop of each field (every field of
	// the seeded records has a box); a browser fetches them after the
	// page, the benchmark only in sub-benchmark crop.
	if !strings.Contains(body, `src="/ui/items/`+item+`/image"`) ||
		strings.Count(body, `src="/ui/items/`+item+`/crop?field=`) != len(inputs) {
		return nil, false, 0, fmt.Errorf("review page without the page image and %d crops", len(inputs))
	}
	for _, in := range inputs {
		key, shown := in[2], html.UnescapeString(in[3])
		want, ok := truth[key]
		if !ok {
			return nil, false, 0, fmt.Errorf("field %q is not the record's", key)
		}
		if blind && shown != "" {
			return nil, false, 0, fmt.Errorf("blind keying shows %s = %q", key, shown)
		}
		if shown != want {
			changed++
		}
		form.Set("f."+key, want)
	}
	return form, blind, changed, nil
}

// checkReviewBatch checks what the verifiers did against the database:
// every submit closed its item; every first review corrected the values
// the machine misread (one audit row each) and made its record verified,
// or, with double entry, queued a blind keying that made it verified.
func checkReviewBatch(b *testing.B, e *testEnv, sb *benchBatch, vs []*benchVerifier, doubleEntry bool) {
	b.Helper()
	submits, blind, changed := 0, 0, 0
	for _, v := range vs {
		submits, blind, changed = submits+v.submits, blind+v.blind, changed+v.changed
	}
	if want := benchVerifiers*benchWarmup + b.N; submits != want {
		b.Errorf("%d submits, want %d", submits, want)
	}
	var done, verified, corrections int
	err := e.pool.QueryRow(b.Context(), `SELECT
			(SELECT count(*) FROM review_items WHERE batch_id = $1 AND done_at IS NOT NULL),
			(SELECT count(*) FROM records r JOIN pages p ON p.id = r.page_id
				WHERE p.batch_id = $1 AND r.status = 'verified'),
			(SELECT count(*) FROM audit a JOIN records r ON r.id = a.record_id JOIN pages p ON p.id = r.page_id
				WHERE p.batch_id = $1 AND a.reason = 'review')`, sb.batch.ID).Scan(&done, &verified, &corrections)
	if err != nil {
		b.Fatal(err)
	}
	if done != submits {
		b.Errorf("%d items of the batch done, want %d (one per submit)", done, submits)
	}
	wantVerified := submits
	if doubleEntry {
		wantVerified = blind
		// Second keyings are claimed once every seeded record was, and
		// submitted from the verifier's next submit on.
		if blind == 0 && submits > len(sb.truth) {
			b.Errorf("no blind keying submitted with double entry on")
		}
	} else if blind > 0 {
		b.Errorf("%d blind keyings with double entry off", blind)
	}
	if verified != wantVerified || corrections != changed {
		b.Errorf("%d records verified and %d corrections audited, want %d and %d",
			verified, corrections, wantVerified, changed)
	}
}
