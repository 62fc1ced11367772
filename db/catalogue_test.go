package db_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"regulars/db"
	"regulars/loyalty"
)

// catalogueShop is a ledger shop with a points program and a card holding
// 1000 points in it.
type catalogueShop struct {
	*ledgerShop
	beans db.Program
}

func newCatalogueShop(t *testing.T, email string) catalogueShop {
	t.Helper()
	l := newLedgerShop(t, email)
	c := catalogueShop{ledgerShop: l, beans: l.pointsProgram()}
	l.earn(l.card, c.beans, 1000_00)
	return c
}

// gift adds an item priced price points; set adjusts the input first.
func (c catalogueShop) gift(price int, set func(*db.GiftInput)) int64 {
	c.t.Helper()
	c.keys++
	in := db.GiftInput{ProgramID: c.beans.ID, Name: fmt.Sprint("Gift ", c.keys), Points: price, Cost: 250, Key: fmt.Sprint("gift-key-", c.keys)}
	if set != nil {
		set(&in)
	}
	id, err := c.s.CreateGift(context.Background(), c.shopID, in, c.now)
	if err != nil {
		c.t.Fatal(err)
	}
	return id
}

func (c catalogueShop) redeem(card db.Card, giftID int64) (db.GiftOrder, error) {
	return c.s.RedeemGift(context.Background(), c.action(card, 0), giftID, false, db.GiftFromCard)
}

func (c catalogueShop) stock(giftID int64) int {
	c.t.Helper()
	g, err := c.s.Gift(context.Background(), c.shopID, giftID)
	if err != nil {
		c.t.Fatal(err)
	}
	return g.Stock
}

func (c catalogueShop) move(o db.GiftOrder, from, to loyalty.GiftState) error {
	c.now = c.now.Add(time.Minute)
	return c.s.MoveGiftOrder(context.Background(), db.GiftMove{ShopID: c.shopID, OrderID: o.ID, UserID: c.userID, From: from, To: to, Now: c.now})
}

// TestRedeemGift: a redemption spends the points by a redeem event naming
// the gift and takes one from stock; a cancel voids the event, gives the
// points back and puts the gift back in stock.
func TestRedeemGift(t *testing.T) {
	t.Parallel()
	c := newCatalogueShop(t, "gift@example.com")
	mug := c.gift(300, func(in *db.GiftInput) { in.Name, in.Limited, in.Stock = "Mug", true, 2 })
	o, err := c.redeem(c.card, mug)
	if err != nil {
		t.Fatal(err)
	}
	if o.State != loyalty.GiftRequested || o.Points != 300 {
		t.Errorf("redemption: %+v", o)
	}
	if b := c.balance(c.card, c.beans); b.Points != 700 {
		t.Errorf("after a 300-point gift: %d points, want 700", b.Points)
	}
	if n := c.stock(mug); n != 1 {
		t.Errorf("stock after one redemption: %d, want 1", n)
	}
	var kind, note string
	var points int
	if err := c.raw.QueryRow(`SELECT kind, note, points FROM events WHERE id = ?`, o.EventID).Scan(&kind, &note, &points); err != nil {
		t.Fatal(err)
	}
	if kind != "redeem" || note != "Mug" || points != -300 {
		t.Errorf("spend event: %s %q %d; want redeem \"Mug\" -300", kind, note, points)
	}
	if err := c.move(o, loyalty.GiftRequested, loyalty.GiftCancelled); err != nil {
		t.Fatal(err)
	}
	if b := c.balance(c.card, c.beans); b.Points != 1000 {
		t.Errorf("after the cancel: %d points, want 1000 back", b.Points)
	}
	if n := c.stock(mug); n != 2 {
		t.Errorf("stock after the cancel: %d, want 2", n)
	}
	var voids int
	c.raw.QueryRow(`SELECT count(*) FROM events WHERE void_of = ?`, o.EventID).Scan(&voids)
	if voids != 1 {
		t.Errorf("voids of the spend event: %d, want 1", voids)
	}
	// A cancelled one stays cancelled: a second cancel is a stale form.
	if err := c.move(o, loyalty.GiftRequested, loyalty.GiftCancelled); err != nil {
		t.Errorf("a repeated cancel: %v, want nothing done", err)
	}
	if err := c.move(o, loyalty.GiftCancelled, loyalty.GiftReady); !errors.Is(err, loyalty.ErrGiftMove) {
		t.Errorf("cancelled → ready: %v, want ErrGiftMove", err)
	}
	c.checkRebuild()
}

// TestRedeemGiftRefusals: stock, the per-customer limit, the window, the
// points, a partial price the item has not, another shop's item and a
// replayed key; each changes nothing.
func TestRedeemGiftRefusals(t *testing.T) {
	t.Parallel()
	c := newCatalogueShop(t, "refuse@example.com")
	ctx := context.Background()
	none := c.gift(10, func(in *db.GiftInput) { in.Limited, in.Stock = true, 0 })
	once := c.gift(10, func(in *db.GiftInput) { in.PerCustomer = 1 })
	later := c.gift(10, func(in *db.GiftInput) { in.StartsAt = c.now.Add(30 * 24 * time.Hour) })
	over := c.gift(10, func(in *db.GiftInput) { in.EndsAt = c.now.Add(time.Minute) })
	dear := c.gift(5000, nil)
	archived := c.gift(10, nil)
	if err := c.s.ArchiveGift(ctx, c.shopID, c.userID, archived, c.now); err != nil {
		t.Fatal(err)
	}
	if _, err := c.redeem(c.card, once); err != nil {
		t.Fatal(err)
	}
	otherShop, _, _, _ := shop(t, c.s, "other-gifts@example.com")
	theirs := db.Action{ShopID: otherShop, CardID: c.card.ID, UserID: c.userID, Key: "theirs-1", Now: c.now}
	tests := []struct {
		name string
		do   func() error
		want error
	}{
		{"out of stock", func() error { _, err := c.redeem(c.card, none); return err }, loyalty.ErrGiftOutOfStock},
		{"limit reached", func() error { _, err := c.redeem(c.card, once); return err }, loyalty.ErrGiftLimit},
		{"not yet", func() error { _, err := c.redeem(c.card, later); return err }, loyalty.ErrGiftUnavailable},
		{"ended", func() error { _, err := c.redeem(c.card, over); return err }, loyalty.ErrGiftUnavailable},
		{"archived", func() error { _, err := c.redeem(c.card, archived); return err }, loyalty.ErrGiftUnavailable},
		{"too dear", func() error { _, err := c.redeem(c.card, dear); return err }, loyalty.ErrNotEnoughPoints},
		{"no partial price", func() error {
			_, err := c.s.RedeemGift(ctx, c.action(c.card, 0), dear, true, db.GiftFromCounter)
			return err
		}, loyalty.ErrGiftNoPartial},
		{"another shop's item", func() error {
			_, err := c.s.RedeemGift(ctx, theirs, once, false, db.GiftFromCounter)
			return err
		}, db.ErrNotFound},
	}
	for _, tt := range tests {
		before := c.balance(c.card, c.beans).Points
		if err := tt.do(); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
		if after := c.balance(c.card, c.beans).Points; after != before {
			t.Errorf("%s: points %d → %d", tt.name, before, after)
		}
	}
	// The item of a shop redeemed for another shop's card: not found.
	other := c.gift(10, nil)
	_, _, theirCard, _ := shop(t, c.s, "third@example.com")
	if _, err := c.redeem(theirCard, other); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("another shop's card: %v, want ErrNotFound", err)
	}
	// A replayed form spends nothing more.
	a := c.action(c.card, 0)
	first, err := c.s.RedeemGift(ctx, a, other, false, db.GiftFromCard)
	if err != nil {
		t.Fatal(err)
	}
	var replay *db.ReplayedError
	if _, err := c.s.RedeemGift(ctx, a, other, false, db.GiftFromCard); !errors.As(err, &replay) || replay.ID != first.EventID {
		t.Errorf("replayed key: %v, want the first spend event %d", err, first.EventID)
	}
	if b := c.balance(c.card, c.beans); b.Points != 980 {
		t.Errorf("after two 10-point gifts and a replay: %d points, want 980", b.Points)
	}
}

// TestLastGiftRace: two cashiers and the customer take the last item at
// once; exactly one gets it, and only that one's points are spent.
func TestLastGiftRace(t *testing.T) {
	t.Parallel()
	c := newCatalogueShop(t, "race@example.com")
	last := c.gift(100, func(in *db.GiftInput) { in.Limited, in.Stock = true, 1 })
	cards := []db.Card{c.card, c.enroll("race-2"), c.enroll("race-3")}
	for _, card := range cards[1:] {
		c.earn(card, c.beans, 500_00)
	}
	const tries = 12
	var wg sync.WaitGroup
	errs := make([]error, tries)
	actions := make([]db.Action, tries)
	for i := range actions {
		actions[i] = c.action(cards[i%len(cards)], 0)
	}
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.s.RedeemGift(context.Background(), actions[i], last, false, db.GiftFromCounter)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, loyalty.ErrGiftOutOfStock):
			t.Errorf("a losing redemption: %v, want ErrGiftOutOfStock", err)
		}
	}
	if won != 1 {
		t.Errorf("%d redemptions got the last item, want 1", won)
	}
	if n := c.stock(last); n != 0 {
		t.Errorf("stock: %d, want 0", n)
	}
	var orders, spent int
	c.raw.QueryRow(`SELECT count(*), coalesce(sum(points), 0) FROM gift_orders WHERE gift_id = ?`, last).Scan(&orders, &spent)
	var events int
	c.raw.QueryRow(`SELECT count(*) FROM events WHERE kind = 'redeem' AND shop_id = ?`, c.shopID).Scan(&events)
	if orders != 1 || spent != 100 || events != 1 {
		t.Errorf("%d redemptions of %d points and %d spend events; want one each", orders, spent, events)
	}
	c.checkRebuild()
}

// TestGiftStatesAndNotices: each step along pickup or shipping queues the
// customer's notice (with the service consent), states only move forward,
// a stale form changes nothing, a finished one cannot be cancelled.
func TestGiftStatesAndNotices(t *testing.T) {
	t.Parallel()
	c := newCatalogueShop(t, "states@example.com")
	if _, err := c.raw.Exec(`UPDATE cards SET email = 'fan@example.com' WHERE id = ?`, c.card.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.raw.Exec(`INSERT INTO consents (shop_id, card_id, channel, purpose, granted, source, created_at) VALUES (?, ?, 'email', 'service', 1, 'card', 0)`,
		c.shopID, c.card.ID); err != nil {
		t.Fatal(err)
	}
	g := c.gift(100, func(in *db.GiftInput) { in.Limited, in.Stock = true, 5 })
	pickup, err := c.redeem(c.card, g)
	if err != nil {
		t.Fatal(err)
	}
	parcel, err := c.redeem(c.card, g)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		o        db.GiftOrder
		from, to loyalty.GiftState
		want     error
	}{
		{pickup, loyalty.GiftRequested, loyalty.GiftDelivered, loyalty.ErrGiftMove}, // not along a path
		{pickup, loyalty.GiftRequested, loyalty.GiftReady, nil},
		{pickup, loyalty.GiftRequested, loyalty.GiftReady, nil},                      // a double tap: done already
		{pickup, loyalty.GiftRequested, loyalty.GiftHandedOver, loyalty.ErrGiftMove}, // a stale form
		{pickup, loyalty.GiftReady, loyalty.GiftHandedOver, nil},
		{pickup, loyalty.GiftHandedOver, loyalty.GiftCancelled, loyalty.ErrGiftMove}, // in the customer's hands
		{pickup, loyalty.GiftHandedOver, loyalty.GiftReady, loyalty.ErrGiftMove},     // never backwards
		{parcel, loyalty.GiftRequested, loyalty.GiftShipped, nil},
		{parcel, loyalty.GiftShipped, loyalty.GiftDelivered, nil},
	}
	for i, s := range steps {
		m := db.GiftMove{ShopID: c.shopID, OrderID: s.o.ID, UserID: c.userID, From: s.from, To: s.to, Now: c.now, Carrier: "DHL", Tracking: "https://track.example/1Z"}
		if err := c.s.MoveGiftOrder(context.Background(), m); !errors.Is(err, s.want) {
			t.Errorf("step %d, %s → %s: %v, want %v", i, s.from, s.to, err, s.want)
		}
	}
	open, done, err := c.s.GiftOrders(context.Background(), c.shopID)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 0 || len(done) != 2 {
		t.Fatalf("queue: %d open, %d done; want 0 and 2", len(open), len(done))
	}
	for _, o := range done {
		if o.ID == parcel.ID && (o.State != loyalty.GiftDelivered || o.Carrier != "DHL" || o.Tracking != "https://track.example/1Z") {
			t.Errorf("parcel: %+v", o)
		}
		if o.ID == pickup.ID && o.State != loyalty.GiftHandedOver {
			t.Errorf("pickup: %+v", o)
		}
	}
	var notices int
	c.raw.QueryRow(`SELECT count(*) FROM outbox WHERE template = 'gift_update' AND card_id = ? AND channel = 'email'`, c.card.ID).Scan(&notices)
	if notices != 4 {
		t.Errorf("notices queued: %d, want 4 (ready, handed over, shipped, delivered)", notices)
	}
	n, cost, err := c.s.GiftsHandedOut(context.Background(), c.shopID, c.now.Add(-time.Hour))
	if err != nil || n != 2 || cost != 500 {
		t.Errorf("handed out: %d costing %d (%v); want 2 costing 500", n, cost, err)
	}
}

// TestUndoCancelsGift: the counter's undo of a redemption (a slip) cancels
// it and puts the gift back in stock, as a cancel does.
func TestUndoCancelsGift(t *testing.T) {
	t.Parallel()
	c := newCatalogueShop(t, "undo-gift@example.com")
	g := c.gift(100, func(in *db.GiftInput) { in.Limited, in.Stock = true, 1 })
	o, err := c.s.RedeemGift(context.Background(), c.action(c.card, 0), g, false, db.GiftFromCounter)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.s.Undo(context.Background(), c.undoAction(c.card), o.EventID); err != nil {
		t.Fatal(err)
	}
	if n := c.stock(g); n != 1 {
		t.Errorf("stock after the undo: %d, want 1", n)
	}
	got, err := c.s.GiftOrderByEvent(context.Background(), c.shopID, o.EventID)
	if err != nil || got.State != loyalty.GiftCancelled {
		t.Errorf("after the undo: %+v, %v; want cancelled", got, err)
	}
	if b := c.balance(c.card, c.beans); b.Points != 1000 {
		t.Errorf("points after the undo: %d, want 1000", b.Points)
	}
}
