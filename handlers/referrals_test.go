package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"regulars/db"
)

// referralSetup is a shop giving 2 stamps to both sides of a referral, its
// cashier, and a customer's card.
type referralSetup struct {
	e        *env
	owner    *client
	cashier  *client
	shopID   int64
	referrer db.Card
}

func newReferralSetup(t *testing.T, e *env, shop, email string, stamps int) referralSetup {
	t.Helper()
	owner := e.signup(shop, email)
	cashier := e.addCashier(owner, "cashier-"+email)
	var shopID, ownerID int64
	if err := e.raw.QueryRow(`SELECT shop_id, id FROM users WHERE email = ?`, email).Scan(&shopID, &ownerID); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SaveGrowth(context.Background(), shopID, db.Growth{ReferralStamps: stamps, ReferralCap: 5, BirthdayDays: 7}, ownerID, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	path := cashier.enroll("Ayla")
	referrer, err := e.store.Card(context.Background(), shopID, cardID(t, path))
	if err != nil {
		t.Fatal(err)
	}
	return referralSetup{e: e, owner: owner, cashier: cashier, shopID: shopID, referrer: referrer}
}

func cardID(t *testing.T, counterPath string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(counterPath, "/counter/cards/%d", &id); err != nil {
		t.Fatalf("not a counter card path: %q", counterPath)
	}
	return id
}

// friend is a card that joined by the referrer's invite link.
func (s referralSetup) friend(t *testing.T, name string) db.Card {
	t.Helper()
	c, err := s.e.store.EnrollCard(context.Background(), s.shopID, db.NewCard{FirstName: name, InviteCode: s.referrer.InviteCode, Key: "join-" + name}, s.e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCardPageInviteLink(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := newReferralSetup(t, e, "Kafe", "owner@example.com", 2)
	var slug string
	if err := e.raw.QueryRow(`SELECT slug FROM shops WHERE id = ?`, s.shopID).Scan(&slug); err != nil {
		t.Fatal(err)
	}
	page := e.client().get("/c/" + s.referrer.Token)
	if page.status != http.StatusOK {
		t.Fatalf("card page: %d", page.status)
	}
	invite := page.doc.Find(`[data-testid="invite"]`)
	link, _ := invite.Find(`[data-testid="invite-link"]`).Attr("value")
	u, err := url.Parse(link)
	if err != nil || u.Host != strings.TrimPrefix(e.srv.URL, "http://") || u.Path != "/join/"+slug || u.Query().Get("ref") != s.referrer.InviteCode {
		t.Errorf("invite link %q, want %s/join/%s?ref=%s", link, e.srv.URL, slug, s.referrer.InviteCode)
	}
	if s.referrer.InviteCode == "" || strings.Contains(link, s.referrer.Token) {
		t.Errorf("invite link %q carries the card's token (or no invite code)", link)
	}
	if _, readonly := invite.Find(`[data-testid="invite-link"]`).Attr("readonly"); !readonly {
		t.Error("invite link field is editable")
	}
	if got := strings.TrimSpace(invite.Find(`[data-testid="invite-bonus"]`).Text()); got != "You both get 2 stamps when your friend gets their first stamp." {
		t.Errorf("bonus text %q", got)
	}
	// Share and copy wait for the script to pick the one the phone can do.
	for _, id := range []string{"invite-share", "invite-copy"} {
		if _, hidden := invite.Find(`[data-testid="` + id + `"]`).Attr("hidden"); !hidden {
			t.Errorf("%s shown before the script chose it", id)
		}
	}
	// The counter's view of the same card is not an invitation.
	if n := s.cashier.get("/counter/cards/" + strconv.FormatInt(s.referrer.ID, 10)).doc.Find(`[data-testid="invite"]`).Length(); n != 0 {
		t.Errorf("counter shows the invite section")
	}
}

func TestCardPageInviteWithoutBonus(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := newReferralSetup(t, e, "Kafe", "owner@example.com", 0)
	invite := e.client().get("/c/" + s.referrer.Token).doc.Find(`[data-testid="invite"]`)
	if invite.Length() != 1 || invite.Find(`[data-testid="invite-bonus"]`).Length() != 0 {
		t.Errorf("invite section without a bonus: %q", invite.Text())
	}
}

func TestReferralBonusAtTheCounter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := newReferralSetup(t, e, "Kafe", "owner@example.com", 2)
	friend := s.friend(t, "Deniz")
	res := s.cashier.submit(s.cashier.get("/counter/cards/"+strconv.FormatInt(friend.ID, 10)), `[data-testid="stamp-1"]`, nil)
	if res.status != http.StatusSeeOther {
		t.Fatalf("stamp: %d\n%s", res.status, snippet(res.body))
	}
	counter := s.cashier.get(res.location)
	if got := text(counter, `[data-testid="result"]`); !strings.Contains(got, "1 stamp") {
		t.Errorf("result %q", got)
	}
	if got, want := text(counter, `[data-testid="result-referral"]`), "Referral bonus: +2 stamps for joining by a friend's invite"; got != want {
		t.Errorf("referral line of the result %q, want %q", got, want)
	}
	// The undo offered is the stamp's, not the bonus written after it.
	if got := text(counter, `[data-testid="undo"] .tag`); got != "+1 stamp" {
		t.Errorf("undo offers %q", got)
	}
	for name, tc := range map[string]struct {
		token string
		want  string
	}{
		"friend":   {friend.Token, "3 of 10"},
		"referrer": {s.referrer.Token, "2 of 10"},
	} {
		page := e.client().get("/c/" + tc.token)
		if got := text(page, `[data-testid="stamp-count"]`); got != tc.want {
			t.Errorf("%s's card: %q, want %q", name, got, tc.want)
		}
		if got := page.doc.Find(`[data-testid="visits"]`).Text(); !strings.Contains(got, "Bonus stamps: +2") || !strings.Contains(got, "referral bonus") {
			t.Errorf("%s's visits do not tell the referral bonus: %q", name, got)
		}
	}
	// The friend's next visit is a plain stamp.
	e.clock.Advance(24 * time.Hour)
	res = s.cashier.submit(s.cashier.get("/counter/cards/"+strconv.FormatInt(friend.ID, 10)), `[data-testid="stamp-1"]`, nil)
	if n := s.cashier.get(res.location).doc.Find(`[data-testid="result-referral"]`).Length(); res.status != http.StatusSeeOther || n != 0 {
		t.Errorf("second stamp: %d, referral line shown %d times", res.status, n)
	}
	list := s.owner.get("/referrals")
	rows := list.doc.Find(`[data-testid="referral"]`)
	if rows.Length() != 1 || rows.AttrOr("data-state", "") != "paid" || !strings.Contains(rows.Text(), "Ayla") || !strings.Contains(rows.Text(), "Deniz") ||
		!strings.Contains(rows.Text(), "2 stamps each") {
		t.Errorf("referrals list: %d rows, %q", rows.Length(), rows.Text())
	}
	for id, want := range map[string]string{"referrals-joined": "1", "referrals-stamped": "1", "referrals-bonus": "4"} {
		if got := text(list, `[data-testid="`+id+`"] .tile-value`); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
}

func TestReferralsPageRolesAndShops(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := newReferralSetup(t, e, "Kafe", "a@example.com", 2)
	b := newReferralSetup(t, e, "Berber", "b@example.com", 2)
	a.friend(t, "Deniz")
	b.friend(t, "Selin")
	// Shop B's manager sees shop B's referral, not A's.
	res := b.owner.submit(b.owner.get("/staff"), `form[action="/staff"]`, map[string]string{"name": "M", "email": "m@example.com", "role": "manager", "password": "manager password"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("add manager: %d", res.status)
	}
	manager := e.login("m@example.com", "manager password")
	page := manager.get("/referrals")
	if page.status != http.StatusOK {
		t.Fatalf("manager: %d", page.status)
	}
	if got := page.doc.Find(`[data-testid="referrals"]`).Text(); !strings.Contains(got, "Selin") || strings.Contains(got, "Deniz") {
		t.Errorf("shop B's referrals: %q", got)
	}
	if got := page.doc.Find(`[data-testid="referral"]`).AttrOr("data-state", ""); got != "waiting" {
		t.Errorf("state before the friend's first stamp: %q", got)
	}
	if got := a.owner.get("/referrals").doc.Find(`[data-testid="referrals"]`).Text(); !strings.Contains(got, "Deniz") || strings.Contains(got, "Selin") {
		t.Errorf("shop A's referrals: %q", got)
	}
	if res := a.cashier.get("/referrals"); res.status != http.StatusForbidden {
		t.Errorf("cashier: %d, want 403", res.status)
	}
	if res := e.client().get("/referrals"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/login") {
		t.Errorf("anonymous: %d %q, want the login page", res.status, res.location)
	}
	empty := newReferralSetup(t, e, "Empty", "c@example.com", 2)
	if n := empty.owner.get("/referrals").doc.Find(`[data-testid="referrals-none"]`).Length(); n != 1 {
		t.Errorf("a shop without referrals does not say so")
	}
}

func TestBirthdayGiftOnCardPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	var shopID, ownerID int64
	if err := e.raw.QueryRow(`SELECT shop_id, id FROM users WHERE email = 'owner@example.com'`).Scan(&shopID, &ownerID); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := e.store.SaveGrowth(ctx, shopID, db.Growth{BirthdayGift: "A slice of cake", BirthdayDays: 2, ReferralCap: 5}, ownerID, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	today := e.clock.Now().Format("01-02")
	card, err := e.store.EnrollCard(ctx, shopID, db.NewCard{FirstName: "Ece", Birthday: today, Key: "k1"}, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	later, err := e.store.EnrollCard(ctx, shopID, db.NewCard{FirstName: "Can", Birthday: e.clock.Now().AddDate(0, 0, 10).Format("01-02"), Key: "k2"}, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	page := e.client().get("/c/" + card.Token)
	gift := page.doc.Find(`[data-testid="coupon"][data-birthday]`)
	if gift.Length() != 1 || strings.TrimSpace(gift.Find("h2").Text()) != "Birthday gift" || !strings.Contains(gift.Text(), "A slice of cake") {
		t.Fatalf("birthday gift on the card page: %q", gift.Text())
	}
	if got, want := strings.TrimSpace(gift.Find(".hint").Text()), "Valid through "+e.clock.Now().AddDate(0, 0, 2).Format("Jan 2, 2006"); got != want {
		t.Errorf("gift dates %q, want %q", got, want)
	}
	if n := e.client().get("/c/" + later.Token).doc.Find(`[data-testid="coupon"]`).Length(); n != 0 {
		t.Errorf("a birthday ten days away shows %d coupons", n)
	}
	// At the counter it is one tap, named as a birthday gift.
	counter := owner.get("/counter/cards/" + strconv.FormatInt(card.ID, 10))
	if got := text(counter, `[data-testid="coupon"] .big-text`); got != "Birthday gift: A slice of cake" {
		t.Errorf("counter coupon %q", got)
	}
	if res := owner.submit(counter, `[data-testid="redeem-coupon"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("redeem the gift: %d\n%s", res.status, snippet(res.body))
	}
	// After the window, nothing is left on the page.
	e.clock.Advance(3 * 24 * time.Hour)
	if n := e.client().get("/c/" + card.Token).doc.Find(`[data-testid="coupon"]`).Length(); n != 0 {
		t.Errorf("after the window the card shows %d coupons", n)
	}
}

// TestReferralsPageRowsAreTheirOwn: Deniz, invited by Ayla, invites Selin,
// who comes in first: Deniz's card gets the inviter's bonus before the
// friend's. Each row says what its own referral gave, and the rows add up to
// the total.
func TestReferralsPageRowsAreTheirOwn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := newReferralSetup(t, e, "Kafe", "owner@example.com", 2)
	deniz := s.friend(t, "Deniz")
	selin, err := e.store.EnrollCard(context.Background(), s.shopID, db.NewCard{FirstName: "Selin", InviteCode: deniz.InviteCode, Key: "join-Selin"}, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []db.Card{selin, deniz} {
		res := s.cashier.submit(s.cashier.get("/counter/cards/"+strconv.FormatInt(c.ID, 10)), `[data-testid="stamp-1"]`, nil)
		if res.status != http.StatusSeeOther {
			t.Fatalf("stamp %s: %d", c.FirstName, res.status)
		}
	}
	list := s.owner.get("/referrals")
	rows := list.doc.Find(`[data-testid="referral"]`)
	if rows.Length() != 2 {
		t.Fatalf("%d rows, want 2", rows.Length())
	}
	for i := range rows.Length() {
		if row := rows.Eq(i).Text(); !strings.Contains(row, "2 stamps each") {
			t.Errorf("row %q, want 2 stamps each", row)
		}
	}
	if got := text(list, `[data-testid="referrals-bonus"] .tile-value`); got != "8" {
		t.Errorf("bonus stamps given %q, want 8: two rows of 2 stamps each side", got)
	}
}
