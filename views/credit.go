package views

// CardCredit is a card's store credit (Card.Credit): what it holds and, at
// the counter, the shop's cashback the purchase keypad previews.
type CardCredit struct {
	Held     int // minor units
	Currency string
	Rate     int // basis points of a purchase credited; 0: cashback off
	Min      int // the smallest purchase that earns it, minor units
	// Keypad: the counter keys purchases for credit alone (no points
	// program's keypad earns it).
	Keypad bool
}

// percentText is a rate in basis points as a number of percent in the
// page's digits and separator, with no more decimals than it needs.
func percentText(p Page, bp int) string {
	if bp%100 == 0 {
		return p.T.Num(bp / 100)
	}
	if bp%10 == 0 {
		return p.T.Decimal(float64(bp)/100, 1)
	}
	return p.T.Decimal(float64(bp)/100, 2)
}

// signedMinor is a change of credit with its sign, without the currency:
// what a ledger line shows, as signedPoints does for points.
func signedMinor(p Page, minor int) string {
	if minor > 0 {
		return "+" + minorText(p, minor)
	}
	return "−" + minorText(p, -minor)
}

// cashbackRule says the shop's cashback: its rate and minimum purchase.
func cashbackRule(p Page, c *CardCredit) string {
	if c.Min > 0 {
		return p.T.T("CreditRuleMin", "Percent", percentText(p, c.Rate), "Money", p.T.Money(c.Min, c.Currency))
	}
	return p.T.T("CreditRule", "Percent", percentText(p, c.Rate))
}

// CustomerCredit is a customer's store credit on the owner's record: what
// the card holds and its last changes, newest first, each with its reason.
type CustomerCredit struct {
	Held     int // minor units
	Currency string
	Changes  []Entry
	// More: the card has older changes; the history below lists them all.
	More bool
}
