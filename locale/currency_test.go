package locale

import "testing"

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
