package views

import "github.com/a-h/templ"

// Poster is the printable poster whose QR code opens the join page.
type Poster struct {
	Size    string // "a4" or "a5"
	Pitch   string // the owner's line; "" shows the default
	JoinURL string // absolute: what the QR code holds and the poster prints
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

// posterPitch is the owner's line, or one that fits any shop.
func posterPitch(p Page, pitch string) string {
	if pitch == "" {
		return p.T.T("PosterDefaultPitch")
	}
	return pitch
}

// campaignOptions offers no coupon first.
func campaignOptions(p Page, campaigns []Option) []Option {
	return append([]Option{{"", p.T.T("GrowthNoCoupon")}}, campaigns...)
}
