package loyalty

import (
	"cmp"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A raffle is provably fair by commit and reveal: the seed's commitment is
// published when the raffle is created, the seed itself only at the draw, and
// the winners follow from the seed and the published ticket list alone.

// raffleSeedBytes is 256 bits, so the seed cannot be guessed from its commitment.
const raffleSeedBytes = 32

// Entry is one card's tickets in a raffle.
type Entry struct {
	CardID  int64
	Tickets int
}

// NewRaffleSeed returns a fresh secret seed for a raffle.
func NewRaffleSeed() []byte {
	seed := make([]byte, raffleSeedBytes)
	rand.Read(seed) // never fails: since Go 1.24 it crashes the program instead
	return seed
}

// SeedCommitment is the lowercase hex SHA-256 of the seed, published before the draw.
func SeedCommitment(seed []byte) string {
	return sha256Hex(seed)
}

// TicketList is the published, canonical form of a raffle's entries: one line
// "cardID tickets\n" (decimal) per card, sorted by card ID, a card's entries
// summed and cards left without tickets dropped. It does not depend on the
// order of entries, so the draw does not either.
func TicketList(entries []Entry) string {
	return formatList(canonical(entries))
}

// TicketListHash is the lowercase hex SHA-256 of a ticket list's text, as
// TicketList makes it and the public page shows it.
func TicketListHash(list string) string {
	return sha256Hex([]byte(list))
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func canonical(entries []Entry) []Entry {
	sums := make(map[int64]int)
	for _, e := range entries {
		sums[e.CardID] += e.Tickets
	}
	list := make([]Entry, 0, len(sums))
	for id, n := range sums {
		if n > 0 {
			list = append(list, Entry{CardID: id, Tickets: n})
		}
	}
	slices.SortFunc(list, func(a, b Entry) int { return cmp.Compare(a.CardID, b.CardID) })
	return list
}

func formatList(list []Entry) string {
	var b []byte
	for _, e := range list {
		b = strconv.AppendInt(b, e.CardID, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(e.Tickets), 10)
		b = append(b, '\n')
	}
	return string(b)
}

// Draw returns the CardIDs of up to winners cards, in the order they were
// drawn. Each ticket is equally likely to win, and a card wins at most once.
// Anyone with the revealed seed and the published ticket list can recompute
// the result:
//
//  1. Start from the published ticket list (TicketList): one line per card,
//     sorted by card number, cards without tickets left out. T is the total
//     number of tickets, and H is the SHA-256 of the list's text in lowercase
//     hex (TicketListHash). H stays the same for the whole draw.
//  2. For round i = 0, 1, 2, … and attempt j = 0, 1, 2, … (j starts again
//     from 0 each round), compute HMAC-SHA256 with the seed's 32 bytes (not
//     its hex text) as key and the text H + ":" + i + ":" + j as message,
//     numbers in decimal: for the first attempt of the first round, H + ":0:0".
//     Read the first 8 bytes of the result as an unsigned big-endian number x.
//  3. If x ≥ floor(2^64 / T) × T, try again with the next j. Otherwise
//     r = x mod T: rejecting those few top values makes every r from 0 to
//     T − 1 exactly equally likely, where a plain x mod T would slightly
//     favor small numbers.
//  4. Walk the list from the top: while r is at least the card's tickets,
//     subtract them from r and go to the next card. The card where the walk
//     stops wins the round.
//  5. Remove the winner from the list, subtract its tickets from T, and go on
//     to the next round, until winners cards are drawn or the list is empty.
//
// H is part of every message, so the result depends on the exact list:
// nobody can choose entries to steer the draw without knowing the seed, and
// the seed stays secret, behind its published commitment, until the draw.
//
// With winners ≤ 0 or no tickets nobody wins; with fewer cards than winners
// every card wins, in drawn order. Draw panics if the total number of tickets
// overflows an int64, far beyond any real raffle.
func Draw(seed []byte, entries []Entry, winners int) []int64 {
	list := canonical(entries)
	if winners <= 0 || len(list) == 0 {
		return nil
	}
	var total uint64
	for _, e := range list {
		total += uint64(e.Tickets)
		if total > math.MaxInt64 {
			panic("loyalty: raffle ticket total overflows int64")
		}
	}
	listHash := sha256Hex([]byte(formatList(list)))
	mac := hmac.New(sha256.New, seed)
	won := make([]int64, 0, min(winners, len(list)))
	for i := 0; len(won) < winners && len(list) > 0; i++ {
		r := drawTicket(mac, listHash, i, total)
		k := 0
		for r >= uint64(list[k].Tickets) {
			r -= uint64(list[k].Tickets)
			k++
		}
		won = append(won, list[k].CardID)
		total -= uint64(list[k].Tickets)
		list = slices.Delete(list, k, k+1)
	}
	return won
}

// drawTicket returns round i's ticket number, uniform in [0, total).
func drawTicket(mac hash.Hash, listHash string, i int, total uint64) uint64 {
	// floor(2^64/total)*total = 2^64 - rem: it is 2^64 itself (no rejection)
	// when total is a power of two, so the bound is computed from rem instead.
	rem := (math.MaxUint64%total + 1) % total
	for j := 0; ; j++ {
		mac.Reset()
		fmt.Fprintf(mac, "%s:%d:%d", listHash, i, j)
		if x := binary.BigEndian.Uint64(mac.Sum(nil)); x <= math.MaxUint64-rem {
			return x % total
		}
	}
}

// Raffle states, from creation to draw.
const (
	RaffleUpcoming = "upcoming" // entries not open yet
	RaffleOpen     = "open"     // taking entries
	RaffleClosed   = "closed"   // waiting for the draw
	RaffleDrawn    = "drawn"
)

// Entry rules of a raffle. Whatever the rule, a free entry from the card page
// is always offered, so that no purchase is necessary.
const (
	EntryPerStamp = "stamps" // a ticket per stamp in the window
	EntryPerVisit = "visit"  // one ticket per card stamped in the window
	EntryOptIn    = "optin"  // only the free entry
)

// Who may take a raffle's free entry. Free entry is per card and anyone can
// make cards from the join poster: one person held 40 of 40 tickets with
// cards made for the draw (issue 15). So a raffle's free entry is for the
// cards that existed before its entries opened, a rule published with its
// commitment. Raffles made before the rule keep the one they were made with.
const (
	FreeEntryAnyCard      = "any"     // every card of the shop
	FreeEntryEarlierCards = "earlier" // cards made before entries opened
)

// Reasons a raffle action is refused.
var (
	ErrRaffleNotOpen     = errors.New("raffle not taking entries")
	ErrRaffleStillOpen   = errors.New("raffle window not closed yet")
	ErrRaffleDrawn       = errors.New("raffle already drawn")
	ErrPrizeUnavailable  = errors.New("no prize to hand over")
	ErrRaffleOpensInPast = errors.New("raffle entries would open before its commitment is published")
	// A card made after entries opened takes no free entry: to it, the raffle is not open.
	ErrFreeEntryNewCard = fmt.Errorf("card made after entries opened: %w", ErrRaffleNotOpen)
)

// RaffleOpeningGrace: an opening this little behind the clock means now. The
// form gives minutes, the clock has seconds, and "now" must be possible.
const RaffleOpeningGrace = 5 * time.Minute

// RaffleOpening returns when a raffle saved at now opens its entries. The
// commitment to its seed is published when it is saved, and must be public
// before anyone can enter: a raffle whose window is already over could be
// drawn at once, made again and drawn again until the winner suits. So an
// opening in the past is refused, and one within the grace is now.
func RaffleOpening(opens, now time.Time) (time.Time, error) {
	switch {
	case !opens.Before(now):
		return opens, nil
	case now.Sub(opens) <= RaffleOpeningGrace:
		return now, nil
	}
	return opens, ErrRaffleOpensInPast
}

// RaffleWindow is what decides a raffle's state: entries in [Opens, Closes).
type RaffleWindow struct {
	Opens, Closes time.Time
	Drawn         bool
	FreeEntry     string // FreeEntryAnyCard or FreeEntryEarlierCards
}

// FreeEntryFor says whether a card made at made may take the free entry.
func (w RaffleWindow) FreeEntryFor(made time.Time) bool {
	return w.FreeEntry != FreeEntryEarlierCards || made.Before(w.Opens)
}

// CheckFreeEntry refuses a free entry outside the window, or from a card the
// raffle's rule leaves out.
func (w RaffleWindow) CheckFreeEntry(made, now time.Time) error {
	if err := w.CheckEntry(now); err != nil {
		return err
	}
	if !w.FreeEntryFor(made) {
		return ErrFreeEntryNewCard
	}
	return nil
}

// State says where the raffle stands at now.
func (w RaffleWindow) State(now time.Time) string {
	switch {
	case w.Drawn:
		return RaffleDrawn
	case now.Before(w.Opens):
		return RaffleUpcoming
	case now.Before(w.Closes):
		return RaffleOpen
	}
	return RaffleClosed
}

// CheckEntry refuses a free entry outside the window.
func (w RaffleWindow) CheckEntry(now time.Time) error {
	if w.State(now) != RaffleOpen {
		return ErrRaffleNotOpen
	}
	return nil
}

// CheckDraw refuses a draw before the window closes (entries could still
// change) and a second draw (the first result stands).
func (w RaffleWindow) CheckDraw(now time.Time) error {
	switch w.State(now) {
	case RaffleDrawn:
		return ErrRaffleDrawn
	case RaffleClosed:
		return nil
	}
	return ErrRaffleStillOpen
}

// ParseTicketList reads back a list made by TicketList, for checking a
// published draw; anything else is an error.
func ParseTicketList(list string) ([]Entry, error) {
	var es []Entry
	for _, line := range strings.Split(strings.TrimSuffix(list, "\n"), "\n") {
		if line == "" && list == "" {
			break
		}
		var e Entry
		if _, err := fmt.Sscanf(line, "%d %d", &e.CardID, &e.Tickets); err != nil || e.Tickets < 1 {
			return nil, errBadTicketList
		}
		es = append(es, e)
	}
	if TicketList(es) != list {
		return nil, errBadTicketList
	}
	return es, nil
}

var errBadTicketList = errors.New("malformed ticket list")

// VerifyDraw recomputes a published draw: the seed matches its commitment and
// the winners follow from the seed and the ticket list.
func VerifyDraw(seed []byte, commitment, ticketList string, winners int, drawn []int64) bool {
	if SeedCommitment(seed) != commitment {
		return false
	}
	es, err := ParseTicketList(ticketList)
	if err != nil {
		return false
	}
	return slices.Equal(Draw(seed, es, winners), drawn)
}

// CardCluster is a run of cards made close together: from the join poster,
// cards made for a draw come in runs like this.
type CardCluster struct {
	From, To time.Time
	Cards    int
}

// What makes a run: at least clusterCards cards, each made at most
// clusterGap after the one before. The join form lets one address make a
// card every three minutes once its first 20 are made, so a steady stream
// from one address is one run.
const (
	clusterCards = 5
	clusterGap   = 5 * time.Minute
)

// CardClusters finds the runs in the times cards were made, oldest first.
func CardClusters(made []time.Time) []CardCluster {
	made = slices.SortedFunc(slices.Values(made), func(a, b time.Time) int { return a.Compare(b) })
	var runs []CardCluster
	for i := 0; i < len(made); {
		j := i + 1
		for j < len(made) && made[j].Sub(made[j-1]) <= clusterGap {
			j++
		}
		if j-i >= clusterCards {
			runs = append(runs, CardCluster{From: made[i], To: made[j-1], Cards: j - i})
		}
		i = j
	}
	return runs
}
