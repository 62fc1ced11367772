package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestCSRFRefusesOtherOrigins: the attack of issue 15 and its neighbours. A
// signed-in owner's browser posts the staff form adding an attacker as owner
// from a page of another origin, or with a token that is not its session's;
// every one is refused with the form-expired page and adds no one. The same
// form from the owner's own page goes through.
func TestCSRFRefusesOtherOrigins(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	e.clock.Advance(2 * time.Minute) // the sign-up's try at the login limit refills
	phone := e.login("owner@example.com", "correct horse battery")
	_, form := formValues(t, owner.get("/staff"), `form[action="/staff"]`)
	form.Set("name", "Mallory")
	form.Set("email", "mallory@example.com")
	form.Set("role", "owner")
	form.Set("password", "mallory's own password")
	token := form.Get("_csrf")
	with := func(token string) url.Values {
		v := url.Values{}
		for k, vs := range form {
			v[k] = vs
		}
		v.Set("_csrf", token)
		return v
	}
	_, anon := formValues(t, e.client().get("/login"), `form[action^="/login"]`)
	visitorPart, _, _ := strings.Cut(token, ".")
	// What a page on another port of this host, or a sibling subdomain, can
	// plant: a cookie of its choosing for a longer path, sent first.
	tossed := http.Header{"Cookie": {"_csrf=tossed"}}
	tossedSameSite := http.Header{"Cookie": {"_csrf=tossed"}, "Sec-Fetch-Site": {"same-site"}}
	for _, tt := range []struct {
		name   string
		values url.Values
		header http.Header
	}{
		{"a planted _csrf cookie and its value, same-site", with("tossed"), tossedSameSite},
		{"a planted _csrf cookie and its value, no fetch metadata", with("tossed"), tossed},
		{"a planted _csrf cookie and the attacker's own pair, same-site", with(anon.Get("_csrf")), tossedSameSite},
		{"the right token from a same-site page", with(token), http.Header{"Sec-Fetch-Site": {"same-site"}}},
		{"the right token from a cross-site page", with(token), http.Header{"Sec-Fetch-Site": {"cross-site"}}},
		{"the right token, another Origin and no fetch metadata", with(token), http.Header{"Origin": {"http://127.0.0.1:1"}}},
		{"the token of the owner's other session", with(phone.token()), nil},
		{"the token of a signed-out page", with(anon.Get("_csrf")), nil},
		{"the visitor's half of the right token", with(visitorPart), nil},
		{"no token", with(""), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot()
			res := owner.postWith("/staff", tt.values, tt.header)
			if res.status != http.StatusForbidden || !strings.Contains(text(res, `[data-testid="error-message"]`), "form has expired") {
				t.Errorf("%d %q, want 403 with the form-expired message", res.status, text(res, `[data-testid="error-message"]`))
			}
			if after := e.snapshot(); after != before {
				t.Errorf("the database changed:\n%s\n%s", before, after)
			}
		})
	}
	if n := e.count(`SELECT count(*) FROM users WHERE email = 'mallory@example.com'`); n != 0 {
		t.Fatalf("the attacker was added %d times", n)
	}
	// The owner's own page, as browsers send it, goes through.
	for i, h := range []http.Header{{"Sec-Fetch-Site": {"same-origin"}, "Origin": {e.srv.URL}}, {"Origin": {e.srv.URL}}, nil} {
		v := with(token)
		v.Set("email", "cashier"+string(rune('a'+i))+"@example.com")
		v.Set("role", "cashier")
		if res := owner.postWith("/staff", v, h); res.status != http.StatusSeeOther {
			t.Errorf("the owner's own form with %v: %d, want 303\n%s", h, res.status, snippet(res.body))
		}
	}
}

// TestCSRFSignedOutForms: the forms of signed-out pages (sign-in, sign-up,
// join, card page, language) need this browser's page token and a request
// from this origin: a token made up, or one fetched by another browser and
// planted with its cookie from a same-site page, is refused.
func TestCSRFSignedOutForms(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signup("Shop", "owner@example.com")
	visitor := e.client()
	_, login := formValues(t, visitor.get("/login"), `form[action^="/login"]`)
	login.Set("email", "owner@example.com")
	login.Set("password", "correct horse battery")
	attacker := e.client()
	_, theirs := formValues(t, attacker.get("/login"), `form[action^="/login"]`)
	withToken := func(token string) url.Values {
		v := url.Values{"email": login["email"], "password": login["password"], "_csrf": {token}}
		return v
	}
	for _, tt := range []struct {
		name   string
		values url.Values
		header http.Header
	}{
		{"a token made up", withToken("made-up"), nil},
		{"another browser's token", withToken(theirs.Get("_csrf")), nil},
		{"another browser's cookie and token, planted from a same-site page", withToken(theirs.Get("_csrf")),
			http.Header{"Cookie": {"_csrf=" + attacker.cookie("_csrf")}, "Sec-Fetch-Site": {"same-site"}}},
		{"the right token from a cross-site page", login, http.Header{"Sec-Fetch-Site": {"cross-site"}}},
	} {
		if res := visitor.postWith("/login", tt.values, tt.header); res.status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", tt.name, res.status)
		}
	}
	if res := visitor.postWith("/login", login, http.Header{"Sec-Fetch-Site": {"same-origin"}}); res.status != http.StatusSeeOther {
		t.Errorf("the browser's own sign-in: %d, want 303", res.status)
	}
}
