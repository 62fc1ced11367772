package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"regulars/handlers"
)

// newMailEnv is an env whose server sends e-mail: its outbox has a sender.
func newMailEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, func(c *handlers.Config) { c.EmailFrom = "cards@example.com" })
}

// askReset asks for a link to choose a new password for email on the forgot page.
func (c *client) askReset(email string) response {
	c.t.Helper()
	return c.submit(c.get("/forgot"), `[data-testid="forgot-form"]`, map[string]string{"email": email})
}

// resetLink is the path of the newest reset link queued for email, read
// where only the worker reads it: the staff mail not sent yet.
func (e *env) resetLink(email string) string {
	e.t.Helper()
	var link string
	err := e.raw.QueryRow(`SELECT m.link FROM staff_mail m JOIN users u ON u.id = m.user_id WHERE u.email = ? AND m.state = 'queued'
		ORDER BY m.id DESC LIMIT 1`, email).Scan(&link)
	if err != nil {
		e.t.Fatalf("no reset link queued for %s: %v", email, err)
	}
	return link
}

// TestForgotPasswordSameAnswer: the forgot page answers with the same status
// and the same words whether the address signs in, is unknown, is an
// invitation not accepted, or a removed member's; only the first gets a
// message.
func TestForgotPasswordSameAnswer(t *testing.T) {
	t.Parallel()
	e := newMailEnv(t)
	owner := e.signup("Forgetful Café", "owner@example.com")
	e.addCashier(owner, "cem@example.com")
	if res := owner.submit(owner.get("/staff"), `form[action="/staff"]`, map[string]string{"name": "Invited", "email": "invited@example.com", "role": "cashier"}); res.status != http.StatusCreated {
		t.Fatalf("invite: %d", res.status)
	}
	e.addCashier(owner, "gone@example.com")
	var goneID int64
	e.raw.QueryRow(`SELECT id FROM users WHERE email = 'gone@example.com'`).Scan(&goneID)
	staffPage := owner.get("/staff")
	if res := owner.submit(staffPage, `form[action="/staff/`+strconv.FormatInt(goneID, 10)+`/remove"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("remove: %d", res.status)
	}

	login := e.client().get("/login")
	if href, _ := login.doc.Find(`[data-testid="forgot-link"]`).Attr("href"); href != "/forgot" {
		t.Fatalf("the sign-in page links to %q, want /forgot", href)
	}
	var want string
	for _, tt := range []struct {
		email  string
		queued int
	}{
		{"cem@example.com", 1},
		{"nobody@example.com", 0},
		{"invited@example.com", 0},
		{"gone@example.com", 0},
		{"OWNER@Example.com", 1}, // addresses are not case-sensitive
	} {
		res := e.client().askReset(tt.email)
		got := strings.ReplaceAll(text(res, `[data-testid="forgot-sent"]`), strings.ToLower(tt.email), "ADDRESS")
		if res.status != http.StatusOK || !strings.Contains(got, "If an account signs in with ADDRESS, we sent it a link") {
			t.Errorf("%s: %d %q", tt.email, res.status, got)
		}
		if want == "" {
			want = got
		} else if got != want {
			t.Errorf("%s: the answer %q differs from %q", tt.email, got, want)
		}
		if n := e.count(`SELECT count(*) FROM staff_mail m JOIN users u ON u.id = m.user_id WHERE u.email = ? COLLATE NOCASE`, tt.email); n != tt.queued {
			t.Errorf("%s: %d messages queued, want %d", tt.email, n, tt.queued)
		}
	}
	if n := e.count(`SELECT count(*) FROM password_resets`); n != 2 {
		t.Errorf("%d reset links recorded, want 2", n)
	}
}

// TestForgotPasswordBadInput: a missing, malformed or oversized address, or a
// form without its token, gets a 4xx with the reason and changes nothing.
func TestForgotPasswordBadInput(t *testing.T) {
	t.Parallel()
	e := newMailEnv(t)
	e.signup("Careful Café", "owner@example.com")
	c := e.client()
	page := c.get("/forgot")
	before := e.snapshot()
	for _, tt := range []struct {
		name   string
		values url.Values
		status int
	}{
		{"missing", url.Values{}, http.StatusUnprocessableEntity},
		{"empty", url.Values{"email": {""}}, http.StatusUnprocessableEntity},
		{"malformed", url.Values{"email": {"owner@"}}, http.StatusUnprocessableEntity},
		{"two addresses", url.Values{"email": {"owner@example.com, x@example.com"}}, http.StatusUnprocessableEntity},
		{"oversized", url.Values{"email": {strings.Repeat("a", 300) + "@example.com"}}, http.StatusUnprocessableEntity},
		{"a line break", url.Values{"email": {"owner@example.com\r\nBcc: x@example.com"}}, http.StatusUnprocessableEntity},
		{"no token", url.Values{"email": {"owner@example.com"}, "_csrf": {""}}, http.StatusForbidden},
	} {
		_, values := formValues(t, page, `[data-testid="forgot-form"]`)
		for k, v := range tt.values {
			values[k] = v
		}
		res := c.postRaw("/forgot", values)
		if res.status != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, res.status, tt.status)
		}
		if tt.status == http.StatusUnprocessableEntity && res.doc.Find(`[data-testid="form-error"]`).Length() == 0 {
			t.Errorf("%s: no reason on the page", tt.name)
		}
	}
	if e.snapshot() != before {
		t.Error("a refused request changed the database")
	}
}

// TestForgotPasswordRateLimit: three links for one address, then none for a
// while, whether or not it signs in (a refusal tells nothing); one client
// address is held to ten requests across addresses.
func TestForgotPasswordRateLimit(t *testing.T) {
	t.Parallel()
	e := newMailEnv(t)
	e.signup("Busy Café", "owner@example.com")
	for _, email := range []string{"owner@example.com", "nobody@example.com"} {
		for i := range 4 {
			res := e.client().askReset(email)
			want := http.StatusOK
			if i == 3 {
				want = http.StatusTooManyRequests
			}
			if res.status != want {
				t.Errorf("%s, request %d: %d, want %d", email, i+1, res.status, want)
			}
		}
	}
	if n := e.count(`SELECT count(*) FROM staff_mail`); n != 3 {
		t.Errorf("%d messages to the owner, want 3", n)
	}
	// Six requests so far from this address: four more for other addresses pass.
	for i := range 5 {
		res := e.client().askReset("someone" + strconv.Itoa(i) + "@example.com")
		if (i < 4) != (res.status == http.StatusOK) {
			t.Errorf("request %d across addresses: %d", i+7, res.status)
		}
	}
	if res := e.client().askReset("another@example.com"); res.status != http.StatusTooManyRequests || text(res, `[data-testid="forgot-refused"]`) == "" {
		t.Errorf("past the limit: %d %q", res.status, text(res, `[data-testid="forgot-refused"]`))
	}
	e.clock.Advance(20 * time.Minute)
	if res := e.client().askReset("owner@example.com"); res.status != http.StatusOK {
		t.Errorf("twenty minutes later: %d", res.status)
	}
}

// TestResetPasswordLink: the emailed link opens a page that sets a new
// password with the usual rules, signs out every other session of its
// member and signs them in here; it works once, until it expires, for its
// own member only, and a malformed one opens nothing.
func TestResetPasswordLink(t *testing.T) {
	t.Parallel()
	e := newMailEnv(t)
	owner := e.signup("Lost Key Café", "owner@example.com")
	cashier := e.addCashier(owner, "cem@example.com")
	e.client().askReset("cem@example.com")
	link := e.resetLink("cem@example.com")
	if !strings.HasPrefix(link, "/reset/") || len(link) != len("/reset/")+43 {
		t.Fatalf("link %q", link)
	}
	token := strings.TrimPrefix(link, "/reset/")
	if n := e.count(`SELECT count(*) FROM password_resets WHERE token_hash LIKE ?`, "%"+token+"%"); n != 0 {
		t.Error("the reset table keeps the secret itself")
	}

	for _, bad := range []string{"/reset/short", "/reset/" + strings.Repeat("A", 43), "/reset/" + strings.Repeat("*", 43), "/reset/" + token + "A", "/reset/" + token[:42]} {
		if res := e.client().get(bad); res.status != http.StatusNotFound {
			t.Errorf("GET %s: %d", bad, res.status)
		}
	}

	phone := e.client()
	page := phone.get(link)
	if page.status != http.StatusOK || !strings.Contains(page.body, "Cashier cem@example.com") {
		t.Fatalf("the reset page: %d\n%s", page.status, snippet(page.body))
	}
	for _, pw := range []string{"", "short", strings.Repeat("x", 73)} {
		if res := phone.submit(page, `form[action^="/reset/"]`, map[string]string{"password": pw}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("password %q: %d", pw, res.status)
		}
	}
	res := phone.submit(page, `form[action^="/reset/"]`, map[string]string{"password": "a brand new secret"})
	if res.status != http.StatusSeeOther || res.location != "/counter" {
		t.Fatalf("reset: %d %q\n%s", res.status, res.location, snippet(res.body))
	}
	if res := phone.get("/counter"); res.status != http.StatusOK {
		t.Errorf("signed in after the reset: %d", res.status)
	}
	if res := cashier.get("/counter"); res.status != http.StatusSeeOther {
		t.Errorf("the session of the old password still works: %d", res.status)
	}
	if res := owner.get("/dashboard"); res.status != http.StatusOK {
		t.Errorf("the owner was signed out by the cashier's reset: %d", res.status)
	}
	old := e.client()
	if res := old.submit(old.get("/login"), `form[action^="/login"]`, map[string]string{"email": "cem@example.com", "password": "cashier password 1"}); res.status != http.StatusUnauthorized {
		t.Errorf("the old password: %d", res.status)
	}
	e.login("cem@example.com", "a brand new secret")

	// Used once: the same link, sent again or opened again, is dead.
	again := e.client()
	_, values := formValues(t, again.get("/forgot"), `[data-testid="forgot-form"]`)
	values.Set("password", "yet another secret")
	if res := again.postRaw(link, values); res.status != http.StatusNotFound || !strings.Contains(text(res, `[data-testid="error-message"]`), "used already") {
		t.Errorf("the link used twice: %d %q", res.status, text(res, `[data-testid="error-message"]`))
	}
	if res := e.client().get(link); res.status != http.StatusNotFound {
		t.Errorf("GET of a used link: %d", res.status)
	}

	// Expired: an hour after it was asked for.
	e.client().askReset("cem@example.com")
	late := e.resetLink("cem@example.com")
	e.clock.Advance(handlers.PasswordResetValidity)
	if res := e.client().get(late); res.status != http.StatusNotFound {
		t.Errorf("GET of an expired link: %d", res.status)
	}
	before := e.snapshot()
	fresh := e.client()
	_, values = formValues(t, fresh.get("/forgot"), `[data-testid="forgot-form"]`)
	values.Set("password", "too late a secret")
	if res := fresh.postRaw(late, values); res.status != http.StatusNotFound {
		t.Errorf("POST of an expired link: %d", res.status)
	}
	if e.snapshot() != before {
		t.Error("an expired link changed the database")
	}

	// The owner's link sets the owner's password, not the cashier's.
	e.client().askReset("owner@example.com")
	ownerLink := e.resetLink("owner@example.com")
	c := e.client()
	if res := c.submit(c.get(ownerLink), `form[action^="/reset/"]`, map[string]string{"password": "the owner's new one"}); res.status != http.StatusSeeOther || res.location != "/dashboard" {
		t.Fatalf("the owner's reset: %d %q", res.status, res.location)
	}
	e.login("cem@example.com", "a brand new secret")
	e.login("owner@example.com", "the owner's new one")
}

// TestForgotPasswordMailOff: without a mail server the page says so and how
// to get back in, offers no form, and a form sent anyway changes nothing.
func TestForgotPasswordMailOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signup("Offline Café", "owner@example.com")
	c := e.client()
	page := c.get("/forgot")
	off := text(page, `[data-testid="forgot-mail-off"]`)
	if page.status != http.StatusOK || !strings.Contains(off, "can't send email") || !strings.Contains(off, "ask your shop's owner") || !strings.Contains(off, "-smtp-url") {
		t.Errorf("the page without mail: %d %q", page.status, off)
	}
	if page.doc.Find(`[data-testid="forgot-form"]`).Length() != 0 {
		t.Error("a form that cannot send anything")
	}
	before := e.snapshot()
	_, values := formValues(t, c.get("/login"), `form[action^="/login"]`)
	values.Set("email", "owner@example.com")
	if res := c.postRaw("/forgot", values); res.status != http.StatusConflict {
		t.Errorf("POST without mail: %d", res.status)
	}
	if e.snapshot() != before {
		t.Error("the database changed")
	}
}

// askCard asks for the card link of contact on the shop's lost-card page.
func (c *client) askCard(slug, contact string) response {
	c.t.Helper()
	return c.submit(c.get("/join/"+slug+"/lost"), `[data-testid="lost-form"]`, map[string]string{"contact": contact})
}

// TestLostCardSameAnswer: a customer asking for their card's link by e-mail
// gets the same status and words whether a card has the address with the
// service consent, has it without, or none has it; only the first is sent
// a message, in the language of the page. A phone number is sent nothing and
// told to ask at the counter.
func TestLostCardSameAnswer(t *testing.T) {
	t.Parallel()
	e := newMailEnv(t)
	e.signup("Pâtisserie", "owner@example.com")
	slug := e.slug(1)
	if href, _ := e.client().get("/join/" + slug).doc.Find(`[data-testid="join-lost-card"]`).Attr("href"); href != "/join/"+slug+"/lost" {
		t.Fatalf("the join page links to %q", href)
	}
	joinedWith := func(email string, service bool) {
		t.Helper()
		// The form sends the boxes as ticked (formValues): untick what is not.
		fill := map[string]string{"email": email, "phone": "0722 123 456", "email_service": "", "consent": ""}
		if service {
			fill["email_service"] = "1"
		}
		joinedToken(t, e.client().join("/join/"+slug, fill))
	}
	joinedWith("ana@example.com", true)
	joinedWith("bogdan@example.com", false)

	var want string
	for _, tt := range []struct {
		email  string
		queued int
	}{
		{"Ana@Example.com", 1},
		{"bogdan@example.com", 0},
		{"nobody@example.com", 0},
	} {
		c := e.client()
		c.http.Jar.SetCookies(mustURL(e.srv.URL), []*http.Cookie{{Name: "lang", Value: "ro", Path: "/"}})
		res := c.askCard(slug, tt.email)
		got := strings.ReplaceAll(text(res, `[data-testid="lost-sent"]`), strings.ToLower(tt.email), "ADRESA")
		if res.status != http.StatusOK || !strings.Contains(got, "are adresa ADRESA") {
			t.Errorf("%s: %d %q", tt.email, res.status, got)
		}
		if want == "" {
			want = got
		} else if got != want {
			t.Errorf("%s: the answer %q differs from %q", tt.email, got, want)
		}
		if n := e.count(`SELECT count(*) FROM outbox o JOIN cards c ON c.id = o.card_id WHERE c.email = ? COLLATE NOCASE AND o.template = 'card_link' AND o.language = 'ro'`, tt.email); n != tt.queued {
			t.Errorf("%s: %d card links queued in Romanian, want %d", tt.email, n, tt.queued)
		}
	}

	before := e.snapshot()
	res := e.client().askCard(slug, "0722 123 456")
	if res.status != http.StatusOK || !strings.Contains(text(res, `[data-testid="lost-phone"]`), "Ask at the counter") {
		t.Errorf("by phone: %d %q", res.status, text(res, `[data-testid="lost-phone"]`))
	}
	if e.snapshot() != before {
		t.Error("a phone number queued something")
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// TestLostCardBadInput: missing, malformed and oversized contacts, forged
// forms, an unknown shop and a server without mail get a 4xx with the
// reason, and change nothing; past the limit the answer is 429.
func TestLostCardBadInput(t *testing.T) {
	t.Parallel()
	e := newMailEnv(t)
	e.signup("Covrigărie", "owner@example.com")
	slug := e.slug(1)
	c := e.client()
	page := c.get("/join/" + slug + "/lost")
	before := e.snapshot()
	for _, tt := range []struct {
		name    string
		contact []string
		csrf    bool
		status  int
	}{
		{"missing", nil, true, http.StatusUnprocessableEntity},
		{"empty", []string{" "}, true, http.StatusUnprocessableEntity},
		{"a malformed address", []string{"ana@"}, true, http.StatusUnprocessableEntity},
		{"a short number", []string{"12"}, true, http.StatusUnprocessableEntity},
		{"words", []string{"my card please"}, true, http.StatusUnprocessableEntity},
		{"oversized", []string{strings.Repeat("a", 300) + "@example.com"}, true, http.StatusUnprocessableEntity},
		{"no token", []string{"ana@example.com"}, false, http.StatusForbidden},
	} {
		_, values := formValues(t, page, `[data-testid="lost-form"]`)
		values.Del("contact")
		if tt.contact != nil {
			values["contact"] = tt.contact
		}
		if !tt.csrf {
			values.Del("_csrf")
		}
		res := c.postRaw("/join/"+slug+"/lost", values)
		if res.status != tt.status {
			t.Errorf("%s: %d, want %d", tt.name, res.status, tt.status)
		}
		if tt.status == http.StatusUnprocessableEntity && res.doc.Find(`.field-error`).Length() == 0 {
			t.Errorf("%s: no reason by the field", tt.name)
		}
	}
	if res := c.get("/join/no-such-shop/lost"); res.status != http.StatusNotFound {
		t.Errorf("an unknown shop: %d", res.status)
	}
	_, values := formValues(t, page, `[data-testid="lost-form"]`)
	values.Set("contact", "ana@example.com")
	if res := c.postRaw("/join/no-such-shop/lost", values); res.status != http.StatusNotFound {
		t.Errorf("POST to an unknown shop: %d", res.status)
	}
	if e.snapshot() != before {
		t.Error("a refused request changed the database")
	}
	for i := range 4 {
		res := e.client().askCard(slug, "ana@example.com")
		if (i < 3) != (res.status == http.StatusOK) {
			t.Errorf("request %d for one address: %d", i+1, res.status)
		}
		if i == 3 && text(res, `[data-testid="lost-refused"]`) == "" {
			t.Error("no reason for the refusal")
		}
	}

	off := newEnv(t)
	off.signup("Offline Covrigărie", "owner@example.com")
	offSlug := off.slug(1)
	oc := off.client()
	offPage := oc.get("/join/" + offSlug + "/lost")
	if offPage.status != http.StatusOK || !strings.Contains(text(offPage, `[data-testid="lost-mail-off"]`), "Ask at the counter") ||
		offPage.doc.Find(`[data-testid="lost-form"]`).Length() != 0 {
		t.Errorf("the page without mail: %d %q", offPage.status, text(offPage, `[data-testid="lost-mail-off"]`))
	}
	_, values = formValues(t, oc.get("/join/"+offSlug), `[data-testid="join-form"]`)
	values.Set("contact", "ana@example.com")
	if res := oc.postRaw("/join/"+offSlug+"/lost", values); res.status != http.StatusConflict {
		t.Errorf("POST without mail: %d", res.status)
	}
}
