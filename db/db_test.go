package db_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/loyalty"
	"regulars/migrations"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// shop creates a shop with one card and returns their ids and the default program.
func shop(t *testing.T, s *db.Store, email string) (shopID, userID int64, card db.Card, program db.Program) {
	t.Helper()
	ctx := context.Background()
	shopID, userID, err := s.CreateShop(ctx, db.NewShop{Name: "Shop " + email, OwnerName: "O", Email: email, PasswordHash: "x",
		Language: "en", TimeZone: "UTC", ProgramName: "Card", RewardText: "coffee"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	card, err = s.EnrollCard(ctx, shopID, db.NewCard{CreatedBy: userID, Key: "enrol-" + email}, t0)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := s.Programs(ctx, shopID, false)
	if err != nil || len(ps) != 1 || !ps[0].IsDefault || ps[0].StampsRequired != 10 {
		t.Fatalf("default program: %+v, %v", ps, err)
	}
	return shopID, userID, card, ps[0]
}

// TestMigrationsApplyOnce runs every migration on a new file, as the first
// start of the app does (not on dbtest's migrated copy), then opens it again.
func TestMigrationsApplyOnce(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "test.db")
	s, err := db.Open(context.Background(), path, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	again, err := db.Open(context.Background(), path, migrations.FS)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer again.Close()
	if err := again.Health(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
}

func TestSecretIsKept(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	a, err := s.Secret(ctx, "k", 32)
	if err != nil || len(a) != 32 {
		t.Fatalf("secret: %x %v", a, err)
	}
	b, _ := s.Secret(ctx, "k", 32)
	if string(a) != string(b) {
		t.Error("secret changed between calls")
	}
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopA, userA, cardA, progA := shop(t, s, "a@example.com")
	shopB, _, cardB, progB := shop(t, s, "b@example.com")
	for name, act := range map[string]db.Action{
		"another shop's card":    {ShopID: shopA, CardID: cardB.ID, ProgramID: progA.ID, UserID: userA, Key: "k1", Now: t0},
		"another shop's program": {ShopID: shopA, CardID: cardA.ID, ProgramID: progB.ID, UserID: userA, Key: "k2", Now: t0},
	} {
		if _, err := s.Stamp(ctx, act, 1, false); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("stamp with %s: %v, want ErrNotFound", name, err)
		}
	}
	if _, err := s.Card(ctx, shopA, cardB.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("card of shop B through shop A: %v", err)
	}
	if _, err := s.Program(ctx, shopA, progB.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("program of shop B through shop A: %v", err)
	}
	if cs, err := s.SearchCards(ctx, shopA, db.CardQuery{Token: cardB.Token}); err != nil || len(cs) != 0 {
		t.Errorf("search of shop A finds shop B's card")
	}
	if err := s.ArchiveProgram(ctx, shopA, progB.ID, userA, t0); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("archive shop B's program from A: %v", err)
	}
	if _, err := s.SaveProgram(ctx, db.Program{ID: progB.ID, ShopID: shopA, Name: "x", RewardText: "y", StampsRequired: 1, MaxPerVisit: 1}, userA, t0); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("save shop B's program from A: %v", err)
	}
	st, err := s.CardState(ctx, shopB, cardB.ID, t0)
	if err != nil || st.Programs[0].Stamps != 0 || len(st.Ledger) != 0 {
		t.Errorf("shop B's card changed: %+v %v", st, err)
	}
}

func TestConcurrentRedeemAndReplay(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, userID, card, prog := shop(t, s, "a@example.com")
	prog.MaxPerVisit = 10
	if _, err := s.SaveProgram(ctx, prog, userID, t0); err != nil {
		t.Fatal(err)
	}
	act := func(key string) db.Action {
		return db.Action{ShopID: shopID, CardID: card.ID, ProgramID: prog.ID, UserID: userID, Key: key, Now: t0}
	}
	results := func(n int, fn func(i int) error) (ok int, errs []error) {
		var (
			mu sync.Mutex
			wg sync.WaitGroup
		)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := fn(i)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					ok++
				} else {
					errs = append(errs, err)
				}
			}()
		}
		wg.Wait()
		return ok, errs
	}
	// 20 submissions of one idempotency key: one stamp.
	ok, errs := results(20, func(int) error { _, err := s.Stamp(ctx, act("same-key"), 10, false); return err })
	var replay *db.ReplayedError
	if ok != 1 {
		t.Fatalf("same key 20 times: %d successes, want 1 (%v)", ok, errs)
	}
	for _, err := range errs {
		if !errors.As(err, &replay) {
			t.Errorf("unexpected error %v", err)
		}
	}
	// 20 cashiers redeem the one reward: one succeeds.
	ok, errs = results(20, func(i int) error { _, err := s.Redeem(ctx, act("redeem-"+string(rune('a'+i))), 1); return err })
	if ok != 1 {
		t.Fatalf("20 redeems: %d successes, want 1", ok)
	}
	for _, err := range errs {
		if !errors.Is(err, loyalty.ErrRewardUnavailable) {
			t.Errorf("unexpected error %v", err)
		}
	}
	st, _ := s.CardState(ctx, shopID, card.ID, t0)
	if b := st.Programs[0]; b.Stamps != 0 || b.Earned != 1 || b.Redeemed != 1 || len(b.Available) != 0 {
		t.Errorf("balance %+v", b.Balance)
	}
}

func TestUndoOnlyTheLastRecentAction(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, userID, card, prog := shop(t, s, "a@example.com")
	a := db.Action{ShopID: shopID, CardID: card.ID, ProgramID: prog.ID, UserID: userID, Now: t0}
	a.Key = "s1"
	first, err := s.Stamp(ctx, a, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	a.Key, a.Now = "s2", t0.Add(time.Minute)
	second, err := s.Stamp(ctx, a, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	a.Key = "u1"
	if _, err := s.Undo(ctx, a, first.EventID); !errors.Is(err, loyalty.ErrNothingToUndo) {
		t.Errorf("undo of an older action: %v", err)
	}
	if _, err := s.Undo(ctx, a, second.EventID); err != nil {
		t.Fatalf("undo last: %v", err)
	}
	a.Key = "u2"
	if _, err := s.Undo(ctx, a, second.EventID); !errors.Is(err, loyalty.ErrNothingToUndo) {
		t.Errorf("second undo of the same action: %v", err)
	}
	// After the undo, the earlier stamp is the last action, and still recent.
	a.Key = "u3"
	if _, err := s.Undo(ctx, a, first.EventID); err != nil {
		t.Errorf("undo the one before: %v", err)
	}
	st, _ := s.CardState(ctx, shopID, card.ID, a.Now)
	if st.Programs[0].Stamps != 0 || st.Undoable != nil {
		t.Errorf("after undoing both: %d stamps, undoable %v", st.Programs[0].Stamps, st.Undoable)
	}
}

// TestClockJumpsBack stamps a card while the clock runs a day ahead, then
// with the clock right again: the cooldown waits one cooldown, not the day
// and the cooldown, and the stamp from the future cannot be undone for that
// day.
func TestClockJumpsBack(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, userID, card, prog := shop(t, s, "clock@example.com")
	prog.CooldownMinutes = 30
	if _, err := s.SaveProgram(ctx, prog, userID, t0); err != nil {
		t.Fatal(err)
	}
	a := db.Action{ShopID: shopID, CardID: card.ID, ProgramID: prog.ID, UserID: userID, Key: "ahead", Now: t0.Add(24 * time.Hour)}
	ahead, err := s.Stamp(ctx, a, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	a.Key, a.Now = "back", t0.Add(time.Hour)
	var cool *loyalty.CooldownError
	if _, err := s.Stamp(ctx, a, 1, false); !errors.As(err, &cool) || cool.Left != 30*time.Minute {
		t.Errorf("stamp after the clock came back: %v, want a cooldown of 30m left", err)
	}
	a.Key = "undo"
	if _, err := s.Undo(ctx, a, ahead.EventID); !errors.Is(err, loyalty.ErrNothingToUndo) {
		t.Errorf("undo of a stamp dated a day ahead: %v, want nothing to undo", err)
	}
	if st, err := s.CardState(ctx, shopID, card.ID, a.Now); err != nil || st.Undoable != nil {
		t.Errorf("the card offers to undo %+v (%v)", st.Undoable, err)
	}
	a.Key = "anyway"
	if _, err := s.Stamp(ctx, a, 1, true); err != nil {
		t.Fatalf("stamp anyway: %v", err)
	}
	a.Key, a.Now = "later", a.Now.Add(31*time.Minute)
	if _, err := s.Stamp(ctx, a, 1, false); err != nil {
		t.Errorf("a cooldown after the stamp given anyway: %v", err)
	}
}
