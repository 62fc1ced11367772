package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"regulars/loyalty"
)

// TestAuditGifts: the catalogue's changes (an item added, edited, its stock
// changed, retired) and the steps of a redemption (ready, handed over,
// cancelled) each leave a line in the owner's audit log, by whom, about
// which gift and card, named in the owner's language.
func TestAuditGifts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := newCatalogueShop(t, e, "Gift Log", "giftlog@example.com", map[string]string{"points": "200", "per_customer": "0"})
	edit := s.owner.get("/catalogue/" + s.giftID)
	if res := s.owner.submit(edit, `[data-testid="gift-form"]`, map[string]string{"name": "Blue mug", "stock": "5"}); res.status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", res.status, snippet(res.body))
	}
	if res := s.customer.submit(s.card(), `[data-testid="gift-request"]`, nil); res.status != http.StatusOK {
		t.Fatalf("request: %d\n%s", res.status, snippet(res.body))
	}
	if res := s.owner.submit(s.owner.get("/catalogue/orders"), `[data-testid="gift-move-ready"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("ready: %d\n%s", res.status, snippet(res.body))
	}
	if res := s.cashier.submit(s.cashier.get(s.cardPath), `[data-testid="counter-gift-handover"]`, nil); res.status != http.StatusOK {
		t.Fatalf("hand over: %d\n%s", res.status, snippet(res.body))
	}
	if res := s.customer.submit(s.card(), `[data-testid="gift-request"]`, nil); res.status != http.StatusOK {
		t.Fatalf("second request: %d\n%s", res.status, snippet(res.body))
	}
	if res := s.owner.submit(s.owner.get("/catalogue/orders"), `[data-testid="gift-move-cancelled"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d\n%s", res.status, snippet(res.body))
	}
	if res := s.owner.submit(s.owner.get("/catalogue/"+s.giftID), `[data-testid="gift-archive"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("retire: %d\n%s", res.status, snippet(res.body))
	}
	var code string
	if err := e.raw.QueryRow(`SELECT short_code FROM cards WHERE token = ?`, s.token).Scan(&code); err != nil {
		t.Fatal(err)
	}
	code = loyalty.FormatShortCode(code)
	owner, cashier := "Owner of Gift Log", "Cashier till-giftlog@example.com"
	for _, tt := range []struct{ kind, want string }{
		{"gift_create", "gift_create | " + owner + " | Mug · 1"},
		{"gift_edit", "gift_edit | " + owner + " | Blue mug"},
		{"gift_stock", "gift_stock | " + owner + " | Blue mug · 1 → 5"},
		{"gift_ready", "gift_ready | " + owner + " | Blue mug · " + code},
		{"gift_handed_over", "gift_handed_over | " + cashier + " | Blue mug · " + code},
		{"gift_cancel", "gift_cancel | " + owner + " | Blue mug · " + code},
		{"gift_retire", "gift_retire | " + owner + " | Blue mug"},
	} {
		res := s.owner.get("/audit?kind=" + tt.kind)
		if got := auditLines(res); res.status != http.StatusOK || strings.Join(got, "\n") != tt.want {
			t.Errorf("%s: %d %q, want %q", tt.kind, res.status, got, tt.want)
		}
	}
	for lang, want := range map[string]string{
		"en": "Changed a gift's stock",
		"tr": "Bir hediyenin stokunu değiştirdi",
		"fa": "موجودی هدیه\u200cای را تغییر داد",
		"ro": "A schimbat stocul unui cadou",
	} {
		c := s.owner.clone()
		c.http.Jar.SetCookies(mustURL(e.srv.URL), []*http.Cookie{{Name: "lang", Value: lang, Path: "/"}})
		if got := text(c.get("/audit?kind=gift_stock"), `[data-testid="audit-what"]`); !strings.Contains(got, want) {
			t.Errorf("%s: the line says %q, want %q", lang, got, want)
		}
	}
}
