package outbox

import (
	"context"
	"strings"
	"testing"

	"regulars/db"
)

// TestTierReachedRendersInEveryLanguage: "you reached Silver" names the
// tier, the shop and the customer in each of the four languages.
func TestTierReachedRendersInEveryLanguage(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"en", "tr", "fa", "ro"} {
		m := db.OutboxMessage{ID: 1, Template: db.MessageTierReached, Language: lang, Channel: "email", Purpose: db.PurposeService,
			Payload: db.OutboxPayload{Tier: "Silver"}}
		f := db.MessageFacts{Shop: db.Shop{Name: "Kafe", TimeZone: "UTC"}, Card: db.Card{FirstName: "Ayla", Email: "a@example.com", Token: "tok"}}
		msg, err := render(context.Background(), m, f, "https://example.com", "/u/1")
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		if !strings.Contains(msg.Subject, "Silver") || !strings.Contains(msg.Subject, "Kafe") || !strings.Contains(msg.Text, "Ayla") || strings.Contains(msg.Text+msg.Subject, "{") {
			t.Errorf("%s: %q / %q", lang, msg.Subject, msg.Text)
		}
	}
}
