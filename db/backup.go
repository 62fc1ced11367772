package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
)

// Backup writes a consistent copy of the whole database file at path to a
// new file at dest, while the shop keeps working. VACUUM INTO reads one
// snapshot in a read transaction on a read-only connection of its own: it
// needs no write lock, so neither the server's stamps nor a long write of
// another process hold it up (it used to open the store, whose start takes
// the write lock, and gave up after 23 s behind another process's), and it
// runs no migration on a file a newer or older server may be serving. The
// copy is an ordinary database file; restoring is putting it in place of the
// old one while the server is stopped.
func Backup(ctx context.Context, path, dest string) error {
	if _, err := os.Stat(dest); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup to %s: the file exists; a backup never overwrites one", dest)
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("backup of %s: %w", path, err)
	}
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return fmt.Errorf("backup of %s: %w", path, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return fmt.Errorf("backup of %s to %s: %w", path, dest, err)
	}
	return nil
}
