package db_test

import (
	"context"
	"database/sql"
	"testing"

	"regulars/db"
	"regulars/db/dbtest"
)

// TestErasingEndsPushSubscriptions: a push subscription names the
// customer's browser, so erasing the customer deletes their phones'
// subscriptions with the rest of their data, and those of another card stay.
func TestErasingEndsPushSubscriptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := dbtest.Open(t)
	shopID, userID, card, _ := shop(t, s, "push@example.com")
	other, err := s.EnrollCard(ctx, shopID, db.NewCard{CreatedBy: userID, Key: "other"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []db.Card{card, other} {
		sub := db.PushSubscription{ShopID: shopID, CardID: c.ID, Endpoint: "https://push.example.net/phone", P256dh: "k", Auth: "a", Language: "en"}
		if err := s.SavePushSubscription(ctx, sub, t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.EraseCustomer(ctx, shopID, userID, card.ID, t0); err != nil {
		t.Fatal(err)
	}
	raw, _ := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=query_only(ON)")
	defer raw.Close()
	var erased, kept int
	raw.QueryRow(`SELECT (SELECT count(*) FROM push_subscriptions WHERE card_id = ?), (SELECT count(*) FROM push_subscriptions WHERE card_id = ?)`,
		card.ID, other.ID).Scan(&erased, &kept)
	if erased != 0 || kept != 1 {
		t.Errorf("after erasing: %d subscriptions of the erased card, %d of the other; want 0 and 1", erased, kept)
	}
}
