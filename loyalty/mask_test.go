package loyalty

import "testing"

func TestMask(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ phone, email, wantPhone, wantEmail string }{
		{"+905321234567", "ayla.kaya@example.com", "…4567", "a…@example.com"},
		{"4567", "ş@örnek.com.tr", "…4567", "ş…@örnek.com.tr"},
		{"456", "not an address", "", ""},
		{"", "", "", ""},
	} {
		if got := MaskPhone(tt.phone); got != tt.wantPhone {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.phone, got, tt.wantPhone)
		}
		if got := MaskEmail(tt.email); got != tt.wantEmail {
			t.Errorf("MaskEmail(%q) = %q, want %q", tt.email, got, tt.wantEmail)
		}
	}
}
