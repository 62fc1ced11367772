package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// slug is the slug of the shop's poster address.
func (e *env) slug(shopID int64) string {
	e.t.Helper()
	var s string
	if err := e.raw.QueryRow(`SELECT slug FROM shops WHERE id = ?`, shopID).Scan(&s); err != nil {
		e.t.Fatal(err)
	}
	return s
}

// setGrowth saves the growth form with fill over what it shows.
func setGrowth(t *testing.T, owner *client, fill map[string]string) {
	t.Helper()
	res := owner.submit(owner.get("/growth"), `[data-testid="growth-form"]`, fill)
	if res.status != http.StatusSeeOther || res.location != "/growth?saved=1" {
		t.Fatalf("save growth %v: %d %q\n%s", fill, res.status, res.location, snippet(res.body))
	}
}

// join fills the join form at path and sends it.
func (c *client) join(path string, fill map[string]string) response {
	c.t.Helper()
	page := c.get(path)
	if page.status != http.StatusOK {
		c.t.Fatalf("GET %s: %d\n%s", path, page.status, snippet(page.body))
	}
	return c.submit(page, `[data-testid="join-form"]`, fill)
}

// joinedToken is the card token a successful join redirected to.
func joinedToken(t *testing.T, res response) string {
	t.Helper()
	token, ok := strings.CutPrefix(res.location, "/c/")
	if res.status != http.StatusSeeOther || !ok {
		t.Fatalf("join: %d %q, want 303 to a card\n%s", res.status, res.location, snippet(res.body))
	}
	return token
}

func TestJoinByPoster(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve Evi", "owner@example.com")
	setGrowth(t, owner, map[string]string{"welcome_stamps": "2", "pitch": "Every tenth coffee is on us"})
	path := "/join/" + e.slug(1)

	phone := e.client()
	page := phone.get(path)
	if page.status != http.StatusOK || text(page, ".join-pitch") != "Every tenth coffee is on us" || text(page, `[data-testid="join-welcome"]`) != "Join now and start with 2 free stamps." {
		t.Fatalf("join page: %d pitch %q welcome %q", page.status, text(page, ".join-pitch"), text(page, `[data-testid="join-welcome"]`))
	}
	if page.doc.Find(`input[name="consent"][checked]`).Length() != 0 {
		t.Error("consent is ticked before the customer ticks it")
	}
	if page.doc.Find(`[required]`).Length() != 0 {
		t.Error("the join form requires something; only the consent wording must be there")
	}
	token := joinedToken(t, phone.submit(page, `[data-testid="join-form"]`, map[string]string{
		"first_name": "Ada", "phone": "+90 532 111 22 33", "email": "Ada@Example.com", "birth_month": "3", "birth_day": "14", "consent": "1",
	}))
	var name, tel, email, birthday string
	var consent, createdBy any
	err := e.raw.QueryRow(`SELECT first_name, phone, email, birthday, consent_at, created_by FROM cards WHERE token = ?`, token).
		Scan(&name, &tel, &email, &birthday, &consent, &createdBy)
	if err != nil {
		t.Fatal(err)
	}
	if name != "Ada" || tel != "+905321112233" || email != "ada@example.com" || birthday != "03-14" || consent == nil || createdBy != nil {
		t.Errorf("card: %q %q %q %q consent %v created by %v", name, tel, email, birthday, consent, createdBy)
	}
	if n := e.count(`SELECT count(*) FROM events e JOIN cards c ON c.id = e.card_id WHERE c.token = ? AND e.kind = 'bonus' AND e.stamps = 2 AND e.note = 'welcome' AND e.user_id IS NULL`, token); n != 1 {
		t.Errorf("welcome bonus events: %d, want 1", n)
	}
	card := phone.get("/c/" + token)
	if got := text(card, `[data-testid="welcome-gift"]`); got != "Welcome gift: 2 stamps" {
		t.Errorf("card page welcome line %q", got)
	}
	if got := stampCount(t, card); got != "2 of 10" {
		t.Errorf("card page stamps %q, want 2 of 10", got)
	}

	// Nothing is required: an empty form makes a card too, without consent.
	empty := joinedToken(t, phone.join(path, map[string]string{"consent": ""}))
	if n := e.count(`SELECT count(*) FROM cards WHERE token = ? AND consent_at IS NULL AND first_name = ''`, empty); n != 1 {
		t.Error("an empty join did not make a card without consent")
	}

	// After the first visit the gift is history: the line goes.
	cardPath := cardPathOf(t, e, token)
	if res := owner.submit(owner.get(cardPath), `[data-testid="stamp-1"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("stamp: %d", res.status)
	}
	if card := phone.get("/c/" + token); card.doc.Find(`[data-testid="welcome-gift"]`).Length() != 0 {
		t.Error("the welcome line stays after the first visit")
	}
}

// cardPathOf is the counter page of the card with token.
func cardPathOf(t *testing.T, e *env, token string) string {
	t.Helper()
	var id int64
	if err := e.raw.QueryRow(`SELECT id FROM cards WHERE token = ?`, token).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return "/counter/cards/" + strconv.FormatInt(id, 10)
}

func TestJoinWithInviteCode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signup("Kahve Evi", "owner@example.com")
	path := "/join/" + e.slug(1)
	phone := e.client()
	referrer := joinedToken(t, phone.join(path, map[string]string{"first_name": "Ada"}))
	var referrerID int64
	var code string
	if err := e.raw.QueryRow(`SELECT id, invite_code FROM cards WHERE token = ?`, referrer).Scan(&referrerID, &code); err != nil {
		t.Fatal(err)
	}

	friend := e.client()
	page := friend.get(path + "?ref=" + strings.ToUpper(code))
	if got := page.doc.Find(`input[name="ref"]`).AttrOr("value", ""); got != code {
		t.Fatalf("hidden invite code %q, want %q", got, code)
	}
	friendToken := joinedToken(t, friend.submit(page, `[data-testid="join-form"]`, map[string]string{"first_name": "Bo"}))
	if n := e.count(`SELECT count(*) FROM referrals r JOIN cards f ON f.id = r.friend_id WHERE r.referrer_id = ? AND f.token = ? AND r.paid_at IS NULL`, referrerID, friendToken); n != 1 {
		t.Errorf("referral rows: %d, want 1", n)
	}

	// A mangled or unknown code still makes the card, without a referral.
	for _, ref := range []string{"not-a-code", "0123456789abcdef"} {
		stranger := e.client()
		page := stranger.get(path + "?ref=" + url.QueryEscape(ref))
		if ref == "not-a-code" && page.doc.Find(`input[name="ref"]`).Length() != 0 {
			t.Errorf("a malformed code %q is carried in the form", ref)
		}
		joinedToken(t, stranger.submit(page, `[data-testid="join-form"]`, map[string]string{"ref": ref}))
	}
	if n := e.count(`SELECT count(*) FROM referrals`); n != 1 {
		t.Errorf("referrals after bad codes: %d, want 1", n)
	}
}

func TestJoinBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve Evi", "owner@example.com")
	setGrowth(t, owner, map[string]string{"welcome_stamps": "2"})
	path := "/join/" + e.slug(1)
	tests := []struct {
		name  string
		fill  map[string]string
		field string
	}{
		{"phone too short", map[string]string{"phone": "12"}, "phone"},
		{"phone of letters", map[string]string{"phone": "call me"}, "phone"},
		{"phone too long", map[string]string{"phone": strings.Repeat("1", 31)}, "phone"},
		{"malformed email", map[string]string{"email": "ada@"}, "email"},
		{"email with a name", map[string]string{"email": "Ada <ada@example.com>"}, "email"},
		{"February 30th", map[string]string{"birth_month": "2", "birth_day": "30"}, "birth_day"},
		{"month without a day", map[string]string{"birth_month": "5"}, "birth_day"},
		{"month 13", map[string]string{"birth_month": "13", "birth_day": "1"}, "birth_day"},
		{"oversized name", map[string]string{"first_name": strings.Repeat("a", 51)}, "first_name"},
		{"name of two lines", map[string]string{"first_name": "Ada\nLovelace"}, "first_name"},
	}
	// One case at a time: each compares snapshots of the whole shared database
	// and then makes a card in it.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot()
			fill := map[string]string{"first_name": "Ada", "consent": "1"}
			for k, v := range tt.fill {
				fill[k] = v
			}
			phone := e.client()
			res := phone.join(path, fill)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.status)
			}
			if text(res, "#e-"+tt.field) == "" || text(res, `[data-testid="form-error"]`) == "" {
				t.Errorf("no message at %s", tt.field)
			}
			if res.doc.Find(`input[name="consent"][checked]`).Length() != 1 {
				t.Error("the consent ticked is not ticked on the form shown again")
			}
			if after := e.snapshot(); after != before {
				t.Errorf("refused join changed the database:\n%s\n%s", before, after)
			}
			// Corrected, the same form makes the card.
			fix := map[string]string{}
			for k := range tt.fill {
				fix[k] = ""
			}
			joinedToken(t, phone.submit(res, `[data-testid="join-form"]`, fix))
		})
	}
}

func TestJoinRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signup("Kahve Evi", "owner@example.com")
	path := "/join/" + e.slug(1)
	phone := e.client()
	page := phone.get(path)
	_, values := formValues(t, page, `[data-testid="join-form"]`)
	before := e.snapshot()

	forged := url.Values{}
	for k, v := range values {
		if k != "_csrf" {
			forged[k] = v
		}
	}
	if res := phone.postRaw(path, forged); res.status != http.StatusForbidden {
		t.Errorf("join without CSRF token: %d, want 403", res.status)
	}
	noKey := url.Values{"_csrf": values["_csrf"], "first_name": {"Ada"}}
	if res := phone.postRaw(path, noKey); res.status != http.StatusBadRequest {
		t.Errorf("join without idempotency key: %d, want 400", res.status)
	}
	if res := phone.postRaw("/join/no-such-shop", values); res.status != http.StatusNotFound {
		t.Errorf("join of an unknown shop: %d, want 404", res.status)
	}
	res := phone.get("/join/no-such-shop")
	if res.status != http.StatusNotFound || !strings.Contains(text(res, `[data-testid="error-message"]`), "could not find this shop") {
		t.Errorf("unknown shop page: %d %q", res.status, text(res, `[data-testid="error-message"]`))
	}
	if res := phone.get("/join/" + strings.Repeat("a", 101)); res.status != http.StatusNotFound {
		t.Errorf("overlong slug: %d", res.status)
	}
	if after := e.snapshot(); after != before {
		t.Errorf("refused joins changed the database:\n%s\n%s", before, after)
	}
}

// TestJoinReplayOpensTheSameCard: the same join form sent twice, the answer
// to the first lost on the way (a double tap, a retry), opens the card it made
// the first time: no second card, no second gift.
func TestJoinReplayOpensTheSameCard(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve Evi", "owner@example.com")
	setGrowth(t, owner, map[string]string{"welcome_stamps": "3"})
	path := "/join/" + e.slug(1)
	phone := e.client()
	_, values := formValues(t, phone.get(path), `[data-testid="join-form"]`)
	values.Set("first_name", "Ada")
	lost := phone.cloneAt(path) // the browser as it was when the first answer went missing
	first := joinedToken(t, phone.postRaw(path, values))
	second := joinedToken(t, lost.postRaw(path, values))
	if first != second {
		t.Errorf("the same form sent twice opened %q and %q", first, second)
	}
	if n := e.count(`SELECT count(*) FROM cards`); n != 1 {
		t.Errorf("cards: %d, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM events WHERE kind = 'bonus'`); n != 1 {
		t.Errorf("welcome bonuses: %d, want 1", n)
	}
	// A key of the counter's enrolment form never names that card here.
	cardPath := owner.enroll("Cem")
	var counterKey string
	if err := e.raw.QueryRow(`SELECT idempotency_key FROM cards WHERE id = ?`, strings.TrimPrefix(cardPath, "/counter/cards/")).Scan(&counterKey); err != nil {
		t.Fatal(err)
	}
	values.Set("key", counterKey)
	if token := joinedToken(t, phone.postRaw(path, values)); token == cardToken(t, e, 1, cardPath) {
		t.Error("the counter's key opened the counter's card from the public form")
	}
}

// cloneAt is a second browser holding a copy of c's cookies for path.
func (c *client) cloneAt(path string) *client {
	d := c.env.client()
	u, _ := url.Parse(c.env.srv.URL + path)
	d.http.Jar.SetCookies(u, c.http.Jar.Cookies(u))
	return d
}

// TestJoinReplayFromAnotherPerson: a join form sent again by someone else
// never opens the card it made (issue 15: on a shared tablet, the next person
// pressed Back and Send and had the previous person's card): not from the
// tablet where the card opened already, not from another browser, not long
// after. They get a fresh, empty form instead.
func TestJoinReplayFromAnotherPerson(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signup("Kahve Evi", "owner@example.com")
	path := "/join/" + e.slug(1)
	kiosk := e.client()
	_, values := formValues(t, kiosk.get(path), `[data-testid="join-form"]`)
	values.Set("first_name", "Ada")
	values.Set("phone", "0532 123 45 67")
	lost := kiosk.cloneAt(path) // a retry whose first answer never came, ten minutes on
	token := joinedToken(t, kiosk.postRaw(path, values))
	e.clock.Advance(10*time.Minute + time.Second)
	for name, browser := range map[string]*client{
		"the tablet where the card opened": kiosk,
		"another browser with the form":    e.client(),
		"the same browser, too late":       lost,
	} {
		// The form as sent, with the browser's own CSRF token.
		_, own := formValues(t, browser.get(path), `[data-testid="join-form"]`)
		values.Set("_csrf", own.Get("_csrf"))
		before := e.snapshot()
		res := browser.postRaw(path, values)
		if res.status != http.StatusConflict || strings.Contains(res.body+res.location, token) {
			t.Errorf("%s: %d %q, want 409 without the card", name, res.status, res.location)
		}
		if strings.Contains(res.body, "Ada") || strings.Contains(res.body, "0532") {
			t.Errorf("%s: the answer shows the previous person's details", name)
		}
		if !strings.Contains(text(res, `[data-testid="join-refused"]`), "already sent") {
			t.Errorf("%s: no message: %q", name, text(res, `[data-testid="join-refused"]`))
		}
		if after := e.snapshot(); after != before {
			t.Errorf("%s: the database changed", name)
		}
		// The fresh form makes the next person's card.
		if next := joinedToken(t, browser.submit(res, `[data-testid="join-form"]`, map[string]string{"first_name": "Bo"})); next == token {
			t.Errorf("%s: the fresh form opened the previous card", name)
		}
	}
}

func TestJoinRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signup("Kahve Evi", "owner@example.com")
	path := "/join/" + e.slug(1)
	phone := e.client()
	for i := range 20 {
		if res := phone.join(path, nil); res.status != http.StatusSeeOther {
			t.Fatalf("join %d: %d", i+1, res.status)
		}
	}
	before := e.snapshot()
	res := phone.join(path, map[string]string{"first_name": "Ada"})
	if res.status != http.StatusTooManyRequests || !strings.Contains(text(res, `[data-testid="join-refused"]`), "Too many cards") {
		t.Fatalf("21st join in an hour: %d %q, want 429 with a message", res.status, text(res, `[data-testid="join-refused"]`))
	}
	if got := res.doc.Find(`input[name="first_name"]`).AttrOr("value", ""); got != "Ada" {
		t.Errorf("the refused form lost the name typed: %q", got)
	}
	if after := e.snapshot(); after != before {
		t.Errorf("a refused join changed the database")
	}
	e.clock.Advance(3 * time.Minute)
	joinedToken(t, phone.submit(res, `[data-testid="join-form"]`, nil))
}

func TestJoinSpeaksThePersonsLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve Evi", "owner@example.com")
	if res := owner.submit(owner.get("/settings"), `form[action="/settings"]`, map[string]string{"language": "tr"}); res.status != http.StatusSeeOther {
		t.Fatalf("settings: %d", res.status)
	}
	path := "/join/" + e.slug(1) + "?ref=0123456789abcdef"
	phone := e.client()
	page := phone.get(path)
	if lang := page.doc.Find("html").AttrOr("lang", ""); lang != "tr" || text(page, `[data-testid="join-submit"]`) != "Kartımı al" {
		t.Fatalf("join page in %q with button %q, want the shop's Turkish", lang, text(page, `[data-testid="join-submit"]`))
	}
	res := phone.submit(page, "form.lang-switch", map[string]string{"lang": "fa"})
	if res.status != http.StatusSeeOther || res.location != path {
		t.Fatalf("language switch: %d %q, want back to %q", res.status, res.location, path)
	}
	page = phone.get(path)
	if page.doc.Find("html").AttrOr("dir", "") != "rtl" || text(page, `[data-testid="join-submit"]`) != "دریافت کارت من" {
		t.Errorf("after choosing Persian: dir %q, button %q", page.doc.Find("html").AttrOr("dir", ""), text(page, `[data-testid="join-submit"]`))
	}
}
