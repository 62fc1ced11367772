// Package db is the store: plain SQL over SQLite, one file per area, every
// query scoped by shop. Writes go through one connection in immediate
// transactions; reads use a pool of their own.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Sentinel errors the handlers map to statuses.
var (
	// ErrNotFound: no such row in this shop (another shop's ids answer the same).
	ErrNotFound = errors.New("not found")
	// ErrDuplicate: a unique value (an email, a coupon code) is taken.
	ErrDuplicate = errors.New("duplicate")
)

// Store holds the two pools.
type Store struct {
	w    *sql.DB // exactly one connection: SQLite has one writer anyway
	r    *sql.DB
	base string // the data source name both pools open, for backups
}

// Pragmas are the connection settings of every database the app opens (the
// benchmark's bare-SQLite ceiling uses them too): busy_timeout first so that
// every later statement waits for locks; WAL + synchronous NORMAL survives a
// process crash without losing a commit.
const Pragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)"

// Open opens (creating if needed) the database file at path and applies the
// migrations found in migrationsFS.
func Open(ctx context.Context, path string, migrationsFS fs.FS) (*Store, error) {
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + Pragmas
	// A deferred transaction that later writes skips the busy handler and fails
	// at once with SQLITE_BUSY; immediate ones queue politely.
	w, err := openCached(base+"&_txlock=immediate", stmtCacheSize)
	if err != nil {
		return nil, fmt.Errorf("open writer %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	applied, err := migrate(ctx, w, migrationsFS)
	if err != nil {
		w.Close()
		return nil, err
	}
	r, err := openCached(base+"&_pragma=query_only(ON)", stmtCacheSize)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open reader %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	s := &Store{w: w, r: r, base: base}
	if err := s.payOwedRebuilds(ctx); err != nil {
		s.Close()
		return nil, err
	}
	// The migration that adds the rollups leaves them empty for the ledger
	// written before it.
	if applied[rollupsVersion] {
		if err := s.rebuildAllRollups(ctx, time.Now()); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// rollupsVersion is the migration that created the rollups.
const rollupsVersion = 2

// migrate applies the pending migrations and tells which versions it applied.
func migrate(ctx context.Context, w *sql.DB, fsys fs.FS) (map[int64]bool, error) {
	p, err := goose.NewProvider(goose.DialectSQLite3, w, fsys)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("apply migrations: %w", err)
	}
	applied := map[int64]bool{}
	for _, r := range results {
		applied[r.Source.Version] = true
	}
	return applied, nil
}

func (s *Store) rebuildAllRollups(ctx context.Context, now time.Time) error {
	shops, err := shopIDs(ctx, s.r)
	if err != nil {
		return fmt.Errorf("rebuild rollups: %w", err)
	}
	for _, id := range shops {
		if err := s.RebuildRollups(ctx, id, now); err != nil {
			return err
		}
	}
	return nil
}

// Close closes both pools.
func (s *Store) Close() error {
	return errors.Join(s.r.Close(), s.w.Close())
}

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// inTx runs fn in one immediate transaction on the writer.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// readTx runs fn in one read transaction, so that all its queries read the
// same snapshot of the database.
func (s *Store) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// unix and fromUnix keep all times in UTC seconds at rest.
func unix(t time.Time) int64 { return t.Unix() }

func fromUnix(s int64) time.Time { return time.Unix(s, 0).UTC() }

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// isUnique reports a UNIQUE constraint violation.
func isUnique(err error) bool {
	var se interface{ Code() int }
	// SQLITE_CONSTRAINT_UNIQUE (2067) and SQLITE_CONSTRAINT_PRIMARYKEY (1555)
	return errors.As(err, &se) && (se.Code() == 2067 || se.Code() == 1555)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner = interface{ Scan(...any) error }

// collect runs a query and reads every row with scan.
func collect[T any](ctx context.Context, q querier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
