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
	"sync/atomic"
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
	w *sql.DB // exactly one connection: SQLite has one writer anyway
	r *sql.DB
	// refused is the last write the database itself refused (Unavailable),
	// until a write succeeds: what Health reports.
	refused atomic.Pointer[refusal]
	batch   batcher // the counter's actions, written together (batch.go)
	cache   readCache
	// kept is what the counter's actions read of their cards, as their
	// writes left it (kept.go); writes counts the transactions on the
	// writer outside the counter's batches, which drop it.
	kept   keptCards
	writes atomic.Uint64
	// holdouts keeps the dashboard's closed hold-out counts (holdout.go).
	holdouts holdoutMemo
}

// refusal is a write the database refused, and when (with the monotonic clock).
type refusal struct {
	err error
	at  time.Time
}

// Pragmas are the connection settings of every database the app opens (the
// benchmark's bare-SQLite ceiling uses them too): busy_timeout first so that
// every later statement waits for locks; WAL + synchronous NORMAL survives a
// process crash without losing a commit.
const Pragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=mmap_size(2147418112)"

// Open opens (creating if needed) the database file at path, applies the
// migrations found in migrationsFS and computes the derived state owed.
func Open(ctx context.Context, path string, migrationsFS fs.FS) (*Store, error) {
	s, err := open(ctx, path, migrationsFS)
	if err != nil {
		return nil, err
	}
	// A migration leaves derived state owed, and so may a process stopped
	// while computing it: it is complete before anything reads it.
	if err := s.PayOwedRebuilds(ctx, time.Now()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// open is Open without paying what is owed.
func open(ctx context.Context, path string, migrationsFS fs.FS) (*Store, error) {
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + Pragmas
	// A deferred transaction that later writes skips the busy handler and fails
	// at once with SQLITE_BUSY; immediate ones queue politely. The writer keeps
	// its statement journals in memory: each action of a shared batch runs in
	// a savepoint, and on disk their journals were a third of the writer's
	// time (page copies written to a temporary file only to be thrown away).
	// It checkpoints the WAL at 4,000 pages (16 MB) rather than SQLite's
	// 1,000: a checkpoint runs in a batch's commit, before its actions are
	// answered, and syncs the file twice; a busy counter rewrites the same
	// pages (the cards' rows, the indexes' ends), so fewer, larger
	// checkpoints copy about the same pages a quarter as often
	// (docs/performance.md, session 12).
	w, err := openCached(base+"&_txlock=immediate&_pragma=temp_store(MEMORY)&_pragma=wal_autocheckpoint(4000)", stmtCacheSize)
	if err != nil {
		return nil, fmt.Errorf("open writer %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := migrate(ctx, w, migrationsFS); err != nil {
		w.Close()
		return nil, err
	}
	r, err := openCached(base+"&_pragma=query_only(ON)", stmtCacheSize)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open reader %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	// Each connection prepares its statements again (stmtcache.go): one
	// closed for being idle beyond the default two is one reopened at the
	// next burst.
	r.SetMaxIdleConns(4)
	s := &Store{w: w, r: r}
	s.startBatcher()
	return s, nil
}

// migrate applies the pending migrations.
func migrate(ctx context.Context, w *sql.DB, fsys fs.FS) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, w, fsys)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}

// PayOwedRebuilds computes the derived state still owed: what migrations
// left (rebuilds_owed) and the rollups of shops whose rebuild has not ended
// (rollups_owed: a change of time zone whose request was cut off). Open
// calls it, and so does the server's worker now and then.
func (s *Store) PayOwedRebuilds(ctx context.Context, now time.Time) error {
	if err := s.payOwedRebuilds(ctx); err != nil {
		return err
	}
	return s.payRollups(ctx, now)
}

// hasTable reports whether the database has the table name: one migrated
// only part of the way (older migrations, in tests) may not.
func hasTable(ctx context.Context, q querier, name string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("table %s: %w", name, err)
	}
	return n > 0, nil
}

// Close closes both pools.
func (s *Store) Close() error {
	s.stopBatcher()
	return errors.Join(s.r.Close(), s.w.Close())
}

// Health checks that the database can be read and written: it reads, and
// commits a write of one row. A full disk, a read-only file or a lock held
// elsewhere for longer than busy_timeout fails it (Unavailable), while reads
// go on working.
func (s *Store) Health(ctx context.Context, now time.Time) error {
	var one int
	if err := s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("health: read: %w", err)
	}
	// The probe's own success says little: a full disk can take its one page
	// in the space a refused stamp left, so a write refused in the last
	// minute, with none succeeding since, fails the check as well.
	if r := s.refused.Load(); r != nil && time.Since(r.at) < refusalMemory {
		return fmt.Errorf("health: a write was refused %s ago: %w", time.Since(r.at).Round(time.Second), r.err)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err == nil {
		defer tx.Rollback()
		if _, err = tx.ExecContext(ctx, `UPDATE health SET checked_at = ? WHERE id = 1`, unix(now)); err == nil {
			err = tx.Commit()
		}
	}
	if err != nil {
		s.noteRefusal(err)
		return fmt.Errorf("health: write: %w", err)
	}
	return nil
}

// refusalMemory is how long Health remembers a refused write when no write
// succeeds after it.
const refusalMemory = time.Minute

// noteRefusal remembers err if the database itself refused a write.
func (s *Store) noteRefusal(err error) {
	if Unavailable(err) {
		s.refused.Store(&refusal{err: err, at: time.Now()})
	}
}

// Unavailable reports an error of the database itself rather than of the
// request: the disk is full (SQLITE_FULL), the file cannot be written or
// read (SQLITE_IOERR, SQLITE_READONLY, SQLITE_CANTOPEN), or another writer
// held the lock past busy_timeout (SQLITE_BUSY). Nothing was written; the
// same request can succeed once the cause is gone.
func Unavailable(err error) bool {
	var se interface{ Code() int }
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff { // the primary code of an extended one
	case 5, 8, 10, 13, 14: // BUSY, READONLY, IOERR, FULL, CANTOPEN
		return true
	}
	return false
}

// inTx runs fn in one immediate transaction on the writer; what it writes is
// read from then on, never from the cache (cache.go).
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := s.write(ctx, fn); err != nil {
		return err
	}
	s.cache.forget()
	return nil
}

// write is inTx without emptying the cache, for writes that change no
// session, user or shop.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.commit(ctx, func(tx *sql.Tx) error {
		// Counted inside the transaction: a batch that begins after it
		// commits finds the count moved (kept.go).
		s.writes.Add(1)
		return fn(tx)
	})
}

// commit runs fn in one immediate transaction on the writer and commits it:
// write, and the counter's batches.
func (s *Store) commit(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		s.noteRefusal(err)
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		s.noteRefusal(err)
		return err
	}
	if err := tx.Commit(); err != nil {
		s.noteRefusal(err)
		return fmt.Errorf("commit: %w", err)
	}
	if s.refused.Load() != nil {
		s.refused.Store(nil)
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
