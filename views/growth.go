package views

import "github.com/a-h/templ"

// Poster is the printable poster whose QR code opens the join page.
type Poster struct {
	Size    string // "a4" or "a5"
	JoinURL string // absolute: what the QR code holds and the poster prints
	// What the poster says, in the shop's language: its customers read it,
	// whatever language the screen printing it is in.
	Lang, Dir string
	Pitch     string // the owner's line, or the default one
	Scan      string
	QRLabel   string
}

// Join is the join page of a shop.
type Join struct {
	Slug          string
	Pitch         string
	WelcomeStamps int
	Key           string // the form's idempotency key
	Refusal       string // translated: why the join was refused as a whole
}

func joinAction(slug string) templ.SafeURL { return templ.SafeURL("/join/" + slug) }

func posterURL(size string) templ.SafeURL { return templ.SafeURL("/poster?size=" + size) }

// campaignOptions offers no coupon first.
func campaignOptions(p Page, campaigns []Option) []Option {
	return append([]Option{{"", p.T.T("GrowthNoCoupon")}}, campaigns...)
}
