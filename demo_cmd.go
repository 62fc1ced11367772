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
func runDemo(ctx context.Context, cfg config, out io.Writer, customers int) error {
	store, err := db.Open(ctx, cfg.dbPath, migrations.FS)
	if err != nil {
		return err
	}
	defer store.Close()
	l, err := demo.Seed(ctx, store, customers, time.Now())
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(out, "Demo shop created with %d customers and %d visits.\n", l.Customers, l.Visits)
	fmt.Fprintf(out, "  owner:   %s  password: %s\n", l.OwnerEmail, l.OwnerPassword)
	fmt.Fprintf(out, "  cashier: %s  password: %s\n", l.CashierEmail, l.CashierPassword)
	return nil
}
