package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
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
		"opens_at": "2026-03-02T09:00", "closes_at": "2026-03-04T09:00", "entry_rule": "stamps", "rules": "One prize.\nGood luck!"})
	public := strings.Replace(rafflePath, "/raffles/", "/r/", 1)
	commitment := text(e.client().get(public), `[data-testid="commitment"]`)
	if len(commitment) != 64 {
		t.Fatalf("commitment %q", commitment)
	}
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
	e.clock.Advance(48 * time.Hour)
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
	few := newRaffle(t, owner, map[string]string{"title": "Few", "prize": "p", "winners": "3", "opens_at": "2026-03-02T09:00", "closes_at": "2026-03-02T11:00", "entry_rule": "visit"})
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
	base := map[string]string{"title": "T", "prize": "P", "winners": "1", "opens_at": "2026-03-02T09:00", "closes_at": "2026-03-03T09:00", "entry_rule": "stamps"}
	// One case at a time: each compares snapshots of the whole shared database,
	// which a sibling case's requests would change in between.
	for name, change := range map[string][2]string{
		"missing title":       {"title", ""},
		"oversized prize":     {"prize", strings.Repeat("p", 121)},
		"zero winners":        {"winners", "0"},
		"malformed winners":   {"winners", "two"},
		"malformed opening":   {"opens_at", "tomorrow"},
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
