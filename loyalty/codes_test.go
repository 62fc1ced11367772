package loyalty

import (
	"strings"
	"testing"
	"time"
)

func TestCardToken(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		tok := NewCardToken()
		if len(tok) != TokenLen {
			t.Fatalf("token %q has length %d", tok, len(tok))
		}
		if seen[tok] {
			t.Fatalf("token %q repeated", tok)
		}
		seen[tok] = true
		if got, err := ParseCardToken(tok); err != nil || got != tok {
			t.Fatalf("ParseCardToken(%q) = %q, %v", tok, got, err)
		}
	}
}

func TestParseCardToken(t *testing.T) {
	t.Parallel()
	const tok = "AbCdEfGhIjKlMnOpQrStUv_-"
	tests := []struct {
		in   string
		want string
	}{
		{tok, tok},
		{"  " + tok + "\n", tok},
		{"https://shop.example/c/" + tok, tok},
		{"http://127.0.0.1:8080/c/" + tok + "/", tok},
		{"short", ""},
		{tok + "x", ""},
		{"https://shop.example/c/" + tok[:23] + "!", ""},
		{"https://shop.example/c/", ""},
		{"", ""},
		{strings.Repeat("a", 10000), ""},
	}
	for _, tt := range tests {
		got, err := ParseCardToken(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseCardToken(%q) = %q, want error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseCardToken(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestShortCode(t *testing.T) {
	t.Parallel()
	for range 1000 {
		c := NewShortCode()
		got, err := ParseShortCode(FormatShortCode(c))
		if err != nil || got != c {
			t.Fatalf("round trip of %q: %q, %v", c, got, err)
		}
	}
	tests := []struct {
		in, want string
	}{
		{"K7M2-Q9XD", "K7M2Q9XD"},
		{"k7m2 q9xd", "K7M2Q9XD"},
		{"K7M2Q9XD", "K7M2Q9XD"},
		{"K7M2-Q9X", ""},     // too short
		{"K7M2-Q9XDD", ""},   // too long
		{"K7M2-Q9X0", ""},    // 0 is not in the alphabet
		{"K7M2-Q9XI", ""},    // nor I
		{"K7M2-Q9Xİ", ""},    // Turkish dotted I
		{"Ahmet Yılmaz", ""}, // a name
		{"", ""},
	}
	for _, tt := range tests {
		got, err := ParseShortCode(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseShortCode(%q) = %q, want error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseShortCode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"0532 123 45 67", "05321234567"},
		{"+90 (532) 123-45-67", "+905321234567"},
		{"۰۹۱۲ ۳۴۵ ۶۷۸۹", "09123456789"},
		{"+٩٨ ٩١٢", "+98912"},
		{"5+5", ""},
		{"Ayşe", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizePhone(tt.in); got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLatinDigits(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"۱۲۳", "123"},
		{"٤٥٦", "456"},
		{"۲.۵۰", "2.50"},
		{"K7M2-Q9XD", "K7M2-Q9XD"},
		{"سارا ۲", "سارا 2"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := LatinDigits(tt.in); got != tt.want {
			t.Errorf("LatinDigits(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseCardToken(f *testing.F) {
	for _, s := range []string{"AbCdEfGhIjKlMnOpQrStUv_-", "https://x/c/AbCdEfGhIjKlMnOpQrStUv_-", "", "/c/", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := ParseCardToken(s)
		if err != nil {
			return
		}
		if len(tok) != TokenLen || strings.ContainsAny(tok, "/?#% \n") {
			t.Fatalf("ParseCardToken(%q) accepted %q", s, tok)
		}
		if again, err := ParseCardToken(tok); err != nil || again != tok {
			t.Fatalf("token %q does not parse to itself: %q, %v", tok, again, err)
		}
	})
}

func FuzzParseShortCode(f *testing.F) {
	for _, s := range []string{"K7M2-Q9XD", "k7m2q9xd", "", "----", "ÿ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseShortCode(s)
		if err != nil {
			return
		}
		if len(c) != shortCodeLen || strings.Trim(c, shortCodeAlphabet) != "" {
			t.Fatalf("ParseShortCode(%q) accepted %q", s, c)
		}
		if again, err := ParseShortCode(FormatShortCode(c)); err != nil || again != c {
			t.Fatalf("code %q does not round-trip: %q, %v", c, again, err)
		}
	})
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"0532 123 45 67", "+90 (532)", "", "++1", "۰۹۱۲ ۳۴۵"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := NormalizePhone(s)
		if strings.Trim(p, "+0123456789") != "" || strings.LastIndex(p, "+") > 0 {
			t.Fatalf("NormalizePhone(%q) = %q", s, p)
		}
	})
}

// Action keys are 21 characters a form accepts, different each time, and a
// key made in a later microsecond sorts after one made earlier.
func TestActionKeysSortByTime(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	prev := ""
	for i := range 2000 {
		k := NewActionKey(start.Add(time.Duration(i/4) * time.Microsecond))
		if len(k) != 21 || strings.Trim(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
			t.Fatalf("key %q: want 21 characters of base64url", k)
		}
		if seen[k] {
			t.Fatalf("key %q made twice", k)
		}
		seen[k] = true
		if i%4 == 0 && k <= prev {
			t.Fatalf("key %q of a later microsecond sorts before %q", k, prev)
		}
		prev = k
	}
}
