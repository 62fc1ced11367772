package loyalty

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckAdjust(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		n      int
		reason string
		want   error
	}{
		{"add", 3, "lost paper card", nil},
		{"take away", -2, "stamped the wrong card", nil},
		{"largest add", MaxAdjustStamps, "migration from paper", nil},
		{"largest take", -MaxAdjustStamps, "migration from paper", nil},
		{"zero", 0, "nothing", ErrAdjustCount},
		{"too many", MaxAdjustStamps + 1, "oops", ErrAdjustCount},
		{"too many taken", -MaxAdjustStamps - 1, "oops", ErrAdjustCount},
		{"no reason", 1, "", ErrAdjustReason},
		{"blank reason", 1, " \t ", ErrAdjustReason},
		{"longest reason", 1, strings.Repeat("ş", MaxAdjustReason), nil},
		{"reason too long", 1, strings.Repeat("ş", MaxAdjustReason+1), ErrAdjustReason},
		{"reason not UTF-8", 1, "bad \xff byte", ErrAdjustReason},
		{"count checked first", 0, "", ErrAdjustCount},
	}
	for _, tt := range tests {
		if got := CheckAdjust(tt.n, tt.reason); !errors.Is(got, tt.want) || (tt.want == nil) != (got == nil) {
			t.Errorf("%s: CheckAdjust(%d, %q) = %v, want %v", tt.name, tt.n, tt.reason, got, tt.want)
		}
	}
}

func TestParseBirthday(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // "" means refused
	}{
		{"03-14", "03-14"},
		{"3-4", "03-04"},
		{" 12-31 ", "12-31"},
		{"01-01", "01-01"},
		{"02-29", "02-29"},
		{"02-30", ""},
		{"04-31", ""},
		{"06-30", "06-30"},
		{"00-10", ""},
		{"13-01", ""},
		{"05-00", ""},
		{"05-32", ""},
		{"", ""},
		{"-", ""},
		{"0314", ""},
		{"03/14", ""},
		{"003-14", ""},
		{"03-014", ""},
		{"+3-14", ""},
		{"03-1a", ""},
		{"03-14-1990", ""},
		{"１２-０１", ""}, // full-width digits are not ASCII digits
	}
	for _, tt := range tests {
		b, err := ParseBirthday(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseBirthday(%q) = %v, want an error", tt.in, b)
			}
			continue
		}
		if err != nil || b.String() != tt.want {
			t.Errorf("ParseBirthday(%q) = %v, %v; want %s", tt.in, b, err, tt.want)
		}
	}
}

func FuzzParseBirthday(f *testing.F) {
	for _, s := range []string{"03-14", "2-29", "02-30", "", "-", "99-99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBirthday(s)
		if err != nil {
			return
		}
		if b.Month < 1 || b.Month > 12 || b.Day < 1 || b.Day > daysInMonth[b.Month-1] {
			t.Fatalf("ParseBirthday(%q) accepted %+v", s, b)
		}
		if again, err := ParseBirthday(b.String()); err != nil || again != b {
			t.Fatalf("%+v does not round-trip through %q: %+v, %v", b, b.String(), again, err)
		}
	})
}
