package db_test

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	"regulars/db"
	"regulars/migrations"
)

// BenchmarkCardPageBigShop reads customers' card pages on the bench's big
// shop (`make bench` seeds it in bench-output/), in process: "first" opens
// each card once, "again" the same 256 cards over and over. Name the file
// with REGULARS_BENCH_DB and run
// go test ./db -run '^$' -bench CardPageBigShop -benchtime 20000x
func BenchmarkCardPageBigShop(b *testing.B) {
	path := os.Getenv("REGULARS_BENCH_DB")
	if path == "" {
		b.Skip("REGULARS_BENCH_DB is unset: name the big shop's database that `make bench` seeds (bench-output/big-100000-5000000.db)")
	}
	ctx := context.Background()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(ON)")
	if err != nil {
		b.Fatal(err)
	}
	var tokens []string
	rows, err := raw.Query(`SELECT token FROM cards WHERE erased_at IS NULL ORDER BY random()`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			b.Fatal(err)
		}
		tokens = append(tokens, t)
	}
	raw.Close()
	if len(tokens) < 256 {
		b.Fatalf("%d cards: not the big shop", len(tokens))
	}
	s, err := db.Open(ctx, path, migrations.FS)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	for _, bc := range []struct {
		name  string
		cards []string
	}{{"first", tokens}, {"again", tokens[:256]}} {
		b.Run(bc.name, func(b *testing.B) {
			for i := range b.N {
				if _, err := s.CardPageByToken(ctx, bc.cards[i%len(bc.cards)], now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
