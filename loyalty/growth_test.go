package loyalty

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckGrowth(t *testing.T) {
	t.Parallel()
	valid := Growth{Pitch: "Every 10th coffee is on us", WelcomeStamps: 2, ReferralStamps: 1, ReferralCap: 5, BirthdayGift: "A free cake", BirthdayDays: 7}
	tests := []struct {
		name    string
		edit    func(*Growth)
		setting string // "" when the settings may be saved
		want    error
	}{
		{name: "valid", edit: func(*Growth) {}},
		{name: "everything off", edit: func(g *Growth) { *g = Growth{ReferralCap: 1} }},
		{name: "highest values", edit: func(g *Growth) {
			g.WelcomeStamps, g.ReferralStamps, g.ReferralCap, g.BirthdayDays = 50, 50, 100, 31
			g.Pitch, g.BirthdayGift = strings.Repeat("ş", MaxPitch), strings.Repeat("é", MaxBirthdayGift)
		}},
		{name: "pitch one character too long", edit: func(g *Growth) { g.Pitch = strings.Repeat("a", MaxPitch+1) }, setting: SettingPitch, want: ErrSettingTooLong},
		{name: "pitch of two lines", edit: func(g *Growth) { g.Pitch = "Coffee\nand cake" }, setting: SettingPitch, want: ErrSettingNotOneLine},
		{name: "pitch with a tab", edit: func(g *Growth) { g.Pitch = "Coffee\tcake" }, setting: SettingPitch, want: ErrSettingNotOneLine},
		{name: "pitch not UTF-8", edit: func(g *Growth) { g.Pitch = "caf\xe9" }, setting: SettingPitch, want: ErrSettingNotOneLine},
		{name: "negative welcome", edit: func(g *Growth) { g.WelcomeStamps = -1 }, setting: SettingWelcomeStamps, want: ErrSettingRange},
		{name: "welcome over 50", edit: func(g *Growth) { g.WelcomeStamps = 51 }, setting: SettingWelcomeStamps, want: ErrSettingRange},
		{name: "referral over 50", edit: func(g *Growth) { g.ReferralStamps = 51 }, setting: SettingReferralStamps, want: ErrSettingRange},
		{name: "cap of zero", edit: func(g *Growth) { g.ReferralCap = 0 }, setting: SettingReferralCap, want: ErrSettingRange},
		{name: "cap over 100", edit: func(g *Growth) { g.ReferralCap = 101 }, setting: SettingReferralCap, want: ErrSettingRange},
		{name: "gift too long", edit: func(g *Growth) { g.BirthdayGift = strings.Repeat("b", MaxBirthdayGift+1) }, setting: SettingBirthdayGift, want: ErrSettingTooLong},
		{name: "gift of two lines", edit: func(g *Growth) { g.BirthdayGift = "cake\r\n" }, setting: SettingBirthdayGift, want: ErrSettingNotOneLine},
		{name: "window over a month", edit: func(g *Growth) { g.BirthdayDays = 32 }, setting: SettingBirthdayDays, want: ErrSettingRange},
		{name: "negative window", edit: func(g *Growth) { g.BirthdayDays = -1 }, setting: SettingBirthdayDays, want: ErrSettingRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := valid
			tt.edit(&g)
			problems := CheckGrowth(g)
			if tt.setting == "" {
				if len(problems) != 0 {
					t.Fatalf("problems %v, want none", problems)
				}
				return
			}
			if len(problems) != 1 || problems[0].Setting != tt.setting || !errors.Is(problems[0].Err, tt.want) {
				t.Fatalf("problems %v, want %s: %v", problems, tt.setting, tt.want)
			}
		})
	}
}

func TestCheckGrowthReportsEveryProblemInOrder(t *testing.T) {
	t.Parallel()
	problems := CheckGrowth(Growth{Pitch: "a\nb", WelcomeStamps: 99, ReferralCap: 0, BirthdayDays: 40})
	var got []string
	for _, p := range problems {
		got = append(got, p.Setting)
	}
	want := []string{SettingPitch, SettingWelcomeStamps, SettingReferralCap, SettingBirthdayDays}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("settings %v, want %v", got, want)
	}
}

func TestParseInviteCode(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"0123456789abcdef", "0123456789abcdef"},
		{" 0123456789ABCDEF ", "0123456789abcdef"},
		{"0123456789abcde", ""},
		{"0123456789abcdef0", ""},
		{"0123456789abcdeg", ""},
		{"", ""},
		{"0123456789abcd'f", ""},
		{"٠١٢٣٤٥٦٧٨٩abcdef", ""},
	}
	for _, tt := range tests {
		got, err := ParseInviteCode(tt.in)
		if (err != nil) != (tt.want == "") || got != tt.want {
			t.Errorf("ParseInviteCode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParseInviteCode(f *testing.F) {
	for _, s := range []string{"0123456789abcdef", "FEDCBA9876543210", "", "' OR 1=1 --"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, err := ParseInviteCode(s)
		if err != nil {
			return
		}
		if len(code) != inviteCodeLen || strings.Trim(code, "0123456789abcdef") != "" {
			t.Fatalf("ParseInviteCode(%q) accepted %q", s, code)
		}
		if again, err := ParseInviteCode(code); err != nil || again != code {
			t.Fatalf("%q does not parse to itself: %q, %v", code, again, err)
		}
	})
}
