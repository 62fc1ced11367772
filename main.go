// Command regulars serves the Regulars loyalty system: one binary, one SQLite file.
//
//	regulars [serve] [flags]   serve HTTP (the default)
//	regulars demo [flags]      add a demo shop with months of history (-customers, -events for a big one)
//	regulars backup [-db F] FILE  write a consistent copy of the database to FILE, while serving
//	regulars rebuild [-db F]   recompute the kept balances from the ledger and report what differed
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // shop time zones work on machines without a zoneinfo database

	"regulars/db"
	"regulars/handlers"
	"regulars/migrations"
	"regulars/static"
)

type config struct {
	addr    string
	dbPath  string
	baseURL string
	// demo's size: with events > 0 the history is generated in bulk
	customers, events int
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	slog.SetDefault(log)
	cmd, args := "serve", os.Args[1:]
	if len(args) > 0 && (args[0] == "serve" || args[0] == "demo" || args[0] == "backup" || args[0] == "rebuild") {
		cmd, args = args[0], args[1:]
	}
	var cfg config
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	fs.StringVar(&cfg.addr, "addr", env("REGULARS_ADDR", ":8080"), "listen address (REGULARS_ADDR)")
	fs.StringVar(&cfg.dbPath, "db", env("REGULARS_DB", "regulars.db"), "SQLite database file (REGULARS_DB)")
	fs.StringVar(&cfg.baseURL, "base-url", env("REGULARS_BASE_URL", ""), "public URL put into QR codes, e.g. https://loyalty.example.com; empty: the request's host (REGULARS_BASE_URL)")
	if cmd == "demo" {
		fs.IntVar(&cfg.customers, "customers", 300, "how many customers the demo shop has")
		fs.IntVar(&cfg.events, "events", 0, "generate about this many ledger events in bulk over two years (a big shop, for measuring); 0: three months, visit by visit")
	}
	fs.Parse(args)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd {
	case "demo":
		err = runDemo(ctx, cfg, os.Stdout)
	case "backup":
		err = runBackup(ctx, cfg, fs.Arg(0), os.Stdout)
	case "rebuild":
		err = runRebuild(ctx, cfg, os.Stdout)
	default:
		err = serve(ctx, cfg, log)
	}
	if err != nil {
		log.Error(cmd, "err", err)
		os.Exit(1)
	}
}

// refreshSegments reclassifies each shop's customers soon after its midnight,
// so that the first person to open the dashboard in the morning does not wait
// for it (the pages would do it themselves otherwise). It gives the day's
// birthday gifts too, so that they are at the counter for customers who never
// open their card page.
func refreshSegments(ctx context.Context, store *db.Store, log *slog.Logger) {
	tick := time.NewTicker(10 * time.Minute)
	defer tick.Stop()
	for {
		if err := store.EnsureAllSegments(ctx, time.Now()); err != nil && ctx.Err() == nil {
			log.Error("refresh segments", "err", err)
		}
		if err := store.IssueAllBirthdayCoupons(ctx, time.Now()); err != nil && ctx.Err() == nil {
			log.Error("birthday coupons", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func serve(ctx context.Context, cfg config, log *slog.Logger) error {
	store, err := db.Open(ctx, cfg.dbPath, migrations.FS)
	if err != nil {
		return err
	}
	defer store.Close()
	e, err := handlers.New(ctx, handlers.Config{Store: store, BaseURL: cfg.baseURL, Static: static.FS, Log: log})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Addr:              cfg.addr,
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	go refreshSegments(ctx, store, log)
	log.Info("serving", "addr", cfg.addr, "db", cfg.dbPath)
	select {
	case err := <-errc:
		return fmt.Errorf("listen %s: %w", cfg.addr, err)
	case <-ctx.Done():
	}
	// Let requests in flight finish (a stamp a cashier is waiting for) before closing the database.
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
