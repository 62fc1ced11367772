package views_test

import (
	"regexp"
	"testing"

	"regulars/locale"
	"regulars/views"
)

// TestFillMail: placeholders are filled; without a name the greeting loses
// it, without a coupon the lines naming it are left out, and every kind's
// catalogue text in every language fills without a placeholder left.
func TestFillMail(t *testing.T) {
	t.Parallel()
	body := "Hi {name},\n\nA gift: {coupon}. Show your card.\n\nSee you at {shop}!"
	tests := []struct {
		name string
		v    views.MailVars
		want string
	}{
		{"all", views.MailVars{Name: "Ana", Shop: "Café", Coupon: "A croissant"}, "Hi Ana,\n\nA gift: A croissant. Show your card.\n\nSee you at Café!"},
		{"no coupon", views.MailVars{Name: "Ana", Shop: "Café"}, "Hi Ana,\n\n\nSee you at Café!"},
		{"no name", views.MailVars{Shop: "Café", Coupon: "X"}, "Hi,\n\nA gift: X. Show your card.\n\nSee you at Café!"},
	}
	for _, tt := range tests {
		if got := views.FillMail(body, tt.v); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	full := views.MailVars{Name: "Ana", Shop: "Café", Reward: "tea", Coupon: "X", Prize: "cake", News: "Open on Sunday", Points: "27 points", Date: "Mar 5, 2026"}
	for _, l := range locale.Languages {
		tr := locale.New(l.Code, nil, locale.LatinDigits)
		for _, kind := range []string{"reward_ready", "one_visit_left", "we_miss_you", "birthday", "coupon_expiring", "points_expiring", "raffle_result", "newsletter"} {
			subject, body := views.DefaultAutomationText(tr, kind)
			if subject == "" || body == "" {
				t.Errorf("%s %s: no catalogue text", l.Code, kind)
			}
			for _, s := range []string{views.FillMail(subject, full), views.FillMail(body, full)} {
				if placeholder.MatchString(s) {
					t.Errorf("%s %s: a placeholder is left in %q", l.Code, kind, s)
				}
			}
		}
	}
}

var placeholder = regexp.MustCompile(`\{[a-z]+\}`)
