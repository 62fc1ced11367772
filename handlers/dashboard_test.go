package handlers_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestDashboardShowsTheShop: after a stamp the owner's dashboard counts the
// customer and the visit; the cashier may not see it.
func TestDashboardShowsTheShop(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop A", "a@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	card := cashier.enroll("Ali")
	cashier.submit(cashier.get(card), `[data-testid="stamp-1"]`, map[string]string{"count": "1"})

	res := owner.get("/dashboard")
	if res.status != http.StatusOK {
		t.Fatalf("dashboard: %d", res.status)
	}
	for sel, want := range map[string]string{
		`[data-testid="tile-customers"] .tile-value`: "1",
		`[data-testid="tile-active"] .tile-value`:    "1",
		`[data-testid="today"]`:                      "stamps 1",
		`[data-testid="segment-new"] .count`:         "1",
	} {
		if got := text(res, sel); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if n := res.doc.Find(`[data-testid="chart-daily"] rect.bar`).Length(); n != 1 {
		t.Errorf("daily chart has %d bars after one visit", n)
	}
	if got := text(res, `[data-testid="staff-activity"] tbody tr`); !strings.Contains(got, "Cashier cashier@example.com") {
		t.Errorf("staff activity %q does not name the cashier", got)
	}
	if res := cashier.get("/dashboard"); res.status != http.StatusForbidden {
		t.Errorf("cashier sees the dashboard: %d", res.status)
	}
}

// TestEconomicsForm: the owner enters an average ticket and a reward cost and
// reads the return; bad amounts are refused and change nothing.
func TestEconomicsForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop A", "a@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	form := `form[action="/dashboard/economics"]`
	cases := []struct {
		name   string
		c      *client
		set    map[string]string
		del    []string
		status int
	}{
		{"malformed ticket", owner, map[string]string{"average_ticket": "four", "reward_cost": "1.80"}, nil, 422},
		{"negative cost", owner, map[string]string{"average_ticket": "4.50", "reward_cost": "-1"}, nil, 422},
		{"three decimals", owner, map[string]string{"average_ticket": "4.505", "reward_cost": "1"}, nil, 422},
		{"oversized ticket", owner, map[string]string{"average_ticket": "1234567890123", "reward_cost": "1"}, nil, 422},
		{"without CSRF token", owner, map[string]string{"average_ticket": "4.50"}, []string{"_csrf"}, 403},
		{"by a cashier", cashier, map[string]string{"average_ticket": "4.50"}, nil, 403},
	}
	page := owner.get("/dashboard")
	// One case at a time: each compares snapshots of the whole shared database,
	// which a sibling case's requests would change in between.
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot()
			action, v := formValues(t, page, form)
			for k, val := range tt.set {
				v.Set(k, val)
			}
			for _, k := range tt.del {
				v.Del(k)
			}
			if tt.c == cashier {
				_, cv := formValues(t, cashier.get("/counter"), `form[action="/logout"]`)
				v.Set("_csrf", cv.Get("_csrf"))
			}
			res := tt.c.postRaw(action, v)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", res.status, tt.status, snippet(res.body))
			}
			if tt.status == 422 && text(res, ".field-error") == "" {
				t.Errorf("no message:\n%s", snippet(res.body))
			}
			if after := e.snapshot(); after != before {
				t.Error("a refused form changed the database")
			}
		})
	}
	res := owner.submit(page, form, map[string]string{"average_ticket": "4,50", "reward_cost": "1.80"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("save economics: %d\n%s", res.status, snippet(res.body))
	}
	res = owner.get("/dashboard")
	if got := res.doc.Find(`#f-average_ticket`).AttrOr("value", ""); got != "4.50" {
		t.Errorf("average ticket shown as %q", got)
	}
	if got := text(res, `[data-testid="economics"] .formula`); !strings.Contains(got, "4.50 EUR") || !strings.Contains(got, "1.80 EUR") {
		t.Errorf("formula %q does not spell out the inputs", got)
	}
}
