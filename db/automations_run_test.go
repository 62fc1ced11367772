package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/loyalty"
)

// marketingShop is a shop in zone with the automation kind on, hold-out
// holdout; raw reads its file.
func marketingShop(t *testing.T, zone, kind string, holdout int) (s *db.Store, raw *sql.DB, shopID, userID int64, program db.Program) {
	t.Helper()
	ctx := context.Background()
	s, path := dbtest.Open(t)
	shopID, userID, err := s.CreateShop(ctx, db.NewShop{Name: "Shop", OwnerName: "O", Email: "o@example.com", PasswordHash: "x",
		Language: "ro", TimeZone: zone, ProgramName: "Card", RewardText: "coffee"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAutomation(ctx, shopID, db.Automation{Kind: kind, Enabled: true, Holdout: holdout}, t0); err != nil {
		t.Fatal(err)
	}
	ps, err := s.Programs(ctx, shopID, false)
	if err != nil {
		t.Fatal(err)
	}
	raw, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=query_only(ON)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return s, raw, shopID, userID, ps[0]
}

// customer enrolls a card (with an address and the marketing consent when
// asked) and stamps it once at each of visits.
func customer(t *testing.T, s *db.Store, shopID int64, p db.Program, name, email string, consent bool, visits ...time.Time) db.Card {
	t.Helper()
	ctx := context.Background()
	at := t0
	if len(visits) > 0 {
		at = visits[0]
	}
	card, err := s.EnrollCard(ctx, shopID, db.NewCard{FirstName: name, Email: email, Consent: consent, Key: "enrol-" + name}, at)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range visits {
		a := db.Action{ShopID: shopID, CardID: card.ID, ProgramID: p.ID, Key: fmt.Sprintf("%s-%d", name, i), Now: v}
		if _, err := s.Stamp(ctx, a, 1, true); err != nil {
			t.Fatal(err)
		}
	}
	return card
}

// TestOneVisitLeft: the stamp that leaves a card one short of its reward
// queues "one visit to go" for a customer who agreed to offers; the other
// stamps, a customer without consent and a shop with it off do not.
func TestOneVisitLeft(t *testing.T) {
	t.Parallel()
	s, raw, shopID, _, p := marketingShop(t, "UTC", db.AutomationOneVisitLeft, 0)
	days := func(n int) []time.Time {
		var v []time.Time
		for i := range n {
			v = append(v, t0.Add(time.Duration(i)*24*time.Hour))
		}
		return v
	}
	eight := customer(t, s, shopID, p, "Eight", "eight@example.com", true, days(8)...)
	nine := customer(t, s, shopID, p, "Nine", "nine@example.com", true, days(9)...)
	ten := customer(t, s, shopID, p, "Ten", "ten@example.com", true, days(10)...)
	noConsent := customer(t, s, shopID, p, "Quiet", "quiet@example.com", false, days(9)...)
	for _, tc := range []struct {
		card     db.Card
		messages int
		skipped  string
	}{{eight, 0, ""}, {nine, 1, ""}, {ten, 1, ""}, {noConsent, 0, db.SkippedNoConsent}} {
		if n := count(t, raw, `SELECT count(*) FROM outbox WHERE card_id = ? AND template = 'one_visit_left' AND purpose = 'marketing'`, tc.card.ID); n != tc.messages {
			t.Errorf("%s: %d messages, want %d", tc.card.FirstName, n, tc.messages)
		}
		if tc.skipped != "" {
			if n := count(t, raw, `SELECT count(*) FROM automation_audience WHERE card_id = ? AND skipped = ? AND outbox_id IS NULL`, tc.card.ID, tc.skipped); n != 1 {
				t.Errorf("%s: not recorded as skipped for %s", tc.card.FirstName, tc.skipped)
			}
		}
	}
	if n := count(t, raw, `SELECT count(*) FROM automation_audience a JOIN outbox o ON o.id = a.outbox_id WHERE a.card_id = ? AND NOT a.held_out`, nine.ID); n != 1 {
		t.Error("the message is not tied to its audience row")
	}
	// Turned off: the next card to reach nine stamps gets nothing.
	if err := s.SaveAutomation(context.Background(), shopID, db.Automation{Kind: db.AutomationOneVisitLeft}, t0); err != nil {
		t.Fatal(err)
	}
	later := customer(t, s, shopID, p, "Later", "later@example.com", true, days(9)...)
	if n := count(t, raw, `SELECT count(*) FROM automation_audience WHERE card_id = ?`, later.ID); n != 0 {
		t.Errorf("the automation off still chose the card")
	}
}

// TestWeMissYouRun: the daily run chooses the lapsed customers once per
// absence; of those who may be written to, the hold-out share drawn is
// within bounds and gets no message, the others a message that waits for
// the end of the quiet hours, across the change to summer time, and the
// coupon; the cap and a missing consent or address keep a message back;
// an erased customer, one who came recently and another shop's are not
// chosen; a second run, the same day, the next, or one whose day was not
// recorded (cut off), chooses nobody again.
func TestWeMissYouRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, raw, shopID, owner, p := marketingShop(t, "Europe/Bucharest", db.AutomationWeMissYou, 50)
	// Saturday 28 March 2026, 22:00 in Bucharest (UTC+2): quiet. Summer time
	// begins in the night, so the quiet hours end at 09:00 UTC+3, 06:00 UTC.
	now := time.Date(2026, 3, 28, 20, 0, 0, 0, time.UTC)
	morning := time.Date(2026, 3, 29, 6, 0, 0, 0, time.UTC)
	lastVisit := now.Add(-100 * 24 * time.Hour)
	campaign, err := s.CreateCampaign(ctx, db.Campaign{ShopID: shopID, Title: "A free pastry", ValueKind: "text", ValueText: "pastry",
		ValidFrom: lastVisit, ValidUntil: now.Add(60 * 24 * time.Hour), Audience: db.AudienceChosen, PerCardLimit: 1}, nil, owner, lastVisit)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAutomation(ctx, shopID, db.Automation{Kind: db.AutomationWeMissYou, Enabled: true, Holdout: 50, CampaignID: campaign}, t0); err != nil {
		t.Fatal(err)
	}
	const n = 200
	for i := range n {
		customer(t, s, shopID, p, fmt.Sprintf("c%03d", i), fmt.Sprintf("c%03d@example.com", i), true, lastVisit)
	}
	noConsent := customer(t, s, shopID, p, "NoConsent", "nc@example.com", false, lastVisit)
	noAddress := customer(t, s, shopID, p, "NoAddress", "", true, lastVisit)
	capped := customer(t, s, shopID, p, "Capped", "capped@example.com", true, lastVisit)
	recent := customer(t, s, shopID, p, "Recent", "recent@example.com", true, lastVisit, now.Add(-2*24*time.Hour))
	erased := customer(t, s, shopID, p, "Erased", "erased@example.com", true, lastVisit)
	if err := s.EraseCustomer(ctx, shopID, owner, erased.ID, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	// The capped customer had the cap's 4 marketing messages this month.
	w := writable(t, raw)
	for i := range 4 {
		if _, err := w.Exec(`INSERT INTO outbox (shop_id, card_id, channel, template, purpose, language, next_at, idempotency_key, created_at)
			VALUES (?, ?, 'email', 'newsletter', 'marketing', 'ro', 0, ?, ?)`, shopID, capped.ID, fmt.Sprint("n", i), unix(now.Add(-time.Duration(i+1)*24*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	// Another shop's lapsed customer, the automation on there too, is its own.
	otherShop, _, err := s.CreateShop(ctx, db.NewShop{Name: "Other", OwnerName: "O", Email: "other@example.com", PasswordHash: "x",
		Language: "en", TimeZone: "UTC", ProgramName: "Card", RewardText: "tea"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAutomation(ctx, otherShop, db.Automation{Kind: db.AutomationWeMissYou, Enabled: true}, t0); err != nil {
		t.Fatal(err)
	}
	otherP, err := s.Programs(ctx, otherShop, false)
	if err != nil {
		t.Fatal(err)
	}
	customer(t, s, otherShop, otherP[0], "Elsewhere", "else@example.com", true, lastVisit)

	run := func(at time.Time) {
		t.Helper()
		if err := s.RunAutomations(ctx, at, rand.New(rand.NewPCG(1, 2))); err != nil {
			t.Fatal(err)
		}
	}
	run(now)
	in := func(query string, args ...any) int {
		t.Helper()
		return count(t, raw, query+` AND shop_id = ? AND kind = 'we_miss_you'`, append(args, shopID)...)
	}
	if got := in(`SELECT count(*) FROM automation_audience WHERE true`); got != n+3 {
		t.Errorf("%d customers chosen, want the %d lapsed ones who have a card", got, n+3)
	}
	held := in(`SELECT count(*) FROM automation_audience WHERE held_out AND skipped = '' AND outbox_id IS NULL`)
	if held < n/2-30 || held > n/2+30 {
		t.Errorf("%d of %d held out, want about half", held, n)
	}
	messaged := in(`SELECT count(*) FROM automation_audience WHERE NOT held_out AND skipped = '' AND outbox_id IS NOT NULL`)
	if held+messaged != n {
		t.Errorf("%d held out and %d messaged of %d", held, messaged, n)
	}
	for card, why := range map[int64]string{noConsent.ID: db.SkippedNoConsent, noAddress.ID: db.SkippedNoAddress, capped.ID: db.SkippedCap} {
		if got := in(`SELECT count(*) FROM automation_audience WHERE card_id = ? AND skipped = ? AND NOT held_out AND outbox_id IS NULL`, card, why); got != 1 {
			t.Errorf("card %d not kept back for %s", card, why)
		}
	}
	if got := in(`SELECT count(*) FROM automation_audience WHERE card_id IN (?, ?)`, recent.ID, erased.ID); got != 0 {
		t.Error("a customer who came two days ago, or an erased one, was chosen")
	}
	if got := count(t, raw, `SELECT count(*) FROM outbox WHERE shop_id = ? AND template = 'we_miss_you' AND purpose = 'marketing' AND next_at = ?
		AND json_extract(payload, '$.coupon') = 'A free pastry'`, shopID, unix(morning)); got != messaged {
		t.Errorf("%d messages wait for 06:00 UTC with the coupon, want %d", got, messaged)
	}
	if got := count(t, raw, `SELECT count(*) FROM coupons c JOIN automation_audience a ON a.card_id = c.card_id AND a.outbox_id IS NOT NULL
		WHERE c.campaign_id = ?`, campaign); got != messaged || count(t, raw, `SELECT count(*) FROM coupons WHERE campaign_id = ?`, campaign) != messaged {
		t.Errorf("the coupon went to %d customers, want the %d messaged", got, messaged)
	}
	if got := count(t, raw, `SELECT count(*) FROM automation_audience WHERE shop_id = ?`, otherShop); got != 1 {
		t.Errorf("the other shop chose %d customers, want its own one", got)
	}

	before := count(t, raw, `SELECT count(*) FROM automation_audience`) + count(t, raw, `SELECT count(*) FROM outbox`)
	run(now.Add(time.Hour))
	run(now.Add(24 * time.Hour))
	if _, err := w.Exec(`UPDATE automations SET ran_day = 0`); err != nil {
		t.Fatal(err)
	}
	run(now.Add(25 * time.Hour))
	if after := count(t, raw, `SELECT count(*) FROM automation_audience`) + count(t, raw, `SELECT count(*) FROM outbox`); after != before {
		t.Errorf("runs again wrote %d more rows", after-before)
	}
}

// TestHoldoutDraw: on a known seed, the share held out of 200 customers is
// within three standard deviations of the hold-out share; a hold-out of 0
// holds out nobody. (The other tests run the unseeded production draw.)
func TestHoldoutDraw(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct{ holdout, min, max int }{{0, 0, 0}, {10, 8, 32}, {50, 79, 121}} {
		t.Run(fmt.Sprint(tc.holdout), func(t *testing.T) {
			t.Parallel()
			s, raw, shopID, _, p := marketingShop(t, "UTC", db.AutomationWeMissYou, tc.holdout)
			now := t0.Add(200 * 24 * time.Hour)
			for i := range 200 {
				customer(t, s, shopID, p, fmt.Sprint("c", i), fmt.Sprintf("c%d@example.com", i), true, t0)
			}
			if err := s.RunAutomations(ctx, now, rand.New(rand.NewPCG(7, 7))); err != nil {
				t.Fatal(err)
			}
			if got := count(t, raw, `SELECT count(*) FROM automation_audience`); got != 200 {
				t.Fatalf("%d chosen", got)
			}
			if held := count(t, raw, `SELECT count(*) FROM automation_audience WHERE held_out`); held < tc.min || held > tc.max {
				t.Errorf("a hold-out of %d%% held out %d of 200", tc.holdout, held)
			}
		})
	}
}

// TestBirthdayAndExpiringCoupon: the birthday message goes on the day,
// naming the shop's gift, once a year; "coupon expiring" writes about a
// coupon that ends within its days and is unused, once.
func TestBirthdayAndExpiringCoupon(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, raw, shopID, owner, p := marketingShop(t, "UTC", db.AutomationBirthday, 0)
	if err := s.SaveAutomation(ctx, shopID, db.Automation{Kind: db.AutomationCouponExpiring, Enabled: true, DaysBefore: 3}, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveGrowth(ctx, shopID, db.Growth{BirthdayGift: "A slice of cake", BirthdayDays: 3, ReferralCap: 5}, owner, t0); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 20, 12, 0, 0, 0, time.UTC)
	today, err := s.EnrollCard(ctx, shopID, db.NewCard{FirstName: "Ece", Email: "ece@example.com", Consent: true, Birthday: "06-20", Key: "b1"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EnrollCard(ctx, shopID, db.NewCard{FirstName: "Can", Email: "can@example.com", Consent: true, Birthday: "06-22", Key: "b2"}, t0); err != nil {
		t.Fatal(err)
	}
	holder := customer(t, s, shopID, p, "Holder", "holder@example.com", true, t0)
	user := customer(t, s, shopID, p, "User", "user@example.com", true, t0)
	soon, err := s.CreateCampaign(ctx, db.Campaign{ShopID: shopID, Title: "Two for one", ValueKind: "text", ValueText: "2x1",
		ValidFrom: t0, ValidUntil: now.Add(48 * time.Hour), Audience: db.AudienceChosen, PerCardLimit: 1}, []int64{holder.ID, user.ID}, owner, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateCampaign(ctx, db.Campaign{ShopID: shopID, Title: "Later", ValueKind: "text", ValueText: "x",
		ValidFrom: t0, ValidUntil: now.Add(10 * 24 * time.Hour), Audience: db.AudienceChosen, PerCardLimit: 1}, []int64{holder.ID}, owner, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RedeemCoupon(ctx, db.Action{ShopID: shopID, CardID: user.ID, UserID: owner, Key: "use", Now: now.Add(-time.Hour)}, soon); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.RunAutomations(ctx, now, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.RunAutomations(ctx, now.Add(24*time.Hour), nil); err != nil {
			t.Fatal(err)
		}
	}
	if got := count(t, raw, `SELECT count(*) FROM outbox WHERE template = 'birthday' AND json_extract(payload, '$.coupon') = 'A slice of cake'`); got != 1 {
		t.Errorf("%d birthday messages, want Ece's", got)
	}
	if got := count(t, raw, `SELECT count(*) FROM outbox WHERE template = 'birthday' AND card_id = ?`, today.ID); got != 1 {
		t.Error("the birthday message is not Ece's")
	}
	if got := count(t, raw, `SELECT count(*) FROM outbox WHERE template = 'coupon_expiring' AND card_id = ? AND json_extract(payload, '$.coupon') = 'Two for one'`, holder.ID); got != 1 {
		t.Errorf("%d messages of the coupon ending in two days", got)
	}
	if got := count(t, raw, `SELECT count(*) FROM outbox WHERE template = 'coupon_expiring'`); got != 1 {
		t.Errorf("%d coupon messages in all: a used or later coupon was written about", got)
	}
}

// writable opens raw's file for writing a test's fixtures.
func writable(t *testing.T, raw *sql.DB) *sql.DB {
	t.Helper()
	var path string
	if err := raw.QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
		t.Fatal(err)
	}
	w, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func unix(t time.Time) int64 { return t.Unix() }

// TestRaffleResultAndNewsletter: the draw queues "raffle result" to the
// entrants with an address and the service consent, naming the prize, and
// to nobody else; news published while the newsletter is on goes to the
// customers who agreed to offers, once, and news older than two days or
// taken down does not.
func TestRaffleResultAndNewsletter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, raw, shopID, owner, p := marketingShop(t, "UTC", db.AutomationRaffleResult, 0)
	if err := s.SaveAutomation(ctx, shopID, db.Automation{Kind: db.AutomationNewsletter, Enabled: true}, t0); err != nil {
		t.Fatal(err)
	}
	const day = 24 * time.Hour
	entrant, err := s.EnrollCard(ctx, shopID, db.NewCard{FirstName: "In", Email: "in@example.com", EmailService: true, Consent: true, Key: "in"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	silent := customer(t, s, shopID, p, "Silent", "silent@example.com", false) // no service consent
	// Out asked for service e-mails but did not enter.
	if _, err := s.EnrollCard(ctx, shopID, db.NewCard{FirstName: "Out", Email: "out@example.com", EmailService: true, Key: "out"}, t0); err != nil {
		t.Fatal(err)
	}
	r := db.Raffle{ShopID: shopID, Title: "Spring draw", Prize: "A cake", Winners: 1, EntryRule: "optin", FreeEntry: "any", OpensAt: t0.Add(day), ClosesAt: t0.Add(2 * day)}
	if r.ID, err = s.CreateRaffle(ctx, r, owner, t0); err != nil {
		t.Fatal(err)
	}
	for _, c := range []int64{entrant.ID, silent.ID} {
		if err := s.EnterRaffle(ctx, shopID, r.ID, c, t0.Add(day+time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	// Quiet nearly all day: a service message is not held by it, a marketing one is.
	if err := s.SaveMarketingLimits(ctx, shopID, db.MarketingLimits{Cap: 4, Quiet: loyalty.QuietHours{From: 0, Until: 23 * 60}}); err != nil {
		t.Fatal(err)
	}
	drawn := t0.Add(3 * day)
	if err := s.DrawRaffle(ctx, shopID, r.ID, owner, drawn); err != nil {
		t.Fatal(err)
	}
	if got := count(t, raw, `SELECT count(*) FROM outbox WHERE template = 'raffle_result' AND purpose = 'service' AND card_id = ? AND json_extract(payload, '$.prize') = 'A cake'
		AND next_at = ?`, entrant.ID, drawn.Unix()); got != 1 {
		t.Errorf("the entrant has %d raffle messages sent at once", got)
	}
	if got := count(t, raw, `SELECT count(*) FROM outbox WHERE template = 'raffle_result'`); got != 1 {
		t.Errorf("%d raffle messages in all, want the one entrant's with consent", got)
	}

	now := t0.Add(10 * day)
	post := func(body string, at time.Time) int64 {
		t.Helper()
		id, err := s.PostNews(ctx, shopID, db.NewNews{Body: body, Key: body}, owner, at)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	post("Old news", now.Add(-3*day))
	gone := post("Taken down", now.Add(-time.Hour))
	if err := s.RemoveNews(ctx, shopID, gone, owner, now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	post("Fresh bread on Sunday", now.Add(-time.Hour))
	for _, at := range []time.Time{now, now.Add(10 * time.Minute)} {
		if err := s.RunAutomations(ctx, at, nil); err != nil {
			t.Fatal(err)
		}
	}
	// In: consent to offers; Silent, Out: none.
	if got := count(t, raw, `SELECT count(*) FROM outbox WHERE template = 'newsletter' AND purpose = 'marketing' AND card_id = ? AND json_extract(payload, '$.news') = 'Fresh bread on Sunday'`, entrant.ID); got != 1 {
		t.Errorf("the reader has %d newsletters of the fresh news", got)
	}
	evening := time.Date(now.Year(), now.Month(), now.Day(), 23, 0, 0, 0, time.UTC)
	if got := count(t, raw, `SELECT count(*) FROM outbox WHERE template = 'newsletter' AND next_at = ?`, evening.Unix()); got != 1 {
		t.Errorf("the newsletter does not wait for the end of the quiet hours, %s", evening)
	}
	if got := count(t, raw, `SELECT count(*) FROM outbox WHERE template = 'newsletter'`); got != 1 {
		t.Errorf("%d newsletters in all, want one", got)
	}
	if got := count(t, raw, `SELECT count(*) FROM automation_audience WHERE kind = 'newsletter' AND outbox_id IS NOT NULL`); got != 1 {
		t.Errorf("the newsletter's audience: %d rows", got)
	}
}
