// Package crashtest kills the real server with SIGKILL while cashiers stamp
// and redeem at the counter, restarts it on the same database file, and checks
// what a shop trusts it with: every stamp and redemption whose 303 a cashier
// saw is in the ledger; a form re-sent after the crash, with its idempotency
// key, applies at most once (the server answers 409 "already recorded" when it
// had); no key is applied twice; the rollups equal a rebuild from the ledger;
// no card has negative stamps or more redemptions than rewards; SQLite's
// integrity and foreign-key checks pass.
//
// `make test` runs a short version (3 kills). The long one:
//
//	go test ./crashtest -count=1 -v -crash.kills=50
//
// The log names the random seed; -crash.seed=N replays its kill moments and
// each worker's choices (the interleaving of the workers is the scheduler's).
package crashtest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/migrations"
)

var (
	kills   = flag.Int("crash.kills", 3, "how many times the server is killed with SIGKILL")
	seed    = flag.Uint64("crash.seed", 0, "random seed of the kill moments and the workers' choices; 0: from the clock")
	workers = flag.Int("crash.workers", 12, "concurrent cashiers, each stamping and redeeming on cards of its own")
)

// cardsPerWorker: each worker owns its cards, so that it knows their balances
// exactly while the others stamp theirs at the same time.
const (
	cardsPerWorker = 4
	stampsRequired = 10 // the default program of a new shop
)

func TestKillNineWhileStamping(t *testing.T) {
	s := *seed
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay with -crash.seed=%d)", s, s)
	rng := rand.New(rand.NewPCG(s, 0))
	started := time.Now()

	srv := startServer(t)
	owner, cashier, program, cards := setUpShop(t, srv.url)

	ctx, stop := context.WithCancel(context.Background())
	var redeemed atomic.Int64 // redemptions confirmed, across workers
	ws := make([]*worker, *workers)
	var wg sync.WaitGroup
	for i := range ws {
		ws[i] = &worker{
			id: i, base: srv.url, browser: []*browser{owner, cashier}[i%2], program: program,
			rng: rand.New(rand.NewPCG(s, uint64(i+1))), applied: map[string]action{}, redeemed: &redeemed,
		}
		for _, id := range cards[i*cardsPerWorker : (i+1)*cardsPerWorker] {
			ws[i].cards = append(ws[i].cards, &card{id: id})
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws[i].run(ctx)
		}()
	}
	for k := range *kills {
		time.Sleep(time.Duration(100+rng.IntN(900)) * time.Millisecond)
		srv.kill()
		time.Sleep(time.Duration(rng.IntN(200)) * time.Millisecond)
		srv.start()
		t.Logf("kill %d of %d", k+1, *kills)
	}
	// Load after the last restart, at least until a redemption was confirmed
	// (a loaded machine stamps slowly, and no card may have reached its
	// reward yet), then let every worker settle what it sent.
	time.Sleep(time.Duration(200+rng.IntN(800)) * time.Millisecond)
	for deadline := time.Now().Add(time.Minute); redeemed.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	wg.Wait()
	srv.kill()

	var sum totals
	for _, w := range ws {
		if w.failure != "" {
			t.Errorf("worker %d: %s", w.id, w.failure)
		}
		sum.add(w.totals)
	}
	t.Logf("%d kills in %s: %d stamps and %d redemptions confirmed by a 303; %d requests unanswered by a killed server and re-sent after restart: %d had been applied (409 already recorded), %d applied on re-sending; %d applied forms re-sent and refused as already recorded; %d card pages checked",
		*kills, time.Since(started).Round(100*time.Millisecond), sum.stamps, sum.redeems, sum.resent, sum.resentApplied, sum.resentNow, sum.replays, sum.pages)
	if sum.stamps < *kills {
		t.Errorf("only %d stamps confirmed: the test drove too little", sum.stamps)
	}
	if sum.redeems == 0 {
		t.Error("no redemption confirmed: the test drove too little")
	}
	check(t, srv.dbPath, ws)
	if t.Failed() {
		t.Logf("server log:\n%s", srv.logTail())
	}
}

// server is the real binary serving one database file.
type server struct {
	t       *testing.T
	bin     string
	dbPath  string
	addr    string
	url     string
	cmd     *exec.Cmd
	logFile *os.File
	// flags are given to serve after the address and the database.
	flags []string
}

// startServer builds the binary from the module root and starts it on a fresh database.
func startServer(t *testing.T) *server {
	t.Helper()
	s := newServer(t, "")
	s.start()
	return s
}

// newServer builds the binary from the module root, to serve the database
// at dbPath ("": a fresh one), and does not start it.
func newServer(t *testing.T, dbPath string) *server {
	t.Helper()
	dir := t.TempDir()
	if dbPath == "" {
		dbPath = filepath.Join(dir, "regulars.db")
	}
	bin := binary(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, bin: bin, dbPath: dbPath, addr: addr, url: "http://" + addr, logFile: logFile}
	t.Cleanup(func() {
		if s.cmd != nil {
			s.kill()
		}
		logFile.Close()
	})
	return s
}

// built is the binary, built once for the tests of the package.
var built struct {
	once sync.Once
	dir  string
	err  error
	out  []byte
}

// binary builds the binary from the module root, once, and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "regulars-crashtest-"); built.err != nil {
			return
		}
		build := exec.Command("go", "build", "-o", filepath.Join(built.dir, "regulars"), ".")
		build.Dir = ".."
		built.out, built.err = build.CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return filepath.Join(built.dir, "regulars")
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// start runs the server on the same file and waits until it answers.
func (s *server) start() {
	s.t.Helper()
	s.launch()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(s.url + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("the server did not answer /healthz within 30s:\n%s", s.logTail())
}

// launch runs the server on the same file.
func (s *server) launch() {
	s.t.Helper()
	s.cmd = exec.Command(s.bin, append([]string{"serve", "-addr", s.addr, "-db", s.dbPath}, s.flags...)...)
	s.cmd.Stdout, s.cmd.Stderr = s.logFile, s.logFile
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
}

// kill ends the server with SIGKILL: no shutdown, no flush, no deferred close.
func (s *server) kill() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		s.t.Fatalf("kill: %v", err)
	}
	s.cmd.Wait() // "signal: killed"
	s.cmd = nil
}

func (s *server) logTail() string {
	b, _ := os.ReadFile(s.logFile.Name())
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// browser is a cashier's browser: its cookies (session, CSRF) survive restarts.
type browser struct {
	http *http.Client
	csrf string
}

func newBrowser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{http: &http.Client{
		Jar:           jar,
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is an answered request.
type page struct {
	status   int
	location string
	doc      *goquery.Document
	body     string
}

func (b *browser) do(method, u string, form url.Values) (page, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		return page{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.http.Do(req)
	if err != nil {
		return page{}, err
	}
	defer res.Body.Close()
	p := page{status: res.StatusCode, location: res.Header.Get("Location")}
	raw, err := io.ReadAll(res.Body)
	if err != nil && p.status != http.StatusSeeOther {
		// The server was killed while it wrote the page: what the page
		// said is lost. (A 303 is all in its status and Location.)
		return page{}, fmt.Errorf("%s %s: %d, page cut off: %w", method, u, p.status, err)
	}
	p.body = string(raw)
	p.doc, _ = goquery.NewDocumentFromReader(bytes.NewReader(raw))
	return p, nil
}

// formOf returns the action and fields of the form around selector, as a browser sends them.
func formOf(t *testing.T, p page, selector string) (string, url.Values) {
	t.Helper()
	if p.doc == nil {
		t.Fatalf("no page (%d)", p.status)
	}
	form := p.doc.Find(selector).First()
	if !form.Is("form") {
		form = form.Closest("form")
	}
	if form.Length() == 0 {
		t.Fatalf("no form %q on the page:\n%.2000s", selector, p.body)
	}
	values := url.Values{}
	form.Find("input[name], select[name]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		v, _ := s.Attr("value")
		if s.Is("select") {
			v, _ = s.Find("option[selected]").Attr("value")
		}
		values.Set(name, v)
	})
	action, _ := form.Attr("action")
	return action, values
}

// submit gets path and posts its form matched by selector, filled with fill.
func (b *browser) submit(t *testing.T, base, path, selector string, fill map[string]string) page {
	t.Helper()
	p, err := b.do(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	action, values := formOf(t, p, selector)
	for k, v := range fill {
		values.Set(k, v)
	}
	res, err := b.do(http.MethodPost, base+action, values)
	if err != nil {
		t.Fatal(err)
	}
	if res.status != http.StatusSeeOther {
		t.Fatalf("POST %s: %d\n%.2000s", action, res.status, res.body)
	}
	return res
}

// setUpShop signs up a shop, adds a cashier who signs in through the login
// form, and enrolls the cards. It returns the two browsers, the default
// program's id and the card ids.
func setUpShop(t *testing.T, base string) (owner, cashier *browser, program string, cards []int64) {
	t.Helper()
	owner, cashier = newBrowser(), newBrowser()
	owner.submit(t, base, "/signup", `form[action="/signup"]`, map[string]string{
		"shop_name": "Crash Kafe", "name": "Owner", "email": "owner@example.com", "password": "correct horse battery",
	})
	owner.submit(t, base, "/staff", `form[action="/staff"]`, map[string]string{
		"name": "Cashier", "email": "cashier@example.com", "role": "cashier", "password": "cashier password 1",
	})
	cashier.submit(t, base, "/login", `form[action^="/login"]`, map[string]string{"email": "cashier@example.com", "password": "cashier password 1"})
	cardID := regexp.MustCompile(`^/counter/cards/(\d+)`)
	for i := range *workers * cardsPerWorker {
		res := owner.submit(t, base, "/counter", `form[action="/counter/enroll"]`, map[string]string{"first_name": fmt.Sprint("Card ", i)})
		m := cardID.FindStringSubmatch(res.location)
		if m == nil {
			t.Fatalf("enroll went to %q", res.location)
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		cards = append(cards, id)
	}
	for _, b := range []*browser{owner, cashier} {
		p, err := b.do(http.MethodGet, fmt.Sprintf("%s/counter/cards/%d", base, cards[0]), nil)
		if err != nil {
			t.Fatal(err)
		}
		_, stamp := formOf(t, p, `[data-testid="stamp-1"]`)
		b.csrf, program = stamp.Get("_csrf"), stamp.Get("program")
	}
	return owner, cashier, program, cards
}

// card is what a worker knows of one of its cards: every stamp and
// redemption that was applied, so its balance.
type card struct {
	id               int64
	stamps, redeemed int
}

func (c *card) available() int { return c.stamps/stampsRequired - c.redeemed }

// action is a stamp or a redemption the server applied, by its key.
type action struct {
	kind    string // "stamp" or "redeem"
	cardID  int64
	eventID int64 // from the 303's ?done=; 0 when a re-sent form learnt it had been applied
}

type totals struct {
	stamps, redeems                  int
	resent, resentApplied, resentNow int
	pages, replays                   int
}

func (t *totals) add(o totals) {
	t.stamps += o.stamps
	t.redeems += o.redeems
	t.resent += o.resent
	t.resentApplied += o.resentApplied
	t.resentNow += o.resentNow
	t.pages += o.pages
	t.replays += o.replays
}

// worker is one cashier's tab working on its own cards.
type worker struct {
	id      int
	base    string
	browser *browser
	program string
	rng     *rand.Rand
	cards   []*card
	keys    int
	applied map[string]action
	done    []sent
	failure string
	totals
	redeemed *atomic.Int64 // shared by the workers: redemptions confirmed
}

var doneEvent = regexp.MustCompile(`^/counter/cards/\d+\?done=(\d+)$`)

// run stamps and redeems until ctx ends. A request the killed server did not
// answer is re-sent, with its key, until it is answered: then the worker
// knows whether it was applied, and goes on.
func (w *worker) run(ctx context.Context) {
	for ctx.Err() == nil && w.failure == "" {
		c := w.cards[w.rng.IntN(len(w.cards))]
		switch r := w.rng.IntN(20); {
		case r < 4:
			w.checkPage(c)
			continue
		case r == 4 && len(w.done) > 0:
			w.replay(w.done[w.rng.IntN(len(w.done))])
			continue
		}
		w.keys++
		key := fmt.Sprintf("crash-w%02d-%08d", w.id, w.keys)
		form := url.Values{"_csrf": {w.browser.csrf}, "key": {key}, "program": {w.program}}
		path := fmt.Sprintf("%s/counter/cards/%d/", w.base, c.id)
		kind := "stamp"
		if c.available() > 0 && w.rng.IntN(3) == 0 {
			kind = "redeem"
			form.Set("reward", strconv.Itoa(c.redeemed+1)) // the oldest reward
			path += "redeem"
		} else {
			form.Set("count", "1")
			path += "stamp"
		}
		w.send(c, kind, key, path, form)
	}
}

// sent is a form the server applied.
type sent struct {
	path string
	form url.Values
}

// replay re-sends a form applied earlier, maybe before a crash: the server
// must remember its key and refuse it.
func (w *worker) replay(f sent) {
	res, err := w.browser.do(http.MethodPost, f.path, f.form)
	if err != nil {
		return // the server is down, or was killed before it answered
	}
	w.replays++
	if res.status != http.StatusConflict || res.doc.Find(`[data-testid="result"]`).AttrOr("data-result", "") != "replayed" {
		w.failure = fmt.Sprintf("replayed %s: status %d\n%.2000s", f.form.Get("key"), res.status, res.body)
	}
}

// send posts the form until it is answered and books the outcome.
func (w *worker) send(c *card, kind, key, path string, form url.Values) {
	resent := false
	for {
		res, err := w.browser.do(http.MethodPost, path, form)
		if err != nil {
			// Refused: the server is down and never saw it. Otherwise it was
			// killed before it answered: applied or not, we cannot tell yet.
			resent = resent || !errors.Is(err, syscall.ECONNREFUSED)
			time.Sleep(20 * time.Millisecond)
			continue
		}
		if resent {
			w.resent++
		}
		switch {
		case res.status == http.StatusSeeOther:
			m := doneEvent.FindStringSubmatch(res.location)
			if m == nil {
				w.failure = fmt.Sprintf("%s %s: 303 to %q", kind, key, res.location)
				return
			}
			id, _ := strconv.ParseInt(m[1], 10, 64)
			w.book(c, kind, key, id)
			w.done = append(w.done, sent{path, form})
			if resent {
				w.resentNow++
			}
		case res.status == http.StatusConflict && resent &&
			res.doc.Find(`[data-testid="result"]`).AttrOr("data-result", "") == "replayed":
			w.book(c, kind, key, 0)
			w.done = append(w.done, sent{path, form})
			w.resentApplied++
		default:
			w.failure = fmt.Sprintf("%s %s (re-sent: %v): status %d\n%.2000s", kind, key, resent, res.status, res.body)
		}
		return
	}
}

func (w *worker) book(c *card, kind, key string, eventID int64) {
	w.applied[key] = action{kind: kind, cardID: c.id, eventID: eventID}
	if kind == "stamp" {
		c.stamps++
		w.stamps++
	} else {
		c.redeemed++
		w.redeems++
		w.redeemed.Add(1)
	}
}

// checkPage reads the card at the counter, when the server is up, and
// compares it with what the worker knows was applied.
func (w *worker) checkPage(c *card) {
	p, err := w.browser.do(http.MethodGet, fmt.Sprintf("%s/counter/cards/%d", w.base, c.id), nil)
	if err != nil {
		return // the server is down or was killed while answering
	}
	w.pages++
	want := fmt.Sprintf("%d of %d", c.stamps%stampsRequired, stampsRequired)
	got := strings.TrimSpace(p.doc.Find(`[data-testid="stamp-count"]`).First().Text())
	rewards := p.doc.Find(`[data-testid="reward"]`).Length()
	if p.status != http.StatusOK || got != want || rewards != c.available() {
		w.failure = fmt.Sprintf("card %d page: %d %q with %d rewards, want %q with %d", c.id, p.status, got, rewards, want, c.available())
	}
}

// check opens the database the killed server left and compares it with what
// the workers know.
func check(t *testing.T, path string, ws []*worker) {
	t.Helper()
	ctx := context.Background()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var integrity string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Errorf("integrity_check: %q %v", integrity, err)
	}
	if n := count(t, raw, `SELECT count(*) FROM pragma_foreign_key_check`); n != 0 {
		t.Errorf("foreign_key_check: %d rows", n)
	}

	applied := map[string]action{}
	for _, w := range ws {
		for k, a := range w.applied {
			applied[k] = a
		}
	}
	rows, err := raw.Query(`SELECT id, kind, card_id, coalesce(idempotency_key, '') FROM events WHERE kind IN ('stamp', 'redeem')`)
	if err != nil {
		t.Fatal(err)
	}
	inLedger := map[string]action{}
	for rows.Next() {
		var a action
		var key string
		if err := rows.Scan(&a.eventID, &a.kind, &a.cardID, &key); err != nil {
			t.Fatal(err)
		}
		if _, twice := inLedger[key]; twice {
			t.Errorf("key %q applied twice", key)
		}
		inLedger[key] = a
	}
	rows.Close()
	for key, want := range applied {
		got, ok := inLedger[key]
		switch {
		case !ok:
			t.Errorf("%s %q of card %d was confirmed but is not in the ledger", want.kind, key, want.cardID)
		case got.kind != want.kind || got.cardID != want.cardID || want.eventID != 0 && got.eventID != want.eventID:
			t.Errorf("key %q: ledger has %+v, the cashier was told %+v", key, got, want)
		}
	}
	for key, got := range inLedger {
		if _, ok := applied[key]; !ok {
			t.Errorf("%s %q of card %d is in the ledger, but no cashier was told it was applied", got.kind, key, got.cardID)
		}
	}

	// Two copies: one as the server left it, one with its rollups rebuilt from the ledger.
	dir := t.TempDir()
	kept, rebuilt := filepath.Join(dir, "kept.db"), filepath.Join(dir, "rebuilt.db")
	for _, p := range []string{kept, rebuilt} {
		if _, err := raw.Exec(`VACUUM INTO ?`, p); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	var shopID int64
	if err := raw.QueryRow(`SELECT id FROM shops`).Scan(&shopID); err != nil {
		t.Fatal(err)
	}
	keptStore := openStore(t, kept)
	balances(t, keptStore, raw, shopID, ws, now)
	// Segments move with the day's VIP threshold, which only a refresh recomputes.
	if err := keptStore.RefreshSegments(ctx, shopID, now); err != nil {
		t.Fatal(err)
	}
	keptStore.Close()
	rebuiltStore := openStore(t, rebuilt)
	// The balances kept event by event, and what each event earned, equal
	// a rebuild from the ledger: the rebuild finds nothing to correct.
	if n, err := rebuiltStore.RebuildBalances(ctx, shopID); err != nil || n != 0 {
		t.Errorf("the rebuild of the balances from the ledger corrected %d rows (%v)", n, err)
	}
	if err := rebuiltStore.RebuildRollups(ctx, shopID, now); err != nil {
		t.Fatal(err)
	}
	if err := rebuiltStore.RefreshSegments(ctx, shopID, now); err != nil {
		t.Fatal(err)
	}
	rebuiltStore.Close()
	a, b := dbtest.Rollups(t, kept), dbtest.Rollups(t, rebuilt)
	if len(a) == 0 {
		t.Error("no rollups at all")
	}
	if !slices.Equal(a, b) {
		t.Errorf("the rollups the server kept differ from the ones rebuilt from the ledger:\nkept only:    %s\nrebuilt only: %s", missing(a, b), missing(b, a))
	}
}

func openStore(t *testing.T, path string) *db.Store {
	t.Helper()
	s, err := db.Open(context.Background(), path, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// balances checks every card: the ledger folded, the card_stats rollup and
// the cashier's own count agree, and no card is below zero or over-redeemed.
func balances(t *testing.T, s *db.Store, raw *sql.DB, shopID int64, ws []*worker, now time.Time) {
	t.Helper()
	if n := count(t, raw, `SELECT count(*) FROM card_stats WHERE stamps < 0 OR redeems > rewards`); n != 0 {
		t.Errorf("%d cards with negative stamps or more redemptions than rewards", n)
	}
	for _, w := range ws {
		for _, c := range w.cards {
			st, err := s.CardState(context.Background(), shopID, c.id, now)
			if err != nil {
				t.Fatal(err)
			}
			b := st.Programs[0].Balance
			if b.Stamps != c.stamps%stampsRequired || b.Earned != c.stamps/stampsRequired || b.Redeemed != c.redeemed || len(b.Available) != c.available() {
				t.Errorf("card %d: ledger folds to %d stamps, %d earned, %d redeemed, %d available; cashiers applied %d stamps and %d redemptions",
					c.id, b.Stamps, b.Earned, b.Redeemed, len(b.Available), c.stamps, c.redeemed)
			}
			var stamps, rewards, redeems int
			if err := raw.QueryRow(`SELECT stamps, rewards, redeems FROM card_stats WHERE card_id = ?`, c.id).Scan(&stamps, &rewards, &redeems); err != nil {
				t.Fatal(err)
			}
			if stamps != c.stamps || rewards != c.stamps/stampsRequired || redeems != c.redeemed {
				t.Errorf("card %d: card_stats %d stamps, %d rewards, %d redeems; cashiers applied %d stamps and %d redemptions",
					c.id, stamps, rewards, redeems, c.stamps, c.redeemed)
			}
		}
	}
}

func count(t *testing.T, q *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := q.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// missing lists the lines of a that b lacks.
func missing(a, b []string) string {
	var out []string
	for _, l := range a {
		if !slices.Contains(b, l) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n              ")
}
