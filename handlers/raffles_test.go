package handlers_test

import (
	"database/sql"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"regulars/db/dbtest"
)

// newRaffle creates a raffle through the owner's form and returns its page path.
func newRaffle(t *testing.T, owner *client, fill map[string]string) string {
	t.Helper()
	res := owner.submit(owner.get("/raffles/new"), `[data-testid="raffle-form"]`, fill)
	if res.status != http.StatusSeeOther {
		t.Fatalf("create raffle %v: %d\n%s", fill, res.status, snippet(res.body))
	}
	return res.location
}

func TestRaffleFromEntriesToPrize(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	a, b, c := cashier.enroll("Ayla"), cashier.enroll("Bora"), cashier.enroll("Cem")
	// The clock is 2026-03-02 10:00 UTC and the shop's zone UTC.
	rafflePath := newRaffle(t, owner, map[string]string{"title": "Spring raffle", "prize": "A coffee machine", "winners": "1",
		"opens_at": "2026-03-02T10:30", "closes_at": "2026-03-04T09:00", "entry_rule": "stamps", "rules": "One prize.\nGood luck!"})
	public := strings.Replace(rafflePath, "/raffles/", "/r/", 1)
	commitment := text(e.client().get(public), `[data-testid="commitment"]`)
	if len(commitment) != 64 {
		t.Fatalf("commitment %q", commitment)
	}
	e.clock.Advance(30 * time.Minute)
	stamp := func(path string) {
		t.Helper()
		if res := cashier.submit(cashier.get(path), `[data-testid="stamp-1"]`, nil); res.status != http.StatusSeeOther {
			t.Fatalf("stamp: %d", res.status)
		}
	}
	for range 3 {
		stamp(a)
	}
	stamp(c)
	if res := cashier.submit(cashier.get(c), `[data-testid="undo"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("undo: %d", res.status)
	}
	// Bora enters for free from the card page, twice: one ticket.
	tokenB := cardToken(t, e, 1, b)
	phoneB := e.client()
	for range 2 {
		card := phoneB.get("/c/" + tokenB)
		if card.doc.Find(`[data-testid="raffle-enter"]`).Length() == 1 {
			if res := phoneB.submit(card, `[data-testid="raffle-enter"]`, nil); res.status != http.StatusSeeOther {
				t.Fatalf("free entry: %d", res.status)
			}
		}
	}
	if got := text(phoneB.get("/c/"+tokenB), `[data-testid="raffle-tickets"]`); got != "You have 1 ticket." {
		t.Errorf("Bora's tickets: %q", got)
	}
	if got := text(e.client().get("/c/"+cardToken(t, e, 1, a)), `[data-testid="raffle-tickets"]`); got != "You have 3 tickets." {
		t.Errorf("Ayla's tickets: %q", got)
	}
	page := owner.get(rafflePath)
	if got := text(page, `[data-testid="raffle-entrants"] .tile-value`) + "/" + text(page, `[data-testid="raffle-tickets"] .tile-value`); got != "2/4" {
		t.Errorf("entrants/tickets %q, want 2/4 (Cem's only stamp was undone)", got)
	}
	// Editing the rules after entries opened is not possible; the wording is.
	res := owner.submit(page, `[data-testid="raffle-form"]`, map[string]string{"title": "Big spring raffle", "winners": "5"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("edit title: %d", res.status)
	}
	page = owner.get(rafflePath)
	if !strings.Contains(text(page, "h1"), "Big spring raffle") || !strings.Contains(page.body, "1 winner") {
		t.Errorf("after editing an open raffle: %q", text(page, "h1"))
	}
	if page.doc.Find(`[data-testid="draw"]`).Length() != 0 {
		t.Fatal("draw offered while entries are open")
	}
	// Too early, via a forged form: refused, nothing drawn.
	_, v := formValues(t, page, `[data-testid="raffle-form"]`)
	if res := owner.postRaw(rafflePath+"/draw", v); res.status != http.StatusConflict || text(res, `[data-testid="raffle-problem"]`) == "" {
		t.Errorf("early draw: %d", res.status)
	}
	e.clock.Advance(47 * time.Hour)
	page = owner.get(rafflePath)
	res = owner.submit(page, `[data-testid="draw"]`, nil)
	if res.status != http.StatusSeeOther {
		t.Fatalf("draw: %d\n%s", res.status, snippet(res.body))
	}
	if res := owner.submit(page, `[data-testid="draw"]`, nil); res.status != http.StatusConflict {
		t.Errorf("second draw: %d, want 409", res.status)
	}
	winners := owner.get(rafflePath).doc.Find(`[data-testid="winners"] li`)
	if winners.Length() != 1 {
		t.Fatalf("winners: %d", winners.Length())
	}
	pub := e.client().get(public)
	if pub.doc.Find(`[data-testid="verified"]`).Length() != 1 || text(pub, `[data-testid="commitment"]`) != commitment {
		t.Errorf("public page does not verify, or its commitment changed")
	}
	if got := text(pub, `[data-testid="ticket-list"]`); got != "1 3\n2 1" {
		t.Errorf("published ticket list %q", got)
	}
	// The winner's phone shows the win; the cashier hands the prize over once.
	winner := a
	if strings.Contains(winners.Text(), "Bora") {
		winner = b
	}
	if got := e.client().get("/c/" + cardToken(t, e, 1, winner)).doc.Find(`[data-testid="raffle-won"]`).Length(); got != 1 {
		t.Errorf("winner's card does not show the win")
	}
	loser := map[string]string{a: b, b: a}[winner]
	if got := e.client().get("/c/" + cardToken(t, e, 1, loser)).doc.Find(`[data-testid="raffle-lost"]`).Length(); got != 1 {
		t.Errorf("other entrant's card does not show the result")
	}
	counter := cashier.get(winner)
	res = cashier.submit(counter, `[data-testid="redeem-prize"]`, nil)
	if res.status != http.StatusSeeOther {
		t.Fatalf("hand over prize: %d", res.status)
	}
	if got := cashier.get(res.location).doc.Find(`[data-testid="result"]`).AttrOr("data-result", ""); got != "prize" {
		t.Errorf("result %q", got)
	}
	_, v = formValues(t, counter, `[data-testid="redeem-prize"]`)
	v.Set("key", "another-prize-key-123456")
	if res := cashier.postRaw(winner+"/prize", v); res.status != http.StatusConflict {
		t.Errorf("second hand-over: %d", res.status)
	}
	if res := cashier.postRaw(loser+"/prize", v); res.status != http.StatusConflict {
		t.Errorf("prize to a card that did not win: %d", res.status)
	}
}

func TestRaffleEdgeCases(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	x, y := owner.enroll("X"), owner.enroll("Y")
	// Nobody visits between 10:30 and 11:00 (the stamps below come at 10:00).
	empty := newRaffle(t, owner, map[string]string{"title": "Empty", "prize": "p", "winners": "2", "opens_at": "2026-03-02T10:30", "closes_at": "2026-03-02T11:00", "entry_rule": "visit"})
	// Fewer entrants than winners, one visit ticket each however many stamps.
	few := newRaffle(t, owner, map[string]string{"title": "Few", "prize": "p", "winners": "3", "opens_at": "2026-03-02T10:00", "closes_at": "2026-03-02T11:00", "entry_rule": "visit"})
	// Upcoming: still fully editable, no entries yet.
	later := newRaffle(t, owner, map[string]string{"title": "Later", "prize": "p", "winners": "1", "opens_at": "2026-04-01T09:00", "closes_at": "2026-04-02T09:00", "entry_rule": "optin"})
	for _, p := range []string{x, x, y} {
		owner.submit(owner.get(p), `[data-testid="stamp-1"]`, nil)
	}
	res := owner.submit(owner.get(later), `[data-testid="raffle-form"]`, map[string]string{"winners": "4", "entry_rule": "stamps"})
	if res.status != http.StatusSeeOther || !strings.Contains(owner.get(later).body, "4 winners") {
		t.Errorf("editing an upcoming raffle: %d", res.status)
	}
	token := cardToken(t, e, 1, x)
	phone := e.client()
	_, v := formValues(t, phone.get("/c/"+token), `form.lang-switch`)
	if res := phone.postRaw("/c/"+token+"/raffles/3/enter", v); res.status != http.StatusConflict {
		t.Errorf("entering a raffle that has not opened: %d", res.status)
	}
	e.clock.Advance(2 * time.Hour)
	for _, p := range []string{empty, few} {
		if res := owner.submit(owner.get(p), `[data-testid="draw"]`, nil); res.status != http.StatusSeeOther {
			t.Fatalf("draw %s: %d", p, res.status)
		}
	}
	if page := owner.get(empty); page.doc.Find(`[data-testid="winners"] li`).Length() != 0 || !strings.Contains(page.body, "Nobody entered") {
		t.Error("empty raffle")
	}
	if n := owner.get(few).doc.Find(`[data-testid="winners"] li`).Length(); n != 2 {
		t.Errorf("few entrants: %d winners, want both", n)
	}
	if got := text(e.client().get(strings.Replace(few, "/raffles/", "/r/", 1)), `[data-testid="ticket-list"]`); got != "1 1\n2 1" {
		t.Errorf("visit tickets %q", got)
	}
	if res := phone.postRaw("/c/"+token+"/raffles/2/enter", v); res.status != http.StatusConflict {
		t.Errorf("entering a drawn raffle: %d", res.status)
	}
	// Another shop's people reach none of it.
	other := e.signup("Other", "other@example.com")
	otherCard := cardToken(t, e, 2, other.enroll("Z"))
	_, ov := formValues(t, other.get("/raffles"), `form.lang-switch`)
	for path, want := range map[string]int{few + "/draw": 404, later: 404, "/c/" + otherCard + "/raffles/3/enter": 404} {
		if res := other.postRaw(path, ov); res.status != want {
			t.Errorf("POST %s from another shop: %d, want %d", path, res.status, want)
		}
	}
	if res := other.get(few); res.status != http.StatusNotFound {
		t.Errorf("another shop's raffle page: %d", res.status)
	}
	if res := e.client().get("/r/999"); res.status != http.StatusNotFound {
		t.Errorf("unknown public raffle: %d", res.status)
	}
}

func TestRaffleBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	base := map[string]string{"title": "T", "prize": "P", "winners": "1", "opens_at": "2026-03-02T11:00", "closes_at": "2026-03-03T09:00", "entry_rule": "stamps"}
	// One case at a time: each compares snapshots of the whole shared database,
	// which a sibling case's requests would change in between.
	for name, change := range map[string][2]string{
		"missing title":       {"title", ""},
		"oversized prize":     {"prize", strings.Repeat("p", 121)},
		"zero winners":        {"winners", "0"},
		"malformed winners":   {"winners", "two"},
		"malformed opening":   {"opens_at", "tomorrow"},
		"opening in the past": {"opens_at", "2026-03-02T09:00"},
		"closes before opens": {"closes_at", "2026-03-01T09:00"},
		"unknown entry rule":  {"entry_rule", "lottery"},
		"oversized rules":     {"rules", strings.Repeat("r", 2001)},
	} {
		t.Run(name, func(t *testing.T) {
			fill := map[string]string{}
			for k, v := range base {
				fill[k] = v
			}
			fill[change[0]] = change[1]
			before := e.snapshot()
			res := owner.submit(owner.get("/raffles/new"), `[data-testid="raffle-form"]`, fill)
			if res.status != http.StatusUnprocessableEntity || res.doc.Find(".field-error").Length() == 0 {
				t.Fatalf("status %d", res.status)
			}
			if after := e.snapshot(); after != before {
				t.Errorf("changed")
			}
		})
	}
	if res := cashier.get("/raffles"); res.status != http.StatusForbidden {
		t.Errorf("cashier: %d", res.status)
	}
}

// TestRaffleCommitmentBeforeEntries: a raffle's fingerprint is public before
// its entries open, and its public page says when (issue 15: five identical
// raffles made with their window over were drawn at once, five winners, each
// page "Checked" and claiming the fingerprint came first).
func TestRaffleCommitmentBeforeEntries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	owner.enroll("Ayla")
	// The clock is 2026-03-02 10:00 UTC.
	for name, window := range map[string][2]string{
		"window over":          {"2026-03-01T09:00", "2026-03-02T09:00"},
		"opened an hour ago":   {"2026-03-02T09:00", "2026-03-03T09:00"},
		"opened 6 minutes ago": {"2026-03-02T09:54", "2026-03-03T09:00"},
	} {
		before := e.snapshot()
		res := owner.submit(owner.get("/raffles/new"), `[data-testid="raffle-form"]`, map[string]string{
			"title": "Draw", "prize": "Cake", "winners": "1", "opens_at": window[0], "closes_at": window[1], "entry_rule": "visit"})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(text(res, ".field-error"), "cannot open in the past") {
			t.Errorf("%s: %d %q, want 422 saying why", name, res.status, text(res, ".field-error"))
		}
		if after := e.snapshot(); after != before {
			t.Errorf("%s: a refused raffle changed the database", name)
		}
	}
	// "Now", typed into a form of minutes a little after the minute began, is now.
	e.clock.Advance(40 * time.Second)
	now := newRaffle(t, owner, map[string]string{"title": "Now", "prize": "p", "winners": "1", "opens_at": "2026-03-02T10:00", "closes_at": "2026-03-03T10:00", "entry_rule": "optin"})
	later := newRaffle(t, owner, map[string]string{"title": "Later", "prize": "p", "winners": "1", "opens_at": "2026-03-05T10:00", "closes_at": "2026-03-06T10:00", "entry_rule": "optin"})
	for path, want := range map[string]string{
		now:   "Fingerprint published on Mar 2, 2026 10:00 AM, before entries opened.",
		later: "Fingerprint published on Mar 2, 2026 10:00 AM, before entries opened.",
	} {
		public := e.client().get(strings.Replace(path, "/raffles/", "/r/", 1))
		if got := text(public, `[data-testid="published"]`); got != want {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
	}
	if n := e.count(`SELECT count(*) FROM raffles WHERE opens_at < created_at`); n != 0 {
		t.Errorf("%d raffles open before they were published", n)
	}
	// An upcoming raffle's opening cannot be moved to the past either.
	e.clock.Advance(24 * time.Hour)
	page := owner.get(later) // a day later, the session's daily renewal
	before := e.snapshot()
	res := owner.submit(page, `[data-testid="raffle-form"]`, map[string]string{"opens_at": "2026-03-02T12:00", "closes_at": "2026-03-04T09:00"})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(text(res, ".field-error"), "cannot open in the past") {
		t.Errorf("moving an opening to the past: %d %q, want 422", res.status, text(res, ".field-error"))
	}
	if after := e.snapshot(); after != before {
		t.Error("a refused edit changed the database")
	}
}

// TestRafflePublishedLateIsNotChecked: a raffle made before issue 15 with its
// window already open or over keeps its draw, but its page no longer calls it
// checked: its fingerprint came after the entries.
func TestRafflePublishedLateIsNotChecked(t *testing.T) {
	t.Parallel()
	path := dbtest.Path(t)
	e := newEnvAt(t, path, bcrypt.MinCost)
	owner := e.signup("Kafe", "owner@example.com")
	rafflePath := newRaffle(t, owner, map[string]string{"title": "Draw", "prize": "Cake", "winners": "1",
		"opens_at": "2026-03-02T11:00", "closes_at": "2026-03-02T12:00", "entry_rule": "optin"})
	rw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	// As the old code let it be made: published after its window.
	if _, err := rw.Exec(`UPDATE raffles SET created_at = closes_at + 60, free_entry = 'any'`); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(3 * time.Hour)
	if res := owner.submit(owner.get(rafflePath), `[data-testid="draw"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("draw: %d", res.status)
	}
	public := e.client().get(strings.Replace(rafflePath, "/raffles/", "/r/", 1))
	if public.doc.Find(`[data-testid="verified"]`).Length() != 0 {
		t.Error("a draw whose fingerprint came after its entries is called checked")
	}
	if got := text(public, `[data-testid="published"]`); got != "Fingerprint published on Mar 2, 2026 12:01 PM, after entries had opened: this draw cannot be checked as fair." {
		t.Errorf("published: %q", got)
	}
	if got := text(public, `[data-testid="free-entry"]`); got != "You can also enter once for free from your card page: no purchase necessary." {
		t.Errorf("a raffle made before the rule publishes another free entry rule: %q", got)
	}
}

// TestRaffleFreeEntryForEarlierCards: the free entry is for cards made
// before entries opened, and the owner sees cards made together that entered
// (issue 15: one person made 40 cards by the join poster and held 40 of 40
// tickets).
func TestRaffleFreeEntryForEarlierCards(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	regular := cardToken(t, e, 1, owner.enroll("Ayla"))
	rafflePath := newRaffle(t, owner, map[string]string{"title": "Draw", "prize": "Cake", "winners": "1",
		"opens_at": "2026-03-02T12:00", "closes_at": "2026-03-09T12:00", "entry_rule": "optin"})
	public := e.client().get(strings.Replace(rafflePath, "/raffles/", "/r/", 1))
	if got := text(public, `[data-testid="free-entry"]`); !strings.Contains(got, "Cards made before Mar 2, 2026 12:00 PM") {
		t.Errorf("the public page does not publish the free entry rule: %q", got)
	}
	path := "/join/" + e.slug(1)
	poster := e.client()
	join := func() string {
		t.Helper()
		token := joinedToken(t, poster.join(path, nil))
		e.clock.Advance(time.Minute)
		return token
	}
	// Six cards made on the poster within minutes, before the opening: they
	// may enter, and the owner sees them together.
	var early []string
	for range 6 {
		early = append(early, join())
	}
	e.clock.Advance(2 * time.Hour)
	var made []string
	for range 40 {
		e.clock.Advance(3 * time.Minute) // the join limit's pace
		made = append(made, join())
	}
	phone := e.client()
	enter := func(token string) int {
		t.Helper()
		page := phone.get("/c/" + token)
		if page.doc.Find(`[data-testid="raffle-enter"]`).Length() == 0 {
			_, v := formValues(t, page, `form.lang-switch`)
			return phone.postRaw("/c/"+token+"/raffles/1/enter", v).status
		}
		return phone.submit(page, `[data-testid="raffle-enter"]`, nil).status
	}
	for _, token := range made {
		if page := phone.get("/c/" + token); page.doc.Find(`[data-testid="raffle-no-free-entry"]`).Length() != 1 {
			t.Fatalf("a card made after the opening is offered the free entry")
		}
		if status := enter(token); status != http.StatusConflict {
			t.Fatalf("free entry of a card made after the opening: %d, want 409", status)
		}
	}
	for _, token := range append(early, regular) {
		if status := enter(token); status != http.StatusSeeOther {
			t.Fatalf("free entry of a card made before the opening: %d", status)
		}
	}
	page := owner.get(rafflePath)
	if got := text(page, `[data-testid="raffle-tickets"] .tile-value`); got != "7" {
		t.Errorf("tickets %q, want 7: the cards made before the opening", got)
	}
	clusters := page.doc.Find(`[data-testid="raffle-cluster"]`)
	if clusters.Length() != 1 || !strings.Contains(clusters.Text(), "6 cards made between Mar 2, 2026 10:00 AM and Mar 2, 2026 10:05 AM") {
		t.Errorf("the owner's page does not show the six cards made together: %q", clusters.Text())
	}
}

// TestRaffleCap: a shop runs at most 20 raffles taking entries or to come
// (issue 15: 3,000 raffles made every card page cost 1.2 s).
func TestRaffleCap(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	fill := map[string]string{"title": "Draw", "prize": "p", "winners": "1", "opens_at": "2026-03-03T10:00", "closes_at": "2026-03-04T10:00", "entry_rule": "optin"}
	for range 20 {
		newRaffle(t, owner, fill)
	}
	before := e.snapshot()
	res := owner.submit(owner.get("/raffles/new"), `[data-testid="raffle-form"]`, fill)
	if res.status != http.StatusConflict || !strings.Contains(text(res, `[data-testid="raffle-problem"]`), "20 raffles") {
		t.Fatalf("the 21st raffle: %d %q, want 409 saying why", res.status, text(res, `[data-testid="raffle-problem"]`))
	}
	if after := e.snapshot(); after != before {
		t.Error("a refused raffle changed the database")
	}
	// Once one has closed, there is room for the next.
	e.clock.Advance(48 * time.Hour)
	fill["opens_at"], fill["closes_at"] = "2026-03-05T10:00", "2026-03-06T10:00"
	newRaffle(t, owner, fill)
}
