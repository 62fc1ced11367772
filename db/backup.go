package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Backup writes a consistent copy of the whole database to a new file at
// dest, while the shop keeps working: VACUUM INTO reads one snapshot on a
// connection of its own, so stamps go on being written meanwhile. The copy is
// an ordinary database file; restoring is putting it in place of the old one
// while the server is stopped.
func (s *Store) Backup(ctx context.Context, dest string) error {
	if _, err := os.Stat(dest); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup to %s: the file exists; a backup never overwrites one", dest)
	}
	conn, err := sql.Open("sqlite", s.base)
	if err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	return nil
}
