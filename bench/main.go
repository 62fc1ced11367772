// Command bench measures the server against two ceilings of the same machine
// and prints one table; `make bench` runs it, docs/performance.md explains it.
//
// It starts the real binary on loopback (built by make), seeds its databases
// itself: a small café, like `regulars demo`, for the stamp load, and a big
// shop (100,000 customers, 5,000,000 events by default), kept in -dir between
// runs because it takes minutes to make, for the pages that read a lot.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"log"
	"math"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/PuerkitoBio/goquery"

	"regulars/db"
	"regulars/demo"
	"regulars/loyalty"
	"regulars/mailtest"
	"regulars/migrations"
	"regulars/views"
)

type config struct {
	bin, dir          string
	d                 time.Duration
	workers           int
	smallCustomers    int
	bigCustomers      int
	bigEvents         int
	ownerPageRequests int
	part              string // "all", or only the "cafe" or the "big" shop's rows
}

func main() {
	if len(os.Args) == 4 && os.Args[1] == "ceiling-a" && os.Args[2] == "-addr" {
		log.Fatal(serveCeilingA(os.Args[3]))
	}
	var cfg config
	flag.StringVar(&cfg.bin, "bin", "bin/regulars", "the server binary to measure")
	flag.StringVar(&cfg.dir, "dir", "bench-output", "where the databases go; the big shop is kept here between runs")
	flag.DurationVar(&cfg.d, "d", 10*time.Second, "how long each load row runs")
	flag.IntVar(&cfg.workers, "workers", 64, "concurrent clients of the load rows")
	flag.IntVar(&cfg.smallCustomers, "small-customers", 300, "customers of the café that takes the stamp load")
	flag.IntVar(&cfg.bigCustomers, "big-customers", 100_000, "customers of the big shop")
	flag.IntVar(&cfg.bigEvents, "big-events", 5_000_000, "ledger events of the big shop")
	flag.IntVar(&cfg.ownerPageRequests, "owner-requests", 40, "requests per owner page on the big shop, one at a time")
	flag.StringVar(&cfg.part, "part", "all", `the rows to run: "all", "cafe" (stamps and the long-history cards) or "big" (the big shop's pages)`)
	flag.Parse()
	log.SetFlags(0)
	if err := os.MkdirAll(cfg.dir, 0o755); err != nil {
		log.Fatal(err)
	}
	t, err := measure(cfg)
	if err != nil {
		log.Fatal(err)
	}
	t.print(os.Stdout, cfg)
}

// table is what one run found.
type table struct {
	ceilingA, ceilingB result
	rows               []row
	startups           []time.Duration
	peakRSS, afterRSS  int64
	page               pageWeight
}

type row struct {
	name    string
	workers int
	r       result
	ceiling string // "A", "B" or "" for rows measured against a latency goal
	// the goals: at least this ratio to the ceiling, a p95 or p99 under these
	minRatio       float64
	maxP95, maxP99 time.Duration
	// vs > 0: the row is to be at most slower by tolerance than the row vs
	// rows above it, named vsName (a long-history card's row against its
	// short card's, stamps while e-mail is sent against stamps alone)
	vs        int
	tolerance float64
	vsName    string
	// beside is the ceiling's rate measured just before and just after a
	// row with a ratio goal, averaged; its ratio is to it (besideCeiling).
	beside float64
}

// flatness is how much slower a card with 5,000 events may be than one with 5.
const flatness = 0.15

func measure(cfg config) (*table, error) {
	var t table
	var err error
	log.Printf("ceiling B: bare SQLite transactions for %s", cfg.d)
	if t.ceilingB, err = ceilingB(cfg.dir, cfg.d); err != nil {
		return nil, err
	}
	log.Printf("ceiling A: a fixed page from Echo, %d clients for %s", cfg.workers, cfg.d)
	if t.ceilingA, err = measureCeilingA(cfg); err != nil {
		return nil, err
	}
	log.Print("start-up on empty databases")
	if t.startups, err = startups(cfg); err != nil {
		return nil, err
	}
	if cfg.part != "big" {
		if err := measureCafe(cfg, &t); err != nil {
			return nil, err
		}
	}
	if cfg.part != "cafe" {
		if err := measureBigShop(cfg, &t); err != nil {
			return nil, err
		}
	}
	return &t, nil
}

// besideCeiling measures ceiling "A" or "B" again, for the row about to be
// measured or just measured. This machine's speed moves by up to a third
// between runs and within one (docs/performance.md, session 10): a ratio to
// the ceiling measured minutes earlier at the start moved with it, so a row
// with a ratio goal is compared with the ceiling measured beside it.
func besideCeiling(cfg config, ceiling string) (float64, error) {
	log.Printf("ceiling %s again, beside the next row", ceiling)
	var r result
	var err error
	if ceiling == "B" {
		r, err = ceilingB(cfg.dir, cfg.d)
	} else {
		r, err = measureCeilingA(cfg)
	}
	if err != nil {
		return 0, err
	}
	return r.perSecond(), nil
}

func measureCeilingA(cfg config) (result, error) {
	self, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	s, _, err := startProcess(self, "ceiling-a")
	if err != nil {
		return result{}, err
	}
	defer s.stop()
	c := newClient(cfg.workers)
	return load(cfg.workers, cfg.d, func(int, int) (bool, bool, error) {
		ok, err := expect(c, session{}.get(s.url+"/"), http.StatusOK)
		return ok, false, err
	}), nil
}

// startups times five starts of the binary on a new, empty database: migrations,
// secrets, listening, and the first 200 of /healthz.
func startups(cfg config) ([]time.Duration, error) {
	var took []time.Duration
	for i := range 5 {
		path := filepath.Join(cfg.dir, fmt.Sprintf("empty-%d.db", i))
		removeDB(path)
		s, d, err := startServer(cfg.bin, path)
		if err != nil {
			return nil, err
		}
		s.stop()
		removeDB(path)
		took = append(took, d)
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	return took, nil
}

func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}

// measureCafe stamps a freshly seeded café's cards with the cashier's session
// from many tablets at once, and weighs its card page.
func measureCafe(cfg config, t *table) error {
	path := filepath.Join(cfg.dir, "cafe.db")
	removeDB(path)
	log.Printf("seeding a café of %d customers", cfg.smallCustomers)
	var histories historyCards
	l, err := seed(path, func(ctx context.Context, s *db.Store) (demo.Logins, error) {
		l, err := demo.Seed(ctx, s, cfg.smallCustomers, time.Now())
		if err != nil {
			return l, err
		}
		histories, err = seedHistories(ctx, s, l)
		return l, err
	})
	if err != nil {
		return err
	}
	conn, err := sql.Open("sqlite", "file:"+path+"?"+db.Pragmas)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The load is many customers' purchases, not one customer's: the
	// cooldown between one card's stamps would refuse most of them.
	if _, err := conn.Exec(`UPDATE programs SET cooldown_minutes = 0 WHERE shop_id = ?`, l.ShopID); err != nil {
		return err
	}
	var program int64
	if err := conn.QueryRow(`SELECT id FROM programs WHERE shop_id = ? AND is_default = 1`, l.ShopID).Scan(&program); err != nil {
		return fmt.Errorf("default program: %w", err)
	}
	cards, err := column[int64](conn, `SELECT id FROM cards WHERE shop_id = ? ORDER BY random()`, l.ShopID)
	if err != nil {
		return err
	}
	tokens, err := column[string](conn, `SELECT token FROM cards WHERE shop_id = ? ORDER BY random() LIMIT 1`, l.ShopID)
	if err != nil {
		return err
	}
	points, err := addPointsProgram(path, conn, l.ShopID)
	if err != nil {
		return err
	}
	s, _, err := startServer(cfg.bin, path)
	if err != nil {
		return err
	}
	defer s.stop()
	cashier, err := s.login(l.CashierEmail, l.CashierPassword)
	if err != nil {
		return err
	}
	var b [3]float64 // ceiling B before the stamps, between, after the points
	if b[0], err = besideCeiling(cfg, "B"); err != nil {
		return err
	}
	log.Printf("stamp load: %d clients for %s", cfg.workers, cfg.d)
	c := newClient(cfg.workers)
	r := stampLoad(cfg, c, s, cashier, cards, program, "bench-stamp")
	if b[1], err = besideCeiling(cfg, "B"); err != nil {
		return err
	}
	log.Printf("points purchases with an amount: %d clients for %s", cfg.workers, cfg.d)
	pr := load(cfg.workers, cfg.d, func(w, i int) (bool, bool, error) {
		card := cards[(w*7919+i)%len(cards)]
		form := url.Values{"key": {tabletKey(fmt.Sprintf("bench-points-%03d-%08d", w, i))}, "program": {fmt.Sprint(points)}, "amount": {"12.50"}}
		ok, err := expect(c, cashier.post(fmt.Sprintf("%s/counter/cards/%d/points", s.url, card), form), http.StatusSeeOther)
		return ok, false, err
	})
	if b[2], err = besideCeiling(cfg, "B"); err != nil {
		return err
	}
	t.rows = append(t.rows,
		row{name: "Cashier stamp (session + CSRF)", workers: cfg.workers, r: r, ceiling: "B", minRatio: 0.3, beside: (b[0] + b[1]) / 2},
		row{name: "Cashier points purchase of 12.50 (session + CSRF)", workers: cfg.workers, r: pr, ceiling: "B", minRatio: 0.3, beside: (b[1] + b[2]) / 2})
	if t.peakRSS, t.afterRSS, err = s.memory(); err != nil {
		return err
	}
	// Every answered stamp is in the ledger, once: the rate above is real work.
	var stamped int
	if err := conn.QueryRow(`SELECT count(*) FROM events WHERE shop_id = ? AND idempotency_key LIKE '%-bench-stamp-%'`, l.ShopID).Scan(&stamped); err != nil {
		return err
	}
	if stamped != r.ok {
		return fmt.Errorf("the ledger has %d bench stamps, the clients were answered %d", stamped, r.ok)
	}
	var bought int
	if err := conn.QueryRow(`SELECT count(*) FROM events WHERE shop_id = ? AND idempotency_key LIKE '%-bench-points-%' AND points = 12`, l.ShopID).Scan(&bought); err != nil {
		return err
	}
	if bought != pr.ok {
		return fmt.Errorf("the ledger has %d bench purchases of 12 points, the clients were answered %d", bought, pr.ok)
	}
	if err := measureHistories(cfg, t, s, cashier, histories); err != nil {
		return err
	}
	if t.page, err = weighCardPage(s.url, tokens[0]); err != nil {
		return err
	}
	// Then the import adds importRows customers to the café.
	if err := measureStampsDuringImport(cfg, t, s, l, cashier, cards, program); err != nil {
		return err
	}
	s.stop()
	return measureStampsWhileSending(cfg, t, path, conn, l, cards, program)
}

// addPointsProgram gives the café a second program, of points: one a
// whole unit spent, a reward at 100, no cooldown (the load is many
// customers' purchases).
func addPointsProgram(path string, conn *sql.DB, shopID int64) (int64, error) {
	var owner int64
	if err := conn.QueryRow(`SELECT id FROM users WHERE shop_id = ? AND role = 'owner'`, shopID).Scan(&owner); err != nil {
		return 0, fmt.Errorf("the café's owner: %w", err)
	}
	ctx := context.Background()
	s, err := db.Open(ctx, path, migrations.FS)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	return s.SaveProgram(ctx, db.Program{ShopID: shopID, Name: "Points", RewardText: "a cake", Kind: db.ProgramPoints,
		PointsPerUnit: 1, RewardPoints: 100, MaxPerVisit: 1000}, owner, time.Now())
}

// tabletKey is the idempotency key a tablet sends: the one the server put
// in the counter's form (loyalty.NewActionKey, its time first), and name,
// which says which row sent it.
func tabletKey(name string) string { return loyalty.NewActionKey(time.Now()) + "-" + name }

// stampLoad is the counter's stamp load on cards: each worker's requests
// carry idempotency keys of their own, starting with key.
func stampLoad(cfg config, c *http.Client, s *server, cashier session, cards []int64, program int64, key string) result {
	return load(cfg.workers, cfg.d, func(w, i int) (bool, bool, error) {
		card := cards[(w*7919+i)%len(cards)]
		form := url.Values{"key": {tabletKey(fmt.Sprintf("%s-%03d-%08d", key, w, i))}, "program": {fmt.Sprint(program)}, "count": {"1"}}
		ok, err := expect(c, cashier.post(fmt.Sprintf("%s/counter/cards/%d/stamp", s.url, card), form), http.StatusSeeOther)
		return ok, false, err
	})
}

// measureStampsWhileSending gives the café's stamps on one server that
// sends e-mail to a real mail server (Mailpit), with "reward ready" on for
// every card, so that a stamp that earns a reward queues a message in its
// transaction and the outbox's worker claims, sends and marks messages
// beside the stamps, through the same writer; and with it off, half the
// time before and half after, the messages left then dropped, so that the
// drift of a growing database falls on both rows alike. The row with
// e-mail is to be within 10% of the one without. Without Mailpit the rows
// are left out, and the run says so.
func measureStampsWhileSending(cfg config, t *table, path string, conn *sql.DB, l demo.Logins, cards []int64, program int64) error {
	dir, err := os.MkdirTemp("", "bench-mail")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	mail, stopMail, err := mailtest.Run(dir)
	if errors.Is(err, mailtest.ErrNoMailpit) {
		log.Printf("no row for stamps while the outbox sends: %v", err)
		return nil
	}
	if err != nil {
		return err
	}
	defer stopMail()
	// Every card has an address and agreed to hear that a reward is ready;
	// the message is off.
	for _, q := range []string{
		`UPDATE cards SET email = 'card-' || id || '@example.test' WHERE shop_id = ?1 AND email = ''`,
		`INSERT INTO consents (shop_id, card_id, channel, purpose, granted, source, created_at)
			SELECT shop_id, id, 'email', 'service', 1, 'counter', unixepoch() FROM cards WHERE shop_id = ?1`,
		`INSERT INTO automations (shop_id, kind, enabled, updated_at) VALUES (?1, 'reward_ready', 0, unixepoch())
			ON CONFLICT (shop_id, kind) DO UPDATE SET enabled = 0`,
	} {
		if _, err := conn.Exec(q, l.ShopID); err != nil {
			return fmt.Errorf("turning e-mail on: %w", err)
		}
	}
	s, _, err := startProcess(cfg.bin, "serve", "-db", path, "-smtp-url", mail.SMTPURL(), "-smtp-from", "cards@example.test", "-base-url", "http://127.0.0.1")
	if err != nil {
		return err
	}
	defer s.stop()
	cashier, err := s.login(l.CashierEmail, l.CashierPassword)
	if err != nil {
		return err
	}
	c := newClient(cfg.workers)
	half := cfg
	half.d = cfg.d / 2
	log.Printf("stamps with e-mail on but no message to send: %d clients for %s", cfg.workers, half.d)
	quiet := stampLoad(half, c, s, cashier, cards, program, "bench-quiet")
	// The stamp's transaction reads the switch each time: it takes effect
	// at once, without the owner's page.
	if _, err := conn.Exec(`UPDATE automations SET enabled = 1 WHERE shop_id = ? AND kind = 'reward_ready'`, l.ShopID); err != nil {
		return err
	}
	log.Printf("stamps while the outbox sends e-mail to Mailpit: %d clients for %s", cfg.workers, cfg.d)
	r := stampLoad(cfg, c, s, cashier, cards, program, "bench-mail")
	var queued, sent int
	err = conn.QueryRow(`SELECT count(*), count(*) FILTER (WHERE state = 'sent') FROM outbox WHERE shop_id = ? AND idempotency_key LIKE 'reward_ready:%'`, l.ShopID).Scan(&queued, &sent)
	if err != nil {
		return err
	}
	received, err := mail.Count()
	if err != nil {
		return err
	}
	// The row measures stamps beside real sending, or it measures nothing.
	if sent == 0 || received == 0 {
		return fmt.Errorf("stamps while the outbox sends: %d messages queued, %d sent, %d received: nothing was sent during the load", queued, sent, received)
	}
	log.Printf("during the row: %d messages queued, %d marked sent, %d received by Mailpit", queued, sent, received)
	// Off again, the messages still waiting dropped and the batch claimed
	// given its second to end: then nothing is sent.
	for _, q := range []string{
		`UPDATE automations SET enabled = 0 WHERE shop_id = ?1 AND kind = 'reward_ready'`,
		`UPDATE outbox SET state = 'dropped', last_error = 'bench' WHERE shop_id = ?1 AND state = 'queued'`,
	} {
		if _, err := conn.Exec(q, l.ShopID); err != nil {
			return err
		}
	}
	time.Sleep(2 * time.Second)
	log.Printf("stamps with e-mail on but no message to send, again: %d clients for %s", cfg.workers, half.d)
	quiet = merge(quiet, stampLoad(half, c, s, cashier, cards, program, "bench-quiet2"))
	t.rows = append(t.rows, row{name: "Cashier stamp, a server with e-mail, \"reward ready\" off (before and after)", workers: cfg.workers, r: quiet, ceiling: "B"})
	t.rows = append(t.rows, row{name: fmt.Sprintf("Cashier stamp while the outbox sends e-mail (%d of %d queued sent)", sent, queued),
		workers: cfg.workers, r: r, ceiling: "B", vs: 1, tolerance: 0.10, vsName: "the row above"})
	return nil
}

// importRows is the size of the import that runs beside a stamp load.
const importRows = 10_000

// measureStampsDuringImport stamps the café's cards while its owner imports a
// customer list of importRows rows through the import page, as an owner
// does: the import commits in steps of about 50 ms, so a stamp waits for a
// step or two, never for the import (issue 15: a 10,000-row import held the
// single writer for seconds, and stamps waited up to 7.9 s).
func measureStampsDuringImport(cfg config, t *table, s *server, l demo.Logins, cashier session, cards []int64, program int64) error {
	owner, err := s.login(l.OwnerEmail, l.OwnerPassword)
	if err != nil {
		return err
	}
	var file strings.Builder
	file.WriteString("first_name,phone,stamps\n")
	for i := range importRows {
		fmt.Fprintf(&file, "Imported %d,+905%09d,%d\n", i, i, i%9)
	}
	confirm, err := importMapping(s, owner, file.String())
	if err != nil {
		return err
	}
	log.Printf("stamp load during an import of %d rows: %d clients", importRows, cfg.workers)
	var imported atomic.Bool
	var importErr error
	var took time.Duration
	go func() {
		defer imported.Store(true)
		start := time.Now()
		var ok bool
		if ok, importErr = expect(newClient(1), owner.post(s.url+"/customers/import/confirm", confirm), http.StatusOK, http.StatusSeeOther); !ok && importErr == nil {
			importErr = errors.New("the import was refused")
		}
		took = time.Since(start)
	}()
	c := newClient(cfg.workers)
	r := load(cfg.workers, 5*time.Minute, func(w, i int) (bool, bool, error) {
		if imported.Load() {
			return false, true, nil
		}
		card := cards[(w*7919+i)%len(cards)]
		form := url.Values{"key": {tabletKey(fmt.Sprintf("bench-import-stamp-%03d-%08d", w, i))}, "program": {fmt.Sprint(program)}, "count": {"1"}}
		ok, err := expect(c, cashier.post(fmt.Sprintf("%s/counter/cards/%d/stamp", s.url, card), form), http.StatusSeeOther)
		return ok, false, err
	})
	if importErr != nil {
		return fmt.Errorf("import beside the stamps: %w", importErr)
	}
	log.Printf("the import of %d rows took %s", importRows, took.Round(time.Millisecond))
	t.rows = append(t.rows, row{name: fmt.Sprintf("Cashier stamp during a %d-row import (%s)", importRows, took.Round(100*time.Millisecond)),
		workers: cfg.workers, r: r, ceiling: "B", maxP99: 250 * time.Millisecond})
	return nil
}

var (
	hiddenField    = regexp.MustCompile(`<input type="hidden" name="(content|checked|key)" value="([^"]*)"`)
	columnSelect   = regexp.MustCompile(`(?s)<select id="col-(\d+)" name="col-\d+"[^>]*>(.*?)</select>`)
	selectedOption = regexp.MustCompile(`<option value="([^"]*)" selected`)
)

// importMapping uploads file on the import page and returns the form that
// confirms it with the mapping the page proposed.
func importMapping(s *server, owner session, file string) (url.Values, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("_csrf", owner.csrf)
	fw, _ := mw.CreateFormFile("file", "customers.csv")
	fw.Write([]byte(file))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.url+"/customers/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Cookie", owner.cookie)
	res, err := newClient(1).Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	page, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	form := url.Values{"existing": {"skip"}}
	for _, m := range hiddenField.FindAllSubmatch(page, -1) {
		form.Set(string(m[1]), html.UnescapeString(string(m[2])))
	}
	for _, m := range columnSelect.FindAllSubmatch(page, -1) {
		if o := selectedOption.FindSubmatch(m[2]); o != nil {
			form.Set("col-"+string(m[1]), string(o[1]))
		}
	}
	if res.StatusCode != http.StatusOK || form.Get("content") == "" || form.Get("col-0") == "" {
		return nil, fmt.Errorf("import page: %d, no mapping form", res.StatusCode)
	}
	return form, nil
}

// historyCards are two cards of the café, one with a short history and one
// with a long one, whose stamps and pages must cost the same. Their history
// is in a program of its own whose target is the largest allowed, so that
// the thousands of stamps of the load rows earn few rewards: a card's kept
// state grows with the rewards it has not redeemed (a real customer has a
// few), and that is not what the rows compare.
type historyCards struct {
	program               int64
	short, long           int64 // card ids
	shortToken, longToken string
}

// Event counts of the two cards of historyCards.
const (
	shortHistory = 5
	longHistory  = 5000
)

// seedHistories gives two new cards of the café their histories, a stamp at a
// time, a day apart, as the counter gives them, each reward redeemed on the
// visit after it was earned, as customers do.
func seedHistories(ctx context.Context, s *db.Store, l demo.Logins) (historyCards, error) {
	var h historyCards
	user, err := s.UserByEmail(ctx, l.CashierEmail)
	if err != nil {
		return h, err
	}
	h.program, err = s.SaveProgram(ctx, db.Program{ShopID: l.ShopID, Name: "Bench", RewardText: "A bench", StampsRequired: loyalty.MaxStampsRequired,
		MaxPerVisit: 1}, user.ID, time.Now().AddDate(-14, 0, 0))
	if err != nil {
		return h, err
	}
	for _, c := range []struct {
		token  *string
		card   *int64
		events int
	}{{card: &h.short, token: &h.shortToken, events: shortHistory}, {card: &h.long, token: &h.longToken, events: longHistory}} {
		card, err := s.EnrollCard(ctx, l.ShopID, db.NewCard{CreatedBy: user.ID, Key: fmt.Sprintf("bench-history-%d", c.events)}, time.Now().AddDate(-14, 0, 0))
		if err != nil {
			return h, err
		}
		*c.card, *c.token = card.ID, card.Token
		at := time.Now().Add(-time.Duration(c.events) * 24 * time.Hour)
		stamps, ready := 0, 0 // ready: the seq of a reward earned on the last visit, redeemed on this one
		for i := range c.events {
			a := db.Action{ShopID: l.ShopID, CardID: card.ID, ProgramID: h.program, UserID: user.ID, Key: fmt.Sprintf("bench-history-%d-%d", c.events, i),
				Now: at.Add(time.Duration(i) * 24 * time.Hour)}
			if ready > 0 {
				_, err = s.Redeem(ctx, a, ready)
				ready = 0
			} else {
				_, err = s.Stamp(ctx, a, 1, true)
				if stamps++; stamps%loyalty.MaxStampsRequired == 0 {
					ready = stamps / loyalty.MaxStampsRequired
				}
			}
			if err != nil {
				return h, err
			}
		}
	}
	return h, nil
}

// measureHistories opens and stamps the two cards of h: the same work on a
// card with 5 events and on one with 5,000. The pages are read first, while
// the histories are as seeded: each stamp row adds thousands of stamps.
func measureHistories(cfg config, t *table, s *server, cashier session, h historyCards) error {
	c := newClient(cfg.workers)
	cards := []struct {
		name  string
		id    int64
		token string
	}{{fmt.Sprintf("%d events", shortHistory), h.short, h.shortToken}, {fmt.Sprintf("%d events", longHistory), h.long, h.longToken}}
	for i, card := range cards {
		log.Printf("card page of %s", card.name)
		r := load(cfg.workers, cfg.d, func(int, int) (bool, bool, error) {
			ok, err := expect(c, session{}.get(s.url+"/c/"+card.token), http.StatusOK)
			return ok, false, err
		})
		t.rows = append(t.rows, row{name: "Card page, long-history test: card of " + card.name, workers: cfg.workers, r: r, ceiling: "A", vs: i, tolerance: flatness, vsName: "the short card's"})
	}
	for i, card := range cards {
		log.Printf("stamps on one card of %s", card.name)
		r := load(cfg.workers, cfg.d, func(w, i int) (bool, bool, error) {
			form := url.Values{"key": {tabletKey(fmt.Sprintf("bench-history-%d-%03d-%08d", card.id, w, i))}, "program": {fmt.Sprint(h.program)}, "count": {"1"}}
			ok, err := expect(c, cashier.post(fmt.Sprintf("%s/counter/cards/%d/stamp", s.url, card.id), form), http.StatusSeeOther)
			return ok, false, err
		})
		t.rows = append(t.rows, row{name: "Stamp, long-history test: card of " + card.name, workers: cfg.workers, r: r, ceiling: "B", vs: i, tolerance: flatness, vsName: "the short card's"})
	}
	return nil
}

// measureBigShop reads the big shop's pages: card pages, counter lookups and
// the owner's dashboard and customer list.
func measureBigShop(cfg config, t *table) error {
	path := filepath.Join(cfg.dir, fmt.Sprintf("big-%d-%d.db", cfg.bigCustomers, cfg.bigEvents))
	l, err := bigShop(cfg, path)
	if err != nil {
		return err
	}
	conn, err := sql.Open("sqlite", "file:"+path+"?"+db.Pragmas+"&_pragma=query_only(ON)")
	if err != nil {
		return err
	}
	defer conn.Close()
	tokens, err := column[string](conn, `SELECT token FROM cards WHERE shop_id = ? ORDER BY random()`, l.ShopID)
	if err != nil {
		return err
	}
	codes, err := column[string](conn, `SELECT short_code FROM cards WHERE shop_id = ? ORDER BY random() LIMIT 10000`, l.ShopID)
	if err != nil {
		return err
	}
	phones, err := column[string](conn, `SELECT phone FROM cards WHERE shop_id = ? GROUP BY phone HAVING count(*) = 1 ORDER BY random() LIMIT 10000`, l.ShopID)
	if err != nil {
		return err
	}
	// A server with a public address draws every card's QR code ahead, in
	// the background (db.DrawMissingQRs), and its card pages show the kept
	// modules: the bench draws the big shop's before the server starts, as
	// such a server would have by then (about two minutes, once: they stay
	// in the kept database).
	if err := drawQRs(path, bigShopBase); err != nil {
		return err
	}
	s, _, err := startProcess(cfg.bin, "serve", "-db", path, "-base-url", bigShopBase)
	if err != nil {
		return err
	}
	defer s.stop()
	cashier, err := s.login(l.CashierEmail, l.CashierPassword)
	if err != nil {
		return err
	}
	owner, err := s.login(l.OwnerEmail, l.OwnerPassword)
	if err != nil {
		return err
	}
	var a [3]float64 // ceiling A before the first views, between, after the pages opened again
	if a[0], err = besideCeiling(cfg, "A"); err != nil {
		return err
	}
	c := newClient(cfg.workers)
	var next atomic.Int64
	log.Printf("card pages never opened since the server started (QR code kept with the card): %d clients", cfg.workers)
	r := load(cfg.workers, cfg.d, func(int, int) (bool, bool, error) {
		i := next.Add(1) - 1
		if int(i) >= len(tokens) {
			return false, true, nil
		}
		ok, err := expect(c, session{}.get(s.url+"/c/"+tokens[i]), http.StatusOK)
		return ok, false, err
	})
	if a[1], err = besideCeiling(cfg, "A"); err != nil {
		return err
	}
	log.Print("card pages opened again (QR code cached)")
	regulars := tokens[:min(256, len(tokens))]
	again := load(cfg.workers, cfg.d, func(w, i int) (bool, bool, error) {
		ok, err := expect(c, session{}.get(s.url+"/c/"+regulars[(w*31+i)%len(regulars)]), http.StatusOK)
		return ok, false, err
	})
	if a[2], err = besideCeiling(cfg, "A"); err != nil {
		return err
	}
	t.rows = append(t.rows,
		row{name: "Card page, first view (QR kept with the card)", workers: cfg.workers, r: r, ceiling: "A", minRatio: 0.1, beside: (a[0] + a[1]) / 2},
		row{name: "Card page, again (QR cached)", workers: cfg.workers, r: again, ceiling: "A", minRatio: 0.15, beside: (a[1] + a[2]) / 2})
	lastDigits := make([]string, len(phones))
	for i, p := range phones {
		lastDigits[i] = p[max(0, len(p)-4):]
	}
	for _, lookup := range []struct {
		name   string
		values []string
		// a whole code or number opens the card; a part of a number lists the cards it is in
		answers []int
	}{
		{"Counter lookup by short code", codes, []int{http.StatusSeeOther}},
		{"Counter lookup by phone", phones, []int{http.StatusSeeOther}},
		{"Counter lookup by a phone's last 4 digits", lastDigits, []int{http.StatusSeeOther, http.StatusOK}},
	} {
		log.Print(lookup.name)
		vs := lookup.values
		r = load(cfg.workers, cfg.d, func(w, i int) (bool, bool, error) {
			ok, err := expect(c, cashier.get(s.url+"/counter/find?q="+url.QueryEscape(vs[(w*131+i)%len(vs)])), lookup.answers...)
			return ok, false, err
		})
		t.rows = append(t.rows, row{name: lookup.name, workers: cfg.workers, r: r, ceiling: "A"})
	}
	for _, page := range []string{"/dashboard", "/customers", "/customers?sort=rewards&page=500", "/customers?q=555"} {
		log.Printf("owner page %s, one request at a time", page)
		n := 0
		r = load(1, time.Hour, func(int, int) (bool, bool, error) {
			if n++; n > cfg.ownerPageRequests {
				return false, true, nil
			}
			ok, err := expect(c, owner.get(s.url+page), http.StatusOK)
			return ok, false, err
		})
		t.rows = append(t.rows, row{name: "Owner " + page, workers: 1, r: r, maxP95: 250 * time.Millisecond})
	}
	return nil
}

// bigShopBase is the public address the big shop's server runs with.
const bigShopBase = "https://loyalty.example"

// drawQRs draws the QR codes of the cards of the database at path that
// have none for base, as the server's background work does.
func drawQRs(path, base string) error {
	ctx := context.Background()
	s, err := db.Open(ctx, path, migrations.FS)
	if err != nil {
		return err
	}
	defer s.Close()
	start := time.Now()
	n, err := s.DrawMissingQRs(ctx, base, views.QRModules, math.MaxInt)
	if err != nil {
		return err
	}
	if n > 0 {
		log.Printf("drew the QR codes of %d cards in %s", n, time.Since(start).Round(time.Second))
	}
	return nil
}

// bigShop returns the logins of the big shop at path, seeding it first when
// it is not there yet.
func bigShop(cfg config, path string) (demo.Logins, error) {
	var l demo.Logins
	logins := path + ".json"
	if b, err := os.ReadFile(logins); err == nil {
		if err := json.Unmarshal(b, &l); err != nil {
			return l, fmt.Errorf("%s: %w", logins, err)
		}
		log.Printf("using the big shop in %s (delete it to seed anew)", path)
		return l, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return l, err
	}
	removeDB(path)
	log.Printf("seeding a big shop: %d customers, %d events (minutes; kept for the next run)", cfg.bigCustomers, cfg.bigEvents)
	l, err := seed(path, func(ctx context.Context, s *db.Store) (demo.Logins, error) {
		return demo.SeedLarge(ctx, s, cfg.bigCustomers, cfg.bigEvents, time.Now())
	})
	if err != nil {
		return l, err
	}
	b, _ := json.Marshal(l)
	return l, os.WriteFile(logins, b, 0o600)
}

func seed(path string, fill func(context.Context, *db.Store) (demo.Logins, error)) (demo.Logins, error) {
	ctx := context.Background()
	s, err := db.Open(ctx, path, migrations.FS)
	if err != nil {
		return demo.Logins{}, err
	}
	l, err := fill(ctx, s)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return l, err
}

func column[T any](conn *sql.DB, query string, args ...any) ([]T, error) {
	rows, err := conn.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("nothing found by %s", query)
	}
	return out, nil
}

// pageWeight is what a phone downloads to show a card the first time.
type pageWeight struct {
	html, css, images, scripts int
	scriptFiles                []string
	// readable says the card (its code, QR code and balance) is in the HTML
	// itself, so the page needs no JavaScript to be used.
	readable bool
}

func weighCardPage(base, token string) (pageWeight, error) {
	var w pageWeight
	size := func(path string) (int, error) {
		res, err := http.Get(base + path)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("GET %s: %d", path, res.StatusCode)
		}
		return len(b), err
	}
	res, err := http.Get(base + "/c/" + token)
	if err != nil {
		return w, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return w, err
	}
	w.html = len(body)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	if err != nil {
		return w, err
	}
	add := func(sel, attr string, to *int, names *[]string) error {
		for _, n := range doc.Find(sel).EachIter() {
			src := n.AttrOr(attr, "")
			if src == "" || strings.Contains(src, "/logo") {
				continue
			}
			b, err := size(src)
			if err != nil {
				return err
			}
			*to += b
			if names != nil {
				*names = append(*names, src)
			}
		}
		return nil
	}
	if err := add(`link[rel="stylesheet"]`, "href", &w.css, nil); err != nil {
		return w, err
	}
	if err := add(`img[src^="/"]`, "src", &w.images, nil); err != nil {
		return w, err
	}
	if err := add(`script[src]`, "src", &w.scripts, &w.scriptFiles); err != nil {
		return w, err
	}
	w.readable = doc.Find(`svg.qr`).Length() == 1 && doc.Find(`[data-testid="short-code"]`).Length() > 0 && doc.Find(`[data-testid="stamp-count"]`).Length() > 0
	return w, nil
}
