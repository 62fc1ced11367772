package loyalty_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"regulars/loyalty"
)

// TestNameKeyFindsNamesAsPeopleTypeThem: the names of issue 14 that the
// counter did not find, typed as cashiers type them.
func TestNameKeyFindsNamesAsPeopleTypeThem(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, typed string }{
		{"Çağla", "çağla"},
		{"Çağla", "cagla"},
		{"Çağla", "CAĞLA"},
		{"Ayşe", "AYŞE"},
		{"Ayşe", "ayse"},
		{"İbrahim", "ibrahim"},
		{"IŞIL", "ışıl"},
		{"Işıl", "isil"},
		{"Şükrü", "sukru"},
		{"Ștefan", "stefan"},
		{"Ştefan", "ștefan"}, // cedilla and comma below are one letter
		{"Țurcanu", "turcanu"},
		{"Ioana-Mădălina", "ioana-madalina"},
		{"Ândrei", "andrei"},
		{"Îonuț", "ionut"},
		{"علي", "علی"},               // Arabic yeh, typed on a Persian keyboard
		{"کاظم", "كاظم"},             // Persian keheh, typed on an Arabic keyboard
		{"مهرآسا", "مهراسا"},         // alef madda
		{"نرگس\u200cنوش", "نرگسنوش"}, // zero-width non-joiner
		{"مُحَمَّد", "محمد"},         // short vowels
		{"فاطمة", "فاطمه"},           // teh marbuta
		{"Reza ۲", "reza 2"},         // Persian digits
		{"  Deniz ", "deniz"},
	} {
		if got, want := loyalty.NameKey(tt.name), loyalty.NameKey(tt.typed); !strings.HasPrefix(got, want) {
			t.Errorf("NameKey(%q) = %q does not start with NameKey(%q) = %q", tt.name, got, tt.typed, want)
		}
	}
	for _, tt := range []struct{ a, b string }{{"Ali", "Ela"}, {"Sara", "Zara"}, {"علی", "على ر"}} {
		if loyalty.NameKey(tt.a) == loyalty.NameKey(tt.b) {
			t.Errorf("%q and %q fold to the same key", tt.a, tt.b)
		}
	}
}

// TestPhoneQueryKeyFindsTheEndOfANumber: a number is found by its last
// digits, however its start was typed.
func TestPhoneQueryKeyFindsTheEndOfANumber(t *testing.T) {
	t.Parallel()
	const stored = "+905321234567"
	for _, typed := range []string{"4567", "45 67", "123-45-67", "05321234567", "0532 123 45 67", "+90 532 123 45 67", "905321234567",
		"5321234567", "(0532) 123 45 67", "۰۵۳۲۱۲۳۴۵۶۷", "٤٥٦٧"} {
		if key, q := loyalty.PhoneKey(stored), loyalty.PhoneQueryKey(typed); q == "" || !strings.HasPrefix(key, q) {
			t.Errorf("%q: key %q does not start with the query's %q", typed, key, q)
		}
	}
	for _, typed := range []string{"4568", "1234567 8", "0090 532 123 45 66"} {
		if key, q := loyalty.PhoneKey(stored), loyalty.PhoneQueryKey(typed); strings.HasPrefix(key, q) {
			t.Errorf("%q matches %q", typed, stored)
		}
	}
	if loyalty.PhoneKey("") != "" || loyalty.PhoneQueryKey("ali") != "" {
		t.Error("no number, no key")
	}
}

// TestPhoneQueryKeyIgnoresPrefixes: a number stored with its leading 0 is
// found by its international form, and the other way round.
func TestPhoneQueryKeyIgnoresPrefixes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ stored, typed string }{
		{"05324445566", "+905324445566"},
		{"+905324445566", "05324445566"},
		{"069123456", "+373 69 123 456"},
		{"+37369123456", "069 123 456"},
		{"0721000111", "+40 721 000 111"},
	} {
		if key, q := loyalty.PhoneKey(tt.stored), loyalty.PhoneQueryKey(tt.typed); !strings.HasPrefix(key, q) {
			t.Errorf("%q stored, %q typed: key %q does not start with %q", tt.stored, tt.typed, key, q)
		}
	}
}

// TestPhoneQueryKeyKeepsZerosOfTheEnd: the last four digits of a number may
// start with 0 (the bench found 1 lookup in 9 failing).
func TestPhoneQueryKeyKeepsZerosOfTheEnd(t *testing.T) {
	t.Parallel()
	key := loyalty.PhoneKey("+905321230123")
	if q := loyalty.PhoneQueryKey("0123"); q != "3210" || !strings.HasPrefix(key, q) {
		t.Errorf("0123 → %q, want 3210, the start of %q", q, key)
	}
	if strings.HasPrefix(loyalty.PhoneKey("+905321237123"), loyalty.PhoneQueryKey("0123")) {
		t.Error("0123 matches a number ending in 7123")
	}
}

// FuzzSearchKeys: whatever a cashier types, the keys are well formed: a
// name key is valid text and folding it again changes nothing; a phone's
// query key is at most PhoneMatchDigits digits and starts the number's own
// key, so a number always finds itself.
func FuzzSearchKeys(f *testing.F) {
	for _, s := range []string{"Ayşe", "İBRAHİM", "Ștefan", "علي", "نرگس\u200cنوش", "+90 532 111 22 33", "۰۹۱۲", "", "0", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key := loyalty.NameKey(s)
		if !utf8.ValidString(key) && utf8.ValidString(s) {
			t.Errorf("NameKey(%q) = %q is not valid text", s, key)
		}
		if again := loyalty.NameKey(key); utf8.ValidString(s) && again != key {
			t.Errorf("NameKey is not stable on %q: %q, then %q", s, key, again)
		}
		q := loyalty.PhoneQueryKey(s)
		if len(q) > loyalty.PhoneMatchDigits || strings.Trim(q, "0123456789") != "" {
			t.Errorf("PhoneQueryKey(%q) = %q", s, q)
		}
		if !strings.HasPrefix(loyalty.PhoneKey(s), q) {
			t.Errorf("%q does not find itself: key %q, query %q", s, loyalty.PhoneKey(s), q)
		}
	})
}
