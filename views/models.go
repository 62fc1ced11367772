package views

import "time"

// Program is a program as the owner's pages show it.
type Program struct {
	ID               int64
	Name             string
	RewardText       string
	StampsRequired   int
	MaxPerVisit      int
	CooldownMinutes  int
	StampExpiryDays  int
	RewardExpiryDays int
	IsDefault        bool
	Archived         bool
	// A points program's rules (Points true).
	Points         bool
	PointsPerVisit int
	PointsPerUnit  int
	Nearest        bool
	RewardPoints   int
}

// ProgramDone is what the owner just did to a program, said above the list:
// Kind "saved", "archived" or "default"; "" for nothing.
type ProgramDone struct {
	Kind string
	ID   int64
	Name string
}

// RuleChange is what saving a program's new target would do at once, shown
// for the owner to confirm before it is saved.
type RuleChange struct {
	RewardsNow  int // cards a lowered target gives a reward now
	FurtherAway int // cards holding stamps a raised target puts further away
}

// Entry is a ledger line.
type Entry struct {
	ID        int64
	Kind      string // stamp, redeem, void, coupon, prize, adjust, bonus
	Program   string
	Staff     string
	Card      string // the customer's name or short code, where the page lists many cards
	Stamps    int
	RewardSeq int
	Voided    bool
	Override  bool
	Note      string // why: an adjustment's reason
	At        time.Time
	// In a points program: a purchase's amount (minor units) and the points
	// the event added or spent.
	Amount int
	Points int
	// Credit is the store credit the event added or spent (minor units).
	Credit int
}

// StaffMember is a line of the staff page.
type StaffMember struct {
	ID            int64
	Name          string
	Email         string
	Role          string
	InvitePending bool
	IsSelf        bool
	SignsIn       bool   // has a password (an invitee has none yet)
	Stamp         string // db.User.Stamp, carried by the member's forms
}

// Account is the signed-in staff member on their own account page.
type Account struct {
	Name  string
	Email string
	Role  string
}

// Reward is an earned, unredeemed reward.
type Reward struct {
	Seq       int
	ExpiresAt time.Time // zero: never
}

// Progress is a card's standing in one program.
type Progress struct {
	ProgramID      int64
	Program        string
	RewardText     string
	Stamps         int
	StampsRequired int
	MaxPerVisit    int
	Rewards        []Reward
	NextExpiry     time.Time // when the oldest stamp expires; zero: never
	// Points is set for a points program, whose stamps count nothing.
	Points *PointsProgress
}

// Card is a customer's card as staff and customer see it.
type Card struct {
	ID        int64
	Name      string // "" when the customer gave none
	ShortCode string // formatted, K7M2-Q9XD
	URL       string // absolute card URL, what the QR code holds
	// QR is the QR code of URL drawn ahead (views.QRModules); nil: drawn
	// when shown.
	QR        []byte
	Progress  []Progress
	Ledger    []Entry  // newest first
	Coupons   []Coupon // those it can use now
	Raffles   []Raffle
	News      []NewsItem
	Clubs     []CardClub // the customer's page only: clubs to join or leave
	CreatedAt time.Time
	// WelcomeStamps is the welcome gift's stamps, told until the first visit.
	WelcomeStamps int
	// InviteURL is the card's link for inviting friends, on the customer's
	// page only; ReferralStamps is what each side gets, 0 when the shop gives nothing.
	InviteURL      string
	ReferralStamps int
	// Version is the card's version as an ETag, on the customer's page only,
	// which asks for it to know when the cashier changed the card.
	Version string
	// Messages are the customer's e-mail choices, on the customer's page only.
	Messages *CardMessages
	// Catalogue is the gifts the card may redeem now and its redemptions;
	// nil in a shop without a catalogue.
	Catalogue *CardCatalogue
	// Credit is the card's store credit; nil when it holds none in a shop
	// without cashback.
	Credit *CardCredit
	// Tier is the card's tier; nil in a shop without tiers (tiers.go).
	Tier *CardTier
}

// Found is the cards a counter search lists, and how many more matched.
type Found struct {
	Cards []FoundCard
	More  int
}

// FoundCard is a card in a search's list, with what tells people apart.
type FoundCard struct {
	ID        int64
	Name      string
	ShortCode string
	PhoneEnd  string    // the phone's last four digits, "" without one
	LastVisit time.Time // zero: never visited
	Stamps    int       // in the default program
}

// Result is the outcome of the cashier's last action, shown big on the card view.
type Result struct {
	Kind          string // stamped, redeemed, undone, replayed, cooldown, refused, enrolled, activated, replaced
	Program       string
	Reward        string // the program's reward, for a stamp that earned one and a redemption
	Stamps        int
	RewardsEarned int
	ReferralBonus int    // bonus stamps the stamp gave as a referred friend's first
	Message       string // already translated, for refusals
	// For a cooldown refusal: the stamp the cashier may confirm anyway.
	ProgramID int64
	Count     int
	// A points purchase ("points") or redemption: the points and the amount.
	Points int
	Amount int
	// Store credit a purchase earned (+) or the cashier spent (-, "credit").
	Credit   int
	Currency string
}

// Coupon is a campaign as the owner, the cashier and the customer see it.
type Coupon struct {
	ID           int64
	Title        string
	Description  string
	ValueKind    string // percent, amount, item, text
	ValueNumber  int
	ValueText    string
	Currency     string
	ValidFrom    time.Time
	LastDay      time.Time // the last day it is valid
	Audience     string
	Segment      string
	Club         string // the club's name, for audience club
	Code         string
	TotalLimit   int
	PerCardLimit int
	Status       string
	Issued       int
	Viewed       int
	Redeemed     int
	// Birthday: the shop's birthday gift, in the card's birthday window.
	Birthday bool
}

// DayCount is a number on a day, for the small tables of the owner's pages.
type DayCount struct {
	Day   string
	Count int
}

// Raffle is a raffle as the owner, the public page, the cashier and a card see it.
type Raffle struct {
	ID             int64
	Title          string
	Prize          string
	Rules          string
	Winners        int
	OpensAt        time.Time
	ClosesAt       time.Time
	EntryRule      string // stamps, visit, optin
	FreeEntry      string // which cards may enter for free: any, earlier (made before the opening)
	State          string // upcoming, open, closed, drawn
	Commitment     string
	SeedHex        string // after the draw
	TicketList     string // after the draw
	TicketListHash string
	PublishedAt    time.Time
	WinnerIDs      []int64
	Verified       bool // the server recomputed the published draw
	Entrants       int  // so far, for the owner
	Tickets        int
	// As one card sees it.
	CardTickets   int
	OptedIn       bool
	Won           bool
	PrizeRedeemed bool
	CardFreeEntry bool // the card may take the free entry
}

// RaffleWinner is a winner on the owner's page.
type RaffleWinner struct {
	Place         int
	CardID        int64
	Name          string
	ShortCode     string
	PrizeRedeemed bool
}
