package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"regulars/db"
	"regulars/migrations"
)

// runBackup copies the database at cfg.dbPath to dest; the server may be
// running meanwhile.
func runBackup(ctx context.Context, cfg config, dest string, out io.Writer) error {
	if dest == "" {
		return errors.New("usage: regulars backup [-db regulars.db] FILE")
	}
	store, err := db.Open(ctx, cfg.dbPath, migrations.FS)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Backup(ctx, dest); err != nil {
		return err
	}
	fmt.Fprintf(out, "backed up %s to %s\n", cfg.dbPath, dest)
	return nil
}
