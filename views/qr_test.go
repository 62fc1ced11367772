package views

import (
	"context"
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
	if other == first || !strings.Contains(other, `<path fill="#000" d="M`) {
		t.Errorf("another URL drew the same or no code: %.80s", other)
	}
	if got := renderQR(t, strings.Repeat("x", 3000), "Card"); got != "" {
		t.Errorf("content too long for a QR code drew %.40q", got)
	}
}
