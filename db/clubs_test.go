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
)

// clubRaw opens the test's file for reading history and writing fixtures.
func clubRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// clubCard enrols another card in the shop.
func clubCard(t *testing.T, s *db.Store, shopID, userID int64, key string) db.Card {
	t.Helper()
	c, err := s.EnrollCard(context.Background(), shopID, db.NewCard{CreatedBy: userID, Key: key}, t0)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pageClubs is what the card's page shows of the clubs: name → member.
func pageClubs(t *testing.T, s *db.Store, shopID, cardID int64, at time.Time) map[string]bool {
	t.Helper()
	p, err := s.CardPage(context.Background(), shopID, cardID, at)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for _, c := range p.Clubs {
		m[c.Name] = c.Member
	}
	return m
}

func TestClubJoinLeaveRejoin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := dbtest.Open(t)
	shopID, userID, card, _ := shop(t, s, "clubs@example.com")
	otherShop, otherUser, otherCard, _ := shop(t, s, "other-clubs@example.com")

	coffee, err := s.SaveClub(ctx, shopID, db.Club{Name: "Coffee club", Description: "Beans first", Open: true}, userID, t0)
	if err != nil {
		t.Fatal(err)
	}
	vip, err := s.SaveClub(ctx, shopID, db.Club{Name: "Friends", Open: false}, userID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveClub(ctx, shopID, db.Club{Name: "Coffee club"}, userID, t0); !errors.Is(err, db.ErrDuplicate) {
		t.Fatalf("same name twice: %v, want duplicate", err)
	}
	if _, err := s.SaveClub(ctx, otherShop, db.Club{ID: coffee, Name: "Taken over", Open: true}, otherUser, t0); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("another shop's club edited: %v, want not found", err)
	}

	if got := pageClubs(t, s, shopID, card.ID, t0); len(got) != 1 || got["Coffee club"] {
		t.Fatalf("before joining: %v, want the open club only, not a member", got)
	}
	at := t0.Add(time.Hour)
	for range 2 { // a replayed join changes nothing
		if err := s.JoinClub(ctx, shopID, coffee, card.ID, db.ClubByCard, 0, at); err != nil {
			t.Fatal(err)
		}
	}
	if got := pageClubs(t, s, shopID, card.ID, at); !got["Coffee club"] {
		t.Fatalf("after joining: %v", got)
	}
	if err := s.JoinClub(ctx, shopID, vip, card.ID, db.ClubByCard, 0, at); !errors.Is(err, db.ErrClubClosed) {
		t.Fatalf("joining a club by invitation from the card: %v, want closed", err)
	}
	if err := s.JoinClub(ctx, otherShop, coffee, otherCard.ID, db.ClubByCard, 0, at); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("another shop's card joins: %v, want not found", err)
	}
	if err := s.JoinClub(ctx, shopID, coffee, otherCard.ID, db.ClubByOwner, userID, at); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("owner adds another shop's card: %v, want not found", err)
	}
	if err := s.LeaveClub(ctx, otherShop, coffee, card.ID, db.ClubByOwner, otherUser, at); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("another shop removes a member: %v, want not found", err)
	}
	// The owner invites the card to the closed club: it shows, as a member.
	if err := s.JoinClub(ctx, shopID, vip, card.ID, db.ClubByOwner, userID, at); err != nil {
		t.Fatal(err)
	}
	if got := pageClubs(t, s, shopID, card.ID, at); !got["Friends"] || !got["Coffee club"] {
		t.Fatalf("after the invitation: %v", got)
	}
	for range 2 {
		if err := s.LeaveClub(ctx, shopID, coffee, card.ID, db.ClubByCard, 0, at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if got := pageClubs(t, s, shopID, card.ID, at.Add(time.Hour)); got["Coffee club"] {
		t.Fatalf("after leaving: %v", got)
	}
	if err := s.JoinClub(ctx, shopID, coffee, card.ID, db.ClubByCard, 0, at.Add(2*time.Hour)); err != nil {
		t.Fatalf("rejoining: %v", err)
	}
	second := clubCard(t, s, shopID, userID, "club-second")
	if err := s.JoinClub(ctx, shopID, coffee, second.ID, db.ClubByOwner, userID, at.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	members, total, err := s.ClubMembers(ctx, shopID, coffee, 1)
	if err != nil || total != 2 || len(members) != 2 || members[0].CardID != second.ID || members[0].Source != db.ClubByOwner || members[1].Source != db.ClubByCard {
		t.Fatalf("members: %+v, %d, %v", members, total, err)
	}
	if _, total, _ := s.ClubMembers(ctx, otherShop, coffee, 1); total != 0 {
		t.Fatalf("another shop sees %d members", total)
	}
	// Leaving is recorded, not deleted: three joins and one leave of the coffee club.
	var joins, leaves int
	raw := clubRaw(t, path)
	if err := raw.QueryRow(`SELECT count(*), count(left_at) FROM club_members WHERE club_id = ?`, coffee).Scan(&joins, &leaves); err != nil || joins != 3 || leaves != 1 {
		t.Fatalf("history: %d joins, %d leaves, %v", joins, leaves, err)
	}

	// Archived: gone from the card page, no joins, members kept.
	if _, err := s.SaveClub(ctx, shopID, db.Club{ID: coffee, Name: "Coffee club", Open: true, Archived: true}, userID, at); err != nil {
		t.Fatal(err)
	}
	if got := pageClubs(t, s, shopID, second.ID, at.Add(4*time.Hour)); len(got) != 0 {
		t.Fatalf("archived club shown: %v", got)
	}
	if err := s.JoinClub(ctx, shopID, coffee, card.ID, db.ClubByOwner, userID, at); !errors.Is(err, db.ErrClubClosed) {
		t.Fatalf("adding to an archived club: %v, want closed", err)
	}
	if c, err := s.Club(ctx, shopID, coffee); err != nil || !c.Archived || c.Members != 2 {
		t.Fatalf("archived club: %+v, %v", c, err)
	}
	// The staff's changes are in the audit log; the customer's own are not.
	for action, want := range map[db.AuditAction]int{db.AuditClubSave: 3, db.AuditClubAdd: 2, db.AuditClubRemove: 0} {
		var n int
		if err := raw.QueryRow(`SELECT count(*) FROM audit WHERE shop_id = ? AND action = ?`, shopID, action).Scan(&n); err != nil || n != want {
			t.Errorf("audit %s: %d rows, want %d (%v)", action, n, want, err)
		}
	}
}

func TestClubCouponReachesMembersOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := dbtest.Open(t)
	shopID, userID, member, _ := shop(t, s, "club-coupon@example.com")
	otherShop, otherUser, _, _ := shop(t, s, "other-club-coupon@example.com")
	outsider := clubCard(t, s, shopID, userID, "club-outsider")
	later := clubCard(t, s, shopID, userID, "club-later")

	coffee, err := s.SaveClub(ctx, shopID, db.Club{Name: "Coffee club", Open: true}, userID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.JoinClub(ctx, shopID, coffee, member.ID, db.ClubByCard, 0, t0); err != nil {
		t.Fatal(err)
	}
	camp := db.Campaign{ShopID: shopID, Title: "Free refill", ValueKind: "item", ValueText: "refill", ValidFrom: t0, ValidUntil: t0.Add(30 * 24 * time.Hour),
		Audience: db.AudienceClub, ClubID: coffee, PerCardLimit: 1}
	id, err := s.CreateCampaign(ctx, camp, nil, userID, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if c, err := s.Campaign(ctx, shopID, id); err != nil || c.Audience != db.AudienceClub || c.ClubID != coffee || c.Issued != 1 {
		t.Fatalf("campaign: %+v, %v", c, err)
	}
	// "We miss you" goes to lapsed customers, members or not: a club's coupon is not its to give.
	if err := s.SaveAutomation(ctx, shopID, db.Automation{Kind: db.AutomationWeMissYou, CampaignID: id}, t0); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("a club coupon as the we-miss-you coupon: %v, want not found", err)
	}
	other := camp
	other.ShopID = otherShop
	if _, err := s.CreateCampaign(ctx, other, nil, otherUser, t0); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("a campaign for another shop's club: %v, want not found", err)
	}

	coupons := func(cardID int64, at time.Time) []string {
		t.Helper()
		p, err := s.CardPage(ctx, shopID, cardID, at)
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, c := range p.State.Coupons {
			titles = append(titles, c.Title)
		}
		return titles
	}
	at := t0.Add(time.Hour)
	if got := coupons(member.ID, at); !slices.Equal(got, []string{"Free refill"}) {
		t.Fatalf("member's coupons: %v", got)
	}
	if got := coupons(outsider.ID, at); len(got) != 0 {
		t.Fatalf("outsider's coupons: %v", got)
	}
	// Joining while the campaign runs gives it: at once, and by the card
	// page's late coupons had the join missed it.
	if err := s.JoinClub(ctx, shopID, coffee, later.ID, db.ClubByCard, 0, at); err != nil {
		t.Fatal(err)
	}
	if got := coupons(later.ID, at); !slices.Equal(got, []string{"Free refill"}) {
		t.Fatalf("later member's coupons: %v", got)
	}
	raw := clubRaw(t, path)
	if _, err := raw.Exec(`INSERT INTO club_members (shop_id, club_id, card_id, joined_at, source) VALUES (?, ?, ?, ?, 'import')`, shopID, coffee, outsider.ID, unix(at)); err != nil {
		t.Fatal(err)
	}
	if got := coupons(outsider.ID, at.Add(time.Minute)); !slices.Equal(got, []string{"Free refill"}) {
		t.Fatalf("imported member's late coupons: %v", got)
	}
}

func TestClubNewsForMembersOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := dbtest.Open(t)
	shopID, userID, member, _ := shop(t, s, "club-news@example.com")
	otherShop, otherUser, _, _ := shop(t, s, "other-club-news@example.com")
	outsider := clubCard(t, s, shopID, userID, "club-news-outsider")
	kids, err := s.SaveClub(ctx, shopID, db.Club{Name: "Kids' club", Open: true}, userID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.JoinClub(ctx, shopID, kids, member.ID, db.ClubByCard, 0, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PostNews(ctx, shopID, db.NewNews{Body: "Everyone", Key: "n1"}, userID, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PostNews(ctx, shopID, db.NewNews{Body: "Kids only", Key: "n2", ClubID: kids}, userID, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PostNews(ctx, otherShop, db.NewNews{Body: "stolen", Key: "n3", ClubID: kids}, otherUser, t0); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("news for another shop's club: %v, want not found", err)
	}
	news := func(cardID int64) []string {
		t.Helper()
		p, err := s.CardPage(ctx, shopID, cardID, t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var bodies []string
		for _, n := range p.News {
			bodies = append(bodies, n.Body)
		}
		return bodies
	}
	if got := news(member.ID); !slices.Equal(got, []string{"Kids only", "Everyone"}) {
		t.Fatalf("member's news: %v", got)
	}
	if got := news(outsider.ID); !slices.Equal(got, []string{"Everyone"}) {
		t.Fatalf("outsider's news: %v", got)
	}
	list, err := s.NewsList(ctx, shopID)
	if err != nil || len(list) != 2 || list[0].ClubName != "Kids' club" || list[1].ClubID != 0 {
		t.Fatalf("owner's list: %+v, %v", list, err)
	}
}

// TestClubNewsletterToMembersOnly: news for a club goes out as the newsletter
// to its members who agreed to offers, and to no other reader.
func TestClubNewsletterToMembersOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, raw, shopID, owner, _ := marketingShop(t, "UTC", db.AutomationNewsletter, 0)
	if err := s.SaveAutomation(ctx, shopID, db.Automation{Kind: db.AutomationNewsletter, Enabled: true}, t0); err != nil {
		t.Fatal(err)
	}
	reader := func(name string) db.Card {
		t.Helper()
		c, err := s.EnrollCard(ctx, shopID, db.NewCard{FirstName: name, Email: name + "@example.com", Consent: true, Key: name}, t0)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	member, outsider := reader("member"), reader("outsider")
	club, err := s.SaveClub(ctx, shopID, db.Club{Name: "Coffee club", Open: true}, owner, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.JoinClub(ctx, shopID, club, member.ID, db.ClubByCard, 0, t0); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(24 * time.Hour)
	if _, err := s.PostNews(ctx, shopID, db.NewNews{Body: "Members' tasting", Key: "k", ClubID: club}, owner, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.RunAutomations(ctx, now, nil); err != nil {
		t.Fatal(err)
	}
	if got := count(t, raw, `SELECT count(*) FROM outbox WHERE template = 'newsletter' AND card_id = ?`, member.ID); got != 1 {
		t.Errorf("the member has %d newsletters", got)
	}
	if got := count(t, raw, `SELECT count(*) FROM outbox WHERE template = 'newsletter' AND card_id = ?`, outsider.ID); got != 0 {
		t.Errorf("the outsider has %d newsletters of club news", got)
	}
}

// TestClubsInTheShopsLanguage: the owner's clubs page, the card page and
// the customer's record list clubs in the order of the shop's language (a
// Turkish "Çay" between "Cam" and "Dondurma", where byte order put it after
// "Dondurma"), the archived last on the owner's page.
func TestClubsInTheShopsLanguage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := dbtest.Open(t)
	shopID, userID, err := s.CreateShop(ctx, db.NewShop{Name: "Kahve Evi", OwnerName: "O", Email: "kulup@example.com", PasswordHash: "x",
		Language: "tr", TimeZone: "Europe/Istanbul", ProgramName: "Kart", RewardText: "kahve"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	card := clubCard(t, s, shopID, userID, "kulup-kart")
	for _, c := range []db.Club{{Name: "Dondurma", Open: true}, {Name: "Ayran", Open: true, Archived: true}, {Name: "Çay", Open: true}, {Name: "Cam", Open: true}} {
		if _, err := s.SaveClub(ctx, shopID, c, userID, t0); err != nil {
			t.Fatal(err)
		}
	}
	names := func(n int, name func(int) string) []string {
		var list []string
		for i := range n {
			list = append(list, name(i))
		}
		return list
	}
	live := []string{"Cam", "Çay", "Dondurma"}
	clubs, err := s.Clubs(ctx, shopID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(len(clubs), func(i int) string { return clubs[i].Name }), append(slices.Clone(live), "Ayran"); !slices.Equal(got, want) {
		t.Errorf("clubs page: %q, want %q", got, want)
	}
	page, err := s.CardPage(ctx, shopID, card.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(len(page.Clubs), func(i int) string { return page.Clubs[i].Name }); !slices.Equal(got, live) {
		t.Errorf("card page: %q, want %q", got, live)
	}
	rec, err := s.Customer(ctx, shopID, card.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(len(rec.Clubs), func(i int) string { return rec.Clubs[i].Name }); !slices.Equal(got, live) {
		t.Errorf("customer record: %q, want %q", got, live)
	}
}
