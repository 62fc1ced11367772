package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/loyalty"
)

// customerShop is a shop with named customers and some history, and a second
// shop whose customer shares a name, to show the list never crosses shops.
type customerShop struct {
	s                 *db.Store
	path              string
	shopID, userID    int64
	program           db.Program
	ayla, ahmet, bora db.Card
	unnamed           db.Card
	foreignAyla       db.Card
	foreignShop       int64
	foreignProgram    db.Program
	keys              int
	now               time.Time
}

func newCustomerShop(t *testing.T) *customerShop {
	t.Helper()
	s, path := dbtest.Open(t)
	ctx := context.Background()
	cs := &customerShop{s: s, path: path, now: t0}
	cs.shopID, cs.userID, cs.unnamed, cs.program = shop(t, s, "customers@example.com")
	enroll := func(shopID, userID int64, name, phone string) db.Card {
		c, err := s.EnrollCard(ctx, shopID, db.NewCard{FirstName: name, Phone: phone, CreatedBy: userID, Key: "enrol-" + name + fmt.Sprint(shopID)}, t0)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cs.ayla = enroll(cs.shopID, cs.userID, "Ayla", "+905321234567")
	cs.ahmet = enroll(cs.shopID, cs.userID, "ahmet", "05559876543")
	cs.bora = enroll(cs.shopID, cs.userID, "Bora", "")
	if err := s.UpdateCustomer(ctx, cs.shopID, cs.userID, cs.bora.ID, db.Profile{FirstName: "Bora", Email: "bora@example.com"}, t0); err != nil {
		t.Fatal(err)
	}
	var foreignUser int64
	cs.foreignShop, foreignUser, _, cs.foreignProgram = shop(t, s, "other@example.com")
	cs.foreignAyla = enroll(cs.foreignShop, foreignUser, "Ayla", "+905321234567")
	// Ayla comes on three days, Bora once; Ahmet and the unnamed card never.
	for day := range 3 {
		cs.now = t0.Add(time.Duration(day) * 24 * time.Hour)
		cs.stamp(t, cs.ayla, 1)
	}
	cs.stamp(t, cs.bora, 1)
	return cs
}

func (cs *customerShop) action(card db.Card) db.Action {
	cs.keys++
	return db.Action{ShopID: cs.shopID, CardID: card.ID, ProgramID: cs.program.ID, UserID: cs.userID, Key: fmt.Sprint("key-", cs.keys), Now: cs.now}
}

func (cs *customerShop) stamp(t *testing.T, card db.Card, n int) {
	t.Helper()
	if _, err := cs.s.Stamp(context.Background(), cs.action(card), n, true); err != nil {
		t.Fatal(err)
	}
}

func names(rows []db.CustomerRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.FirstName)
	}
	return out
}

func TestCustomersSearchFilterSort(t *testing.T) {
	t.Parallel()
	cs := newCustomerShop(t)
	ctx := context.Background()
	tests := []struct {
		name string
		q    db.CustomerQuery
		want []string // first names in order; "" is the unnamed card
	}{
		{"everyone, latest visit first", db.CustomerQuery{}, []string{"Bora", "Ayla", "ahmet", ""}},
		{"most visits first", db.CustomerQuery{Sort: db.SortVisits}, []string{"Ayla", "Bora", "ahmet", ""}},
		{"most rewards first, ties newest card first", db.CustomerQuery{Sort: db.SortRewards}, []string{"Bora", "ahmet", "Ayla", ""}},
		{"name prefix in any case", db.CustomerQuery{Search: "AY"}, []string{"Ayla"}},
		{"name prefix of a lower-case name", db.CustomerQuery{Search: "Ahm"}, []string{"ahmet"}},
		{"a name's middle does not match", db.CustomerQuery{Search: "yla"}, nil},
		{"phone digits anywhere", db.CustomerQuery{Search: "4567"}, []string{"Ayla"}},
		{"phone as typed with spaces", db.CustomerQuery{Search: "0555 987"}, []string{"ahmet"}},
		{"email prefix", db.CustomerQuery{Search: "bora@ex"}, []string{"Bora"}},
		{"short code typed loosely", db.CustomerQuery{Search: strings.ToLower(loyalty.FormatShortCode(cs.unnamed.ShortCode))}, []string{""}},
		{"LIKE wildcards are literal", db.CustomerQuery{Search: "%"}, nil},
		{"underscore is literal", db.CustomerQuery{Search: "_"}, nil},
		{"segment new", db.CustomerQuery{Segment: loyalty.SegmentNew}, []string{"Bora"}},
		{"segment and search together", db.CustomerQuery{Segment: loyalty.SegmentNew, Search: "Ay"}, nil},
		{"a page past the end is empty", db.CustomerQuery{Page: 2}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			list, err := cs.s.Customers(ctx, cs.shopID, tt.q, cs.now)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(list.Rows); !slices.Equal(got, tt.want) {
				t.Errorf("rows %q, want %q", got, tt.want)
			}
			if tt.q.Page <= 1 && list.Total != len(tt.want) {
				t.Errorf("total %d, want %d", list.Total, len(tt.want))
			}
			for _, r := range list.Rows {
				if r.ShopID != cs.shopID {
					t.Errorf("card %d of shop %d listed", r.ID, r.ShopID)
				}
			}
		})
	}
	list, err := cs.s.Customers(ctx, cs.shopID, db.CustomerQuery{}, cs.now)
	if err != nil {
		t.Fatal(err)
	}
	ayla := list.Rows[slices.IndexFunc(list.Rows, func(r db.CustomerRow) bool { return r.ID == cs.ayla.ID })]
	if ayla.Visits != 3 || ayla.Stamps != 3 || ayla.LastDay != loyalty.DayNumber(cs.now) || ayla.Segment == loyalty.SegmentNone {
		t.Errorf("Ayla's row %+v", ayla.CustomerStats)
	}
	total := 0
	for _, n := range list.Segments {
		total += n
	}
	if total != 4 || list.Segments[loyalty.SegmentNone] != 2 || list.Segments[loyalty.SegmentNew] != 1 {
		t.Errorf("segment counts %v", list.Segments)
	}
}

func TestCustomersPages(t *testing.T) {
	t.Parallel()
	cs := newCustomerShop(t)
	ctx := context.Background()
	for i := range 2*db.CustomersPerPage + 7 {
		if _, err := cs.s.EnrollCard(ctx, cs.shopID, db.NewCard{FirstName: fmt.Sprint("Many ", i), CreatedBy: cs.userID, Key: fmt.Sprint("many-", i)}, t0); err != nil {
			t.Fatal(err)
		}
	}
	for _, sort := range []db.CustomerSort{db.SortLastVisit, db.SortVisits, db.SortRewards, db.SortName, db.SortJoined} {
		seen := map[int64]bool{}
		var sizes []int
		for page := 1; page <= 3; page++ {
			list, err := cs.s.Customers(ctx, cs.shopID, db.CustomerQuery{Sort: sort, Page: page}, cs.now)
			if err != nil {
				t.Fatal(err)
			}
			if list.Total != 2*db.CustomersPerPage+11 {
				t.Errorf("%s page %d: total %d", sort, page, list.Total)
			}
			sizes = append(sizes, len(list.Rows))
			for _, r := range list.Rows {
				if seen[r.ID] {
					t.Errorf("%s: card %d on two pages", sort, r.ID)
				}
				seen[r.ID] = true
			}
		}
		if !slices.Equal(sizes, []int{db.CustomersPerPage, db.CustomersPerPage, 11}) || len(seen) != 2*db.CustomersPerPage+11 {
			t.Errorf("%s: page sizes %v, %d cards seen", sort, sizes, len(seen))
		}
	}
	list, err := cs.s.Customers(ctx, cs.shopID, db.CustomerQuery{Search: "many", Page: 3}, cs.now)
	if err != nil {
		t.Fatal(err)
	}
	if list.Total != 2*db.CustomersPerPage+7 || len(list.Rows) != 7 {
		t.Errorf("search pages: total %d, last page %d rows", list.Total, len(list.Rows))
	}
}

func TestAdjustStamps(t *testing.T) {
	t.Parallel()
	cs := newCustomerShop(t)
	ctx := context.Background()
	cs.now = cs.now.Add(time.Hour)
	balance := func() loyalty.Balance {
		t.Helper()
		st, err := cs.s.CardState(ctx, cs.shopID, cs.ayla.ID, cs.now)
		if err != nil {
			t.Fatal(err)
		}
		return st.Programs[0].Balance
	}
	stats := func() db.CustomerStats {
		t.Helper()
		rec, err := cs.s.Customer(ctx, cs.shopID, cs.ayla.ID, cs.now)
		if err != nil {
			t.Fatal(err)
		}
		return rec.Stats
	}
	before := stats()
	act := cs.action(cs.ayla)
	out, err := cs.s.AdjustStamps(ctx, act, 9, "  paper card from last year  ")
	if err != nil {
		t.Fatal(err)
	}
	// 3 stamps + 9 on a 10-stamp card: one reward and 2 towards the next.
	if b := balance(); b.Stamps != 2 || len(b.Available) != 1 {
		t.Errorf("after +9: %d stamps, %d rewards", b.Stamps, len(b.Available))
	}
	after := stats()
	if after.Rewards != before.Rewards+1 || after.Stamps != before.Stamps || after.Visits != before.Visits {
		t.Errorf("stats %+v → %+v: an adjustment earns rewards but is neither a purchase nor a visit", before, after)
	}
	rec, err := cs.s.Customer(ctx, cs.shopID, cs.ayla.ID, cs.now)
	if err != nil {
		t.Fatal(err)
	}
	if e := rec.Ledger[0]; e.ID != out.EventID || e.Kind != loyalty.KindAdjust || e.Stamps != 9 || e.Note != "paper card from last year" || e.UserName == "" {
		t.Errorf("ledger entry %+v", e)
	}
	// The same form again changes nothing.
	if _, err := cs.s.AdjustStamps(ctx, act, 9, "paper card from last year"); !errors.As(err, new(*db.ReplayedError)) {
		t.Errorf("replay: %v", err)
	}
	if _, err := cs.s.AdjustStamps(ctx, cs.action(cs.ayla), -1, "one too many"); err != nil {
		t.Fatal(err)
	}
	if b := balance(); b.Stamps != 1 || len(b.Available) != 1 {
		t.Errorf("after -1: %d stamps, %d rewards", b.Stamps, len(b.Available))
	}
	var adjusts int
	conn, err := sql.Open("sqlite", "file:"+cs.path+"?_pragma=query_only(ON)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.QueryRow(`SELECT sum(adjusts) FROM staff_days WHERE shop_id = ?`, cs.shopID).Scan(&adjusts); err != nil || adjusts != 2 {
		t.Errorf("staff adjustments %d, %v", adjusts, err)
	}
	// What was kept action by action is what the ledger rebuilds.
	kept := dbtest.Rollups(t, cs.path)
	if err := cs.s.RebuildRollups(ctx, cs.shopID, cs.now); err != nil {
		t.Fatal(err)
	}
	if rebuilt := dbtest.Rollups(t, cs.path); !slices.Equal(kept, rebuilt) {
		t.Errorf("rollups differ from rebuilt:\n%s\n%s", diff(kept, rebuilt), diff(rebuilt, kept))
	}

	refused := []struct {
		name   string
		act    db.Action
		n      int
		reason string
		want   error
	}{
		{"zero", cs.action(cs.ayla), 0, "r", loyalty.ErrAdjustCount},
		{"too many", cs.action(cs.ayla), loyalty.MaxAdjustStamps + 1, "r", loyalty.ErrAdjustCount},
		{"no reason", cs.action(cs.ayla), 1, "   ", loyalty.ErrAdjustReason},
		{"another shop's card", cs.action(cs.foreignAyla), 1, "r", db.ErrNotFound},
		{"another shop's program", func() db.Action { a := cs.action(cs.ayla); a.ProgramID = cs.foreignProgram.ID; return a }(), 1, "r", db.ErrNotFound},
	}
	for _, tt := range refused {
		if _, err := cs.s.AdjustStamps(ctx, tt.act, tt.n, tt.reason); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if got := dbtest.Rollups(t, cs.path); !slices.Equal(got, kept) {
		t.Error("a refused adjustment changed the rollups")
	}
}

func TestEraseCustomer(t *testing.T) {
	t.Parallel()
	cs := newCustomerShop(t)
	ctx := context.Background()
	if err := cs.s.UpdateCustomer(ctx, cs.shopID, cs.userID, cs.ayla.ID,
		db.Profile{FirstName: "Ayla", Phone: "+905321234567", Email: "ayla@example.com", Birthday: "02-29"}, cs.now); err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("sqlite", "file:"+cs.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(`INSERT INTO feedback (shop_id, card_id, day, rating, comment, created_at) VALUES (?, ?, ?, 4, 'the barista was lovely', ?)`,
		cs.shopID, cs.ayla.ID, loyalty.DayNumber(cs.now), cs.now.Unix()); err != nil {
		t.Fatal(err)
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	events := count(`SELECT count(*) FROM events WHERE card_id = ?`, cs.ayla.ID)
	listBefore, err := cs.s.Customers(ctx, cs.shopID, db.CustomerQuery{}, cs.now)
	if err != nil {
		t.Fatal(err)
	}
	rollups := dbtest.Rollups(t, cs.path)

	if err := cs.s.EraseCustomer(ctx, cs.shopID, cs.userID, cs.ayla.ID, cs.now); err != nil {
		t.Fatal(err)
	}
	card, err := cs.s.Card(ctx, cs.shopID, cs.ayla.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !card.Erased || card.FirstName != "" || card.Phone != "" || card.Email != "" || card.Birthday != "" || card.ShortCode != cs.ayla.ShortCode {
		t.Errorf("erased card %+v", card)
	}
	if card.Token == cs.ayla.Token {
		t.Error("the old card link still names the card")
	}
	for _, token := range []string{cs.ayla.Token, card.Token} {
		if _, err := cs.s.CardByToken(ctx, token); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("card by token %q: %v", token, err)
		}
	}
	for _, q := range []db.CardQuery{{ShortCode: card.ShortCode}, {Phone: "4567"}, {Name: "Ayla"}, {Token: card.Token}} {
		if found, err := cs.s.SearchCards(ctx, cs.shopID, q); err != nil || len(found) != 0 {
			t.Errorf("counter search %+v found %d cards, %v", q, len(found), err)
		}
	}
	if n := count(`SELECT count(*) FROM events WHERE card_id = ?`, cs.ayla.ID); n != events {
		t.Errorf("ledger of the erased card: %d events, had %d", n, events)
	}
	if got := dbtest.Rollups(t, cs.path); !slices.Equal(got, rollups) {
		t.Errorf("erasing changed the rollups:\n%s", diff(rollups, got))
	}
	if n := count(`SELECT count(*) FROM feedback WHERE card_id = ? AND rating = 4 AND comment = ''`, cs.ayla.ID); n != 1 {
		t.Errorf("feedback: %d anonymous ratings, want the rating kept without its comment", n)
	}
	if n := count(`SELECT count(*) FROM audit WHERE shop_id = ? AND action = 'customer_erase' AND subject = ?`, cs.shopID, loyalty.FormatShortCode(card.ShortCode)); n != 1 {
		t.Errorf("%d erase audit rows", n)
	}
	listAfter, err := cs.s.Customers(ctx, cs.shopID, db.CustomerQuery{}, cs.now)
	if err != nil {
		t.Fatal(err)
	}
	if listAfter.Total != listBefore.Total || !slices.ContainsFunc(listAfter.Rows, func(r db.CustomerRow) bool { return r.ID == card.ID && r.Erased && r.Visits == 3 }) {
		t.Errorf("the erased customer left the list or its numbers: %d → %d", listBefore.Total, listAfter.Total)
	}
	rec, err := cs.s.Customer(ctx, cs.shopID, card.ID, cs.now)
	if err != nil || len(rec.Feedback) != 1 || rec.Feedback[0].Comment != "" || len(rec.Ledger) != events {
		t.Errorf("customer record after erasing: %+v, %v", rec.Feedback, err)
	}

	// Nothing more happens to an erased card; erasing it again is no change.
	if _, err := cs.s.Stamp(ctx, cs.action(card), 1, true); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("stamp an erased card: %v", err)
	}
	if _, err := cs.s.AdjustStamps(ctx, cs.action(card), 1, "r"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("adjust an erased card: %v", err)
	}
	if err := cs.s.UpdateCustomer(ctx, cs.shopID, cs.userID, card.ID, db.Profile{FirstName: "Back"}, cs.now); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("edit an erased card: %v", err)
	}
	if err := cs.s.EraseCustomer(ctx, cs.shopID, cs.userID, card.ID, cs.now); err != nil {
		t.Errorf("erase again: %v", err)
	}
	if n := count(`SELECT count(*) FROM audit WHERE action = 'customer_erase'`); n != 1 {
		t.Errorf("erasing again recorded %d erasures", n)
	}
	if err := cs.s.EraseCustomer(ctx, cs.shopID, cs.userID, cs.foreignAyla.ID, cs.now); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("erase another shop's card: %v", err)
	}
	if c, err := cs.s.Card(ctx, cs.foreignShop, cs.foreignAyla.ID); err != nil || c.Erased || c.FirstName != "Ayla" {
		t.Errorf("the other shop's Ayla: %+v, %v", c, err)
	}
}

// BenchmarkCustomers measures the customer list of a shop of 100,000 cards:
// every page must answer well under 250 ms. Run it with
// go test ./db -run '^$' -bench Customers -benchtime 20x
func BenchmarkCustomers(b *testing.B) {
	s, path := dbtest.Open(b)
	ctx := context.Background()
	shopID, _, err := s.CreateShop(ctx, db.NewShop{Name: "Big", OwnerName: "O", Email: "big@example.com", PasswordHash: "x",
		Language: "en", TimeZone: "UTC", ProgramName: "Card", RewardText: "coffee"}, t0)
	if err != nil {
		b.Fatal(err)
	}
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	today := loyalty.DayNumber(t0)
	segments := `'["", "new", "occasional", "regular", "vip", "at_risk", "lapsed"]'`
	for _, q := range []string{
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
			INSERT INTO cards (shop_id, token, short_code, first_name, phone, email, created_at)
			SELECT %d, 'token' || i, 'CODE' || i, 'Name' || (i %% 5000), '0532' || (1000000 + i * 7), 'c' || i || '@example.com', 0 FROM n`, shopID),
		fmt.Sprintf(`UPDATE card_stats SET visits = card_id %% 40, last_day = %d - card_id %% 400, rewards = card_id %% 7,
			segment = json_extract(%s, '$[' || (card_id %% 7) || ']') WHERE shop_id = %d`, today, segments, shopID),
		fmt.Sprintf(`UPDATE shops SET segments_day = %d WHERE id = %d`, today, shopID),
		`ANALYZE`,
	} {
		if _, err := conn.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	queries := map[string]db.CustomerQuery{
		"first page":        {},
		"page 1000":         {Page: 1000},
		"by visits":         {Sort: db.SortVisits, Page: 500},
		"by rewards":        {Sort: db.SortRewards},
		"segment":           {Segment: loyalty.SegmentAtRisk, Page: 100},
		"search name":       {Search: "name12"},
		"search phone":      {Search: "0532100"},
		"search in segment": {Search: "name1", Segment: loyalty.SegmentVIP},
	}
	for name, q := range queries {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				list, err := s.Customers(ctx, shopID, q, t0)
				if err != nil || list.Total == 0 {
					b.Fatalf("%+v: %d rows of %d, %v", q, len(list.Rows), list.Total, err)
				}
			}
		})
	}
}

// TestErasedCardGetsNoCoupons: a campaign for everyone, or for a segment the
// erased card is still counted in, is not issued to a card nobody can use.
func TestErasedCardGetsNoCoupons(t *testing.T) {
	t.Parallel()
	cs := newCustomerShop(t)
	ctx := context.Background()
	if err := cs.s.EraseCustomer(ctx, cs.shopID, cs.userID, cs.bora.ID, cs.now); err != nil {
		t.Fatal(err)
	}
	for _, audience := range []string{db.AudienceAll, db.AudienceSegment} {
		campaign := db.Campaign{ShopID: cs.shopID, Title: audience, ValueKind: "text", ValueText: "treat", Audience: audience,
			ValidFrom: cs.now, ValidUntil: cs.now.Add(48 * time.Hour), PerCardLimit: 1}
		var issueTo []int64
		if audience == db.AudienceSegment {
			campaign.Segment = loyalty.SegmentNew
			ids, err := cs.s.SegmentCards(ctx, cs.shopID, loyalty.SegmentNew, cs.now)
			if err != nil || !slices.Contains(ids, cs.bora.ID) {
				t.Fatalf("segment new: %v, %v", ids, err)
			}
			issueTo = ids
		}
		id, err := cs.s.CreateCampaign(ctx, campaign, issueTo, cs.userID, cs.now)
		if err != nil {
			t.Fatal(err)
		}
		got, err := cs.s.Campaign(ctx, cs.shopID, id)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{db.AudienceAll: 3, db.AudienceSegment: 0}[audience]
		if got.Issued != want {
			t.Errorf("%s campaign issued %d coupons, want %d", audience, got.Issued, want)
		}
	}
}
