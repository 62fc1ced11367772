package views_test

import (
	"strings"
	"testing"

	"regulars/locale"
	"regulars/views"
)

// TestGiftUpdateText: the notice of a step of a gift names the gift and its
// state in every language, with no placeholder left.
func TestGiftUpdateText(t *testing.T) {
	t.Parallel()
	for _, l := range locale.Languages {
		tr := locale.New(l.Code, nil, locale.LatinDigits)
		subject, body := views.DefaultAutomationText(tr, "gift_update")
		state := views.GiftStateText(tr, "ready")
		v := views.MailVars{Name: "Ada", Shop: "Çınar", Gift: "Mug", GiftState: state}
		s, b := views.FillMail(subject, v), views.FillMail(body, v)
		if !strings.Contains(s, state) || !strings.Contains(b, "Mug") || !strings.Contains(b, state) {
			t.Errorf("%s: %q / %q lacks the gift or %q", l.Code, s, b, state)
		}
		if strings.Contains(s+b, "{") {
			t.Errorf("%s: a placeholder is left in %q / %q", l.Code, s, b)
		}
	}
}
