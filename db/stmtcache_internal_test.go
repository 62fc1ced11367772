package db

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// oneConn opens a pool of one caching connection on a table n of 0..4.
func oneConn(t *testing.T, size int) *sql.DB {
	t.Helper()
	db, err := openCached("file:"+filepath.Join(t.TempDir(), "c.db")+"?"+Pragmas, size)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE n (v INTEGER); INSERT INTO n (v) VALUES (0), (1), (2), (3), (4)`); err != nil {
		t.Fatal(err)
	}
	return db
}

// cached returns the connection's kept statement for query, if any.
func cached(t *testing.T, db *sql.DB, query string) *cachedStmt {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var s *cachedStmt
	conn.Raw(func(dc any) error {
		s, _ = dc.(*cachingConn).stmts.Peek(query)
		return nil
	})
	return s
}

const atLeast = `SELECT v FROM n WHERE v >= ? ORDER BY v`

func TestStatementsAreKept(t *testing.T) {
	t.Parallel()
	db := oneConn(t, 8)
	var v int
	if err := db.QueryRow(atLeast, 3).Scan(&v); err != nil || v != 3 {
		t.Fatalf("first: %d %v", v, err)
	}
	first := cached(t, db, atLeast)
	if first == nil || first.busy {
		t.Fatalf("after one use: %+v", first)
	}
	if err := db.QueryRow(atLeast, 4).Scan(&v); err != nil || v != 4 {
		t.Fatalf("again, other argument: %d %v", v, err)
	}
	if again := cached(t, db, atLeast); again != first {
		t.Error("the query was compiled again")
	}
}

// TestStatementInUseIsNotShared: one query run again while its rows are open
// (in one transaction, so on one connection) gets a statement of its own.
func TestStatementInUseIsNotShared(t *testing.T) {
	t.Parallel()
	db := oneConn(t, 8)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	rows, err := tx.Query(atLeast, 0)
	if err != nil {
		t.Fatal(err)
	}
	var outer []int
	for rows.Next() {
		var v, next int
		rows.Scan(&v)
		outer = append(outer, v)
		if err := tx.QueryRow(atLeast, v+1).Scan(&next); v < 4 && (err != nil || next != v+1) {
			t.Errorf("inner query at %d: %d %v", v, next, err)
		}
	}
	if err := rows.Err(); err != nil || len(outer) != 5 {
		t.Errorf("outer rows: %v %v", outer, err)
	}
}

// TestEvictedWhileInUse: a statement pushed out of a full cache while its rows
// are open finishes its rows, and is closed then, not before.
func TestEvictedWhileInUse(t *testing.T) {
	t.Parallel()
	db := oneConn(t, 2)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	rows, err := tx.Query(atLeast, 0)
	if err != nil {
		t.Fatal(err)
	}
	rows.Next()
	for _, q := range []string{`SELECT count(*) FROM n`, `SELECT max(v) FROM n`, `SELECT min(v) FROM n`} {
		var n int
		if err := tx.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var got []int
	for ok := true; ok; ok = rows.Next() {
		var v int
		rows.Scan(&v)
		got = append(got, v)
	}
	if err := rows.Close(); err != nil || len(got) != 5 {
		t.Errorf("rows of the evicted statement: %v %v", got, err)
	}
	tx.Rollback()
	if s := cached(t, db, atLeast); s != nil {
		t.Errorf("still cached: %+v", s)
	}
	var v int
	if err := db.QueryRow(atLeast, 2).Scan(&v); err != nil || v != 2 {
		t.Errorf("compiled anew: %d %v", v, err)
	}
}
