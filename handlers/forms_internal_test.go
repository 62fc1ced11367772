package handlers

import (
	"net/url"
	"strconv"
	"testing"

	"regulars/loyalty"
)

func TestParseNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"0", 0, true}, {"7", 7, true}, {"100", 100, true}, {"007", 7, true}, {"999999999", 999999999, true},
		{"", 0, false}, {"-1", 0, false}, {"+1", 0, false}, {"1.5", 0, false}, {"1e3", 0, false}, {" 1", 0, false},
		{"1000000000", 0, false}, {"0x10", 0, false},
		// A Persian keyboard types Persian (or Arabic-Indic) digits: the same numbers.
		{"۱۲", 12, true}, {"٣", 3, true}, {"۱۲۳۴۵۶۷۸۹۰", 0, false}, {"۱٫۵", 0, false},
	}
	for _, tt := range tests {
		got, err := parseNumber(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseNumber(%q) = %d, %v; want %d ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1", "", "-1", "99999999999999999999", "1e9", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseNumber(s)
		if err != nil {
			return
		}
		if n < 0 || n > 999_999_999 {
			t.Fatalf("parseNumber(%q) = %d out of range", s, n)
		}
		if back, _ := strconv.Atoi(loyalty.LatinDigits(s)); back != n {
			t.Fatalf("parseNumber(%q) = %d, strconv says %d", s, n, back)
		}
	})
}

func TestParseAmountOnAPersianKeyboard(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{"2.50": 250, "2,50": 250, "۲٫۵۰": 250, "۲.۵": 250, "١٠": 1000} {
		if got, err := parseAmount(in); err != nil || got != want {
			t.Errorf("parseAmount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if _, err := parseAmount("۲٬۵۰۰"); err == nil {
		t.Error("a grouping separator was read as part of an amount")
	}
}

func TestSafeNext(t *testing.T) {
	t.Parallel()
	for next, want := range map[string]string{
		"/counter": "/counter", "/c/abc?x=1": "/c/abc?x=1", "": "", "counter": "", "//evil": "", "/\\evil": "",
		"/\t/evil": "", "/\n/evil": "", "/\r/evil": "", "https://evil": "", "javascript:alert(1)": "", "/\x7f": "",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

// FuzzSafeNext: whatever comes back is a path of this site, as a browser
// would resolve it from one of our pages.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/counter", "//evil.example", "/\\evil", "/\t/evil", "https://evil", "/c/abc?next=//x#y", "/%2F%2Fevil", ""} {
		f.Add(s)
	}
	base, _ := url.Parse("https://shop.example/login")
	f.Fuzz(func(t *testing.T, s string) {
		next := safeNext(s)
		if next == "" {
			return
		}
		if next != s {
			t.Fatalf("safeNext(%q) changed it to %q", s, next)
		}
		u, err := url.Parse(next)
		if err != nil {
			t.Fatalf("safeNext(%q) kept an unparsable URL: %v", s, err)
		}
		if to := base.ResolveReference(u); to.Host != base.Host || to.Scheme != base.Scheme {
			t.Fatalf("safeNext(%q) leads to %s", s, to)
		}
	})
}
