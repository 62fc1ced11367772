package dbtest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"

	"regulars/db"
	"regulars/migrations"
)

// migrated is the bytes of a database file with every migration applied,
// made once per test binary: running the migrations for each of hundreds of
// tests cost more than most of those tests.
var migrated struct {
	once  sync.Once
	bytes []byte
	err   error
}

// Path returns the path of a fresh, fully migrated database file of the
// test's own, in its temporary directory.
func Path(t testing.TB) string {
	t.Helper()
	migrated.once.Do(func() { migrated.bytes, migrated.err = migrate(migrations.FS) })
	if migrated.err != nil {
		t.Fatalf("migrated template database: %v", migrated.err)
	}
	path := filepath.Join(t.TempDir(), "test.db")
	if err := os.WriteFile(path, migrated.bytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// PathBefore returns the path of a database file of the test's own, migrated
// up to (not including) the migration whose file name starts with next: a
// database of an older version, for the tests of an upgrade.
func PathBefore(t testing.TB, next string) string {
	t.Helper()
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	older := fstest.MapFS{}
	for _, e := range entries {
		if e.Name() < next {
			b, err := fs.ReadFile(migrations.FS, e.Name())
			if err != nil {
				t.Fatal(err)
			}
			older[e.Name()] = &fstest.MapFile{Data: b}
		}
	}
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := db.Open(context.Background(), path, older)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// Open opens a fresh, fully migrated database of the test's own, closed when
// the test ends, and returns it with its path.
func Open(t testing.TB) (*db.Store, string) {
	t.Helper()
	path := Path(t)
	s, err := db.Open(context.Background(), path, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// migrate applies the migrations to a new file and returns its bytes. Closing
// the store checkpoints the write-ahead log into the file, which alone then
// holds the whole database.
func migrate(fsys fs.FS) ([]byte, error) {
	dir, err := os.MkdirTemp("", "regulars-dbtest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "migrated.db")
	s, err := db.Open(context.Background(), path, fsys)
	if err != nil {
		return nil, err
	}
	if err := s.Close(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("the write-ahead log outlived the store's close (%v): the file alone is not the database", err)
	}
	return os.ReadFile(path)
}
