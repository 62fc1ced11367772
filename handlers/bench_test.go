package handlers_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/crypto/bcrypt"

	"regulars/db"
	"regulars/handlers"
	"regulars/migrations"
	"regulars/static"
)

// BenchmarkBigShop measures the owner's heaviest pages on a big shop, through
// the whole stack (routing, session, SQL, templates) over loopback. It needs a
// database made by
//
//	regulars demo -db big.db -customers 100000 -events 5000000
//
// named by REGULARS_BENCH_DB, and reports each page's p50 and p95 in ms.
func BenchmarkBigShop(b *testing.B) {
	path := os.Getenv("REGULARS_BENCH_DB")
	if path == "" {
		b.Skip("REGULARS_BENCH_DB is unset: seed one with `regulars demo -customers 100000 -events 5000000` (see docs/performance.md)")
	}
	ctx := context.Background()
	store, err := db.Open(ctx, path, migrations.FS)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	// The benchmark's owner signs in once, with a hash of the cheapest cost:
	// the server needs no production-cost hash either.
	app, err := handlers.New(ctx, handlers.Config{Store: store, Static: static.FS, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), PasswordCost: bcrypt.MinCost})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(app)
	defer srv.Close()
	c := benchLogin(b, store, srv.URL)
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(ON)")
	if err != nil {
		b.Fatal(err)
	}
	var cards, events int
	if err := raw.QueryRow(`SELECT (SELECT count(*) FROM cards), (SELECT count(*) FROM events)`).Scan(&cards, &events); err != nil {
		b.Fatal(err)
	}
	raw.Close()
	b.Logf("%d cards, %d ledger events", cards, events)
	for _, page := range []string{
		"/dashboard",
		"/customers",
		"/customers?sort=visits",
		"/customers?sort=rewards&page=500",
		"/customers?segment=at_risk",
		"/customers?q=ay",
		"/customers?q=555",
	} {
		b.Run(strings.TrimPrefix(page, "/"), func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				res, err := c.Get(srv.URL + page)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d", page, res.StatusCode)
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}

// benchLogin signs in as the big shop's benchmark owner, whom it adds once.
func benchLogin(b *testing.B, store *db.Store, base string) *http.Client {
	const email, password = "bench-owner@big.regulars.test", "benchmark password"
	ctx := context.Background()
	if _, err := store.UserByEmail(ctx, email); err != nil {
		hash, _ := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
		if _, err := store.AddStaff(ctx, 1, db.NewStaff{Name: "Bench", Email: email, Role: db.RoleOwner, PasswordHash: string(hash)}, 0, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get(base + "/login")
	if err != nil {
		b.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(res.Body)
	res.Body.Close()
	if err != nil {
		b.Fatal(err)
	}
	token, _ := doc.Find(`input[name="_csrf"]`).Attr("value")
	res, err = c.PostForm(base+"/login", url.Values{"_csrf": {token}, "email": {email}, "password": {password}})
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.Path != "/dashboard" {
		b.Fatalf("login landed on %s", res.Request.URL)
	}
	return c
}

// BenchmarkBigShopSegments measures the daily reclassification of the big
// shop's customers, which the first page after midnight (or the server's
// background pass) runs; it holds the writer while it does.
func BenchmarkBigShopSegments(b *testing.B) {
	path := os.Getenv("REGULARS_BENCH_DB")
	if path == "" {
		b.Skip("REGULARS_BENCH_DB is unset (see BenchmarkBigShop)")
	}
	ctx := context.Background()
	store, err := db.Open(ctx, path, migrations.FS)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	for b.Loop() {
		if err := store.RefreshSegments(ctx, 1, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}
