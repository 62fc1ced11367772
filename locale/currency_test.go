package locale

import (
	"strings"
	"testing"
	"time"
)

func TestProposedCurrency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang, accept, want string
	}{
		{"tr", "tr-TR,tr;q=0.9", "TRY"},
		{"tr", "", "TRY"},
		{"fa", "fa", "IRR"},
		{"ro", "ro-MD,ro;q=0.9", "MDL"},
		{"ro", "ro", "RON"},
		{"en", "en-GB,en;q=0.8", "GBP"},
		{"en", "en-US", "USD"},
		{"en", "en-IE,en;q=0.5", "EUR"},
		{"en", "en", "EUR"},
		{"en", "de-DE,en;q=0.5", "EUR"},
		{"tr", "en-GB,tr;q=0.5", "GBP"}, // a Turkish café in London
		{"en", "x-klingon;;;", "EUR"},
		{"fa", "fa-AF", "AFN"},
	}
	for _, tt := range tests {
		if got := ProposedCurrency(tt.lang, tt.accept); got != tt.want {
			t.Errorf("ProposedCurrency(%q, %q) = %q, want %q", tt.lang, tt.accept, got, tt.want)
		}
	}
}

// TestJalaliDates: a shop that chose the Solar Hijri calendar reads its dates
// in it, on known days: Nowruz (1 Farvardin) and 22 Bahman 1357.
func TestJalaliDates(t *testing.T) {
	t.Parallel()
	tehran, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang   string
		digits Digits
		at     time.Time
		want   string
	}{
		{"fa", PersianDigits, time.Date(2024, 3, 20, 12, 0, 0, 0, tehran), "۱ فروردین ۱۴۰۳"},
		{"fa", PersianDigits, time.Date(2025, 3, 21, 9, 0, 0, 0, tehran), "۱ فروردین ۱۴۰۴"},
		{"fa", PersianDigits, time.Date(2025, 3, 20, 23, 0, 0, 0, tehran), "۳۰ اسفند ۱۴۰۳"},
		{"fa", LatinDigits, time.Date(1979, 2, 11, 12, 0, 0, 0, tehran), "22 بهمن 1357"},
		{"en", LatinDigits, time.Date(2026, 12, 5, 12, 0, 0, 0, tehran), "Azar 14, 1405"},
		// In the shop's zone: 20:30 UTC on the 20th is already the 21st in Tehran.
		{"fa", PersianDigits, time.Date(2025, 3, 20, 20, 30, 0, 0, time.UTC), "۱ فروردین ۱۴۰۴"},
	}
	for _, tt := range tests {
		if got := New(tt.lang, tehran, tt.digits).WithCalendar(Jalali).Date(tt.at); got != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.lang, tt.at, got, tt.want)
		}
	}
	if got := New("fa", tehran, PersianDigits).Date(time.Date(2024, 3, 20, 12, 0, 0, 0, tehran)); strings.Contains(got, "فروردین") {
		t.Errorf("a Gregorian shop reads %q", got)
	}
}
