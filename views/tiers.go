package views

import (
	"strconv"

	"regulars/locale"
)

// TierRows is how many tiers the owner's form offers: Bronze, Silver, Gold
// and room for two more (loyalty.MaxTiers is the store's limit).
const TierRows = 5

// TierField names a row's field: "tier_name_1", "tier_threshold_3", …
func TierField(what string, row int) string {
	return "tier_" + what + "_" + strconv.Itoa(row)
}

// tierRows are the form's row numbers, from 1.
func tierRows() []int {
	rows := make([]int, TierRows)
	for i := range rows {
		rows[i] = i + 1
	}
	return rows
}

// CardTier is a card's tier as the card page and the counter show it:
// Name "" when the card has none; Next and More the next tier and what it
// still needs ("" at the top), counted in Visits or points.
type CardTier struct {
	Name    string
	Next    string
	More    int
	Visits  bool
	Percent int // the tier's points multiplier (100: none)
}

// TierReasonText is why a card's tier changed, in words.
func TierReasonText(t *locale.Tr, reason string) string {
	switch reason {
	case "earn":
		return t.T("TierReason_earn")
	case "void":
		return t.T("TierReason_void")
	case "grace":
		return t.T("TierReason_grace")
	case "ladder":
		return t.T("TierReason_ladder")
	}
	return reason
}

// TierChangeView is a change of a card's tier on the owner's record.
type TierChangeView struct {
	From, To, Reason string
	At               string
}

// tierPercentText is a multiplier in percent as the owner types it: 125 is "1.25".
func tierPercentText(t *locale.Tr, pct int) string {
	s := strconv.Itoa(pct / 100)
	if r := pct % 100; r != 0 {
		s += "." + strconv.Itoa(r/10)
		if r%10 != 0 {
			s += strconv.Itoa(r % 10)
		}
	}
	return t.Numerals(s)
}
