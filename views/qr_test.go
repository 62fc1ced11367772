package views

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func renderQR(t *testing.T, content, label string) string {
	t.Helper()
	var b strings.Builder
	if err := qrSVG(content, label).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestQRDrawingCached: a card's code is drawn once and then served from the
// cache, labelled per page; different content never shares a drawing.
func TestQRDrawingCached(t *testing.T) {
	t.Parallel()
	const url = "https://loyalty.example.com/c/qr-cache-test-token-1"
	if qrCache.Contains(url) {
		t.Fatal("cached before first use")
	}
	first := renderQR(t, url, "Card")
	if !qrCache.Contains(url) {
		t.Fatal("not cached after first use")
	}
	again := renderQR(t, url, "Kart")
	if strings.Replace(again, `aria-label="Kart"`, `aria-label="Card"`, 1) != first {
		t.Errorf("cached drawing differs:\n%s\n%s", first, again)
	}
	other := renderQR(t, url+"x", "Card")
	if other == first || !strings.Contains(other, `<path stroke="#000" d="M`) {
		t.Errorf("another URL drew the same or no code: %.80s", other)
	}
	if got := renderQR(t, strings.Repeat("x", 3000), "Card"); got != "" {
		t.Errorf("content too long for a QR code drew %.40q", got)
	}
}

// TestQRModulesKept: the modules kept with a card (QRModules) draw exactly
// the code drawn from its address, and a card with kept modules is shown
// from them without drawing; one without, or with damaged ones, is drawn.
func TestQRModulesKept(t *testing.T) {
	t.Parallel()
	const url = "https://loyalty.example.com/c/qr-kept-test-token-1"
	packed, err := QRModules(url)
	if err != nil {
		t.Fatal(err)
	}
	if len(packed) > 300 {
		t.Errorf("a card's kept code is %d bytes", len(packed))
	}
	bits, ok := unpackQR(packed)
	drawn, err := qrBits(url)
	if err != nil || !ok || fmt.Sprint(bits) != fmt.Sprint(drawn) {
		t.Fatalf("unpacked modules differ from the drawing (%v, %v)", ok, err)
	}
	render := func(c Card) string {
		var b strings.Builder
		if err := cardQR(c, "Card").Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if got, want := render(Card{URL: url, QR: packed}), renderQR(t, url, "Card"); got != want {
		t.Errorf("from the kept modules:\n%s\nfrom the address:\n%s", got, want)
	}
	// Modules kept for another address are what the card shows: the page
	// trusts what db.CardQR checked, and does not draw.
	other, err := QRModules(url + "-other")
	if err != nil {
		t.Fatal(err)
	}
	const fresh = "https://loyalty.example.com/c/qr-kept-test-token-2"
	if got := render(Card{URL: fresh, QR: other}); got != renderQR(t, url+"-other", "Card") || qrCache.Contains(fresh) {
		t.Error("a card with kept modules was drawn from its address")
	}
	for _, damaged := range [][]byte{nil, {}, {0}, packed[:len(packed)-1]} {
		if got := render(Card{URL: url, QR: damaged}); got != renderQR(t, url, "Card") {
			t.Errorf("damaged modules %d bytes long: not drawn from the address", len(damaged))
		}
	}
}
