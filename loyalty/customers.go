package loyalty

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits of an owner's stamp adjustment.
const (
	// MaxAdjustStamps bounds one adjustment either way: a correction, not a
	// way to mint a hundred rewards by a slip of the finger.
	MaxAdjustStamps = 1000
	// MaxAdjustReason bounds the reason, in characters.
	MaxAdjustReason = 200
)

var (
	// ErrAdjustCount: an adjustment of zero stamps, or of more than MaxAdjustStamps.
	ErrAdjustCount = errors.New("adjustment out of range")
	// ErrAdjustReason: an adjustment without a reason, or with one too long to read.
	ErrAdjustReason = errors.New("adjustment needs a reason")
)

// CheckAdjust decides whether the owner may add n stamps (taking them away
// when n is negative) for reason. The reason is required because an
// adjustment is the one ledger event no purchase explains.
func CheckAdjust(n int, reason string) error {
	if n == 0 || n > MaxAdjustStamps || n < -MaxAdjustStamps {
		return ErrAdjustCount
	}
	if strings.TrimSpace(reason) == "" || !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > MaxAdjustReason {
		return ErrAdjustReason
	}
	return nil
}

// Birthday is a month and a day, never a year: enough for a birthday treat,
// and no more than a shop needs to know.
type Birthday struct {
	Month int // 1–12
	Day   int // 1–31, as the month allows; February has 29
}

// ErrBadBirthday: not a day of any year.
var ErrBadBirthday = errors.New("malformed birthday")

// daysInMonth counts February as 29: without a year, the 29th is a real birthday.
var daysInMonth = [12]int{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// ParseBirthday reads "MM-DD" (one or two digits each, as stored or as the
// month and day fields put together) and checks that the day exists.
func ParseBirthday(s string) (Birthday, error) {
	month, day, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return Birthday{}, ErrBadBirthday
	}
	b := Birthday{Month: smallNumber(month), Day: smallNumber(day)}
	if b.Month < 1 || b.Month > 12 || b.Day < 1 || b.Day > daysInMonth[b.Month-1] {
		return Birthday{}, ErrBadBirthday
	}
	return b, nil
}

// smallNumber reads one or two ASCII digits, or returns -1.
func smallNumber(s string) int {
	if len(s) < 1 || len(s) > 2 {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// String is the stored form, "MM-DD".
func (b Birthday) String() string { return fmt.Sprintf("%02d-%02d", b.Month, b.Day) }
