package loyalty

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// Growth is what the owner sets to bring customers in, as typed: the poster's
// pitch, the welcome stamps, the referral bonus and its monthly cap, and the
// birthday gift with its window.
type Growth struct {
	Pitch          string
	WelcomeStamps  int
	ReferralStamps int
	ReferralCap    int
	BirthdayGift   string
	BirthdayDays   int
}

// Bounds of the growth settings. Gifts stay small: a welcome or referral
// bonus of more than 50 stamps is a slip of the finger, not a promotion.
const (
	MaxPitch        = 120 // characters, one line under the shop's name
	MaxBirthdayGift = 120 // characters
)

var (
	WelcomeStampsRange  = Range{Min: 0, Max: 50}
	ReferralStampsRange = Range{Min: 0, Max: 50}
	// At least one bonus a month, or referring would be pointless.
	ReferralCapRange  = Range{Min: 1, Max: 100}
	BirthdayDaysRange = Range{Min: 0, Max: 31}
)

// Range is the whole numbers from Min to Max, both included.
type Range struct{ Min, Max int }

// Has reports whether n is in the range.
func (r Range) Has(n int) bool { return n >= r.Min && n <= r.Max }

// The growth settings, named as the owner's form names them.
const (
	SettingPitch          = "pitch"
	SettingWelcomeStamps  = "welcome_stamps"
	SettingReferralStamps = "referral_stamps"
	SettingReferralCap    = "referral_cap"
	SettingBirthdayGift   = "birthday_gift"
	SettingBirthdayDays   = "birthday_days"
)

var (
	// ErrSettingTooLong: a text longer than its maximum.
	ErrSettingTooLong = errors.New("setting too long")
	// ErrSettingNotOneLine: a text that must fit one line has a line break or a control character.
	ErrSettingNotOneLine = errors.New("setting not one line")
	// ErrSettingRange: a number outside its range.
	ErrSettingRange = errors.New("setting out of range")
)

// GrowthProblem is one setting the owner must correct.
type GrowthProblem struct {
	Setting string
	Err     error
}

// CheckGrowth returns what is wrong with the settings, in the form's order;
// none when they may be saved.
func CheckGrowth(g Growth) []GrowthProblem {
	var problems []GrowthProblem
	text := func(setting, s string, max int) {
		switch {
		case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			problems = append(problems, GrowthProblem{setting, ErrSettingNotOneLine})
		case utf8.RuneCountInString(s) > max:
			problems = append(problems, GrowthProblem{setting, ErrSettingTooLong})
		}
	}
	number := func(setting string, n int, r Range) {
		if !r.Has(n) {
			problems = append(problems, GrowthProblem{setting, ErrSettingRange})
		}
	}
	text(SettingPitch, g.Pitch, MaxPitch)
	number(SettingWelcomeStamps, g.WelcomeStamps, WelcomeStampsRange)
	number(SettingReferralStamps, g.ReferralStamps, ReferralStampsRange)
	number(SettingReferralCap, g.ReferralCap, ReferralCapRange)
	text(SettingBirthdayGift, g.BirthdayGift, MaxBirthdayGift)
	number(SettingBirthdayDays, g.BirthdayDays, BirthdayDaysRange)
	return problems
}

// inviteCodeLen is the length of a card's invite code: 8 random bytes in hex.
const inviteCodeLen = 16

// ErrBadInviteCode: not the form of an invite code.
var ErrBadInviteCode = errors.New("malformed invite code")

// ParseInviteCode reads the code of an invite link (?ref=…), in any case.
// Anything else is refused before it reaches the database: a friend with a
// mangled link still joins, without a referral.
func ParseInviteCode(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) != inviteCodeLen {
		return "", ErrBadInviteCode
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return "", ErrBadInviteCode
		}
	}
	return s, nil
}
