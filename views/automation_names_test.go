package views_test

import (
	"testing"
	"time"

	"regulars/locale"
	"regulars/views"
)

// TestMessageNamesNotAutomations: the owner's list of failed messages names
// the two kinds of message that are no automation (a gift's step, a card's
// link a customer asked for) in the owner's language, not by their code.
func TestMessageNamesNotAutomations(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, gift, link string }{
		{"en", "Gift update", "Card link (asked for by the customer)"},
		{"tr", "Hediye durumu", "Kart bağlantısı (müşteri istedi)"},
		{"fa", "خبر وضعیت هدیه", "پیوند کارت (به درخواست مشتری)"},
		{"ro", "Stadiul cadoului", "Linkul cardului (cerut de client)"},
	} {
		tr := locale.New(tt.lang, time.UTC, locale.LatinDigits)
		if got := views.AutomationName(tr, "gift_update"); got != tt.gift {
			t.Errorf("%s: gift_update is named %q, want %q", tt.lang, got, tt.gift)
		}
		if got := views.AutomationName(tr, "card_link"); got != tt.link {
			t.Errorf("%s: card_link is named %q, want %q", tt.lang, got, tt.link)
		}
	}
}
