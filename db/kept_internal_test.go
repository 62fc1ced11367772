package db

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"regulars/loyalty"
	"regulars/migrations"
)

// keptShop is a store on a file with a shop, one card and its default
// program, and stamps the card at a time.
type keptShop struct {
	t                      *testing.T
	s                      *Store
	path                   string
	shop, owner, card, prg int64
	n                      int
}

func newKeptShop(t *testing.T) *keptShop {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kept.db")
	s, err := Open(context.Background(), path, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	k := &keptShop{t: t, s: s, path: path}
	k.shop, k.owner = planShop(t, s, "kept@example.com", now)
	card, err := s.EnrollCard(context.Background(), k.shop, NewCard{CreatedBy: k.owner, Key: "enrol"}, now)
	if err != nil {
		t.Fatal(err)
	}
	k.card = card.ID
	if err := s.r.QueryRow(`SELECT id FROM programs WHERE shop_id = ? AND is_default`, k.shop).Scan(&k.prg); err != nil {
		t.Fatal(err)
	}
	return k
}

// stamp gives the card one stamp, a minute after the last.
func (k *keptShop) stamp() {
	k.t.Helper()
	k.n++
	at := time.Date(2026, 3, 2, 10, k.n, 0, 0, time.UTC)
	a := Action{ShopID: k.shop, CardID: k.card, ProgramID: k.prg, UserID: k.owner, Key: fmt.Sprintf("kept-%d", k.n), Now: at}
	if _, err := k.s.Stamp(context.Background(), a, 1, false); err != nil {
		k.t.Fatal(err)
	}
}

func (k *keptShop) stamps() int {
	k.t.Helper()
	var n int
	if err := k.s.r.QueryRow(`SELECT stamps FROM card_balances WHERE card_id = ? AND program_id = ?`, k.card, k.prg).Scan(&n); err != nil {
		k.t.Fatal(err)
	}
	return n
}

// setStamps writes the card's balance as holding n stamps, through exec.
func (k *keptShop) setStamps(exec func(query string, args ...any) error, n int) {
	k.t.Helper()
	st := loyalty.State{Stamps: n, Lots: []loyalty.Lot{{N: n}}}
	if err := exec(`UPDATE card_balances SET state = ?, stamps = ? WHERE card_id = ? AND program_id = ?`, encodeState(st), n, k.card, k.prg); err != nil {
		k.t.Fatal(err)
	}
}

// TestKeptCardServesTheNextStamp: the second stamp of a card takes what
// the first left, and counts on from it.
func TestKeptCardServesTheNextStamp(t *testing.T) {
	t.Parallel()
	k := newKeptShop(t)
	k.stamp()
	before := k.s.kept.served.Load()
	k.stamp()
	if served := k.s.kept.served.Load() - before; served != 1 {
		t.Errorf("the second stamp took %d entries, want 1", served)
	}
	if n := k.stamps(); n != 2 {
		t.Errorf("after two stamps the card holds %d, want 2", n)
	}
}

// TestKeptCardDroppedByOtherWrites: a balance changed outside the counter's
// batches, without an event (as a rebuild corrects one), is what the next
// stamp counts on from, whether the writer changed it or another process.
func TestKeptCardDroppedByOtherWrites(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		write func(k *keptShop) func(query string, args ...any) error
	}{
		{"the writer, outside a batch", func(k *keptShop) func(string, ...any) error {
			return func(query string, args ...any) error {
				return k.s.inTx(context.Background(), func(tx *sql.Tx) error {
					_, err := tx.Exec(query, args...)
					return err
				})
			}
		}},
		{"another process", func(k *keptShop) func(string, ...any) error {
			return func(query string, args ...any) error {
				other, err := sql.Open("sqlite", "file:"+k.path+"?"+Pragmas)
				if err != nil {
					return err
				}
				defer other.Close()
				_, err = other.Exec(query, args...)
				return err
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k := newKeptShop(t)
			k.stamp()
			k.setStamps(tt.write(k), 5)
			k.stamp()
			if n := k.stamps(); n != 6 {
				t.Errorf("after a balance set to 5 and a stamp the card holds %d, want 6", n)
			}
		})
	}
}

// TestKeptStateIsAsTheDatabaseKeepsIt: what a stamp leaves of its card's
// state is what the next action would read from the database, to the second:
// the action's own time carries nanoseconds and a monotonic clock's reading,
// on which a cooldown would be measured differently.
func TestKeptStateIsAsTheDatabaseKeepsIt(t *testing.T) {
	t.Parallel()
	k := newKeptShop(t)
	a := Action{ShopID: k.shop, CardID: k.card, ProgramID: k.prg, UserID: k.owner, Key: "now", Now: time.Now()}
	if _, err := k.s.Stamp(context.Background(), a, 1, false); err != nil {
		t.Fatal(err)
	}
	stored, err := cardBalance(context.Background(), k.s.r, k.card, k.prg)
	if err != nil {
		t.Fatal(err)
	}
	kept, ok := k.s.kept.cards[k.card]
	if !ok {
		t.Fatal("the stamp left no entry")
	}
	if !reflect.DeepEqual(kept.state, stored) {
		t.Errorf("kept state %+v, the database's %+v", kept.state, stored)
	}
}

// TestKeptEntryDroppedWhenItsCardIsWritten: an event of a card, written in
// another card's action, drops the card's entry at once, before the batch
// ends: a later action of the same batch on the card reads it whole, even
// when the event is too old for its kept list to show.
func TestKeptEntryDroppedWhenItsCardIsWritten(t *testing.T) {
	t.Parallel()
	k := newKeptShop(t)
	ctx := context.Background()
	k.stamp()
	if _, ok := k.s.kept.cards[k.card]; !ok {
		t.Fatal("the stamp left no entry")
	}
	other, err := k.s.EnrollCard(ctx, k.shop, NewCard{CreatedBy: k.owner, Key: "other"}, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var dropped bool
	a := Action{ShopID: k.shop, CardID: other.ID, ProgramID: k.prg, UserID: k.owner, Key: "bonus", Now: time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC)}
	err = k.s.act(ctx, a, func(ctx context.Context, tx *sql.Tx, a Action, p Program, _ loyalty.State) error {
		b := Action{ShopID: a.ShopID, CardID: k.card, ProgramID: p.ID, UserID: a.UserID, Now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), kept: a.kept}
		if _, err := insertEvent(ctx, tx, b, newEvent{kind: loyalty.KindBonus, programID: p.ID, stamps: 1, note: "earlier"}); err != nil {
			return err
		}
		_, kept := k.s.kept.cards[k.card]
		dropped = !kept
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !dropped {
		t.Error("the card's entry outlived an event written for it")
	}
	k.stamp()
	if n := k.stamps(); n != 3 {
		t.Errorf("after a stamp, a bonus and a stamp the card holds %d, want 3", n)
	}
}
