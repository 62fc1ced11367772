package main

import (
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"github.com/labstack/echo/v4"
	_ "modernc.org/sqlite"

	"regulars/db"
)

// fixedPage is ceiling A's answer: about the size of a small page's HTML.
const fixedPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ceiling</title></head><body><main><h1>Ceiling</h1><p>A fixed page, for the fastest answer this machine gives over HTTP.</p></main></body></html>`

// serveCeilingA is ceiling A's process: a bare Echo handler returning the
// fixed page. It runs as its own process, like the server it is compared with.
func serveCeilingA(addr string) error {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/", func(c echo.Context) error { return c.HTML(http.StatusOK, fixedPage) })
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	return e.Start(addr)
}

// ceilingB measures bare SQLite with the app's pragmas: one small INSERT +
// UPDATE transaction at a time, as fast as one connection commits them.
func ceilingB(dir string, d time.Duration) (result, error) {
	path := filepath.Join(dir, "ceiling-b.db")
	conn, err := sql.Open("sqlite", "file:"+path+"?"+db.Pragmas+"&_txlock=immediate")
	if err != nil {
		return result{}, err
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	for _, q := range []string{
		`DROP TABLE IF EXISTS visits`, `DROP TABLE IF EXISTS balances`,
		`CREATE TABLE visits (id INTEGER PRIMARY KEY, card INTEGER NOT NULL, at INTEGER NOT NULL)`,
		`CREATE TABLE balances (card INTEGER PRIMARY KEY, stamps INTEGER NOT NULL)`,
		`WITH RECURSIVE n(card) AS (SELECT 1 UNION ALL SELECT card + 1 FROM n WHERE card < 1000) INSERT INTO balances (card, stamps) SELECT card, 0 FROM n`,
	} {
		if _, err := conn.Exec(q); err != nil {
			return result{}, fmt.Errorf("ceiling B: %s: %w", q, err)
		}
	}
	return load(1, d, func(_, i int) (bool, bool, error) {
		tx, err := conn.Begin()
		if err != nil {
			return false, false, err
		}
		card := i%1000 + 1
		if _, err := tx.Exec(`INSERT INTO visits (card, at) VALUES (?, ?)`, card, time.Now().Unix()); err != nil {
			tx.Rollback()
			return false, false, err
		}
		if _, err := tx.Exec(`UPDATE balances SET stamps = stamps + 1 WHERE card = ?`, card); err != nil {
			tx.Rollback()
			return false, false, err
		}
		return tx.Commit() == nil, false, nil
	}), nil
}
