package views

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// PointsProgress is a card's standing in a points program (Progress.Points):
// the points held and, for the counter's keypad, the program's rules.
type PointsProgress struct {
	Held         int
	RewardPoints int // the reward's price
	PerVisit     int
	PerUnit      int // points per whole unit of money
	Nearest      bool
	MaxPerVisit  int
	Currency     string
	// MultiplierNow multiplies a purchase made now (1: none); Expiry tells
	// the first day some points held expire in a zone, and how many.
	MultiplierNow int
	Expiry        func(*time.Location) (time.Time, int)
}

// Rewards is how many rewards the points held buy now.
func (pp PointsProgress) Rewards() int {
	if pp.RewardPoints <= 0 {
		return 0
	}
	return pp.Held / pp.RewardPoints
}

// ToGo is how many more points the next reward needs.
func (pp PointsProgress) ToGo() int {
	if pp.RewardPoints <= 0 {
		return 0
	}
	return pp.RewardPoints - pp.Held%pp.RewardPoints
}

// decimalSeparator is the page's decimal separator, as its numbers write it
// ("." in English, "," in Turkish and Romanian, "٫" in Persian digits).
func decimalSeparator(p Page) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return -1
		}
		return r
	}, p.T.Decimal(1.5, 1))
}

// keypadDigits are the keypad's digits 1–9 then 0 in the page's digit style;
// each key types its Latin digit's value (data-key), whatever it shows.
func keypadDigits(p Page) [][2]string {
	var keys [][2]string
	for _, d := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9} {
		keys = append(keys, [2]string{strconv.Itoa(d), p.T.Numerals(strconv.Itoa(d))})
	}
	return keys
}

// minorText is an amount in minor units in the page's style, without the
// currency: what a ledger line shows beside the points it gave.
func minorText(p Page, minor int) string {
	return p.T.Decimal(float64(minor)/100, 2)
}

// signedPoints is a change of points with its sign, in the page's digits.
func signedPoints(p Page, n int) string {
	if n > 0 {
		return "+" + p.T.Num(n)
	}
	return "−" + p.T.Num(-n)
}
