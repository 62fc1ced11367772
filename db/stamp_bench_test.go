package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"regulars/db"
	"regulars/demo"
	"regulars/loyalty"
	"regulars/migrations"
)

// BenchmarkCounterCafe is the writer's side of `make bench`'s stamp and
// points rows, in process: a seeded café of 300 customers, many tablets at
// once (b.RunParallel), each action with a new time-first key, through the
// writer's batches. Its ns/op is the writer's time an action, the limit of
// both rows; run it with -cpu 2, as the machine has, and compare builds
// with benchstat:
// go test ./db -run '^$' -bench CounterCafe -cpu 2 -count 6
func BenchmarkCounterCafe(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "cafe.db")
	s, err := db.Open(ctx, path, migrations.FS)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	l, err := demo.Seed(ctx, s, 300, now)
	if err != nil {
		b.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?"+db.Pragmas)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	var stampsID, cashierID int64
	var cards []int64
	if err := raw.QueryRow(`SELECT id FROM programs WHERE shop_id = ? AND is_default = 1`, l.ShopID).Scan(&stampsID); err != nil {
		b.Fatal(err)
	}
	if err := raw.QueryRow(`SELECT id FROM users WHERE shop_id = ? AND role = 'cashier'`, l.ShopID).Scan(&cashierID); err != nil {
		b.Fatal(err)
	}
	rows, err := raw.Query(`SELECT id FROM cards WHERE shop_id = ? ORDER BY random()`, l.ShopID)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		cards = append(cards, id)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	// Many customers' purchases, not one customer's: no cooldown.
	if _, err := raw.Exec(`UPDATE programs SET cooldown_minutes = 0 WHERE shop_id = ?`, l.ShopID); err != nil {
		b.Fatal(err)
	}
	var owner int64
	if err := raw.QueryRow(`SELECT id FROM users WHERE shop_id = ? AND role = 'owner'`, l.ShopID).Scan(&owner); err != nil {
		b.Fatal(err)
	}
	pointsID, err := s.SaveProgram(ctx, db.Program{ShopID: l.ShopID, Name: "Points", RewardText: "a cake", Kind: db.ProgramPoints,
		PointsPerUnit: 1, RewardPoints: 100, MaxPerVisit: 1000}, owner, now)
	if err != nil {
		b.Fatal(err)
	}
	var seq atomic.Int64
	for _, bc := range []struct {
		name string
		act  func(db.Action) error
		prog int64
	}{
		{"stamp", func(a db.Action) error { _, err := s.Stamp(ctx, a, 1, false); return err }, stampsID},
		{"points", func(a db.Action) error { _, err := s.EarnPoints(ctx, a, 1250, false); return err }, pointsID},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetParallelism(32) // 64 tablets on two cores, as make bench's rows
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := seq.Add(1)
					t := time.Now()
					a := db.Action{ShopID: l.ShopID, CardID: cards[int(i)%len(cards)], ProgramID: bc.prog, UserID: cashierID,
						Key: fmt.Sprintf("%s-bench-%d", loyalty.NewActionKey(t), i), Now: t}
					if err := bc.act(a); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
