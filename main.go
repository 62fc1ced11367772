// Command regulars serves the Regulars loyalty system: one binary, one SQLite file.
//
//	regulars [serve] [flags]   serve HTTP (the default)
//	regulars demo [flags]      add a demo shop with months of history (-customers, -events for a big one)
//	regulars backup [-db F] FILE  write a consistent copy of the database to FILE, while serving
//	regulars check [-db F]     check the whole database file for damage; fails if it finds any
//	regulars rebuild [-db F]   recompute the kept balances from the ledger and report what differed
//	regulars reset-password -email E [-password-stdin]  a way back in for someone locked out
//	regulars help | version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // shop time zones work on machines without a zoneinfo database

	"regulars/db"
	"regulars/handlers"
	"regulars/migrations"
	"regulars/outbox"
	"regulars/static"
	"regulars/views"
)

type config struct {
	addr    string
	dbPath  string
	baseURL string
	// trustedProxies are the reverse proxies whose forwarding headers are believed
	trustedProxies string
	// demo's size: with events > 0 the history is generated in bulk
	customers, events int
	// requestTimeout bounds each request served; 0: defaultRequestTimeout
	requestTimeout time.Duration
	// reset-password's: whose password, and whether to read it from stdin
	email         string
	passwordStdin bool
	// the mail server the outbox sends e-mail through, and the sender's
	// address; no URL: e-mail is off
	smtpURL, smtpFrom string
}

// commands are the words the binary takes first, each with its arguments
// and what it does: the usage and each command's -h print them.
var commands = []struct{ name, args, does string }{
	{"serve", "[flags]", "Serve the shops over HTTP (what the binary does with no command)."},
	{"demo", "[flags]", "Add a demo shop with months of history, and print its logins."},
	{"backup", "[-db FILE] DEST", "Write a consistent copy of the database to DEST, while the server runs."},
	{"check", "[-db FILE]", "Check the whole database file for damage; fails if it finds any."},
	{"rebuild", "[-db FILE]", "Recompute the kept balances from the ledger and report what differed."},
	{"reset-password", "[-db FILE] -email ADDRESS [-base-url URL | -password-stdin]",
		"Let someone locked out back in, while the server runs: print a one-time link (7 days) to choose a new password,\n" +
			"or, with -password-stdin, set the password read from stdin. Setting it signs them out everywhere."},
	{"help", "", "Print this usage."},
	{"version", "", "Print the version of this binary."},
}

// usage prints every command.
func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: regulars [command] [flags]")
	fmt.Fprintln(w)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-15s %s\n", c.name, c.does)
	}
	fmt.Fprintln(w, "\nregulars COMMAND -h tells the flags of a command.")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run does what args ask and returns the exit status: 2 for a command line
// it cannot read (an unknown command too: a typo must not start a server
// and create a database where it was typed).
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	slog.SetDefault(log)
	cmd := "serve"
	if len(args) > 0 && (args[0] == "" || args[0][0] != '-') {
		cmd, args = args[0], args[1:]
	}
	var does, synopsis string
	for _, c := range commands {
		if c.name == cmd {
			does, synopsis = c.does, c.args
		}
	}
	switch {
	case does == "":
		fmt.Fprintf(stderr, "regulars: unknown command %q\n\n", cmd)
		usage(stderr)
		return 2
	case cmd == "help":
		usage(stdout)
		return 0
	case cmd == "version":
		fmt.Fprintln(stdout, "regulars", version())
		return 0
	}
	var cfg config
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: regulars %s %s\n\n%s\n\nflags:\n", cmd, synopsis, does)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.dbPath, "db", env("REGULARS_DB", "regulars.db"), "SQLite database file (REGULARS_DB)")
	if cmd == "serve" {
		fs.StringVar(&cfg.addr, "addr", env("REGULARS_ADDR", ":8080"), "listen address (REGULARS_ADDR)")
		fs.StringVar(&cfg.smtpURL, "smtp-url", env("REGULARS_SMTP_URL", ""), "mail server for e-mail to customers: smtp://user:password@host:587 (STARTTLS), smtps://user:password@host:465 (TLS) or smtp+insecure://host:25 (a local relay); empty: e-mail is off (REGULARS_SMTP_URL)")
		fs.StringVar(&cfg.smtpFrom, "smtp-from", env("REGULARS_SMTP_FROM", ""), "sender address of e-mail to customers, e.g. cards@example.com; the shop's name is shown as the sender's name (REGULARS_SMTP_FROM)")
		fs.StringVar(&cfg.trustedProxies, "trusted-proxies", env("REGULARS_TRUSTED_PROXIES", ""), "addresses or networks of reverse proxies whose X-Forwarded-For, X-Real-IP and X-Forwarded-Proto are believed, e.g. 127.0.0.1 or 10.0.0.0/8,::1; empty: none (REGULARS_TRUSTED_PROXIES)")
	}
	if cmd == "serve" || cmd == "reset-password" {
		fs.StringVar(&cfg.baseURL, "base-url", env("REGULARS_BASE_URL", ""), "public URL put into QR codes and links, e.g. https://loyalty.example.com; empty: the request's host, or for reset-password a path to put after the server's address (REGULARS_BASE_URL)")
	}
	if cmd == "demo" {
		fs.IntVar(&cfg.customers, "customers", 300, "how many customers the demo shop has")
		fs.IntVar(&cfg.events, "events", 0, "generate about this many ledger events in bulk over two years (a big shop, for measuring); 0: three months, visit by visit")
	}
	if cmd == "reset-password" {
		fs.StringVar(&cfg.email, "email", "", "the address the person signs in with")
		fs.BoolVar(&cfg.passwordStdin, "password-stdin", false, "set the password read from stdin (its first line) instead of printing a link")
	}
	timeout := env("REGULARS_REQUEST_TIMEOUT", defaultRequestTimeout.String())
	if cmd == "serve" {
		fs.StringVar(&timeout, "request-timeout", timeout, "how long a request may take before it fails with 503; a shutdown waits that long and 5 s more (REGULARS_REQUEST_TIMEOUT)")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var err error
	if cfg.requestTimeout, err = time.ParseDuration(timeout); err != nil || cfg.requestTimeout <= 0 {
		log.Error("request timeout", "value", timeout, "err", err)
		return 2
	}
	switch cmd {
	case "demo":
		err = runDemo(ctx, cfg, stdout)
	case "backup":
		err = runBackup(ctx, cfg, fs.Arg(0), stdout)
	case "rebuild":
		err = runRebuild(ctx, cfg, stdout)
	case "check":
		err = runCheck(ctx, cfg, stdout)
	case "reset-password":
		err = runResetPassword(ctx, cfg, stdin, stdout)
	default:
		err = serve(ctx, cfg, log)
	}
	if err != nil {
		log.Error(cmd, "err", err)
		return 1
	}
	return 0
}

// version is the module version the binary was built from, or, from a
// checkout, its commit.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && (v == "" || v == "(devel)") {
			v = s.Value
		}
	}
	return v
}

// work does the server's background work until ctx ends. Every minute it
// finishes any rebuild of derived state still owed (a change of time zone
// whose request was cut off leaves one). Every ten minutes it reclassifies
// each shop's customers if its day changed, so that the first person to
// open the dashboard in the morning does not wait for it (the pages would do
// it themselves otherwise), gives the day's birthday gifts, so that they
// are at the counter for customers who never open their card page, and runs
// each shop's daily automations once its day has begun (db.RunAutomations),
// and judges the shops' tiers, so that a grace ends on its day (db.JudgeAllTiers).
// With a public address (base), every minute it also draws the QR codes of
// up to qrPerMinute cards that have none yet (db.DrawMissingQRs).
func work(ctx context.Context, store *db.Store, base string, log *slog.Logger) {
	owed := time.NewTicker(time.Minute)
	defer owed.Stop()
	daily := time.NewTicker(10 * time.Minute)
	defer daily.Stop()
	payOwed := func() {
		if err := store.PayOwedRebuilds(ctx, time.Now()); err != nil && ctx.Err() == nil {
			log.Error("owed rebuilds", "err", err)
		}
		if base == "" {
			return
		}
		if _, err := store.DrawMissingQRs(ctx, base, views.QRModules, qrPerMinute); err != nil && ctx.Err() == nil {
			log.Error("draw QR codes", "err", err)
		}
	}
	dailyWork := func() {
		if err := store.EnsureAllSegments(ctx, time.Now()); err != nil && ctx.Err() == nil {
			log.Error("refresh segments", "err", err)
		}
		if err := store.IssueAllBirthdayCoupons(ctx, time.Now()); err != nil && ctx.Err() == nil {
			log.Error("birthday coupons", "err", err)
		}
		// After the birthday coupons, which the birthday message names.
		if err := store.RunAutomations(ctx, time.Now(), nil); err != nil && ctx.Err() == nil {
			log.Error("automations", "err", err)
		}
		// Reset links used or expired a month ago, and their staff mail.
		if _, err := store.PurgeRecovery(ctx, time.Now()); err != nil && ctx.Err() == nil {
			log.Error("purge reset links", "err", err)
		}
		if err := store.JudgeAllTiers(ctx, time.Now()); err != nil && ctx.Err() == nil {
			log.Error("tiers", "err", err)
		}
	}
	dailyWork()
	for {
		select {
		case <-ctx.Done():
			return
		case <-owed.C:
			payOwed()
		case <-daily.C:
			dailyWork()
		}
	}
}

// qrPerMinute is how many cards' QR codes the background work draws a
// minute: about six seconds of one core, so that a big shop's first start
// with an address draws its 100,000 codes in under twenty minutes beside
// its customers.
const qrPerMinute = 6000

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// defaultRequestTimeout bounds each request: a write queued behind a stuck
// one fails with a 503 in that time instead of hanging, so that a shutdown
// can wait for every request it accepted.
const defaultRequestTimeout = 10 * time.Second

// drainMargin is how much longer than a request may last a shutdown waits
// for the requests in flight.
const drainMargin = 5 * time.Second

func serve(ctx context.Context, cfg config, log *slog.Logger) error {
	if cfg.requestTimeout == 0 {
		cfg.requestTimeout = defaultRequestTimeout
	}
	proxies, err := handlers.ParseTrustedProxies(cfg.trustedProxies)
	if err != nil {
		return err
	}
	for _, w := range handlers.StartWarnings(cfg.addr, cfg.baseURL) {
		log.Warn(w)
	}
	if err := checkAtStart(ctx, cfg.dbPath); err != nil {
		return err
	}
	if os.Getenv("GOGC") == "" {
		// What a request allocates is garbage when it is answered, and the
		// heap that stays is small (the server's whole memory was 64 MB under
		// the bench's stamp load): collecting at three times the live heap
		// instead of twice took the collector's share of the card pages' CPU
		// from 6.3% to 4.5% in a profile. GOGC set by whoever runs the server
		// wins.
		debug.SetGCPercent(200)
	}
	store, err := db.Open(ctx, cfg.dbPath, migrations.FS)
	if err != nil {
		return err
	}
	defer store.Close() // last, after the requests and the worker
	mail, err := mailWorker(ctx, cfg, store, log)
	if err != nil {
		return err
	}
	from := ""
	if cfg.smtpURL != "" {
		from = cfg.smtpFrom
	}
	e, err := handlers.New(ctx, handlers.Config{Store: store, BaseURL: cfg.baseURL, TrustedProxies: proxies, Static: static.FS, Log: log, EmailFrom: from})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.addr, err)
	}
	srv := &http.Server{
		Handler:           withDeadline(e, cfg.requestTimeout),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      max(30*time.Second, cfg.requestTimeout+drainMargin),
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	working, stopWork := context.WithCancel(context.Background())
	worked := make(chan struct{})
	go func() {
		defer close(worked)
		var mailed sync.WaitGroup
		if mail != nil {
			mailed.Go(func() { mail.Run(working) })
		}
		work(working, store, strings.TrimRight(cfg.baseURL, "/"), log)
		mailed.Wait()
	}()
	defer func() {
		stopWork()
		<-worked
	}()
	log.Info("serving", "addr", ln.Addr().String(), "db", cfg.dbPath)
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", cfg.addr, err)
	case <-ctx.Done():
	}
	// Drain in order: stop accepting and let every request accepted end
	// (each does within its deadline: a stamp a cashier is waiting for),
	// then stop the worker, then close the database (the deferred calls).
	log.Info("shutting down")
	drain, cancel := context.WithTimeout(context.Background(), cfg.requestTimeout+drainMargin)
	defer cancel()
	if err := srv.Shutdown(drain); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped: every request accepted was answered")
	return nil
}

// withDeadline gives every request's context a deadline: the store's calls
// end there (with a 503) instead of waiting on for a lock or the writer.
func withDeadline(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := d
		if r.ContentLength > uploadBody {
			// A phone photo takes its time to arrive on a slow link: the
			// deadline, and the connection's, leave it room (issue 16).
			limit = max(d, uploadTimeout)
			rc := http.NewResponseController(w)
			rc.SetReadDeadline(time.Now().Add(limit))
			rc.SetWriteDeadline(time.Now().Add(limit + drainMargin))
		}
		ctx, cancel := context.WithTimeout(r.Context(), limit)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// An upload (a body over uploadBody: a photo, a customer list) may last
// uploadTimeout: 12 MB at 1 Mbit/s.
const (
	uploadBody    = 64 << 10
	uploadTimeout = 2 * time.Minute
)

// mailWorker is the outbox's worker. It sends web push always (the keys are
// the server's own) and e-mail when a mail server is configured: without
// one, e-mail waits in the outbox, and the owner's pages say that e-mail is
// off and how to turn it on.
func mailWorker(ctx context.Context, cfg config, store *db.Store, log *slog.Logger) (*outbox.Worker, error) {
	vapid, err := outbox.LoadVAPID(ctx, store)
	if err != nil {
		return nil, err
	}
	// Push services may write to the sender of e-mail, or see the public
	// site, about this server's messages (VAPID's contact).
	contact := cfg.smtpFrom
	if contact == "" && strings.HasPrefix(cfg.baseURL, "https://") {
		contact = cfg.baseURL
	}
	if contact == "" {
		log.Warn("web push has no contact for push services (-smtp-from or an https -base-url): some refuse messages without one")
	}
	senders := map[string]outbox.Sender{db.ChannelPush: outbox.NewPush(outbox.PushConfig{Store: store, VAPID: vapid, Contact: contact})}
	if cfg.smtpURL == "" {
		log.Info("e-mail is off: no -smtp-url (REGULARS_SMTP_URL)")
	} else {
		smtp, err := outbox.NewSMTP(cfg.smtpURL, cfg.smtpFrom)
		if err != nil {
			return nil, err
		}
		if cfg.baseURL == "" {
			return nil, errors.New("e-mail needs -base-url (REGULARS_BASE_URL): the links in messages must lead to this server")
		}
		senders[db.ChannelEmail] = smtp
	}
	return outbox.New(ctx, outbox.Config{Store: store, Senders: senders, BaseURL: cfg.baseURL, Log: log})
}
