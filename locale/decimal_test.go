package locale

import "testing"

func TestDecimal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang   string
		x      float64
		places int
		want   string
	}{
		{"en", 10.0 / 3, 1, "3.3"}, {"tr", 10.0 / 3, 1, "3,3"}, {"en", 4.96, 1, "5.0"}, {"tr", 1234.5, 2, "1.234,50"},
	}
	for _, tt := range tests {
		if got := New(tt.lang, nil, LatinDigits).Decimal(tt.x, tt.places); got != tt.want {
			t.Errorf("%s Decimal(%v, %d) = %q, want %q", tt.lang, tt.x, tt.places, got, tt.want)
		}
	}
}
