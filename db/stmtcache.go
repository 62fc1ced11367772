package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"modernc.org/sqlite"
)

// The app runs a fixed set of SQL strings thousands of times, and modernc's
// driver compiles each one again on every call: SQLite's parser took 40% of
// the CPU of a stamp and of a card page (docs/performance.md). The connector
// here wraps modernc's and keeps each connection's compiled statements for
// reuse, so every call site keeps writing plain tx.QueryContext(ctx, sql).

// stmtCacheSize bounds each connection's statements: the app has a few
// hundred distinct ones.
const stmtCacheSize = 512

// openCached opens a pool of connections that keep their statements.
func openCached(dsn string, size int) (*sql.DB, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(cachingConnector{c, size}), nil
}

type cachingConnector struct {
	driver.Connector
	size int
}

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return newCachingConn(conn, c.size)
}

// cachingConn is one connection and its statements. database/sql never uses
// a connection from two goroutines at once, so it needs no lock. It has no
// QueryContext or ExecContext of its own: that sends every call through
// PrepareContext, where the cache is.
type cachingConn struct {
	inner interface {
		driver.Conn
		driver.ConnPrepareContext
		driver.ConnBeginTx
	}
	stmts *simplelru.LRU[string, *cachedStmt]
}

func newCachingConn(conn driver.Conn, size int) (*cachingConn, error) {
	inner, ok := conn.(interface {
		driver.Conn
		driver.ConnPrepareContext
		driver.ConnBeginTx
	})
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("sqlite connection %T cannot prepare with a context", conn)
	}
	stmts, err := simplelru.NewLRU(size, func(_ string, s *cachedStmt) { s.evict() })
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &cachingConn{inner: inner, stmts: stmts}, nil
}

// PrepareContext returns the connection's statement for query, compiling it
// the first time. A statement still in use (its rows open while the same
// query runs again in one transaction) is not shared: the second use gets a
// statement of its own, closed after it.
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	s, cached := c.stmts.Get(query)
	if cached && !s.busy {
		s.busy = true
		return s, nil
	}
	stmt, err := c.inner.PrepareContext(ctx, query)
	if err != nil || cached {
		return stmt, err
	}
	s = &cachedStmt{stmt: stmt.(compiledStmt), busy: true}
	c.stmts.Add(query, s)
	return s, nil
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.inner.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.inner.BeginTx(ctx, opts)
}

func (c *cachingConn) Close() error {
	c.stmts.Purge()
	return c.inner.Close()
}

func (c *cachingConn) Ping(ctx context.Context) error {
	if p, ok := c.inner.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *cachingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.inner.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *cachingConn) IsValid() bool {
	if v, ok := c.inner.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// compiledStmt is what modernc's statements do.
type compiledStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// cachedStmt is a statement the connection keeps. database/sql closes a
// statement when its call (or its rows) is done: for a kept one that only
// means it is free again.
type cachedStmt struct {
	stmt    compiledStmt
	busy    bool
	evicted bool // dropped from the cache while busy: closed when freed
}

func (s *cachedStmt) Close() error {
	s.busy = false
	if s.evicted {
		return s.stmt.Close()
	}
	return nil
}

func (s *cachedStmt) evict() {
	if s.busy {
		s.evicted = true
		return
	}
	s.stmt.Close()
}

func (s *cachedStmt) NumInput() int { return s.stmt.NumInput() }

// Exec and Query complete driver.Stmt; database/sql calls the Context forms.
func (s *cachedStmt) Exec(args []driver.Value) (driver.Result, error) { return s.stmt.Exec(args) }

func (s *cachedStmt) Query(args []driver.Value) (driver.Rows, error) { return s.stmt.Query(args) }

func (s *cachedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.stmt.ExecContext(ctx, args)
}

func (s *cachedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.stmt.QueryContext(ctx, args)
}
