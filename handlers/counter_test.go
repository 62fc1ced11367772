package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestFreshInstallOffersSignup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	if res := c.get("/"); res.status != http.StatusSeeOther || res.location != "/signup" {
		t.Fatalf("GET / on a fresh install: %d %q, want 303 to /signup", res.status, res.location)
	}
	owner := e.signup("Çınar Fırın", "owner@example.com")
	dash := owner.get("/dashboard")
	if dash.status != http.StatusOK {
		t.Fatalf("dashboard: %d", dash.status)
	}
	if got := text(dash, ".brandmark"); got != "Çınar Fırın" {
		t.Errorf("shop name on dashboard = %q", got)
	}
	if got := dash.doc.Find(`[data-testid="programs"] li`).First().Text(); !strings.Contains(got, "10 stamps → 1 free item") {
		t.Errorf("default program = %q, want 10 stamps → 1 free item", got)
	}
	// A second visitor to / now sees the front door, not sign-up.
	if res := e.client().get("/"); res.status != http.StatusOK || res.doc.Find(`a[href="/signup"]`).Length() == 0 {
		t.Errorf("GET / after sign-up: %d", res.status)
	}
	// Log out, and the dashboard is closed.
	res := owner.submit(dash, `form[action="/logout"]`, nil)
	if res.status != http.StatusSeeOther || res.location != "/login" {
		t.Fatalf("logout: %d %q", res.status, res.location)
	}
	if res := owner.get("/dashboard"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/login") {
		t.Errorf("dashboard after logout: %d %q, want redirect to login", res.status, res.location)
	}
}

// stampCount reads "n of N" of the first program on a counter card page.
func stampCount(t *testing.T, r response) string {
	t.Helper()
	return text(r, `[data-testid="stamp-count"]`)
}

func TestPunchCardLoop(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve Durağı", "owner@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	cardPath := cashier.enroll("Ayşe")

	page := cashier.get(cardPath + "?new=1")
	if page.doc.Find(`[data-testid="new-card-qr"] svg.qr`).Length() != 1 {
		t.Fatalf("a new card shows its QR code large")
	}
	for i := 1; i <= 12; i++ {
		res := cashier.submit(page, `[data-testid="stamp-1"]`, nil)
		if res.status != http.StatusSeeOther {
			t.Fatalf("stamp %d: status %d\n%s", i, res.status, snippet(res.body))
		}
		page = cashier.get(res.location)
		if got := page.doc.Find(`[data-testid="result"]`).AttrOr("data-result", ""); got != "stamped" {
			t.Fatalf("stamp %d: result %q", i, got)
		}
		earned := strings.Contains(text(page, `[data-testid="result"]`), "Reward earned")
		if earned != (i == 10) {
			t.Errorf("stamp %d: reward-earned banner = %v", i, earned)
		}
	}
	if got := stampCount(t, page); got != "2 of 10" {
		t.Errorf("after 12 stamps: %q, want 2 of 10 (carry-over)", got)
	}
	if n := page.doc.Find(`[data-testid="reward"]`).Length(); n != 1 {
		t.Fatalf("rewards shown: %d, want 1", n)
	}
	res := cashier.submit(page, `[data-testid="redeem"]`, nil)
	if res.status != http.StatusSeeOther {
		t.Fatalf("redeem: %d\n%s", res.status, snippet(res.body))
	}
	page = cashier.get(res.location)
	if got := page.doc.Find(`[data-testid="result"]`).AttrOr("data-result", ""); got != "redeemed" {
		t.Errorf("redeem result %q", got)
	}
	if n := page.doc.Find(`[data-testid="reward"]`).Length(); n != 0 {
		t.Errorf("rewards after redeeming: %d, want 0", n)
	}
	// The customer's own page shows the same state.
	token := cardToken(t, e, 1, cardPath)
	card := e.client().get("/c/" + token)
	if card.status != http.StatusOK || stampCount(t, card) != "2 of 10" {
		t.Errorf("card page: %d %q", card.status, stampCount(t, card))
	}
	if card.doc.Find("svg.qr").Length() != 1 {
		t.Error("card page has no QR code")
	}
	if card.doc.Find("script:not([type=module])").Length() != 0 {
		t.Error("card page has a classic script; it must work without JavaScript")
	}
}

// cardToken reads the token of the card at cardPath of the shop.
func cardToken(t *testing.T, e *env, shopID int64, cardPath string) string {
	t.Helper()
	var id int64
	fmt.Sscanf(cardPath, "/counter/cards/%d", &id)
	c, err := e.store.Card(context.Background(), shopID, id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Token
}

func TestStampsAtOnceAndCooldownOverride(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Berber", "owner@example.com")
	edit := owner.get("/programs/1")
	if res := owner.submit(edit, `[data-testid="program-form"]`, map[string]string{"max_per_visit": "30", "cooldown_minutes": "10"}); res.status != http.StatusSeeOther {
		t.Fatalf("edit program: %d\n%s", res.status, snippet(res.body))
	}
	cardPath := owner.enroll("")
	page := owner.get(cardPath)
	// 25 stamps at once on a 10-stamp program: two rewards, five left.
	if n := page.doc.Find(`button[data-testid^="stamp-"]`).Length(); n != 6 {
		t.Errorf("stamp buttons for a 30-per-visit program: %d, want +1…+5 and a number field", n)
	}
	res := owner.submit(page, `[data-testid="stamp-many"]`, map[string]string{"count": "25"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("25 stamps: %d\n%s", res.status, snippet(res.body))
	}
	page = owner.get(res.location)
	if got := stampCount(t, page); got != "5 of 10" {
		t.Errorf("after 25: %q", got)
	}
	if n := page.doc.Find(`[data-testid="reward"]`).Length(); n != 2 {
		t.Errorf("rewards: %d, want 2", n)
	}
	if !strings.Contains(text(page, `[data-testid="result"]`), "2 rewards earned") {
		t.Errorf("banner: %q", text(page, `[data-testid="result"]`))
	}
	// Within the cooldown: refused with the reason and a "stamp anyway".
	e.clock.Advance(3 * time.Minute)
	res = owner.submit(page, `[data-testid="stamp-1"]`, nil)
	if res.status != http.StatusConflict || res.doc.Find(`[data-result="cooldown"]`).Length() != 1 {
		t.Fatalf("stamp in cooldown: %d\n%s", res.status, snippet(res.body))
	}
	if msg := text(res, `[data-result="cooldown"] p`); !strings.Contains(msg, "7 minutes") {
		t.Errorf("cooldown message %q does not say 7 minutes", msg)
	}
	if got := stampCount(t, res); got != "5 of 10" {
		t.Errorf("refused stamp changed the card: %q", got)
	}
	res = owner.submit(res, `[data-testid="stamp-anyway"]`, nil)
	if res.status != http.StatusSeeOther {
		t.Fatalf("stamp anyway: %d\n%s", res.status, snippet(res.body))
	}
	page = owner.get(res.location)
	if got := stampCount(t, page); got != "6 of 10" {
		t.Errorf("after override: %q", got)
	}
	if !strings.Contains(page.doc.Find("table.ledger tbody tr").First().Text(), "cooldown overridden") {
		t.Error("override is not recorded in the history")
	}
	// The override is the shop's business: the customer's card lists the visit only.
	card := e.client().get("/c/" + cardToken(t, e, 1, cardPath))
	if got := card.doc.Find(`[data-testid="visits"]`).Text(); !strings.Contains(got, "+1") || strings.Contains(got, "cooldown overridden") {
		t.Errorf("the customer's visits %q tell of the cashier's override", strings.Join(strings.Fields(got), " "))
	}
}

func TestUndo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Fırın", "owner@example.com")
	cardPath := owner.enroll("Can")
	page := owner.get(cardPath)
	res := owner.submit(page, `[data-testid="stamp-1"]`, nil)
	page = owner.get(res.location)
	res = owner.submit(page, `[data-testid="undo"]`, nil)
	if res.status != http.StatusSeeOther {
		t.Fatalf("undo: %d\n%s", res.status, snippet(res.body))
	}
	page = owner.get(res.location)
	if got := page.doc.Find(`[data-testid="result"]`).AttrOr("data-result", ""); got != "undone" {
		t.Errorf("undo result %q", got)
	}
	if got := stampCount(t, page); got != "0 of 10" {
		t.Errorf("after undo: %q", got)
	}
	if page.doc.Find("tr.voided").Length() != 1 {
		t.Error("the undone stamp should stay in the history, struck through")
	}
	// An old action cannot be undone.
	res = owner.submit(page, `[data-testid="stamp-1"]`, nil)
	page = owner.get(res.location)
	e.clock.Advance(6 * time.Minute)
	if res := owner.submit(page, `[data-testid="undo"]`, nil); res.status != http.StatusConflict {
		t.Errorf("undo after 6 minutes: %d, want 409", res.status)
	}
	if got := stampCount(t, owner.get(cardPath)); got != "1 of 10" {
		t.Errorf("late undo changed the card: %q", got)
	}
}

func TestFindCard(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Pizza", "owner@example.com")
	res := owner.submit(owner.get("/counter"), `form[action="/counter/enroll"]`, map[string]string{"first_name": "Zeynep", "phone": "0532 123 45 67"})
	cardPath := strings.TrimSuffix(res.location, "?new=1")
	page := owner.get(cardPath)
	code := text(page, `[data-testid="short-code"]`)
	token := cardToken(t, e, 1, cardPath)
	other := e.signup("Other", "other@example.com")
	otherPath := other.enroll("Zeynep")
	otherToken := cardToken(t, e, 2, otherPath)

	tests := []struct {
		name, q string
		status  int
	}{
		{"keyboard wedge types the card URL", e.srv.URL + "/c/" + token, http.StatusSeeOther},
		{"bare token", token, http.StatusSeeOther},
		{"short code", code, http.StatusSeeOther},
		{"short code lower case without dash", strings.ToLower(strings.ReplaceAll(code, "-", "")), http.StatusSeeOther},
		{"phone with other spacing", "05321234567", http.StatusSeeOther},
		{"end of phone", "4567", http.StatusSeeOther},
		{"name prefix", "zey", http.StatusSeeOther},
		{"nothing matches", "Mehmet", http.StatusNotFound},
		{"another shop's card URL", e.srv.URL + "/c/" + otherToken, http.StatusNotFound},
		{"too long", strings.Repeat("x", 300), http.StatusBadRequest},
		{"LIKE wildcard is literal", "%", http.StatusNotFound},
	}
	// Lookups only: the cases may run at once.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := owner.get("/counter/find?q=" + url.QueryEscape(tt.q))
			if res.status != tt.status {
				t.Fatalf("status %d, want %d", res.status, tt.status)
			}
			if tt.status == http.StatusSeeOther && res.location != cardPath {
				t.Errorf("went to %q, want %q", res.location, cardPath)
			}
			if tt.status != http.StatusSeeOther && text(res, `[data-testid="lookup-message"]`) == "" {
				t.Error("no message shown")
			}
		})
	}
}
