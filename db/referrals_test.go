package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/migrations"
)

// referralShop is a shop whose first card (the referrer) invites friends for a
// bonus of 2 stamps each, at most cap a month.
type referralShop struct {
	t        *testing.T
	s        *db.Store
	shopID   int64
	userID   int64
	referrer db.Card
	program  db.Program
	keys     int
}

func newReferralShop(t *testing.T, s *db.Store, email string, cap int) *referralShop {
	t.Helper()
	shopID, userID, referrer, program := shop(t, s, email)
	if err := s.SaveGrowth(context.Background(), shopID, db.Growth{ReferralStamps: 2, ReferralCap: cap, BirthdayDays: 7}, userID, t0); err != nil {
		t.Fatal(err)
	}
	return &referralShop{t: t, s: s, shopID: shopID, userID: userID, referrer: referrer, program: program}
}

// friend enrolls a card by the invite code.
func (r *referralShop) friend(n db.NewCard, at time.Time) db.Card {
	r.t.Helper()
	r.keys++
	n.Key = fmt.Sprintf("friend-%d", r.keys)
	c, err := r.s.EnrollCard(context.Background(), r.shopID, n, at)
	if err != nil {
		r.t.Fatal(err)
	}
	return c
}

// stamp gives the card one stamp from the cashier, with a fresh key unless key is given.
func (r *referralShop) stamp(cardID int64, at time.Time, key string) error {
	r.t.Helper()
	if key == "" {
		r.keys++
		key = fmt.Sprintf("stamp-%d", r.keys)
	}
	_, err := r.s.Stamp(context.Background(), db.Action{ShopID: r.shopID, CardID: cardID, ProgramID: r.program.ID, UserID: r.userID, Key: key, Now: at}, 1, false)
	return err
}

// stamps is the card's balance in the program.
func (r *referralShop) stamps(cardID int64, at time.Time) int {
	r.t.Helper()
	st, err := r.s.CardState(context.Background(), r.shopID, cardID, at)
	if err != nil {
		r.t.Fatal(err)
	}
	return st.Programs[0].Stamps
}

func TestReferralBonuses(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	r := newReferralShop(t, s, "a@example.com", 5)
	friend := r.friend(db.NewCard{FirstName: "Deniz", InviteCode: r.referrer.InviteCode}, t0)
	if got := r.stamps(friend.ID, t0); got != 0 {
		t.Fatalf("friend has %d stamps before any visit", got)
	}
	// The friend's first stamp: 1 + 2 for the friend, 2 for the referrer.
	key := "first-visit"
	if err := r.stamp(friend.ID, t0.Add(time.Hour), key); err != nil {
		t.Fatal(err)
	}
	if f, ref := r.stamps(friend.ID, t0.Add(time.Hour)), r.stamps(r.referrer.ID, t0.Add(time.Hour)); f != 3 || ref != 2 {
		t.Fatalf("after the first stamp: friend %d, referrer %d; want 3, 2", f, ref)
	}
	// The same form sent again is refused as replayed and pays nothing.
	var replay *db.ReplayedError
	if err := r.stamp(friend.ID, t0.Add(time.Hour), key); !errors.As(err, &replay) {
		t.Fatalf("replayed stamp: %v", err)
	}
	// A second visit is a plain stamp.
	if err := r.stamp(friend.ID, t0.Add(48*time.Hour), ""); err != nil {
		t.Fatal(err)
	}
	if f, ref := r.stamps(friend.ID, t0.Add(48*time.Hour)), r.stamps(r.referrer.ID, t0.Add(48*time.Hour)); f != 4 || ref != 2 {
		t.Errorf("after the second stamp: friend %d, referrer %d; want 4, 2", f, ref)
	}
	list, tot, err := s.Referrals(ctx, r.shopID)
	if err != nil || len(list) != 1 {
		t.Fatalf("referrals: %+v %v", list, err)
	}
	got := list[0]
	if got.ReferrerID != r.referrer.ID || got.FriendID != friend.ID || got.FriendName != "Deniz" || got.FriendBonus != 2 || !got.ReferrerPaid ||
		!got.PaidAt.Equal(t0.Add(time.Hour)) || !got.JoinedAt.Equal(t0) || got.FriendCode == "" {
		t.Errorf("referral row %+v", got)
	}
	if tot != (db.ReferralTotals{Joined: 1, Stamped: 1, BonusStamps: 4}) {
		t.Errorf("totals %+v", tot)
	}
}

// TestReferralRollupsMatchRebuild: the friend's first stamp writes the stamp
// and the friend's bonus on the same card in one transaction, the referrer's
// bonus on another; the cards' stats and days kept for all three equal a
// rebuild from the ledger.
func TestReferralRollupsMatchRebuild(t *testing.T) {
	t.Parallel()
	s, path := dbtest.Open(t)
	ctx := context.Background()
	r := newReferralShop(t, s, "rollups@example.com", 5)
	friend := r.friend(db.NewCard{FirstName: "Deniz", InviteCode: r.referrer.InviteCode}, t0)
	for i, at := range []time.Time{t0.Add(time.Hour), t0.Add(2 * time.Hour), t0.Add(50 * time.Hour)} {
		if err := r.stamp(friend.ID, at, ""); err != nil {
			t.Fatalf("stamp %d: %v", i, err)
		}
	}
	if got := r.stamps(friend.ID, t0.Add(50*time.Hour)); got != 5 {
		t.Fatalf("friend has %d stamps, want 5 (three and the bonus of two)", got)
	}
	kept := dbtest.Rollups(t, path)
	if err := s.RebuildRollups(ctx, r.shopID, t0.Add(50*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if rebuilt := dbtest.Rollups(t, path); !slices.Equal(kept, rebuilt) {
		t.Errorf("kept rollups differ from rebuilt ones:\nkept:    %s\nrebuilt: %s", diff(kept, rebuilt), diff(rebuilt, kept))
	}
}

// TestReferrerStampedAfterTheBonus: the counter keeps what a stamp left of
// its card for the card's next stamp (db/kept.go); the bonus a friend's first
// stamp gives the referrer is written in the friend's action, and the
// referrer's next stamp counts on from it, its rollups too.
func TestReferrerStampedAfterTheBonus(t *testing.T) {
	t.Parallel()
	s, path := dbtest.Open(t)
	r := newReferralShop(t, s, "referrer-kept@example.com", 5)
	friend := r.friend(db.NewCard{FirstName: "Deniz", InviteCode: r.referrer.InviteCode}, t0)
	for i, card := range []int64{r.referrer.ID, r.referrer.ID, friend.ID, r.referrer.ID} {
		if err := r.stamp(card, t0.Add(time.Duration(i+1)*time.Minute), ""); err != nil {
			t.Fatalf("stamp %d: %v", i, err)
		}
	}
	if got := r.stamps(r.referrer.ID, t0.Add(time.Hour)); got != 5 {
		t.Errorf("referrer has %d stamps, want 5 (two, the bonus of two, one)", got)
	}
	kept := dbtest.Rollups(t, path)
	if err := s.RebuildRollups(context.Background(), r.shopID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if rebuilt := dbtest.Rollups(t, path); !slices.Equal(kept, rebuilt) {
		t.Errorf("kept rollups differ from rebuilt ones:\nkept:    %s\nrebuilt: %s", diff(kept, rebuilt), diff(rebuilt, kept))
	}
}

func TestReferralUndoKeepsBonus(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	r := newReferralShop(t, s, "a@example.com", 5)
	friend := r.friend(db.NewCard{InviteCode: r.referrer.InviteCode}, t0)
	if err := r.stamp(friend.ID, t0, ""); err != nil {
		t.Fatal(err)
	}
	st, err := s.CardState(ctx, r.shopID, friend.ID, t0)
	if err != nil || st.Undoable == nil || st.Undoable.Kind != "stamp" {
		t.Fatalf("undo offers %+v, want the stamp (not the bonus after it); %v", st.Undoable, err)
	}
	if _, err := s.Undo(ctx, db.Action{ShopID: r.shopID, CardID: friend.ID, UserID: r.userID, Key: "undo", Now: t0}, st.Undoable.ID); err != nil {
		t.Fatal(err)
	}
	if f, ref := r.stamps(friend.ID, t0), r.stamps(r.referrer.ID, t0); f != 2 || ref != 2 {
		t.Errorf("after undoing the first stamp: friend %d, referrer %d; want the bonuses kept, 2 and 2", f, ref)
	}
	// The stamp given again does not pay again.
	if err := r.stamp(friend.ID, t0.Add(time.Minute), ""); err != nil {
		t.Fatal(err)
	}
	if f, ref := r.stamps(friend.ID, t0.Add(time.Minute)), r.stamps(r.referrer.ID, t0.Add(time.Minute)); f != 3 || ref != 2 {
		t.Errorf("after stamping again: friend %d, referrer %d; want 3, 2", f, ref)
	}
}

func TestReferralMonthlyCap(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	r := newReferralShop(t, s, "a@example.com", 2)
	march := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	var friends []db.Card
	for range 3 {
		friends = append(friends, r.friend(db.NewCard{InviteCode: r.referrer.InviteCode}, march))
	}
	for i, f := range friends {
		if err := r.stamp(f.ID, march.Add(time.Duration(i)*time.Hour), ""); err != nil {
			t.Fatal(err)
		}
	}
	// Two bonuses for the referrer in March; the third friend is paid all the same.
	if got := r.stamps(r.referrer.ID, march.Add(3*time.Hour)); got != 4 {
		t.Errorf("referrer after three friends in one month: %d stamps, want 4 (cap 2 × 2)", got)
	}
	if got := r.stamps(friends[2].ID, march.Add(3*time.Hour)); got != 3 {
		t.Errorf("the friend beyond the cap: %d stamps, want 3", got)
	}
	// A new month, a new allowance.
	april := time.Date(2026, 4, 1, 0, 30, 0, 0, time.UTC)
	another := r.friend(db.NewCard{InviteCode: r.referrer.InviteCode}, april)
	if err := r.stamp(another.ID, april, ""); err != nil {
		t.Fatal(err)
	}
	if got := r.stamps(r.referrer.ID, april); got != 6 {
		t.Errorf("referrer after a friend in April: %d stamps, want 6", got)
	}
	list, _, err := s.Referrals(ctx, r.shopID)
	if err != nil || len(list) != 4 {
		t.Fatalf("referrals: %d %v", len(list), err)
	}
	var capped int
	for _, x := range list {
		if !x.ReferrerPaid {
			capped++
			if x.FriendID != friends[2].ID || x.FriendBonus != 2 {
				t.Errorf("capped row %+v, want the third March friend with their bonus", x)
			}
		}
	}
	if capped != 1 {
		t.Errorf("%d referrals with the referrer unpaid, want 1", capped)
	}
}

func TestReferralSamePersonAndOff(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	r := newReferralShop(t, s, "a@example.com", 5)
	// The referrer's card has a phone and email; a second card of the same person refers nothing.
	if err := s.UpdateCustomer(ctx, r.shopID, r.userID, r.referrer.ID, db.Profile{FirstName: "Ayla", Phone: "+905551112233", Email: "ayla@example.com"}, t0); err != nil {
		t.Fatal(err)
	}
	samePhone := r.friend(db.NewCard{Phone: "+905551112233", InviteCode: r.referrer.InviteCode}, t0)
	sameEmail := r.friend(db.NewCard{Email: "AYLA@example.com", InviteCode: r.referrer.InviteCode}, t0)
	for _, c := range []db.Card{samePhone, sameEmail} {
		if err := r.stamp(c.ID, t0, ""); err != nil {
			t.Fatal(err)
		}
		if got := r.stamps(c.ID, t0); got != 1 {
			t.Errorf("own second card %d: %d stamps, want 1 (no bonus)", c.ID, got)
		}
	}
	if got := r.stamps(r.referrer.ID, t0); got != 0 {
		t.Errorf("referrer of their own cards: %d stamps, want 0", got)
	}
	// A card cannot be its own referrer: its code is unknown when it is made.
	own := r.friend(db.NewCard{InviteCode: "not-a-code"}, t0)
	if err := r.stamp(own.ID, t0, ""); err != nil {
		t.Fatal(err)
	}
	// The bonus off: the first stamp settles the referral without bonus, and
	// turning the bonus on later does not pay it at the next stamp.
	if err := s.SaveGrowth(ctx, r.shopID, db.Growth{ReferralStamps: 0, ReferralCap: 5}, r.userID, t0); err != nil {
		t.Fatal(err)
	}
	off := r.friend(db.NewCard{InviteCode: r.referrer.InviteCode}, t0)
	if err := r.stamp(off.ID, t0, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveGrowth(ctx, r.shopID, db.Growth{ReferralStamps: 2, ReferralCap: 5}, r.userID, t0); err != nil {
		t.Fatal(err)
	}
	if err := r.stamp(off.ID, t0.Add(time.Hour), ""); err != nil {
		t.Fatal(err)
	}
	if f, ref := r.stamps(off.ID, t0.Add(time.Hour)), r.stamps(r.referrer.ID, t0.Add(time.Hour)); f != 2 || ref != 0 {
		t.Errorf("bonus turned on after the first stamp: friend %d, referrer %d; want 2, 0", f, ref)
	}
	list, tot, err := s.Referrals(ctx, r.shopID)
	if err != nil || len(list) != 3 {
		t.Fatalf("referrals: %+v %v", list, err)
	}
	for _, x := range list {
		if x.PaidAt.IsZero() || x.FriendBonus != 0 || x.ReferrerPaid {
			t.Errorf("referral without bonus shown as %+v", x)
		}
	}
	if tot.BonusStamps != 0 || tot.Joined != 3 || tot.Stamped != 3 {
		t.Errorf("totals %+v", tot)
	}
}

func TestReferralOnlyByCashierStamp(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	r := newReferralShop(t, s, "a@example.com", 5)
	friend := r.friend(db.NewCard{InviteCode: r.referrer.InviteCode}, t0)
	// An owner's adjustment is not a visit: the referral waits for a cashier's stamp.
	if _, err := s.AdjustStamps(context.Background(), db.Action{ShopID: r.shopID, CardID: friend.ID, ProgramID: r.program.ID, UserID: r.userID, Key: "adj", Now: t0}, 3, "paper card"); err != nil {
		t.Fatal(err)
	}
	if got := r.stamps(r.referrer.ID, t0); got != 0 {
		t.Errorf("referrer paid for an adjustment: %d", got)
	}
	if err := r.stamp(friend.ID, t0, ""); err != nil {
		t.Fatal(err)
	}
	if f, ref := r.stamps(friend.ID, t0), r.stamps(r.referrer.ID, t0); f != 6 || ref != 2 {
		t.Errorf("after the first stamp: friend %d, referrer %d; want 6, 2", f, ref)
	}
}

func TestReferralErasedReferrer(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	r := newReferralShop(t, s, "a@example.com", 5)
	friend := r.friend(db.NewCard{InviteCode: r.referrer.InviteCode}, t0)
	if err := s.EraseCustomer(ctx, r.shopID, r.userID, r.referrer.ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := r.stamp(friend.ID, t0, ""); err != nil {
		t.Fatal(err)
	}
	if got := r.stamps(friend.ID, t0); got != 3 {
		t.Errorf("friend of an erased referrer: %d stamps, want 3", got)
	}
	list, _, err := s.Referrals(ctx, r.shopID)
	if err != nil || len(list) != 1 || list[0].ReferrerPaid || !list[0].ReferrerErased || list[0].ReferrerName != "" {
		t.Errorf("referrals %+v %v", list, err)
	}
}

func TestReferralsShopIsolation(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	a := newReferralShop(t, s, "a@example.com", 5)
	b := newReferralShop(t, s, "b@example.com", 5)
	// Shop A's invite code names no card in shop B: B's new card has no referrer.
	stranger := b.friend(db.NewCard{InviteCode: a.referrer.InviteCode}, t0)
	if err := b.stamp(stranger.ID, t0, ""); err != nil {
		t.Fatal(err)
	}
	if got := a.stamps(a.referrer.ID, t0); got != 0 {
		t.Errorf("shop A's card paid by shop B's stamp: %d", got)
	}
	friend := a.friend(db.NewCard{InviteCode: a.referrer.InviteCode}, t0)
	if err := a.stamp(friend.ID, t0, ""); err != nil {
		t.Fatal(err)
	}
	if list, tot, err := s.Referrals(ctx, b.shopID); err != nil || len(list) != 0 || tot != (db.ReferralTotals{}) {
		t.Errorf("shop B's referrals: %+v %+v %v", list, tot, err)
	}
	if list, _, err := s.Referrals(ctx, a.shopID); err != nil || len(list) != 1 {
		t.Errorf("shop A's referrals: %+v %v", list, err)
	}
}

// TestReferralRowsAddUpToTheTotal: each row shows what that referral gave,
// never the bonuses its friend earned by inviting others, so the rows add up
// to the total. Bora, invited by the referrer, invites Cem (stamped before
// Bora's own first visit) and Derya: Bora's row still says 2 stamps.
func TestReferralRowsAddUpToTheTotal(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	r := newReferralShop(t, s, "a@example.com", 5)
	bora := r.friend(db.NewCard{FirstName: "Bora", InviteCode: r.referrer.InviteCode}, t0)
	cem := r.friend(db.NewCard{FirstName: "Cem", InviteCode: bora.InviteCode}, t0)
	derya := r.friend(db.NewCard{FirstName: "Derya", InviteCode: bora.InviteCode}, t0)
	for i, c := range []db.Card{cem, bora, derya} {
		if err := r.stamp(c.ID, t0.Add(time.Duration(i+1)*time.Hour), ""); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.stamps(bora.ID, t0.Add(4*time.Hour)); got != 1+2+2+2 {
		t.Fatalf("Bora has %d stamps, want 7: a visit, a friend's bonus and two inviter's bonuses", got)
	}
	list, tot, err := s.Referrals(ctx, r.shopID)
	if err != nil || len(list) != 3 {
		t.Fatalf("referrals: %+v %v", list, err)
	}
	sum := 0
	for _, x := range list {
		if x.FriendBonus != 2 || !x.ReferrerPaid {
			t.Errorf("row %s invited by %s: friend's bonus %d, inviter paid %v; want 2, paid", x.FriendName, x.ReferrerName, x.FriendBonus, x.ReferrerPaid)
		}
		sum += x.FriendBonus
		if x.ReferrerPaid {
			sum += x.FriendBonus
		}
	}
	if sum != tot.BonusStamps || tot.BonusStamps != 12 {
		t.Errorf("rows add up to %d bonus stamps, the total says %d; want 12 both", sum, tot.BonusStamps)
	}
}

// TestUpgradeKeepsWhatEachReferralGave: referrals settled before the
// referrals kept their bonuses get them from the ledger at the upgrade. Bora
// was paid as Cem's inviter before her own first stamp, and as Emre's inviter
// in the very second of it, before it: her row still says 2.
func TestUpgradeKeepsWhatEachReferralGave(t *testing.T) {
	t.Parallel()
	path := dbtest.PathBefore(t, "0013")
	ctx := context.Background()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`INSERT INTO shops (id, slug, name, created_at) VALUES (1, 'old', 'Old', 0)`,
		`INSERT INTO programs (id, shop_id, name, reward_text, stamps_required, max_per_visit, is_default, created_at) VALUES (1, 1, 'P', 'r', 10, 5, 1, 0)`,
		`INSERT INTO users (id, shop_id, name, email, password_hash, role, created_at) VALUES (1, 1, 'C', 'c@example.com', 'x', 'cashier', 0)`,
		`INSERT INTO cards (id, shop_id, token, short_code, first_name, created_at) VALUES
			(1, 1, 't1', 'AAAA', 'Ayla', 0), (2, 1, 't2', 'BBBB', 'Bora', 0), (3, 1, 't3', 'CCCC', 'Cem', 0),
			(4, 1, 't4', 'DDDD', 'Derya', 0), (5, 1, 't5', 'EEEE', 'Emre', 0), (6, 1, 't6', 'FFFF', 'Fatma', 0)`,
		// Cem at 100 (Bora paid as inviter), Emre then Bora at 200, Derya at 300 (Ayla at her cap).
		`INSERT INTO events (id, shop_id, card_id, program_id, user_id, kind, stamps, note, created_at) VALUES
			(1, 1, 3, 1, 1, 'stamp', 1, '', 100), (2, 1, 3, 1, 1, 'bonus', 2, 'referral', 100), (3, 1, 2, 1, 1, 'bonus', 2, 'referral', 100),
			(4, 1, 5, 1, 1, 'stamp', 1, '', 200), (5, 1, 5, 1, 1, 'bonus', 2, 'referral', 200), (6, 1, 2, 1, 1, 'bonus', 2, 'referral', 200),
			(7, 1, 2, 1, 1, 'stamp', 1, '', 200), (8, 1, 2, 1, 1, 'bonus', 2, 'referral', 200), (9, 1, 1, 1, 1, 'bonus', 2, 'referral', 200),
			(10, 1, 4, 1, 1, 'stamp', 1, '', 300), (11, 1, 4, 1, 1, 'bonus', 2, 'referral', 300)`,
		`INSERT INTO referrals (shop_id, referrer_id, friend_id, created_at, paid_at, referrer_paid) VALUES
			(1, 2, 3, 10, 100, 1), (1, 2, 5, 11, 200, 1), (1, 1, 2, 12, 200, 1), (1, 1, 4, 13, 300, 0), (1, 1, 6, 14, NULL, 0)`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s, err := db.Open(ctx, path, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	list, tot, err := s.Referrals(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int{"Cem": {2, 2}, "Emre": {2, 2}, "Bora": {2, 2}, "Derya": {2, 0}, "Fatma": {0, 0}}
	sum := 0
	for _, r := range list {
		if got := [2]int{r.FriendBonus, r.ReferrerBonus}; got != want[r.FriendName] {
			t.Errorf("%s's referral gave %v, want %v", r.FriendName, got, want[r.FriendName])
		}
		sum += r.FriendBonus + r.ReferrerBonus
	}
	if len(list) != 5 || sum != 14 || tot.BonusStamps != 14 {
		t.Errorf("%d rows adding up to %d, total %d; want 5 rows, 14 and 14", len(list), sum, tot.BonusStamps)
	}
}
