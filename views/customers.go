package views

import (
	"net/url"
	"strconv"
	"time"

	"github.com/a-h/templ"
)

// CustomerRow is a line of the owner's customer list.
type CustomerRow struct {
	ID        int64
	Name      string // "" when the customer gave none
	Erased    bool
	ShortCode string // formatted
	Phone     string // masked: its last digits only, or ""
	Visits    int
	Rewards   int
	LastVisit time.Time // zero: never
	Joined    time.Time
	Segment   string // "": never visited
	// Progress is the card's stamps now in each active program, the
	// default first.
	Progress []ProgramStamps
}

// ProgramStamps is where a card stands in one program: "7 of 10", and the
// rewards it may collect.
type ProgramStamps struct {
	Program  string
	Stamps   int
	Required int
	Ready    int
	// Points: a points program, whose Stamps are the points held.
	Points bool
}

// ready is how many rewards the row's card may collect, in every program.
func (r CustomerRow) ready() int {
	n := 0
	for _, pr := range r.Progress {
		n += pr.Ready
	}
	return n
}

// SegmentCount is a segment and how many customers are in it.
type SegmentCount struct {
	Segment string
	Count   int
}

// CustomerList is a page of the customer list and the query that made it.
type CustomerList struct {
	Search  string
	Segment string // "": every customer
	Sort    string // last, visits, rewards, name, joined
	Page    int    // from 1
	Pages   int
	Total   int // matching the query
	All     int // every customer of the shop
	Never   int // customers who never visited: in no segment
	Rows    []CustomerRow
	// Segments in display order, each with its count.
	Segments []SegmentCount
}

// URL is the list with the same search and the given segment, order and page.
func (l CustomerList) URL(segment, sort string, page int) templ.SafeURL {
	v := url.Values{}
	if l.Search != "" {
		v.Set("q", l.Search)
	}
	if segment != "" {
		v.Set("segment", segment)
	}
	if sort != "" && sort != "last" {
		v.Set("sort", sort)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/customers"
	}
	return templ.SafeURL("/customers?" + v.Encode())
}

// CustomerCoupon is a coupon issued to the customer, as the owner sees it.
type CustomerCoupon struct {
	Coupon
	UsedByCard int
	Usable     bool
}

// CustomerFeedback is one of the customer's answers to "how was your visit?".
type CustomerFeedback struct {
	Day     time.Time
	Rating  int // 1–5
	Comment string
}

// Customer is the owner's page of one customer.
type Customer struct {
	Card      Card // progress, full ledger (newest first), raffles; Coupons unused
	Erased    bool
	Phone     string
	Email     string
	Masked    bool // Phone and Email show only their ends: the viewer is no owner
	Consent   bool // agreed to hear from the shop
	BirthDay  int  // 0: not given
	BirthMon  int
	Segment   string
	Visits    int
	Stamps    int
	Rewards   int
	Redeems   int
	LastVisit time.Time // zero: never
	Coupons   []CustomerCoupon
	Feedback  []CustomerFeedback // newest first
	Clubs     []CustomerClub     // the shop's clubs that take members, and whether this customer is one
	// Credit is the card's store credit; nil when it never had any in a
	// shop without cashback.
	Credit *CustomerCredit
	// TierChanges are the card's changes of tier, newest first (tiers.go).
	TierChanges []TierChangeView
	// Saved names what was just done: adjust, profile or erase.
	Saved string
	// Removed is what an adjustment that took stamps away did, nil otherwise.
	Removed *Removal
	// Problem is a refusal to show at the top, already translated.
	Problem string
}

// Removal is how many stamps an adjustment took away and how many the card
// had: asked for more than it had, it took what there was.
type Removal struct {
	Stamps, Had int
	Points      bool // in a points program: points taken of those held
}

// CustomerForms are the owner's forms of the customer page, each as it was
// submitted when refused, and the key that makes an adjustment apply once.
type CustomerForms struct {
	Adjust  Form
	Profile Form
	Erase   Form
	Key     string
}

func customerName(p Page, name string, erased bool) string {
	switch {
	case erased:
		return p.T.T("CustomerErased")
	case name != "":
		return name
	}
	return p.T.T("CardNoName")
}

// CardLabel names a card where staff see it without its code beside it: the
// customer's name, or "(no name) · K7M2-Q9XD", as the list and the record
// show a nameless card with its code.
func CardLabel(p Page, name, code string) string {
	if name != "" {
		return name
	}
	return p.T.T("CardNoName") + " · " + code
}

// segmentRule explains in one line who is in a segment (loyalty.Summary.Segment).
func segmentRule(p Page, s string) string {
	switch s {
	case "new":
		return p.T.T("SegmentRuleNew")
	case "occasional":
		return p.T.T("SegmentRuleOccasional")
	case "regular":
		return p.T.T("SegmentRuleRegular")
	case "vip":
		return p.T.T("SegmentRuleVIP")
	case "at_risk":
		return p.T.T("SegmentRuleAtRisk")
	case "lapsed":
		return p.T.T("SegmentRuleLapsed")
	}
	return ""
}

func sortOptions(p Page) []Option {
	return []Option{
		{"last", p.T.T("CustomersSortLast")}, {"name", p.T.T("CustomersSortName")}, {"joined", p.T.T("CustomersSortJoined")},
		{"visits", p.T.T("CustomersSortVisits")}, {"rewards", p.T.T("CustomersSortRewards")},
	}
}

// ariaSort is a column header's aria-sort: the list's order when the column
// orders it (names A to Z, the rest largest or newest first), none otherwise.
func (l CustomerList) ariaSort(sort string) string {
	switch {
	case l.Sort != sort:
		return "none"
	case sort == "name":
		return "ascending"
	}
	return "descending"
}

func segmentFilterOptions(p Page) []Option {
	return append([]Option{{"", p.T.T("CustomersAllSegments")}}, segmentOptions(p)...)
}

func monthOptions(p Page) []Option {
	opts := []Option{{"", p.T.T("CustomerBirthdayNone")}}
	for m := 1; m <= 12; m++ {
		opts = append(opts, Option{itoa(m), p.T.MonthName(m)})
	}
	return opts
}

func dayOptions(p Page) []Option {
	opts := []Option{{"", p.T.T("CustomerBirthdayNone")}}
	for d := 1; d <= 31; d++ {
		opts = append(opts, Option{itoa(d), p.T.Num(d)})
	}
	return opts
}

func programChoices(progress []Progress) []Option {
	opts := make([]Option, len(progress))
	for i, pr := range progress {
		opts[i] = Option{i64toa(pr.ProgramID), pr.Program}
	}
	return opts
}

// signed shows a stamp adjustment with its sign: +3, −2.
func signed(p Page, n int) string {
	if n > 0 {
		return "+" + p.T.Num(n)
	}
	return p.T.Num(n)
}

// lastVisit shows the day of the last visit, or that there was none.
func lastVisit(p Page, t time.Time) string {
	if t.IsZero() {
		return p.T.T("CustomersNeverVisited")
	}
	return p.T.Date(t)
}
