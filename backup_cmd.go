package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"regulars/db"
)

// runBackup copies the database at cfg.dbPath to dest; the server may be
// running meanwhile, and another process may hold the write lock.
func runBackup(ctx context.Context, cfg config, dest string, out io.Writer) error {
	if dest == "" {
		return errors.New("usage: regulars backup [-db regulars.db] FILE")
	}
	if err := db.Backup(ctx, cfg.dbPath, dest); err != nil {
		return err
	}
	fmt.Fprintf(out, "backed up %s to %s\n", cfg.dbPath, dest)
	return nil
}
