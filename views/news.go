package views

import "time"

// NewsItem is an announcement, on the owner's list or at the top of a card page.
type NewsItem struct {
	ID      int64
	Body    string
	Image   string    // its URL, or ""
	LastDay time.Time // zero: no end date
	Author  string
	At      time.Time
	Seen    int  // cards that have shown it
	Live    bool // card pages show it now
	Removed bool
	New     bool   // this card's page shows it for the first time
	Club    string // the club whose members alone see it; "": everyone
}
