package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"regulars/db"
)

// TestFailedCardLinkNamed: a card's link that the mail server would not
// take is listed among the owner's failed messages under a name in the
// owner's language, not as its code "card_link".
func TestFailedCardLinkNamed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMailEnv(t)
	owner := e.signup("Pâtisserie", "owner@example.com")
	slug := e.slug(1)
	joinedToken(t, e.client().join("/join/"+slug, map[string]string{"email": "ana@example.com", "phone": "0722 123 456", "email_service": "1", "consent": ""}))
	if res := e.client().askCard(slug, "ana@example.com"); res.status != http.StatusOK {
		t.Fatalf("ask: %d", res.status)
	}
	msgs, err := e.store.ClaimOutbox(ctx, e.clock.Now(), time.Minute, 10)
	if err != nil || len(msgs) != 1 || msgs[0].Template != db.MessageCardLink {
		t.Fatalf("claimed %+v: %v", msgs, err)
	}
	o := db.OutboxOutcome{State: db.OutboxFailed, Error: "550 5.1.1 mailbox unavailable"}
	if err := e.store.FinishOutbox(ctx, msgs[0].ID, o, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{
		"en": "Card link (asked for by the customer)",
		"tr": "Kart bağlantısı (müşteri istedi)",
		"fa": "پیوند کارت (به درخواست مشتری)",
		"ro": "Linkul cardului (cerut de client)",
	} {
		c := owner.clone()
		c.http.Jar.SetCookies(mustURL(e.srv.URL), []*http.Cookie{{Name: "lang", Value: lang, Path: "/"}})
		row := text(c.get("/automations"), `[data-testid="failed-row"]`)
		if !strings.Contains(row, want) || strings.Contains(row, "card_link") {
			t.Errorf("%s: the failed message reads %q, want it named %q", lang, row, want)
		}
	}
}
