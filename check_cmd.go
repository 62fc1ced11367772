package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"regulars/db"
)

// runCheck runs SQLite's full check of the database file (every page, every
// index against its table, every reference) and prints each problem it
// finds. A damaged file makes it fail, with what to do.
func runCheck(ctx context.Context, cfg config, out io.Writer) error {
	if _, err := os.Stat(cfg.dbPath); err != nil {
		return fmt.Errorf("check: %w", err)
	}
	start := time.Now()
	problems, err := db.Check(ctx, cfg.dbPath, true)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(out, p)
	}
	if len(problems) > 0 {
		return damaged(cfg.dbPath, problems)
	}
	fmt.Fprintf(out, "%s: no problem found (pages, indexes and references checked in %s)\n", cfg.dbPath, time.Since(start).Round(time.Millisecond))
	return nil
}

// checkAtStart runs SQLite's quick check of the database file before the
// server opens it: a damaged file served scattered errors, and 404s for
// cards that exist (issue 15). A file not made yet has nothing to check.
func checkAtStart(ctx context.Context, path string) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	problems, err := db.Check(ctx, path, false)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return damaged(path, problems)
	}
	return nil
}

// damaged says that the file at path is damaged, and what to do.
func damaged(path string, problems []string) error {
	return fmt.Errorf("the database file %s is damaged (%d problems; the first: %s). "+
		"The server does not serve a damaged file: keep it aside, put the last copy made with `regulars backup` in its place, "+
		"check that copy with `regulars check -db FILE`, and start again", path, len(problems), problems[0])
}
