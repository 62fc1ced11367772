package loyalty

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestCheckCoupon(t *testing.T) {
	t.Parallel()
	c := Campaign{ValidFrom: at(0), ValidUntil: at(7 * day), TotalLimit: 10, PerCardLimit: 1}
	tests := []struct {
		name         string
		edit         func(*Campaign)
		now          time.Duration
		total, byCar int
		want         error
	}{
		{name: "valid", now: day},
		{name: "first instant", now: 0},
		{name: "not yet", now: -time.Second, want: ErrCouponNotStarted},
		{name: "last instant is over", now: 7 * day, want: ErrCouponExpired},
		{name: "paused", edit: func(c *Campaign) { c.Paused = true }, now: day, want: ErrCouponPaused},
		{name: "ended wins over paused", edit: func(c *Campaign) { c.Paused, c.Ended = true, true }, now: day, want: ErrCouponEnded},
		{name: "last one left", now: day, total: 9},
		{name: "used up", now: day, total: 10, want: ErrCouponUsedUp},
		{name: "no total limit", edit: func(c *Campaign) { c.TotalLimit = 0 }, now: day, total: 1000},
		{name: "used by this card", now: day, byCar: 1, want: ErrCouponUsedByCard},
		{name: "second use allowed", edit: func(c *Campaign) { c.PerCardLimit = 2 }, now: day, byCar: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cc := c
			if tt.edit != nil {
				tt.edit(&cc)
			}
			if err := CheckCoupon(cc, at(tt.now), tt.total, tt.byCar); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseCouponCode(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"WELCOME10", "WELCOME10"}, {" welcome10 ", "WELCOME10"}, {"yaz-2026", "YAZ-2026"},
		{"AB", ""}, {strings.Repeat("A", 21), ""}, {"HOŞ", ""}, {"A B C", ""}, {"10%OFF", ""},
	}
	for _, tt := range tests {
		got, err := ParseCouponCode(tt.in)
		if (err != nil) != (tt.want == "") || got != tt.want {
			t.Errorf("ParseCouponCode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParseCouponCode(f *testing.F) {
	for _, s := range []string{"WELCOME10", "a", "", "ÿÿÿ", "-- -"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCouponCode(s)
		if err != nil {
			return
		}
		if again, err := ParseCouponCode(c); err != nil || again != c {
			t.Fatalf("%q normalizes to %q, which does not parse to itself", s, c)
		}
		if strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
			t.Fatalf("%q accepted as %q", s, c)
		}
	})
}

func TestParseAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int
	}{
		{"2.50", 250}, {"2,50", 250}, {"12", 1200}, {"0.5", 50}, {" 7 ", 700}, {"1000000", MaxAmount}, {"0,01", 1},
		{"", 0}, {"0", 0}, {"1000000.01", 0}, {"1.234", 0}, {"1.", 0}, {".5", 0}, {"1,5,0", 0}, {"-1", 0}, {"1 500", 0},
		{"1e3", 0}, {"١٢", 0}, {"12345678", 0},
		// with the currency, as people type it: before or after, with or without a space
		{"4,50 €", 450}, {"4,50\u00a0€", 450}, {"€4.50", 450}, {"12 TL", 1200}, {"tl 12", 1200}, {"₺7,5", 750},
		{"3 lei", 300}, {"5 RON", 500}, {"$2", 200}, {"£0.99", 99}, {"2500 تومان", 250000}, {"EUR 1,00", 100},
		{"€", 0}, {"€ €", 0}, {"12 apples", 0}, {"x12", 0}, {"12 € 50", 0}, {"-€2", 0},
	}
	for _, tt := range tests {
		got, err := ParseAmount(tt.in)
		if (err != nil) != (tt.want == 0) || got != tt.want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"2.50", "2,50", "", "99999999", "0.001", "1,,0", "4,50 €", "TL 12", "€"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseAmount(s)
		if err != nil {
			return
		}
		if n < 1 || n > MaxAmount {
			t.Fatalf("ParseAmount(%q) = %d out of range", s, n)
		}
		if again, err := ParseAmount(fmt.Sprintf("%d.%02d", n/100, n%100)); err != nil || again != n {
			t.Fatalf("%d does not round-trip: %d, %v", n, again, err)
		}
	})
}

func TestCampaignStatus(t *testing.T) {
	t.Parallel()
	c := Campaign{ValidFrom: at(day), ValidUntil: at(2 * day), PerCardLimit: 1}
	for _, tt := range []struct {
		edit func(*Campaign)
		now  time.Duration
		want string
	}{
		{nil, 0, CampaignScheduled}, {nil, day, CampaignRunning}, {nil, 2 * day, CampaignExpired},
		{func(c *Campaign) { c.Paused = true }, day, CampaignPaused}, {func(c *Campaign) { c.Ended = true }, 0, CampaignEnded},
	} {
		cc := c
		if tt.edit != nil {
			tt.edit(&cc)
		}
		if got := cc.Status(at(tt.now)); got != tt.want {
			t.Errorf("status at %v = %s, want %s", tt.now, got, tt.want)
		}
	}
}
