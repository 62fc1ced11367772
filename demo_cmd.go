package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"regulars/db"
	"regulars/demo"
	"regulars/migrations"
)

// runDemo fills the database at cfg.dbPath with a new demo shop and prints
// how to sign in to it.
func runDemo(ctx context.Context, cfg config, out io.Writer) error {
	store, err := db.Open(ctx, cfg.dbPath, migrations.FS)
	if err != nil {
		return err
	}
	defer store.Close()
	seed := demo.Seed
	if cfg.events > 0 {
		seed = func(ctx context.Context, store *db.Store, customers int, now time.Time) (demo.Logins, error) {
			return demo.SeedLarge(ctx, store, customers, cfg.events, now)
		}
	}
	l, err := seed(ctx, store, cfg.customers, time.Now())
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := demo.Catalogue(ctx, store, l, time.Now()); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(out, "Demo shop created with %d customers and %d visits.\n", l.Customers, l.Visits)
	fmt.Fprintf(out, "  owner:   %s  password: %s\n", l.OwnerEmail, l.OwnerPassword)
	fmt.Fprintf(out, "  cashier: %s  password: %s\n", l.CashierEmail, l.CashierPassword)
	return nil
}
