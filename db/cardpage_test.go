package db_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/loyalty"
	"regulars/migrations"
)

// pinned is one connection of its own to the database at path, beside the
// store's: what it sees of the store's writes is what another process sees.
func pinned(t *testing.T, path string) *sql.Conn {
	t.Helper()
	conn, err := rawDB(t, path).Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// dataVersion changes on conn whenever another connection has committed a
// change to the database since conn last asked.
func dataVersion(t *testing.T, conn *sql.Conn) int64 {
	t.Helper()
	var v int64
	if err := conn.QueryRowContext(context.Background(), `PRAGMA data_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// viewWithoutWriter shows the card's page while another connection holds
// the database's write lock: a view that asked for the writer would wait for
// it and fail with "database is locked". It also checks that nothing was
// committed meanwhile.
func viewWithoutWriter(t *testing.T, s *db.Store, path string, shopID, cardID int64, now time.Time) db.CardPage {
	t.Helper()
	ctx := context.Background()
	probe, lock := pinned(t, path), pinned(t, path)
	before := dataVersion(t, probe)
	if _, err := lock.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	page, err := s.CardPage(ctx, shopID, cardID, now)
	if _, err := lock.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatalf("a view with nothing to write asked for the writer: %v", err)
	}
	if after := dataVersion(t, probe); after != before {
		t.Fatalf("a view with nothing to write changed the database (data_version %d → %d)", before, after)
	}
	return page
}

func couponIDs(page db.CardPage, seen bool) []int64 {
	var ids []int64
	for _, c := range page.State.Coupons {
		if c.Seen == seen {
			ids = append(ids, c.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

func TestCardPageWritesWhatIsDueInOneGo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := dbtest.Open(t)
	raw := rawDB(t, path)
	shopID, userID, _, prog := shop(t, s, "cardpage@example.com")
	if err := s.SaveGrowth(ctx, shopID, db.Growth{BirthdayGift: "A slice of cake", BirthdayDays: 3, ReferralCap: 5}, userID, t0); err != nil {
		t.Fatal(err)
	}
	campaign := func(title, audience string, segment loyalty.Segment, issueTo []int64) int64 {
		t.Helper()
		id, err := s.CreateCampaign(ctx, db.Campaign{ShopID: shopID, Title: title, ValueKind: "text", ValueText: title,
			ValidFrom: t0, ValidUntil: t0.Add(30 * day), Audience: audience, Segment: segment, PerCardLimit: 1}, issueTo, userID, t0)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	// Running before the card joined, so the card is owed them.
	everyone := campaign("Everyone", db.AudienceAll, "", nil)
	newcomers := campaign("Newcomers", db.AudienceSegment, loyalty.SegmentNew, nil)
	campaign("VIPs", db.AudienceSegment, loyalty.SegmentVIP, nil)
	// Its birthday window (3 days either side) holds t0, 2 March.
	card, err := s.EnrollCard(ctx, shopID, db.NewCard{FirstName: "Ece", Birthday: "03-04", Key: "cardpage-ece"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	visit(t, s, shopID, userID, prog.ID, card.ID, t0)
	chosen := campaign("Chosen", db.AudienceChosen, "", []int64{card.ID})
	news, err := s.PostNews(ctx, shopID, db.NewNews{Body: "Cakes on Fridays", Key: "news"}, userID, t0)
	if err != nil {
		t.Fatal(err)
	}

	now := t0.Add(time.Hour)
	probe := pinned(t, path)
	before := dataVersion(t, probe)
	page, err := s.CardPage(ctx, shopID, card.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if dataVersion(t, probe) == before {
		t.Fatal("the first view wrote nothing (or the probe sees no writes)")
	}
	var birthday int64
	for _, c := range page.State.Coupons {
		if c.BirthdayYear == 2026 {
			birthday = c.ID
		}
	}
	want := []int64{everyone, newcomers, chosen, birthday}
	slices.Sort(want)
	// All four are shown for the first time: the late ones for everyone and
	// for the card's segment (the shop's segments, stale, classified in the
	// same write), the birthday gift, and the coupon issued before the view.
	if got := couponIDs(page, false); birthday == 0 || !slices.Equal(got, want) || len(couponIDs(page, true)) != 0 {
		t.Fatalf("first view's coupons: new %v, seen %v; want new %v", got, couponIDs(page, true), want)
	}
	if len(page.News) != 1 || page.News[0].ID != news || !page.News[0].New {
		t.Fatalf("first view's news: %+v", page.News)
	}
	if page.Feedback.Day != loyalty.DayNumber(t0) || page.State.Card.ID != card.ID || len(page.State.Programs) != 1 || page.State.Programs[0].Stamps != 1 {
		t.Fatalf("first view's page: feedback %+v, card %d, programs %+v", page.Feedback, page.State.Card.ID, page.State.Programs)
	}
	if n := count(t, raw, `SELECT count(*) FROM coupons WHERE card_id = ? AND viewed_at = ?`, card.ID, now.Unix()); n != 4 {
		t.Errorf("coupons recorded viewed: %d, want 4", n)
	}
	if n := count(t, raw, `SELECT count(*) FROM news_seen WHERE card_id = ?`, card.ID); n != 1 {
		t.Errorf("news recorded seen: %d, want 1", n)
	}
	if n := count(t, raw, `SELECT segments_day FROM shops WHERE id = ?`, shopID); n != loyalty.DayNumber(now) {
		t.Errorf("segments classified on day %d, want %d", n, loyalty.DayNumber(now))
	}

	// The next view (the VIPs' campaign is still running and not the card's)
	// shows the same, nothing new, and writes nothing.
	again := viewWithoutWriter(t, s, path, shopID, card.ID, now.Add(time.Minute))
	if got := couponIDs(again, true); !slices.Equal(got, want) || len(couponIDs(again, false)) != 0 {
		t.Fatalf("second view's coupons: seen %v, new %v; want seen %v", got, couponIDs(again, false), want)
	}
	if len(again.News) != 1 || again.News[0].New {
		t.Fatalf("second view's news: %+v", again.News)
	}
}

func TestCardPageMarksAFirstViewWithoutIssuing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := dbtest.Open(t)
	shopID, userID, card, _ := shop(t, s, "firstview@example.com")
	other, otherUser, otherCard, _ := shop(t, s, "firstview-other@example.com")
	issued := func(shopID, userID, cardID int64) int64 {
		t.Helper()
		id, err := s.CreateCampaign(ctx, db.Campaign{ShopID: shopID, Title: "Chosen", ValueKind: "text", ValueText: "a cookie",
			ValidFrom: t0, ValidUntil: t0.Add(30 * day), Audience: db.AudienceChosen, PerCardLimit: 1}, []int64{cardID}, userID, t0)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	chosen := issued(shopID, userID, card.ID)
	issued(other, otherUser, otherCard.ID)

	page, err := s.CardPage(ctx, shopID, card.ID, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := couponIDs(page, false); !slices.Equal(got, []int64{chosen}) {
		t.Fatalf("first view's new coupons: %v, want [%d]", got, chosen)
	}
	again := viewWithoutWriter(t, s, path, shopID, card.ID, t0.Add(2*time.Hour))
	if got := couponIDs(again, true); !slices.Equal(got, []int64{chosen}) || again.State.Coupons[0].Viewed != 1 {
		t.Fatalf("second view's coupons: %+v", again.State.Coupons)
	}
	// The other shop's card still has its coupon unseen: the view marked this card's only.
	raw := rawDB(t, path)
	if n := count(t, raw, `SELECT count(*) FROM coupons WHERE viewed_at IS NULL`); n != 1 {
		t.Errorf("unseen coupons left: %d, want the other shop's 1", n)
	}
	if _, err := s.CardPage(ctx, shopID, otherCard.ID, t0); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("another shop's card page: %v, want not found", err)
	}
}

// TestCardPageByToken: the customer's page is found by its token, with its
// shop, in the same read; a token of no card, or of an erased one, finds nothing.
func TestCardPageByToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := dbtest.Open(t)
	shopID, userID, _, _ := shop(t, s, "bytoken@example.com")
	kept, err := s.EnrollCard(ctx, shopID, db.NewCard{FirstName: "Ece", Key: "bytoken-kept"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	erased, err := s.EnrollCard(ctx, shopID, db.NewCard{FirstName: "Ada", Key: "bytoken-erased"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EraseCustomer(ctx, shopID, userID, erased.ID, t0); err != nil {
		t.Fatal(err)
	}
	p, err := s.CardPageByToken(ctx, kept.Token, t0)
	if err != nil {
		t.Fatal(err)
	}
	if p.Shop.ID != shopID || p.State.Card.ID != kept.ID || p.State.Card.Token != kept.Token {
		t.Errorf("token of card %d in shop %d found card %d in shop %d", kept.ID, shopID, p.State.Card.ID, p.Shop.ID)
	}
	for name, token := range map[string]string{"no such card": "AAAAAAAAAAAAAAAAAAAAAA", "erased card": erased.Token} {
		if _, err := s.CardPageByToken(ctx, token, t0); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
}

// TestCardPageShowsVoidsAsTheLedgerHasThem: the page reads whether a shown
// event was voided from the shown events themselves (a void comes after
// what it voids); it must say what the ledger says, the counter's read.
func TestCardPageShowsVoidsAsTheLedgerHasThem(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := dbtest.Open(t)
	shopID, userID, card, prog := shop(t, s, "shownvoids@example.com")
	kept := visit(t, s, shopID, userID, prog.ID, card.ID, t0.Add(time.Minute))
	undone := visit(t, s, shopID, userID, prog.ID, card.ID, t0.Add(2*time.Minute))
	if _, err := s.Undo(ctx, db.Action{ShopID: shopID, CardID: card.ID, UserID: userID, Key: "shownvoids-undo", Now: t0.Add(3 * time.Minute)}, undone.EventID); err != nil {
		t.Fatal(err)
	}
	page, err := s.CardPage(ctx, shopID, card.ID, t0.Add(4*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]bool{kept.EventID: false, undone.EventID: true}
	for _, e := range page.State.Ledger {
		if voided, ok := want[e.ID]; ok {
			if e.Voided != voided {
				t.Errorf("event %d shown voided %v, want %v", e.ID, e.Voided, voided)
			}
			delete(want, e.ID)
		}
	}
	if len(want) > 0 {
		t.Errorf("events %v not shown on the page", want)
	}
}

// TestCardPageListsTheLedgerAfterAnUpgrade: a database written before the
// cards kept the events their pages list gets them at its first start, and
// a kept list gone wrong is found and corrected by the rebuild. Each time
// the page lists the card's twelve newest events, in ledger order, with
// the voided one marked.
func TestCardPageListsTheLedgerAfterAnUpgrade(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := dbtest.PathBefore(t, "0033")
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO shops (id, slug, name, created_at) VALUES (1, 'old', 'Old', 0)`)
	exec(`INSERT INTO programs (id, shop_id, name, reward_text, stamps_required, max_per_visit, is_default, created_at) VALUES (1, 1, 'P', 'r', 30, 5, 1, 0)`)
	exec(`INSERT INTO cards (id, shop_id, token, short_code, created_at) VALUES (1, 1, 'AAAAAAAAAAAAAAAAAAAAAAAA', 'AAAA', 0)`)
	// Fifteen visits an hour apart; the last but one undone, and the
	// first two of the same second as each other, in the order of their IDs.
	start := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	for i := 1; i <= 15; i++ {
		at := start.Add(time.Duration(i) * time.Hour)
		if i == 2 {
			at = start.Add(time.Hour)
		}
		exec(`INSERT INTO events (id, shop_id, card_id, program_id, kind, stamps, created_at) VALUES (?, 1, 1, 1, 'stamp', 1, ?)`, i, at.Unix())
	}
	exec(`INSERT INTO events (id, shop_id, card_id, program_id, kind, void_of, created_at) VALUES (16, 1, 1, 1, 'void', 14, ?)`, start.Add(16*time.Hour).Unix())
	// Written behind the store's back, the ledger's balances are owed too.
	exec(`INSERT INTO rebuilds_owed (what) VALUES ('balances')`)
	check := func(s *db.Store, when string) {
		t.Helper()
		page, err := s.CardPage(ctx, 1, 1, start.Add(17*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, e := range page.State.Ledger {
			got = append(got, e.ID)
			if e.Voided != (e.ID == 14) {
				t.Errorf("%s: event %d shown voided %v", when, e.ID, e.Voided)
			}
		}
		// The page's ledger is newest first.
		if want := []int64{16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5}; !slices.Equal(got, want) {
			t.Errorf("%s: the page lists events %v, want %v", when, got, want)
		}
	}
	s, err := db.Open(ctx, path, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	check(s, "after the upgrade")
	if n, err := s.RebuildBalances(ctx, 1); err != nil || n != 0 {
		t.Errorf("the rebuild after the upgrade corrected %d (%v), want 0", n, err)
	}
	exec(`UPDATE card_shown SET events = x'01' WHERE card_id = 1`) // a list of none
	if n, err := s.RebuildBalances(ctx, 1); err != nil || n != 1 {
		t.Errorf("the rebuild of a wrong list corrected %d (%v), want 1", n, err)
	}
	check(s, "after the rebuild")
}

// TestUnreadableShownListFallsBackToTheLedger: a card's kept list that
// cannot be read (damaged, or written in a later layout by a newer server)
// costs nothing: the page lists the ledger's events, and the next stamp
// goes through and writes the list again from the ledger.
func TestUnreadableShownListFallsBackToTheLedger(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := dbtest.Open(t)
	shopID, userID, card, prog := shop(t, s, "unreadable@example.com")
	first := visit(t, s, shopID, userID, prog.ID, card.ID, t0.Add(time.Hour))
	raw := rawDB(t, path)
	if _, err := raw.Exec(`UPDATE card_shown SET events = x'09ffff' WHERE card_id = ?`, card.ID); err != nil {
		t.Fatal(err)
	}
	listed := func(when string, want ...int64) {
		t.Helper()
		page, err := s.CardPage(ctx, shopID, card.ID, t0.Add(3*time.Hour))
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		var got []int64
		for _, e := range page.State.Ledger {
			got = append(got, e.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: the page lists events %v, want %v", when, got, want)
		}
	}
	listed("with the list unreadable", first.EventID)
	second := visit(t, s, shopID, userID, prog.ID, card.ID, t0.Add(2*time.Hour))
	listed("after a stamp", second.EventID, first.EventID)
	if n, err := s.RebuildBalances(ctx, shopID); err != nil || n != 0 {
		t.Errorf("the rebuild after the stamp corrected %d (%v), want 0", n, err)
	}
}
