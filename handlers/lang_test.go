package handlers_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestLanguages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve", "owner@example.com")
	cardPath := owner.enroll("Elif")
	token := cardToken(t, e, 1, cardPath)

	// The customer switches their card to Turkish; the choice sticks.
	phone := e.client()
	card := phone.get("/c/" + token)
	if lang := card.doc.Find("html").AttrOr("lang", ""); lang != "en" {
		t.Fatalf("card page language %q, want the shop's (en)", lang)
	}
	res := phone.submit(card, `form.lang-switch`, map[string]string{"lang": "tr"})
	if res.status != http.StatusSeeOther || res.location != "/c/"+token {
		t.Fatalf("switch language: %d %q", res.status, res.location)
	}
	card = phone.get("/c/" + token)
	if lang := card.doc.Find("html").AttrOr("lang", ""); lang != "tr" {
		t.Errorf("after switching: lang %q", lang)
	}
	if got := text(card, "h2"); got == "" || strings.Contains(card.body, "Show this at the counter") {
		t.Errorf("card page still in English: %q", got)
	}
	if got := stampCount(t, card); got != "0 / 10" {
		t.Errorf("Turkish stamp count %q, want 0 / 10", got)
	}
	// The owner sets the shop's language: staff without a choice of their own see it.
	settings := owner.get("/settings")
	if res := owner.submit(settings, `form[action="/settings"]`, map[string]string{"language": "tr", "timezone": "Europe/Istanbul", "currency": "TRY"}); res.status != http.StatusSeeOther {
		t.Fatalf("save settings: %d\n%s", res.status, snippet(res.body))
	}
	counter := owner.get("/counter")
	if got := text(counter, `[data-testid="enroll"]`); got != "Kart oluştur" {
		t.Errorf("counter enrol button %q, want Turkish", got)
	}
	// A bad language choice answers with a message, in the language in force.
	bad := owner.submit(counter, `form.lang-switch`, map[string]string{"lang": "xx"})
	if bad.status != http.StatusBadRequest || !strings.Contains(text(bad, `[data-testid="error-message"]`), "İstek") {
		t.Errorf("bad language: %d %q", bad.status, text(bad, `[data-testid="error-message"]`))
	}
	// An open redirect through the language switch is refused.
	res = owner.submit(counter, `form.lang-switch`, map[string]string{"lang": "en", "next": "//evil.example/"})
	if res.location != "/" {
		t.Errorf("language switch redirected to %q", res.location)
	}
}

func TestCardPageURLs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve", "owner@example.com")
	cardPath := owner.enroll("Elif")
	token := cardToken(t, e, 1, cardPath)
	code := strings.ReplaceAll(text(owner.get(cardPath), `[data-testid="short-code"]`), "-", "")
	anon := e.client()
	tests := []struct {
		path   string
		status int
	}{
		{"/c/" + token, 200},
		{"/c/" + token + "/", 301},
		{"/c/" + token + "/manifest.webmanifest", 200},
		{"/c/" + code, 404}, // a short code never opens the card page
		{"/c/" + strings.Repeat("A", 24), 404},
		{"/c/" + token[:23] + "%25", 404},
		{"/c/sw.js", 200},
		{"/healthz", 200},
		{"/shops/1/logo", 404},
		{"/shops/x/logo", 404},
	}
	for _, tt := range tests {
		res := anon.get(tt.path)
		if res.status != tt.status {
			t.Errorf("GET %s: %d, want %d", tt.path, res.status, tt.status)
		}
	}
	card := anon.get("/c/" + token)
	for header, want := range map[string]string{"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-cache"} {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/c/"+token, nil)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if got := r.Header.Get(header); got != want {
			t.Errorf("%s = %q, want %q", header, got, want)
		}
	}
	if !strings.Contains(card.body, `rel="manifest"`) || card.doc.Find(`[data-testid="as-of"]`).Length() != 1 {
		t.Error("card page lacks its manifest link or as-of time")
	}
}

func TestSignupInTurkish(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	form := c.get("/signup")
	if got := form.doc.Find(`select[name="language"] option[selected]`).AttrOr("value", ""); got != "en" {
		t.Errorf("sign-up language preselected %q, want the page's (en)", got)
	}
	res := c.submit(form, `form[action="/signup"]`, map[string]string{
		"shop_name": "Çınar Kahve", "name": "Deniz", "email": "deniz@example.com", "password": "correct horse battery",
		"language": "tr", "timezone": "Europe/Istanbul",
	})
	if res.status != http.StatusSeeOther {
		t.Fatalf("signup: %d\n%s", res.status, snippet(res.body))
	}
	dash := c.get("/dashboard")
	if lang := dash.doc.Find("html").AttrOr("lang", ""); lang != "tr" {
		t.Errorf("dashboard language %q, want tr", lang)
	}
	if got := dash.doc.Find(`[data-testid="programs"] a`).First().Text(); got != "Sadakat kartı" {
		t.Errorf("default program named %q, want the Turkish name", got)
	}
}
