package handlers_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRedirectsStayOnSite(t *testing.T) {
	e := newEnv(t)
	e.signup("Shop", "owner@example.com")
	for _, next := range []string{"/\t/evil.example", "//evil.example", "/\\evil.example", "/\n/evil.example", "https://evil.example", "javascript:alert(1)"} {
		e.clock.Advance(2 * time.Minute) // under the login rate limit
		c := e.client()
		res := c.submit(c.get("/login?next="+url.QueryEscape(next)), `form[action^="/login"]`, map[string]string{"email": "owner@example.com", "password": "correct horse battery"})
		if res.status != http.StatusSeeOther || res.location != "/dashboard" {
			t.Errorf("login with next=%q went to %q", next, res.location)
		}
		res = c.submit(c.get("/dashboard"), `form.lang-switch`, map[string]string{"lang": "en", "next": next})
		if res.location != "/" {
			t.Errorf("language switch with next=%q went to %q", next, res.location)
		}
	}
	c := e.client()
	res := c.submit(c.get("/login?next=/programs"), `form[action^="/login"]`, map[string]string{"email": "owner@example.com", "password": "correct horse battery"})
	if res.location != "/programs" {
		t.Errorf("a path of the site is kept: %q", res.location)
	}
}

func TestLoginLimitIgnoresForwardedFor(t *testing.T) {
	e := newEnv(t)
	e.signup("Shop", "owner@example.com")
	c := e.client()
	page := c.get("/login")
	_, v := formValues(t, page, `form[action^="/login"]`)
	var last int
	for i := range 30 {
		v.Set("email", "nobody"+string(rune('a'+i))+"@example.com")
		v.Set("password", "guess guess")
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/login", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", "10.0.0."+string(rune('1'+i%9)))
		req.Header.Set("X-Real-IP", "10.0.1."+string(rune('1'+i%9)))
		last = c.do(req).status
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("30 tries from one address with forged forwarding headers: last %d, want 429", last)
	}
}

func TestHeadUnknownAndOversized(t *testing.T) {
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	token := cardToken(t, e, 1, owner.enroll("A"))
	anon := e.client()
	for path, want := range map[string]int{"/healthz": 200, "/c/" + token: 200, "/nope": 404, "/c/abc/def": 404, "/counter/nope": 404} {
		req, _ := http.NewRequest(http.MethodHead, e.srv.URL+path, nil)
		if got := anon.do(req).status; got != want {
			t.Errorf("HEAD %s: %d, want %d", path, got, want)
		}
		if got := anon.get(path).status; got != want {
			t.Errorf("GET %s: %d, want %d", path, got, want)
		}
	}
	// A signed-out upload far over the limit is cut off unread.
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("logo", "big.png")
	fw.Write(make([]byte, 3<<20))
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/settings/logo", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if got := anon.do(req).status; got != http.StatusRequestEntityTooLarge {
		t.Errorf("signed-out 3 MB upload: %d, want 413", got)
	}
	big := url.Values{"_csrf": {"x"}, "email": {strings.Repeat("a", 100<<10)}}
	if got := anon.postRaw("/login", big).status; got != http.StatusRequestEntityTooLarge {
		t.Errorf("100 KB login form: %d, want 413", got)
	}
}

func TestExpiredSessionPostGoesToLogin(t *testing.T) {
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	path := owner.enroll("A")
	page := owner.get(path)
	owner.submit(page, `form[action="/logout"]`, nil)
	res := owner.submit(page, `[data-testid="stamp-1"]`, nil)
	if res.status != http.StatusSeeOther || res.location != "/login" {
		t.Errorf("stamp after logout: %d %q, want 303 to /login", res.status, res.location)
	}
}
