package views

import (
	"strings"
	"testing"
)

// TestBrandColoursReadable: whatever colour a shop picks, links in it
// (--brand-ink) read on the pages' light backgrounds and the text on a fill of
// it (--on-brand, primary buttons) reads on it, at WCAG's 4.5:1; a colour that
// already reads is kept as it is.
func TestBrandColoursReadable(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		color, ink, on string
	}{
		{"#7c3aed", "#7c3aed", "#ffffff"}, // the default violet reads as it is
		{"#6b4423", "#6b4423", "#ffffff"}, // a brown café
		{"#ffff00", "", "#000000"},        // yellow: darker links, black on buttons
		{"#f4c2c2", "", "#000000"},        // a pastel pink
		{"#2ecc71", "", "#000000"},        // a mid green neither white nor dark reads well on
		{"#000000", "#000000", "#ffffff"},
		{"#ffffff", "", "#000000"},
	} {
		t.Run(c.color, func(t *testing.T) {
			t.Parallel()
			style := string(brandStyle(&Brand{Color: c.color}))
			vars := map[string]string{}
			for _, decl := range strings.Split(strings.TrimSuffix(style, ";"), ";") {
				k, v, _ := strings.Cut(decl, ":")
				vars[k] = v
			}
			if vars["--brand"] != c.color {
				t.Errorf("--brand is %q, want %q", vars["--brand"], c.color)
			}
			ink, ok := parseHex(vars["--brand-ink"])
			if !ok {
				t.Fatalf("--brand-ink is %q in %q", vars["--brand-ink"], style)
			}
			if r := contrast(ink, lightest); r < minContrast {
				t.Errorf("--brand-ink %s on the lightest background: %.2f:1", vars["--brand-ink"], r)
			}
			if c.ink != "" && vars["--brand-ink"] != c.ink {
				t.Errorf("--brand-ink is %s, want the brand itself (%s): it reads already", vars["--brand-ink"], c.ink)
			}
			brand, _ := parseHex(c.color)
			on, _ := parseHex(vars["--on-brand"])
			if r := contrast(on, brand); vars["--on-brand"] != c.on || r < minContrast {
				t.Errorf("--on-brand is %s (%.2f:1 on %s), want %s", vars["--on-brand"], r, c.color, c.on)
			}
		})
	}
	if got := brandStyle(nil); got != "" {
		t.Errorf("no shop: %q", got)
	}
}
