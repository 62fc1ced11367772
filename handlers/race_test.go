package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// The races of issue 6: 50 clients at once over HTTP, with real sessions and
// CSRF tokens, and exactly one winner each time. Staff work in several tabs of
// a few signed-in browsers (tabs share a session), so that the tests do not
// spend their time on bcrypt.
const racers = 50

// race runs fn n times at once and counts the statuses.
func race(n int, fn func(i int) int) map[int]int {
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		start = make(chan struct{})
		codes = map[int]int{}
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			code := fn(i)
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return codes
}

// tab is one browser tab: the browser it runs in and the form it shows.
type tab struct {
	browser *client
	action  string
	form    url.Values
}

// openTabs opens n tabs on path, spread over the browsers, each showing the
// form matched by selector. A tab's own page would carry its own idempotency
// key; rendering 50 pages under -race costs seconds, so each browser renders
// the page once and its tabs take the form with a key of their own.
func openTabs(t *testing.T, browsers []*client, n int, path, selector string) []tab {
	t.Helper()
	forms := make([]tab, len(browsers))
	for i, b := range browsers {
		page := b.get(path)
		if page.status != http.StatusOK {
			t.Fatalf("%s: %d", path, page.status)
		}
		forms[i].browser = b
		forms[i].action, forms[i].form = formValues(t, page, selector)
	}
	tabs := make([]tab, n)
	for i := range tabs {
		f := forms[i%len(forms)]
		tabs[i] = tab{browser: f.browser, action: f.action, form: url.Values{}}
		for k, v := range f.form {
			tabs[i].form[k] = v
		}
		if key := f.form.Get("key"); key != "" {
			tabs[i].form.Set("key", fmt.Sprintf("%s-t%d", key, i))
		}
	}
	return tabs
}

// submitAll submits every tab's form at once and counts the statuses; the
// losers' pages must say why, with the result kind want.
func submitAll(t *testing.T, tabs []tab, want string) map[int]int {
	t.Helper()
	var mu sync.Mutex
	var bad []string
	codes := race(len(tabs), func(i int) int {
		res := tabs[i].browser.postRaw(tabs[i].action, tabs[i].form)
		if res.status == http.StatusConflict {
			if got := res.doc.Find(`[data-testid="result"], [data-testid="raffle-problem"]`).First(); got.Length() == 0 ||
				want != "" && got.AttrOr("data-result", "") != want {
				mu.Lock()
				bad = append(bad, snippet(res.body))
				mu.Unlock()
			}
		}
		return res.status
	})
	if len(bad) > 0 {
		t.Errorf("%d losers were not told %q, e.g.:\n%s", len(bad), want, bad[0])
	}
	return codes
}

func oneWinner(t *testing.T, what string, codes map[int]int) {
	t.Helper()
	if codes[http.StatusSeeOther] != 1 || codes[http.StatusConflict] != racers-1 {
		t.Errorf("%s: statuses %v, want one 303 and %d 409", what, codes, racers-1)
	}
}

// TestRaceSameStampForm: a stamp form submitted 50 times at once (a frantic
// double tap, a retrying network) stamps once.
func TestRaceSameStampForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	cardPath := owner.enroll("")
	action, stamp := formValues(t, owner.get(cardPath), `[data-testid="stamp-1"]`)
	codes := race(racers, func(int) int { return owner.postRaw(action, stamp).status })
	oneWinner(t, "one stamp form 50 times", codes)
	if got := stampCount(t, owner.get(cardPath)); got != "1 of 10" {
		t.Errorf("after 50 identical submissions: %q, want 1 of 10", got)
	}
	if n := e.count(`SELECT count(*) FROM events WHERE kind = 'stamp' AND idempotency_key = ?`, stamp.Get("key")); n != 1 {
		t.Errorf("stamp events with the form's key: %d, want 1", n)
	}
}

// TestRaceLastReward: 50 tabs of two cashiers show the card's one reward and
// all press redeem at once: one redemption, the others are told it is gone.
func TestRaceLastReward(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	if res := owner.submit(owner.get("/programs/1"), `[data-testid="program-form"]`, map[string]string{"max_per_visit": "10"}); res.status != http.StatusSeeOther {
		t.Fatalf("edit program: %d\n%s", res.status, snippet(res.body))
	}
	cashiers := []*client{owner, e.addCashier(owner, "cashier@example.com")}
	cardPath := owner.enroll("")
	if res := owner.submit(owner.get(cardPath), `[data-testid="stamp-many"]`, map[string]string{"count": "10"}); res.status != http.StatusSeeOther {
		t.Fatalf("10 stamps: %d\n%s", res.status, snippet(res.body))
	}
	tabs := openTabs(t, cashiers, racers, cardPath, `[data-testid="redeem"]`)
	oneWinner(t, "50 redeems of one reward", submitAll(t, tabs, "refused"))
	if n := e.count(`SELECT count(*) FROM events WHERE kind = 'redeem'`); n != 1 {
		t.Errorf("redeem events: %d, want 1", n)
	}
	page := owner.get(cardPath)
	if n := page.doc.Find(`[data-testid="reward"]`).Length(); n != 0 || stampCount(t, page) != "0 of 10" {
		t.Errorf("after the race: %d rewards, %q", n, stampCount(t, page))
	}
	if got := e.count(`SELECT stamps * 10000 + rewards * 100 + redeems FROM card_stats`); got != 10*10000+1*100+1 {
		t.Errorf("card_stats stamps/rewards/redeems = %d, want 10/1/1", got)
	}
}

// TestRaceLastCouponRedemption: a coupon for everyone with one redemption in
// all, and 50 cards in 50 tabs taking it at once.
func TestRaceLastCouponRedemption(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	paths := make([]string, racers)
	for i := range paths {
		paths[i] = owner.enroll("")
	}
	newCoupon(t, owner, map[string]string{"title": "Only one", "value_kind": "percent", "value_number": "50", "audience": "all", "total_limit": "1"})
	// The same form at every card: only the card in its address differs.
	tabs := openTabs(t, []*client{owner}, racers, paths[0], `[data-testid="redeem-coupon"]`)
	for i := range tabs {
		tabs[i].action = strings.Replace(tabs[i].action, paths[0]+"/", paths[i]+"/", 1)
		if !strings.HasPrefix(tabs[i].action, paths[i]+"/") {
			t.Fatalf("coupon form %q is not at card %s", tabs[i].action, paths[i])
		}
	}
	oneWinner(t, "50 cards take the last redemption", submitAll(t, tabs, "refused"))
	if n := e.count(`SELECT count(*) FROM events WHERE kind = 'coupon'`); n != 1 {
		t.Errorf("coupon events: %d, want 1", n)
	}
	// The winner's card and a loser's no longer offer it.
	for _, p := range []string{paths[0], paths[racers-1]} {
		if owner.get(p).doc.Find(`[data-testid="redeem-coupon"]`).Length() != 0 {
			t.Errorf("the used-up coupon is still offered on %s", p)
		}
	}
}

// TestRaceRaffleDraw: 50 tabs of the owner and a manager press draw on a
// closed raffle at once: one draw, one set of winners, one audit row.
func TestRaceRaffleDraw(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	if res := owner.submit(owner.get("/staff"), `form[action="/staff"]`, map[string]string{"name": "M", "email": "m@example.com", "role": "manager", "password": "manager password"}); res.status != http.StatusSeeOther {
		t.Fatalf("add manager: %d", res.status)
	}
	managers := []*client{owner, e.login("m@example.com", "manager password")}
	rafflePath := newRaffle(t, owner, map[string]string{"title": "Spring raffle", "prize": "A bicycle", "winners": "3",
		"opens_at": "2026-03-02T10:00", "closes_at": "2026-03-03T09:00", "entry_rule": "stamps"})
	for range 8 {
		card := owner.enroll("")
		if res := owner.submit(owner.get(card), `[data-testid="stamp-1"]`, nil); res.status != http.StatusSeeOther {
			t.Fatalf("stamp: %d", res.status)
		}
	}
	e.clock.Advance(24 * time.Hour)
	tabs := openTabs(t, managers, racers, rafflePath, `[data-testid="draw"]`)
	oneWinner(t, "50 draws of one raffle", submitAll(t, tabs, ""))
	if n := e.count(`SELECT count(*) FROM raffles WHERE drawn_at IS NOT NULL`); n != 1 {
		t.Errorf("drawn raffles: %d", n)
	}
	if n := e.count(`SELECT count(*) FROM raffle_winners`); n != 3 {
		t.Errorf("winners: %d, want 3", n)
	}
	if n := e.count(`SELECT count(*) FROM audit WHERE action = 'raffle_draw'`); n != 1 {
		t.Errorf("draws in the audit: %d, want 1", n)
	}
	public := e.client().get(strings.Replace(rafflePath, "/raffles/", "/r/", 1))
	if public.doc.Find(`[data-testid="verified"]`).Length() != 1 {
		t.Error("the published draw does not verify")
	}
}
