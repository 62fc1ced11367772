package locale

import "testing"

// TestPlainMessagesKeptPerLanguage: a message without fields is translated
// once per language and bundle, and each language keeps its own.
func TestPlainMessagesKeptPerLanguage(t *testing.T) {
	t.Parallel()
	en, tr := New("en", nil, LatinDigits), New("tr", nil, LatinDigits)
	if got := en.T("DefaultProgramName"); got != "Loyalty card" {
		t.Errorf("en: %q", got)
	}
	if got := tr.T("DefaultProgramName"); got != "Sadakat kartı" {
		t.Errorf("tr: %q", got)
	}
	if _, ok := plainMessages.Load(plainKey{tr.bundle, "tr", "DefaultProgramName"}); !ok {
		t.Error("the Turkish message was not kept")
	}
	if got := New("en", nil, LatinDigits).T("DefaultProgramName"); got != "Loyalty card" {
		t.Errorf("en again, from the cache: %q", got)
	}
	persian, latin := New("fa", nil, PersianDigits), New("fa", nil, LatinDigits)
	if persian.bundle == latin.bundle {
		t.Fatal("Persian with Latin digits shares the bundle of Persian digits")
	}
	if got := latin.T("NoSuchMessageID"); got != "NoSuchMessageID" {
		t.Errorf("a missing id: %q", got)
	}
	if _, ok := plainMessages.Load(plainKey{latin.bundle, "fa", "NoSuchMessageID"}); ok {
		t.Error("a missing id was kept")
	}
}
