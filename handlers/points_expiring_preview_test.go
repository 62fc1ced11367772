package handlers_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestPointsExpiringPreview: the owner's page of "points about to expire"
// says what {points} and {date} become, and its preview fills them with a
// sample count and the day the reminder's days ahead, in the shop's
// language, digits and calendar (the clock is 2 March 2026, 11 Esfand
// 1404; three days on is 5 March, 14 Esfand), never with a placeholder
// left.
func TestPointsExpiringPreview(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		settings map[string]string // nil: the sign-up's English
		want     []string
		hint     string
	}{
		{"English", nil, []string{"40 points", "Mar 5, 2026"}, "{points}"},
		{"Persian, Persian digits, Solar Hijri", map[string]string{"language": "fa", "timezone": "Asia/Tehran", "digits": "persian", "calendar": "jalali"},
			[]string{"۴۰ امتیاز", "۱۴ اسفند ۱۴۰۴"}, "{points}"},
		{"Romanian", map[string]string{"language": "ro", "timezone": "Europe/Bucharest"}, []string{"40 de puncte", "5 mar. 2026"}, "{date}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnvWith(t, withEmail)
			owner := e.signup("Kafe", "owner@example.com")
			if tt.settings != nil {
				if res := owner.submit(owner.get("/settings"), `form[action="/settings"]`, tt.settings); res.status != http.StatusSeeOther {
					t.Fatalf("settings: %d\n%s", res.status, snippet(res.body))
				}
			}
			page := owner.get("/automations/points_expiring")
			if page.status != http.StatusOK {
				t.Fatalf("GET: %d", page.status)
			}
			shown := owner.submit(page, `[data-testid="automation-form"]`, map[string]string{"action": "preview"})
			for _, res := range []response{page, shown} {
				preview := text(res, `[data-testid="preview"]`)
				for _, w := range tt.want {
					if !strings.Contains(preview, w) {
						t.Errorf("the preview lacks %q:\n%s", w, preview)
					}
				}
				if strings.ContainsAny(preview, "{}") {
					t.Errorf("a placeholder is left in the preview:\n%s", preview)
				}
				if !strings.Contains(text(res, `[data-testid="placeholders-points"]`), tt.hint) {
					t.Errorf("the page does not say what %s becomes", tt.hint)
				}
			}
		})
	}
}
