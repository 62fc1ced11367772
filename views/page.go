// Package views renders pages from plain view models; it never queries anything.
package views

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"regulars/locale"
)

// Page is what every page needs besides its own data.
type Page struct {
	T     *locale.Tr
	CSRF  string
	Path  string // the current path, where a language switch returns to
	Title string
	User  *Staff // nil when signed out
	Shop  *Brand // nil on pages of no shop
	// AssetVersion is a hash of the static files the server embeds.
	AssetVersion string
}

// Staff is the signed-in staff member.
type Staff struct {
	Name      string
	Role      string
	CanManage bool // owner or manager
	IsOwner   bool
	// ScanKey, on the counter of a shop that stamps on scan, is the
	// idempotency key of the stamp the next scan gives; "" otherwise.
	ScanKey string
}

// Brand is how a shop looks.
type Brand struct {
	Name    string
	Color   string // #rrggbb, validated on save
	LogoURL string // "" without a logo
}

// brandStyle sets the brand colour and the two colours that make it readable
// as CSS variables (app.css, "1. Tokens"): --brand-ink, the brand as text on
// the pages' light backgrounds, and --on-brand, the text on a brand-coloured
// fill. The colour was validated as #rrggbb when saved, so it is safe to pass
// through.
func brandStyle(b *Brand) templ.SafeCSS {
	if b == nil || b.Color == "" {
		return ""
	}
	c, ok := parseHex(b.Color)
	if !ok {
		return templ.SafeCSS("--brand:" + b.Color + ";")
	}
	return templ.SafeCSS("--brand:" + b.Color + ";--brand-ink:" + brandInk(c).hex() + ";--on-brand:" + onBrand(c).hex() + ";")
}

// rgb is a colour of the sRGB space, 0–255 a channel.
type rgb struct{ r, g, b float64 }

var (
	white = rgb{255, 255, 255}
	black = rgb{0, 0, 0}
	// lightest is the darkest background text in the brand colour sits on:
	// a green notice (--good-bg); what reads on it reads on white and --bg.
	lightest = rgb{0xe3, 0xf6, 0xea}
)

func parseHex(s string) (rgb, bool) {
	n, err := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	if err != nil || len(s) != 7 || s[0] != '#' {
		return rgb{}, false
	}
	return rgb{float64(n >> 16 & 0xff), float64(n >> 8 & 0xff), float64(n & 0xff)}, true
}

func (c rgb) hex() string {
	ch := func(v float64) uint64 { return uint64(math.Round(min(max(v, 0), 255))) }
	return fmt.Sprintf("#%02x%02x%02x", ch(c.r), ch(c.g), ch(c.b))
}

// luminance is WCAG 2's relative luminance.
func (c rgb) luminance() float64 {
	lin := func(v float64) float64 {
		v /= 255
		if v <= 0.04045 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.r) + 0.7152*lin(c.g) + 0.0722*lin(c.b)
}

// contrast is WCAG 2's contrast ratio of two colours, from 1 to 21.
func contrast(a, b rgb) float64 {
	la, lb := a.luminance(), b.luminance()
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// minContrast is WCAG's AA ratio for body text.
const minContrast = 4.5

// brandInk is c, darkened in steps towards black until it reads as text on
// the light backgrounds (4.5:1): a yellow or pastel shop keeps a hue of its
// own for links instead of links nobody can read.
func brandInk(c rgb) rgb {
	for i := 0; contrast(c, lightest) < minContrast && i < 100; i++ {
		c = rgb{c.r * 0.95, c.g * 0.95, c.b * 0.95}
	}
	return c
}

// onBrand is the text colour on a fill of c: white where it reads (4.5:1),
// black otherwise, which then always does.
func onBrand(c rgb) rgb {
	if contrast(white, c) >= minContrast {
		return white
	}
	return black
}

// staffSurface tells the surfaces of base that only staff see: they take the
// staff's stylesheet too, which customers' phones never download.
func staffSurface(surface string) bool {
	return surface == "owner" || surface == "counter" || strings.HasPrefix(surface, "print")
}

// Form carries what a person typed and the translated problems with it, so a
// refused form is shown again as it was.
type Form struct {
	Values map[string]string
	Errors map[string]string
}

// Get returns a submitted value.
func (f Form) Get(name string) string { return f.Values[name] }

// Err returns the problem with a field, or "".
func (f Form) Err(name string) string { return f.Errors[name] }

// HasErrors reports whether anything was refused.
func (f Form) HasErrors() bool { return len(f.Errors) > 0 }

func itoa(n int) string { return strconv.Itoa(n) }

func i64toa(n int64) string { return strconv.FormatInt(n, 10) }

// Asset is the URL of a static file; the version makes caches (the browser's
// and the card page's service worker) fetch it anew after an upgrade.
func (p Page) Asset(name string) string { return "/static/" + name + "?v=" + p.AssetVersion }

// Option is one choice of a select.
type Option struct{ Value, Label string }

func languageOptions() []Option {
	opts := make([]Option, len(locale.Languages))
	for i, l := range locale.Languages {
		opts[i] = Option{l.Code, l.Name}
	}
	return opts
}

// digitOptions shows each digit style with its digits, which read the same in
// every language.
func digitOptions(p Page) []Option {
	return []Option{
		{string(locale.LatinDigits), p.T.T("DigitsLatin", "Sample", "0123456789")},
		{string(locale.PersianDigits), p.T.T("DigitsPersian", "Sample", "۰۱۲۳۴۵۶۷۸۹")},
	}
}

func plainOptions(values []string) []Option {
	opts := make([]Option, len(values))
	for i, v := range values {
		opts[i] = Option{v, v}
	}
	return opts
}

func roleOptions(p Page) []Option {
	var opts []Option
	for _, r := range []string{"cashier", "manager", "owner"} {
		opts = append(opts, Option{r, roleName(p, r)})
	}
	return opts
}

func roleName(p Page, role string) string {
	switch role {
	case "owner":
		return p.T.T("RoleOwner")
	case "manager":
		return p.T.T("RoleManager")
	default:
		return p.T.T("RoleCashier")
	}
}

func loginAction(next string) templ.SafeURL {
	if next == "" {
		return "/login"
	}
	return templ.SafeURL("/login?next=" + url.QueryEscape(next))
}

func programAction(pr Program) templ.SafeURL {
	if pr.ID == 0 {
		return "/programs/new"
	}
	return templ.SafeURL("/programs/" + i64toa(pr.ID))
}

func segmentName(p Page, s string) string {
	switch s {
	case "new":
		return p.T.T("SegmentNew")
	case "occasional":
		return p.T.T("SegmentOccasional")
	case "regular":
		return p.T.T("SegmentRegular")
	case "vip":
		return p.T.T("SegmentVIP")
	case "at_risk":
		return p.T.T("SegmentAtRisk")
	case "lapsed":
		return p.T.T("SegmentLapsed")
	}
	return ""
}

func segmentOptions(p Page) []Option {
	var opts []Option
	for _, s := range []string{"new", "occasional", "regular", "vip", "at_risk", "lapsed"} {
		opts = append(opts, Option{s, segmentName(p, s)})
	}
	return opts
}

func statusName(p Page, status string) string {
	switch status {
	case "scheduled":
		return p.T.T("StatusScheduled")
	case "paused":
		return p.T.T("StatusPaused")
	case "ended":
		return p.T.T("StatusEnded")
	case "expired":
		return p.T.T("StatusExpired")
	}
	return p.T.T("StatusRunning")
}

// percent shows part of whole as a whole percentage, or a dash without a whole.
func percent(p Page, part, whole int) string {
	if whole == 0 {
		return "–"
	}
	return p.T.T("Percent", "Percent", p.T.Num((part*100+whole/2)/whole))
}

func raffleAction(r Raffle) templ.SafeURL {
	if r.ID == 0 {
		return "/raffles/new"
	}
	return templ.SafeURL("/raffles/" + i64toa(r.ID))
}

// verifierSource is a complete check of a published draw, in Python because
// it is on most computers; it is code, the same in every language.
const verifierSource = `import hashlib, hmac

def draw(seed_hex, ticket_list, winners):
    seed = bytes.fromhex(seed_hex)
    cards = [tuple(map(int, line.split())) for line in ticket_list.splitlines()]
    h = hashlib.sha256(ticket_list.encode()).hexdigest()
    won, i = [], 0
    while len(won) < winners and cards:
        total, j = sum(t for _, t in cards), 0
        while True:
            mac = hmac.new(seed, f"{h}:{i}:{j}".encode(), hashlib.sha256).digest()
            x = int.from_bytes(mac[:8], "big")
            if x < (2**64 // total) * total:
                break
            j += 1
        r, k = x % total, 0
        while r >= cards[k][1]:
            r -= cards[k][1]
            k += 1
        won.append(cards.pop(k)[0])
        i += 1
    return won
`

// navGroup is a group of the owner's menu.
type navGroup struct {
	id, label string
	links     []navItem
}

type navItem struct{ href, label string }

// active reports whether the menu's current page is one of the group's.
func (g navGroup) active(current string) bool {
	for _, l := range g.links {
		if l.href == current {
			return true
		}
	}
	return false
}

// ownerMenuModel is the owner's menu of a page: its groups, and its link to
// the page (current).
type ownerMenuModel struct {
	groups  []navGroup
	current string
}

func newOwnerMenu(p Page) ownerMenuModel {
	groups := ownerNavGroups(p)
	return ownerMenuModel{groups: groups, current: navCurrent(p.Path, groups)}
}

// navCurrent is the menu's link to the page at path: the longest that starts
// it, so that /customers/import is the import's, not the customers'.
func navCurrent(path string, groups []navGroup) string {
	path, _, _ = strings.Cut(path, "?")
	best := ""
	consider := func(href string) {
		if (path == href || strings.HasPrefix(path, href+"/")) && len(href) > len(best) {
			best = href
		}
	}
	consider("/counter")
	consider("/customers")
	for _, g := range groups {
		for _, l := range g.links {
			consider(l.href)
		}
	}
	return best
}

// ownerNavGroups are the menu's groups for the signed-in staff member: the
// owner's pages only for the owner.
func ownerNavGroups(p Page) []navGroup {
	rewards := navGroup{"rewards", p.T.T("NavGroupRewards"), []navItem{
		{"/programs", p.T.T("NavPrograms")}, {"/coupons", p.T.T("NavCoupons")}, {"/raffles", p.T.T("NavRaffles")}, {"/catalogue", p.T.T("NavCatalogue")}}}
	grow := navGroup{"grow", p.T.T("NavGroupGrow"), []navItem{
		{"/poster", p.T.T("PosterTitle")}, {"/referrals", p.T.T("ReferralsTitle")}, {"/news", p.T.T("NewsTitle")}, {"/clubs", p.T.T("NavClubs")}, {"/cards/print", p.T.T("PrintTitle")}}}
	insights := navGroup{"insights", p.T.T("NavGroupInsights"), []navItem{
		{"/dashboard", p.T.T("NavDashboard")}, {"/feedback", p.T.T("NavFeedback")}}}
	if !p.User.IsOwner {
		return []navGroup{rewards, grow, insights}
	}
	grow.links = append([]navItem{{"/growth", p.T.T("NavJoiningGifts")}}, grow.links...)
	grow.links = append(grow.links, navItem{"/automations", p.T.T("NavAutomations")})
	insights.links = append(insights.links, navItem{"/audit", p.T.T("NavAudit")})
	rewards.links = append(rewards.links, navItem{"/tiers", p.T.T("NavTiers")})
	settings := navGroup{"settings", p.T.T("NavGroupSettings"), []navItem{
		{"/settings", p.T.T("NavSettings")}, {"/staff", p.T.T("NavStaff")}, {"/customers/import", p.T.T("NavImportExport")}}}
	return []navGroup{rewards, grow, insights, settings}
}
