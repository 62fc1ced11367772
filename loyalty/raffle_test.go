package loyalty

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRaffleSeed(t *testing.T) {
	t.Parallel()
	a, b := NewRaffleSeed(), NewRaffleSeed()
	if len(a) != 32 || len(b) != 32 || bytes.Equal(a, b) {
		t.Fatalf("seeds %x and %x", a, b)
	}
}

func TestTicketList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []Entry
		want string
	}{
		{"empty", nil, ""},
		{"sorted by card number, not as text", []Entry{{30, 1}, {4, 2}, {100, 3}}, "4 2\n30 1\n100 3\n"},
		{"zero tickets dropped", []Entry{{1, 0}, {2, 5}, {3, 0}}, "2 5\n"},
		{"only zero tickets", []Entry{{1, 0}}, ""},
		{"duplicates summed", []Entry{{7, 2}, {3, 1}, {7, 3}}, "3 1\n7 5\n"},
		{"a correction cancels a card", []Entry{{7, 2}, {8, 1}, {7, -2}}, "8 1\n"},
		{"negative card numbers", []Entry{{5, 1}, {-5, 2}}, "-5 2\n5 1\n"},
	}
	for _, tt := range tests {
		if got := TicketList(tt.in); got != tt.want {
			t.Errorf("%s: TicketList = %q, want %q", tt.name, got, tt.want)
		}
		sum := sha256.Sum256([]byte(tt.want))
		if got, want := TicketListHash(TicketList(tt.in)), hex.EncodeToString(sum[:]); got != want {
			t.Errorf("%s: TicketListHash = %s, want %s", tt.name, got, want)
		}
	}
	// Computed outside Go: printf '4 2\n30 1\n100 3\n' | sha256sum
	const want = "38babe2c7718d9f07612f4df7d4f3305a42fad075529c04470c4efc5aac123f6"
	if got := TicketListHash(TicketList([]Entry{{100, 3}, {4, 2}, {30, 1}})); got != want {
		t.Errorf("TicketListHash = %s, want %s", got, want)
	}
}

func countingSeed() []byte {
	seed := make([]byte, 32)
	for i := range seed {
		seed[i] = byte(i)
	}
	return seed
}

func TestCommitment(t *testing.T) {
	t.Parallel()
	seed := countingSeed()
	// Computed outside Go: the SHA-256 of the bytes 0x00..0x1f.
	const commitment = "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd"
	if got := SeedCommitment(seed); got != commitment {
		t.Fatalf("SeedCommitment = %s, want %s", got, commitment)
	}
	for range 100 {
		if s := NewRaffleSeed(); len(s) != 32 || SeedCommitment(s) == SeedCommitment(NewRaffleSeed()) {
			t.Fatalf("seeds are not fresh 32-byte values: %x", s)
		}
	}
}

var raffleEntries = []Entry{{101, 3}, {7, 1}, {42, 5}, {13, 0}, {58, 2}, {7, 1}, {300, 4}, {12, 6}, {77, 1}}

// The expected winners were computed by a separate Python script following
// Draw's doc comment, so the published algorithm cannot change unnoticed.
func TestDrawKnownAnswer(t *testing.T) {
	t.Parallel()
	if got, want := TicketList(raffleEntries), "7 2\n12 6\n42 5\n58 2\n77 1\n101 3\n300 4\n"; got != want {
		t.Fatalf("TicketList = %q, want %q", got, want)
	}
	if got, want := TicketListHash(TicketList(raffleEntries)), "7f6f97f74eedb02ac5d6ca73eb0679280dfb90518038b00840ee83dcc84e8070"; got != want {
		t.Fatalf("TicketListHash = %s, want %s", got, want)
	}
	tests := []struct {
		winners int
		want    []int64
	}{
		{1, []int64{12}},
		{4, []int64{12, 300, 101, 42}},
		{10, []int64{12, 300, 101, 42, 77, 7, 58}},
	}
	for _, tt := range tests {
		if got := Draw(countingSeed(), raffleEntries, tt.winners); !slices.Equal(got, tt.want) {
			t.Errorf("Draw(%d winners) = %v, want %v", tt.winners, got, tt.want)
		}
	}
}

func TestDrawReproducible(t *testing.T) {
	t.Parallel()
	want := Draw(countingSeed(), raffleEntries, 4)
	if got := Draw(countingSeed(), raffleEntries, 4); !slices.Equal(got, want) {
		t.Fatalf("same draw gave %v, then %v", want, got)
	}
	reversed := slices.Clone(raffleEntries)
	slices.Reverse(reversed)
	split := append(slices.Clone(raffleEntries), Entry{42, -2}, Entry{42, 2}) // same tickets, other entries
	for _, entries := range [][]Entry{reversed, split} {
		if got := Draw(countingSeed(), entries, 4); !slices.Equal(got, want) {
			t.Errorf("Draw(%v) = %v, want %v", entries, got, want)
		}
	}
	other := countingSeed()
	other[0] = 0xff
	if got := Draw(other, raffleEntries, 4); slices.Equal(got, want) {
		t.Errorf("another seed gave the same winners %v", got)
	}
}

// referenceDraw is a second, plain implementation of Draw's doc comment that
// shares no code with raffle.go: big integers throughout, the total summed
// afresh every round. It also counts the rejected blocks.
func referenceDraw(seed []byte, entries []Entry, winners int) (won []int64, rejected int) {
	tickets := map[int64]*big.Int{}
	for _, e := range entries {
		if tickets[e.CardID] == nil {
			tickets[e.CardID] = new(big.Int)
		}
		tickets[e.CardID].Add(tickets[e.CardID], big.NewInt(int64(e.Tickets)))
	}
	var cards []int64
	for id, n := range tickets {
		if n.Sign() > 0 {
			cards = append(cards, id)
		}
	}
	slices.Sort(cards)
	var list strings.Builder
	for _, id := range cards {
		fmt.Fprintf(&list, "%d %s\n", id, tickets[id])
	}
	h := sha256.Sum256([]byte(list.String()))
	listHash := hex.EncodeToString(h[:])
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	for i := 0; len(won) < winners && len(cards) > 0; i++ {
		total := new(big.Int)
		for _, id := range cards {
			total.Add(total, tickets[id])
		}
		bound := new(big.Int).Mul(new(big.Int).Div(two64, total), total)
		var r *big.Int
		for j := 0; r == nil; j++ {
			mac := hmac.New(sha256.New, seed)
			mac.Write([]byte(listHash + ":" + strconv.Itoa(i) + ":" + strconv.Itoa(j)))
			x := new(big.Int).SetBytes(mac.Sum(nil)[:8])
			if x.Cmp(bound) < 0 {
				r = x.Mod(x, total)
			} else {
				rejected++
			}
		}
		k := 0
		for r.Cmp(tickets[cards[k]]) >= 0 {
			r.Sub(r, tickets[cards[k]])
			k++
		}
		won = append(won, cards[k])
		cards = slices.Delete(cards, k, k+1)
	}
	return won, rejected
}

func TestDrawMatchesReference(t *testing.T) {
	t.Parallel()
	type fixture struct {
		seed    []byte
		entries []Entry
		winners int
	}
	var fixtures []fixture
	for k := range 20 {
		fixtures = append(fixtures,
			fixture{drawSeed(k), []Entry{{1, 1 << 61}, {2, 1 << 61}}, 2},                             // total 2^62: nothing rejected
			fixture{drawSeed(k), []Entry{{1, 1 << 61}, {2, 1<<61 + 1}}, 2},                           // total 2^62+1: a quarter rejected
			fixture{drawSeed(k), []Entry{{1, math.MaxInt64 / 2}, {2, math.MaxInt64 / 2}, {3, 1}}, 3}, // total 2^63-1
		)
	}
	rng := rand.New(rand.NewPCG(2026, 3))
	for n := range 200 {
		f := fixture{seed: make([]byte, rng.IntN(80))} // empty keys and keys over a block too
		for i := range f.seed {
			f.seed[i] = byte(rng.Uint32())
		}
		f.entries = make([]Entry, rng.IntN(15))
		huge := n%4 == 0 // totals near 2^62, where rejection sampling rejects often
		for i := range f.entries {
			tickets := rng.IntN(12) - 2 // with zeros and negative corrections
			if huge {
				tickets = rng.IntN(1 << 59)
			}
			f.entries[i] = Entry{CardID: rng.Int64N(20) - 5, Tickets: tickets} // card numbers repeat
		}
		f.winners = rng.IntN(len(f.entries)+3) - 1
		fixtures = append(fixtures, f)
	}
	rejected := 0
	for _, f := range fixtures {
		want, rej := referenceDraw(f.seed, f.entries, f.winners)
		rejected += rej
		if got := Draw(f.seed, f.entries, f.winners); !slices.Equal(got, want) {
			t.Fatalf("Draw(%x, %v, %d) = %v, reference %v", f.seed, f.entries, f.winners, got, want)
		}
	}
	if rejected == 0 {
		t.Fatal("no fixture exercised rejection sampling")
	}
	t.Logf("%d fixtures agree; %d blocks rejected", len(fixtures), rejected)
}

// checkWinners asserts what every draw must give: as many winners as asked
// for or as there are cards with tickets, each such a card, none twice.
func checkWinners(t *testing.T, entries []Entry, winners int, got []int64) {
	t.Helper()
	tickets := map[int64]int{}
	for _, e := range entries {
		tickets[e.CardID] += e.Tickets
	}
	entrants := 0
	for _, n := range tickets {
		if n > 0 {
			entrants++
		}
	}
	if want := max(0, min(winners, entrants)); len(got) != want {
		t.Fatalf("Draw(%v, %d) = %v: %d winners, want %d", entries, winners, got, len(got), want)
	}
	seen := map[int64]bool{}
	for _, id := range got {
		if tickets[id] <= 0 || seen[id] {
			t.Fatalf("Draw(%v, %d) = %v: card %d has no tickets or won twice", entries, winners, got, id)
		}
		seen[id] = true
	}
}

func TestDrawWithoutReplacement(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		entries []Entry
		winners int
	}{
		{"no winners", raffleEntries, 0},
		{"negative winners", raffleEntries, -1},
		{"no entries", nil, 3},
		{"only zero tickets", []Entry{{1, 0}, {2, 0}}, 1},
		{"fewer entrants than winners", []Entry{{1, 1}, {2, 50}, {3, 1}}, 10},
		{"as many entrants as winners", []Entry{{1, 1}, {2, 50}, {3, 1}}, 3},
		{"zero tickets never win", []Entry{{1, 5}, {2, 0}, {3, 1}, {4, 0}}, 3},
		{"cancelled card never wins", []Entry{{1, 5}, {2, 4}, {3, 1}, {2, -4}}, 3},
		{"one heavy card", []Entry{{1, 1000}, {2, 1}, {3, 1}}, 2},
	}
	for _, tt := range tests {
		for k := range 200 {
			checkWinners(t, tt.entries, tt.winners, Draw(drawSeed(k), tt.entries, tt.winners))
		}
	}
}

func TestDrawTicketOverflow(t *testing.T) {
	t.Parallel()
	entries := []Entry{{1, math.MaxInt64}, {2, 1}}
	if got, want := TicketList(entries), "1 9223372036854775807\n2 1\n"; got != want {
		t.Errorf("TicketList = %q, want %q", got, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("Draw did not panic on a ticket total beyond int64")
		}
	}()
	Draw(countingSeed(), entries, 1)
}

// drawSeed derives the k-th seed of the statistical tests, fixed so they never flake.
func drawSeed(k int) []byte {
	sum := sha256.Sum256([]byte("test" + strconv.Itoa(k)))
	return sum[:]
}

// chiSquare is Pearson's statistic of observed counts against expected probabilities.
func chiSquare(observed map[int64]int, expected map[int64]float64, n int) float64 {
	var chi2 float64
	for id, p := range expected {
		d := float64(observed[id]) - p*float64(n)
		chi2 += d * d / (p * float64(n))
	}
	return chi2
}

// Critical values of the chi-square distribution at p = 0.001.
const (
	chi2df3  = 16.266
	chi2df11 = 31.264
)

var weightedEntries = []Entry{{1, 1}, {2, 2}, {3, 3}, {4, 4}}

func TestDrawWeighting(t *testing.T) {
	t.Parallel()
	const draws = 20000
	observed := map[int64]int{}
	for k := range draws {
		observed[Draw(drawSeed(k), weightedEntries, 1)[0]]++
	}
	expected := map[int64]float64{1: 0.1, 2: 0.2, 3: 0.3, 4: 0.4}
	chi2 := chiSquare(observed, expected, draws)
	t.Logf("first place %v, chi-square %.2f (df 3, critical %.2f)", observed, chi2, chi2df3)
	if chi2 > chi2df3 {
		t.Errorf("first place %v is not weightedEntries by tickets: chi-square %.2f", observed, chi2)
	}
}

// TestDrawSecondPlace checks that the second winner is drawn among the
// remaining tickets: P(b second) = Σ over a ≠ b of P(a first) · w_b / (T − w_a).
func TestDrawSecondPlace(t *testing.T) {
	t.Parallel()
	const draws = 20000
	var total float64
	for _, e := range weightedEntries {
		total += float64(e.Tickets)
	}
	second := map[int64]float64{}
	pair := map[int64]float64{} // ordered pairs as first*10 + second
	for _, a := range weightedEntries {
		for _, b := range weightedEntries {
			if a != b {
				p := float64(a.Tickets) / total * float64(b.Tickets) / (total - float64(a.Tickets))
				second[b.CardID] += p
				pair[a.CardID*10+b.CardID] = p
			}
		}
	}
	observedSecond, observedPair := map[int64]int{}, map[int64]int{}
	for k := range draws {
		w := Draw(drawSeed(k), weightedEntries, 2)
		observedSecond[w[1]]++
		observedPair[w[0]*10+w[1]]++
	}
	chi2 := chiSquare(observedSecond, second, draws)
	t.Logf("second place %v, expected %v, chi-square %.2f (df 3, critical %.2f)", observedSecond, second, chi2, chi2df3)
	if chi2 > chi2df3 {
		t.Errorf("second place %v does not follow drawing without replacement: chi-square %.2f", observedSecond, chi2)
	}
	chi2 = chiSquare(observedPair, pair, draws)
	t.Logf("ordered pairs chi-square %.2f (df 11, critical %.2f)", chi2, chi2df11)
	if chi2 > chi2df11 {
		t.Errorf("ordered pairs %v do not follow drawing without replacement: chi-square %.2f", observedPair, chi2)
	}
}

func FuzzDraw(f *testing.F) {
	f.Add(countingSeed(), int32(1), int32(2), int32(3), int32(4), 2)
	f.Add([]byte{}, int32(0), int32(0), int32(-1), int32(5), 5)
	f.Add([]byte("x"), int32(math.MaxInt32), int32(1), int32(math.MaxInt32), int32(0), math.MaxInt)
	f.Fuzz(func(t *testing.T, seed []byte, a, b, c, d int32, winners int) {
		// Card 5 has two entries, so they are summed and may cancel out.
		entries := []Entry{{5, int(a)}, {2, int(b)}, {5, int(c)}, {9, int(d)}}
		checkWinners(t, entries, winners, Draw(seed, entries, winners))
	})
}

func TestRaffleWindow(t *testing.T) {
	t.Parallel()
	w := RaffleWindow{Opens: at(day), Closes: at(3 * day)}
	tests := []struct {
		now         time.Duration
		drawn       bool
		state       string
		entry, draw error
	}{
		{0, false, RaffleUpcoming, ErrRaffleNotOpen, ErrRaffleStillOpen},
		{day, false, RaffleOpen, nil, ErrRaffleStillOpen},
		{3*day - time.Second, false, RaffleOpen, nil, ErrRaffleStillOpen},
		{3 * day, false, RaffleClosed, ErrRaffleNotOpen, nil},
		{4 * day, true, RaffleDrawn, ErrRaffleNotOpen, ErrRaffleDrawn},
		{2 * day, true, RaffleDrawn, ErrRaffleNotOpen, ErrRaffleDrawn},
	}
	for _, tt := range tests {
		ww := w
		ww.Drawn = tt.drawn
		if got := ww.State(at(tt.now)); got != tt.state {
			t.Errorf("state at %v = %s, want %s", tt.now, got, tt.state)
		}
		if err := ww.CheckEntry(at(tt.now)); !errors.Is(err, tt.entry) {
			t.Errorf("entry at %v: %v, want %v", tt.now, err, tt.entry)
		}
		if err := ww.CheckDraw(at(tt.now)); !errors.Is(err, tt.draw) {
			t.Errorf("draw at %v: %v, want %v", tt.now, err, tt.draw)
		}
	}
}

// TestRaffleOpening: entries never open before the commitment is published
// (issue 15: a raffle made with its window over was drawn at once, five
// times, with five different winners). "Now" typed into a form of minutes is
// a little in the past, and means now.
func TestRaffleOpening(t *testing.T) {
	t.Parallel()
	now := at(day)
	tests := []struct {
		name  string
		opens time.Time
		want  time.Time
		err   error
	}{
		{"later", now.Add(time.Hour), now.Add(time.Hour), nil},
		{"now", now, now, nil},
		{"this minute, typed a little late", now.Add(-40 * time.Second), now, nil},
		{"at the end of the grace", now.Add(-RaffleOpeningGrace), now, nil},
		{"past the grace", now.Add(-RaffleOpeningGrace - time.Second), time.Time{}, ErrRaffleOpensInPast},
		{"yesterday", now.Add(-day), time.Time{}, ErrRaffleOpensInPast},
	}
	for _, tt := range tests {
		got, err := RaffleOpening(tt.opens, now)
		if !errors.Is(err, tt.err) || err == nil && !got.Equal(tt.want) {
			t.Errorf("%s: %v, %v; want %v, %v", tt.name, got, err, tt.want, tt.err)
		}
	}
}

// TestFreeEntryForEarlierCards: a raffle made under the rule takes free
// entries from cards made before its entries opened only; one made before
// the rule, from every card.
func TestFreeEntryForEarlierCards(t *testing.T) {
	t.Parallel()
	w := RaffleWindow{Opens: at(day), Closes: at(3 * day), FreeEntry: FreeEntryEarlierCards}
	old := w
	old.FreeEntry = FreeEntryAnyCard
	tests := []struct {
		name      string
		w         RaffleWindow
		made, now time.Time
		want      error
	}{
		{"a card of last month", w, at(-30 * day), at(2 * day), nil},
		{"a card made a second before the opening", w, at(day - time.Second), at(2 * day), nil},
		{"a card made at the opening", w, at(day), at(2 * day), ErrFreeEntryNewCard},
		{"a card made for the draw", w, at(2 * day), at(2 * day), ErrFreeEntryNewCard},
		{"an old card before the opening", w, at(-30 * day), at(0), ErrRaffleNotOpen},
		{"a new card, raffle made before the rule", old, at(2 * day), at(2 * day), nil},
	}
	for _, tt := range tests {
		if err := tt.w.CheckFreeEntry(tt.made, tt.now); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if !errors.Is(ErrFreeEntryNewCard, ErrRaffleNotOpen) {
		t.Error("a refused new card is not a refusal to enter")
	}
}

func TestCardClusters(t *testing.T) {
	t.Parallel()
	minutes := func(ms ...int) []time.Time {
		var ts []time.Time
		for _, m := range ms {
			ts = append(ts, at(time.Duration(m)*time.Minute))
		}
		return ts
	}
	tests := []struct {
		name string
		made []time.Time
		want []CardCluster
	}{
		{"none", nil, nil},
		{"four together are not a run", minutes(0, 1, 2, 3), nil},
		{"five within minutes, in any order", minutes(9, 0, 1, 5, 2), []CardCluster{{at(0), at(9 * time.Minute), 5}}},
		{"a card every three minutes, as the join limit allows", minutes(0, 3, 6, 9, 12, 15), []CardCluster{{at(0), at(15 * time.Minute), 6}}},
		{"customers through the day", minutes(0, 60, 120, 180, 240, 300), nil},
		{"two runs", minutes(0, 1, 2, 3, 4, 100, 101, 102, 103, 104, 105, 300),
			[]CardCluster{{at(0), at(4 * time.Minute), 5}, {at(100 * time.Minute), at(105 * time.Minute), 6}}},
	}
	for _, tt := range tests {
		if got := CardClusters(tt.made); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestVerifyDraw(t *testing.T) {
	t.Parallel()
	seed := bytes.Repeat([]byte{7}, 32)
	es := []Entry{{CardID: 3, Tickets: 2}, {CardID: 9, Tickets: 5}, {CardID: 12, Tickets: 1}}
	list := TicketList(es)
	won := Draw(seed, es, 2)
	if !VerifyDraw(seed, SeedCommitment(seed), list, 2, won) {
		t.Fatal("a true draw does not verify")
	}
	other := bytes.Repeat([]byte{8}, 32)
	for name, ok := range map[string]bool{
		"other seed":     VerifyDraw(other, SeedCommitment(seed), list, 2, won),
		"other winners":  VerifyDraw(seed, SeedCommitment(seed), list, 2, []int64{won[1], won[0]}),
		"edited list":    VerifyDraw(seed, SeedCommitment(seed), strings.Replace(list, "9 5", "9 6", 1), 2, won),
		"unsorted list":  VerifyDraw(seed, SeedCommitment(seed), "9 5\n3 2\n12 1\n", 2, won),
		"malformed list": VerifyDraw(seed, SeedCommitment(seed), "three two\n", 2, won),
	} {
		if ok {
			t.Errorf("%s verifies", name)
		}
	}
	if es, err := ParseTicketList(""); err != nil || len(es) != 0 {
		t.Errorf("empty list: %v %v", es, err)
	}
	if !VerifyDraw(seed, SeedCommitment(seed), "", 3, nil) {
		t.Error("a raffle nobody entered does not verify")
	}
}
