// Package demo invents a café with months of history, through the same store
// functions the counter uses, for trying the product and for its tests.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	mrand "math/rand/v2"
	"time"

	"golang.org/x/crypto/bcrypt"

	"regulars/db"
	"regulars/loyalty"
)

// Logins are the demo shop's people and how to sign in as them.
type Logins struct {
	ShopID                        int64
	OwnerEmail, OwnerPassword     string
	CashierEmail, CashierPassword string
	Customers, Visits             int
}

// Seed creates a café with an owner, a cashier and about three months of
// visits, ending at now, by that many customers, so the history obeys the
// programs' rules. One regular in seven stopped coming a few weeks ago: the
// shop has customers at risk to win back.
func Seed(ctx context.Context, store *db.Store, customers int, now time.Time) (Logins, error) {
	start := now.AddDate(0, -3, 0)
	l, ownerID, cashierID, err := openCafe(ctx, store, "Demo Café", "demo", start)
	if err != nil {
		return l, err
	}
	shopID := l.ShopID
	ps, err := store.Programs(ctx, shopID, false)
	if err != nil {
		return l, err
	}
	coffee := ps[0]
	coffee.CooldownMinutes = 30
	if _, err := store.SaveProgram(ctx, coffee, ownerID, start); err != nil {
		return l, err
	}
	pastryID, err := store.SaveProgram(ctx, db.Program{ShopID: shopID, Name: "Pastry card", RewardText: "a free croissant", StampsRequired: 6, MaxPerVisit: 2}, ownerID, start)
	if err != nil {
		return l, err
	}
	if err := store.SaveGrowth(ctx, shopID, demoGrowth, ownerID, start); err != nil {
		return l, err
	}
	// A fixed seed: every demo tells the same story, and its test cannot flake.
	rng := mrand.New(mrand.NewPCG(2026, 42))
	// Who referred whom and birthdays draw from their own source too.
	growth := mrand.New(mrand.NewPCG(2026, 11))
	var invites []string
	// Feedback draws from its own source, so the visits stay the same story.
	opinions := mrand.New(mrand.NewPCG(2026, 7))
	zone, err := time.LoadLocation(demoZone)
	if err != nil {
		return l, err
	}
	actions := 0
	visits := map[int64][]time.Time{} // each card's, for the win-back's audience
	for i := range customers {
		joined := start.Add(time.Duration(rng.Int64N(int64(now.Sub(start)))))
		joined = openingHours(joined, rng)
		n := db.NewCard{FirstName: names[rng.IntN(len(names))], CreatedBy: cashierID, Key: randomText(16)}
		// One customer in six came with a friend's invite link; one in four gave a birthday.
		if i%6 == 5 {
			n.InviteCode = invites[growth.IntN(len(invites))]
		}
		if i%4 == 0 {
			n.Birthday = loyalty.Birthday{Month: 1 + growth.IntN(12), Day: 1 + growth.IntN(28)}.String()
		}
		card, err := store.EnrollCard(ctx, shopID, n, joined)
		if err != nil {
			return l, err
		}
		invites = append(invites, card.InviteCode)
		// Regulars come every few days, the occasional every few weeks; one in
		// five came once and never again.
		var every time.Duration
		switch {
		case i%5 == 0:
			every = 0
		case i%3 == 0:
			every = time.Duration(2+rng.IntN(4)) * 24 * time.Hour
		default:
			every = time.Duration(10+rng.IntN(20)) * 24 * time.Hour
		}
		last := now
		if i%7 == 1 && every > 0 {
			last = now.AddDate(0, 0, -30-rng.IntN(20))
		}
		for at := joined; !at.After(last); at = openingHours(at.Add(every+time.Duration(rng.Int64N(int64(48*time.Hour)))), rng) {
			act := db.Action{ShopID: shopID, CardID: card.ID, ProgramID: coffee.ID, UserID: cashierID, Now: at}
			if err := demoVisit(ctx, store, act, pastryID, rng); err != nil {
				return l, err
			}
			if err := demoFeedback(ctx, store, act, zone, opinions); err != nil {
				return l, err
			}
			visits[card.ID] = append(visits[card.ID], at)
			actions++
			if every == 0 {
				break
			}
		}
	}
	if err := demoOffers(ctx, store, shopID, cashierID, start, now); err != nil {
		return l, err
	}
	returned, err := demoWinBack(ctx, store, shopID, cashierID, coffee.ID, visits, now)
	if err != nil {
		return l, err
	}
	actions += returned
	if _, err := store.PostNews(ctx, shopID, db.NewNews{Body: demoNews, Key: randomText(16)}, ownerID, now.AddDate(0, 0, -2)); err != nil {
		return l, err
	}
	l.Customers, l.Visits = customers, actions
	return l, nil
}

// names are the customers' first names; some give none.
var names = []string{"Ahmet", "Ayşe", "Mehmet", "Elif", "Can", "Zeynep", "Ana", "Ioana", "Mihai", "Sara", "Reza", "Maryam", "Ali", "Emma", "Lucas", "Mia", "Noah", "Defne", "Kerem", "Şükrü", "Ümran", "Çağla", "Ștefan", "مریم", ""}

// demoVisit redeems a waiting reward most of the time, then stamps the visit.
func demoVisit(ctx context.Context, store *db.Store, act db.Action, pastryID int64, rng *mrand.Rand) error {
	st, err := store.CardState(ctx, act.ShopID, act.CardID, act.Now)
	if err != nil {
		return err
	}
	for _, pb := range st.Programs {
		if len(pb.Available) > 0 && rng.IntN(10) < 7 {
			a := act
			a.ProgramID, a.Key = pb.Program.ID, randomText(16)
			if _, err := store.Redeem(ctx, a, pb.Available[0].Seq); err != nil {
				return err
			}
		}
	}
	act.Key = randomText(16)
	if _, err := store.Stamp(ctx, act, 1, false); err != nil {
		return err
	}
	if rng.IntN(3) == 0 {
		act.ProgramID, act.Key = pastryID, randomText(16)
		if _, err := store.Stamp(ctx, act, 1+rng.IntN(2), false); err != nil {
			return err
		}
	}
	return nil
}

// openCafe creates a café that opened the day before start, with its owner
// and a cashier, whose logins it returns with the shop's id.
func openCafe(ctx context.Context, store *db.Store, name, domain string, start time.Time) (l Logins, ownerID, cashierID int64, err error) {
	suffix := randomText(4)
	l.OwnerPassword, l.CashierPassword = randomText(12), randomText(12)
	l.OwnerEmail = "owner-" + suffix + "@" + domain + ".regulars.test"
	l.CashierEmail = "cashier-" + suffix + "@" + domain + ".regulars.test"
	l.ShopID, ownerID, err = store.CreateShop(ctx, db.NewShop{
		Name: name + " " + suffix, OwnerName: "Deniz", Email: l.OwnerEmail, PasswordHash: hash(l.OwnerPassword),
		Language: "en", TimeZone: demoZone, ProgramName: "Coffee card", RewardText: "a free coffee",
	}, start.Add(-24*time.Hour))
	if err != nil {
		return l, 0, 0, err
	}
	cashierID, err = store.AddStaff(ctx, l.ShopID, db.NewStaff{Name: "Ayla", Email: l.CashierEmail, Role: db.RoleCashier, PasswordHash: hash(l.CashierPassword)}, ownerID, start)
	return l, ownerID, cashierID, err
}

// demoGrowth is what the demo café gives to grow, and demoNews what it tells.
var demoGrowth = db.Growth{
	Pitch:         "Every 10th coffee is on us.",
	WelcomeStamps: 1, ReferralStamps: 1, ReferralCap: 5,
	BirthdayGift: "A slice of cake", BirthdayDays: 7,
}

const demoNews = "New: oat milk at no extra cost, all week long."

// demoZone is the demo café's time zone.
const demoZone = "Europe/Istanbul"

// demoRatings are how customers rate visits, mostly well; demoComments what
// some of them add, by rating.
var (
	demoRatings  = []int{5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 3, 3, 2, 2, 1}
	demoComments = map[int][]string{
		1: {"Waited twenty minutes for a latte.", "The milk was off."},
		2: {"Coffee was lukewarm.", "Too noisy to talk."},
		3: {"Fine, but the croissants were dry today."},
		4: {"Nice coffee, friendly staff."},
		5: {"Best flat white in town!", "Ayla always remembers my order.", "Lovely place to start the day."},
	}
)

// demoFeedback answers "How was your visit?" for about one visit in six, an
// hour after it.
func demoFeedback(ctx context.Context, store *db.Store, act db.Action, zone *time.Location, rng *mrand.Rand) error {
	if rng.IntN(6) != 0 {
		return nil
	}
	rating := demoRatings[rng.IntN(len(demoRatings))]
	comment := ""
	if rng.IntN(3) == 0 {
		comment = demoComments[rating][rng.IntN(len(demoComments[rating]))]
	}
	err := store.LeaveFeedback(ctx, act.ShopID, act.CardID, loyalty.DayNumber(act.Now.In(zone)), rating, comment, act.Now.Add(time.Hour))
	if errors.Is(err, db.ErrDuplicate) { // a second visit the same day
		return nil
	}
	return err
}

// openingHours moves a moment into the café's day, 07:00–19:00.
func openingHours(t time.Time, rng *mrand.Rand) time.Time {
	day := time.Date(t.Year(), t.Month(), t.Day(), 7, 0, 0, 0, t.Location())
	return day.Add(time.Duration(rng.Int64N(int64(12 * time.Hour))))
}

func hash(password string) string {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		panic(err)
	}
	return string(h)
}

func randomText(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// demoOffers adds what a shop runs besides the punch card: a coupon for the
// customers drifting away, a public code, a raffle drawn last month and one
// taking entries now.
func demoOffers(ctx context.Context, store *db.Store, shopID, userID int64, start, now time.Time) error {
	atRisk, err := store.SegmentCards(ctx, shopID, loyalty.SegmentAtRisk, now)
	if err != nil {
		return err
	}
	campaigns := []db.Campaign{
		{Title: "We miss you", Description: "A coffee on us, next time you pass by.", ValueKind: "item", ValueText: "a free coffee",
			Audience: db.AudienceSegment, Segment: loyalty.SegmentAtRisk, ValidFrom: now.AddDate(0, 0, -10), ValidUntil: now.AddDate(0, 0, 20), PerCardLimit: 1},
		{Title: "Welcome", ValueKind: "percent", ValueNumber: 10, Audience: db.AudienceCode, Code: "WELCOME10",
			ValidFrom: start, ValidUntil: now.AddDate(0, 2, 0), TotalLimit: 200, PerCardLimit: 1},
	}
	for i, c := range campaigns {
		c.ShopID = shopID
		var issueTo []int64
		if i == 0 {
			issueTo = atRisk
		}
		if _, err := store.CreateCampaign(ctx, c, issueTo, userID, c.ValidFrom); err != nil {
			return err
		}
	}
	drawn := db.Raffle{ShopID: shopID, Title: "Winter raffle", Prize: "A bag of our house blend", Winners: 3, EntryRule: loyalty.EntryPerStamp,
		OpensAt: now.AddDate(0, -2, 0), ClosesAt: now.AddDate(0, -1, 0)}
	id, err := store.CreateRaffle(ctx, drawn, userID, drawn.OpensAt.Add(-time.Hour))
	if err != nil {
		return err
	}
	if err := store.DrawRaffle(ctx, shopID, id, userID, drawn.ClosesAt.Add(time.Hour)); err != nil {
		return err
	}
	running := db.Raffle{ShopID: shopID, Title: "Spring raffle", Prize: "A coffee machine", Winners: 1, EntryRule: loyalty.EntryPerVisit,
		Rules: "One ticket per visit, or enter for free from your card.", OpensAt: now.AddDate(0, 0, -7), ClosesAt: now.AddDate(0, 0, 14)}
	_, err = store.CreateRaffle(ctx, running, userID, running.OpensAt.Add(-time.Hour))
	return err
}
