package handlers_test

import (
	"context"
	"testing"

	"regulars/handlers"
	"regulars/views"
)

// TestCardPageShowsTheKeptQR: on a server with a public address, a card
// whose code was drawn ahead (db.DrawMissingQRs) shows the kept modules
// instead of drawing them; before that, and on a server without an address,
// the code is drawn from the card's address.
func TestCardPageShowsTheKeptQR(t *testing.T) {
	t.Parallel()
	const base = "https://loyal.example"
	for _, c := range []struct {
		name string
		base string
		kept bool // the page shows the kept modules
	}{
		{"with an address", base, true},
		{"without one", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnvWith(t, func(cfg *handlers.Config) { cfg.BaseURL = c.base })
			owner := e.signup("Kafe", "owner@example.com")
			token := cardToken(t, e, 1, owner.enroll("Ayla"))
			phone := e.client()
			code := func() string {
				t.Helper()
				d, ok := phone.get("/c/" + token).doc.Find("svg.qr path").Attr("d")
				if !ok {
					t.Fatal("the card page has no QR code")
				}
				return d
			}
			drawn := code()
			// Modules kept for the card's address, but of other content, so
			// that the page shows which it used.
			other := func(content string) ([]byte, error) { return views.QRModules(content + "?other") }
			if n, err := e.store.DrawMissingQRs(context.Background(), base, other, 10); err != nil || n != 1 {
				t.Fatalf("drew %d, %v", n, err)
			}
			if got := code(); (got != drawn) != c.kept {
				t.Errorf("the page shows the kept modules: %v, want %v", got != drawn, c.kept)
			}
		})
	}
}
