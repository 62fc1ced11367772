package handlers_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"testing"
	"time"

	"regulars/handlers"
)

// behindProxy starts a server behind a proxy on 127.0.0.1, the test's own
// address, so that each request names its client in X-Forwarded-For.
func behindProxy(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, func(cfg *handlers.Config) {
		cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
}

// loginFrom posts the sign-in form of c's browser from addr ("" for the
// connection's own) and returns the status.
func (c *client) loginFrom(addr, email, password string) int {
	c.t.Helper()
	_, v := formValues(c.t, c.get("/login"), `form[action^="/login"]`)
	v.Set("email", email)
	v.Set("password", password)
	h := http.Header{}
	if addr != "" {
		h.Set("X-Forwarded-For", addr)
	}
	return c.postWith("/login", v, h).status
}

// TestLockoutSlowsOnlyTheGuesser (issue 15): someone guessing the owner's
// password once every five seconds for ten minutes gets a few tries and then
// one a minute, and meanwhile the owner signs in from another address, and
// from the device they signed in on before even at the guesser's address (a
// shared café network). Guessers at many addresses fill the account's
// ceiling: a new device then waits, the owner's known device does not.
func TestLockoutSlowsOnlyTheGuesser(t *testing.T) {
	t.Parallel()
	const guesser, cafe = "203.0.113.66", "198.51.100.7"
	e := behindProxy(t)
	device := e.signup("Shop", "owner@example.com") // the sign-up's browser: a known device
	e.clock.Advance(2 * time.Minute)
	attacker := e.client()
	tried, statuses := 0, map[int]int{}
	for i := range 120 {
		status := attacker.loginFrom(guesser, "owner@example.com", fmt.Sprintf("guess %d", i))
		statuses[status]++
		if status == http.StatusUnauthorized {
			tried++
		}
		if i == 60 {
			if got := e.client().loginFrom(cafe, "owner@example.com", "correct horse battery"); got != http.StatusSeeOther {
				t.Errorf("the owner on a new device at another address during the attack: %d, want 303", got)
			}
			if got := device.loginFrom(guesser, "owner@example.com", "correct horse battery"); got != http.StatusSeeOther {
				t.Errorf("the owner on their known device at the guesser's address: %d, want 303", got)
			}
		}
		e.clock.Advance(5 * time.Second)
	}
	// Five at once, then one a minute for ten minutes.
	if tried > 5+10+1 || statuses[http.StatusTooManyRequests] < 100 {
		t.Errorf("the guesser had %d tries answered (statuses %v), want at most 16", tried, statuses)
	}
	if got := attacker.loginFrom(guesser, "owner@example.com", "correct horse battery"); got != http.StatusTooManyRequests {
		t.Errorf("the guesser with the right password while throttled: %d, want 429", got)
	}

	// Many addresses, five guesses each, empty the account's ceiling.
	for i := range 10 {
		for j := range 5 {
			attacker.loginFrom(fmt.Sprintf("192.0.2.%d", i+1), "owner@example.com", fmt.Sprintf("spread guess %d", j))
		}
	}
	if got := e.client().loginFrom("198.51.100.99", "owner@example.com", "correct horse battery"); got != http.StatusTooManyRequests {
		t.Errorf("a new device after guesses from ten addresses: %d, want 429 (the account's ceiling)", got)
	}
	if got := device.loginFrom(cafe, "owner@example.com", "correct horse battery"); got != http.StatusSeeOther {
		t.Errorf("the owner's known device after guesses from ten addresses: %d, want 303", got)
	}
	// A device cookie names the accounts that signed in on it, not others.
	for range 5 {
		attacker.loginFrom("192.0.2.1", "other@example.com", "a guess")
	}
	if got := device.loginFrom("192.0.2.1", "other@example.com", "a guess"); got != http.StatusTooManyRequests {
		t.Errorf("the owner's device guessing another account from a throttled address: %d, want 429", got)
	}
}

// TestKnownDeviceCookieCannotBeMade: a device cookie copied from one browser
// and given another account's name, or made up, is no known device.
func TestKnownDeviceCookieCannotBeMade(t *testing.T) {
	t.Parallel()
	e := behindProxy(t)
	e.signup("Shop", "owner@example.com")
	e.clock.Advance(2 * time.Minute)
	mallory := e.signup("Mallory's", "mallory@example.com") // a known device of her own account
	for i := range 5 {
		mallory.loginFrom("203.0.113.5", "owner@example.com", fmt.Sprintf("guess %d", i))
	}
	if got := mallory.loginFrom("203.0.113.5", "owner@example.com", "another guess"); got != http.StatusTooManyRequests {
		t.Errorf("Mallory's device guessing the owner's password: %d, want 429", got)
	}
	u, _ := url.Parse(e.srv.URL + "/login")
	for _, ck := range mallory.http.Jar.Cookies(u) {
		if ck.Name == "device" {
			ck.Value += ".AAAAAAAAAAAAAAAAAAAAAA"
			ck.Path = "/login"
			mallory.http.Jar.SetCookies(u, []*http.Cookie{ck})
		}
	}
	if got := mallory.loginFrom("203.0.113.5", "owner@example.com", "another guess"); got != http.StatusTooManyRequests {
		t.Errorf("with a made-up tag in her device cookie: %d, want 429", got)
	}
}
