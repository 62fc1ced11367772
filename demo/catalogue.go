package demo

import (
	"context"
	"fmt"
	"time"

	"regulars/db"
	"regulars/loyalty"
)

// demoGifts are the café's catalogue: things a café sells anyway, priced in
// points, with their cost to the shop (minor units) and a stock.
var demoGifts = []db.GiftInput{
	{Name: "Reusable cup", Description: "Our logo on a cup you bring back for every coffee.", Points: 400, Cost: 350, Limited: true, Stock: 20, PerCustomer: 1},
	{Name: "Bag of house blend (250 g)", Description: "Whole beans, roasted this week.", Points: 600, PartialPoints: 300, PartialMoney: 400, Cost: 500, Limited: true, Stock: 12},
	{Name: "Tote bag", Description: "Sturdy cotton, big enough for the market.", Points: 900, Cost: 600, Limited: true, Stock: 8, PerCustomer: 1},
}

// demoPointsCards is how many regulars get points to spend: enough to see
// the catalogue in use, few enough for a big demo shop.
const demoPointsCards = 40

// Catalogue gives the demo shop of l a points program, a catalogue of three
// gifts with stock, and points to its regulars and VIPs, so that a newcomer
// sees the catalogue on the owner's pages, at the counter and on the cards.
// It is not part of Seed: the bench and the browser tests measure and check
// Seed's café as it was; `regulars demo` calls both.
func Catalogue(ctx context.Context, store *db.Store, l Logins, now time.Time) error {
	owner, err := store.UserByEmail(ctx, l.OwnerEmail)
	if err != nil {
		return err
	}
	programID, err := store.SaveProgram(ctx, db.Program{ShopID: l.ShopID, Name: "Bean points", RewardText: "a gift from our catalogue",
		Kind: db.ProgramPoints, PointsPerVisit: 10, PointsPerUnit: 1, PointsRounding: loyalty.RoundDown, RewardPoints: 100, MaxPerVisit: 1000},
		owner.ID, now.Add(-time.Hour))
	if err != nil {
		return fmt.Errorf("demo points program: %w", err)
	}
	for i, g := range demoGifts {
		g.ProgramID, g.UserID, g.Key = programID, owner.ID, fmt.Sprintf("demo-gift-%d", i)
		if _, err := store.CreateGift(ctx, l.ShopID, g, now.Add(-time.Hour)); err != nil {
			return fmt.Errorf("demo gift %s: %w", g.Name, err)
		}
	}
	var cards []int64
	for _, seg := range []loyalty.Segment{loyalty.SegmentVIP, loyalty.SegmentRegular} {
		ids, err := store.SegmentCards(ctx, l.ShopID, seg, now)
		if err != nil {
			return err
		}
		cards = append(cards, ids...)
	}
	for i, id := range cards[:min(len(cards), demoPointsCards)] {
		a := db.Action{ShopID: l.ShopID, CardID: id, ProgramID: programID, UserID: owner.ID, Key: randomText(16), Now: now.Add(-time.Hour)}
		if _, err := store.AdjustPoints(ctx, a, 250+(i*137)%800, "Points for past visits"); err != nil {
			return fmt.Errorf("demo points of card %d: %w", id, err)
		}
	}
	return nil
}
