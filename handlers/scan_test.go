package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestStampOnScan: in a shop that stamps on scan, a scanned card opens with
// one stamp of the default program, under every rule; what is not one of the
// shop's cards is looked up as if typed, and nothing is stamped. Issue 14.
func TestStampOnScan(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Scan Café", "scan@example.com")
	edit := owner.get("/programs/1")
	if res := owner.submit(edit, `[data-testid="program-form"]`, map[string]string{"cooldown_minutes": "10"}); res.status != http.StatusSeeOther {
		t.Fatalf("edit program: %d\n%s", res.status, snippet(res.body))
	}
	cardPath := owner.enroll("Deniz")
	token := cardToken(t, e, 1, cardPath)
	other := e.signup("Other Café", "other-scan@example.com")
	otherToken := cardToken(t, e, 2, other.enroll("Mallory"))

	// Off by default: the counter has no stamping scan form, and a scan posted
	// anyway is only a lookup.
	if n := owner.get("/counter").doc.Find(`form#scan-stamp`).Length(); n != 0 {
		t.Fatalf("a shop that does not stamp on scan has %d scan-stamp forms", n)
	}
	off := owner.postRaw("/counter/scan", url.Values{"_csrf": {owner.token()}, "key": {"scan-key-off-0000001"}, "q": {token}})
	if off.status != http.StatusSeeOther || !strings.HasPrefix(off.location, "/counter/find?") {
		t.Fatalf("scan with the setting off: %d → %q", off.status, off.location)
	}
	if n := e.count(`SELECT count(*) FROM events WHERE kind = 'stamp'`); n != 0 {
		t.Fatalf("a scan with the setting off stamped %d times", n)
	}

	settings := owner.get("/settings")
	if res := owner.submit(settings, `form[action="/settings"]`, map[string]string{"stamp_on_scan": "yes"}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("a forged box value: %d, want 422", res.status)
	}
	if res := owner.submit(settings, `form[action="/settings"]`, map[string]string{"stamp_on_scan": "1"}); res.status != http.StatusSeeOther {
		t.Fatalf("turn stamp on scan on: %d\n%s", res.status, snippet(res.body))
	}
	if _, ticked := owner.get("/settings").doc.Find(`#f-stamp_on_scan`).Attr("checked"); !ticked {
		t.Errorf("the settings page does not show stamp on scan ticked")
	}
	counter := owner.get("/counter")
	scan := func(q string) response {
		t.Helper()
		return owner.submit(counter, `form#scan-stamp`, map[string]string{"q": q})
	}

	first := scan(e.srv.URL + "/c/" + token)
	if first.status != http.StatusSeeOther || !strings.HasPrefix(first.location, cardPath+"?done=") {
		t.Fatalf("scan: %d → %q, want the card with its stamp", first.status, first.location)
	}
	page := owner.get(first.location)
	if got := text(page, `[data-result="stamped"]`); !strings.Contains(got, "+1 stamp") {
		t.Errorf("result after a scan = %q", got)
	}
	if page.doc.Find(`[data-testid="result"] [data-testid="undo"]`).Length() != 1 {
		t.Error("no Undo beside the scan's stamp")
	}
	stamps := func() int { return e.count(`SELECT count(*) FROM events WHERE kind = 'stamp'`) }

	tests := []struct {
		name     string
		do       func() response
		status   int
		location string // prefix, for redirects
		stamps   int    // after the step
	}{
		{"the same scan again (a retried request)", func() response { return scan(e.srv.URL + "/c/" + token) }, http.StatusConflict, "", 1},
		{"the next scan within the cooldown", func() response {
			return owner.submit(owner.get(cardPath), `form#scan-stamp`, map[string]string{"q": token})
		}, http.StatusConflict, "", 1},
		{"another shop's card", func() response {
			return owner.submit(owner.get("/counter"), `form#scan-stamp`, map[string]string{"q": e.srv.URL + "/c/" + otherToken})
		}, http.StatusSeeOther, "/counter/find?", 1},
		{"a name typed, not a card", func() response {
			return owner.submit(owner.get("/counter"), `form#scan-stamp`, map[string]string{"q": "Deniz"})
		}, http.StatusSeeOther, "/counter/find?q=Deniz", 1},
		{"no key", func() response {
			return owner.postRaw("/counter/scan", url.Values{"_csrf": {owner.token()}, "q": {token}})
		}, http.StatusBadRequest, "", 1},
		{"no CSRF token", func() response {
			return owner.postRaw("/counter/scan", url.Values{"key": {"scan-key-csrf-000001"}, "q": {token}})
		}, http.StatusForbidden, "", 1},
		{"after the cooldown", func() response {
			e.clock.Advance(11 * time.Minute)
			return owner.submit(owner.get(cardPath), `form#scan-stamp`, map[string]string{"q": token})
		}, http.StatusSeeOther, cardPath + "?done=", 2},
	}
	for _, tt := range tests { // in order: each step leaves the card for the next
		res := tt.do()
		if res.status != tt.status || !strings.HasPrefix(res.location, tt.location) {
			t.Errorf("%s: %d → %q, want %d → %q…", tt.name, res.status, res.location, tt.status, tt.location)
		}
		if got := stamps(); got != tt.stamps {
			t.Errorf("%s: %d stamps in the ledger, want %d", tt.name, got, tt.stamps)
		}
	}
	if n := e.count(`SELECT count(*) FROM events WHERE shop_id = 2`); n != 0 {
		t.Errorf("the other shop's card has %d events", n)
	}
}
