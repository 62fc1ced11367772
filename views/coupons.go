package views

// Recipients are the first cards a campaign went to, and how many in all.
type Recipients struct {
	Rows  []Recipient
	Total int
}

// Recipient is a card that got a campaign.
type Recipient struct {
	CardID    int64
	Name      string // "" when the customer gave none
	Erased    bool
	ShortCode string // formatted
	Viewed    bool
	Redeemed  int
}
