package handlers_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSignUpProposesTheCurrency: a new shop counts in the currency its
// browser's region or its language suggests, not in euros everywhere.
func TestSignUpProposesTheCurrency(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tt := range []struct{ email, lang, accept, want string }{
		{"tr@example.com", "tr", "tr-TR,tr;q=0.9", "TRY"},
		{"fa@example.com", "fa", "fa", "IRR"},
		{"gb@example.com", "en", "en-GB,en;q=0.8", "GBP"},
		{"ie@example.com", "en", "en-IE", "EUR"},
	} {
		c := e.client()
		action, v := formValues(t, c.get("/signup"), `form[action="/signup"]`)
		for k, val := range map[string]string{"shop_name": "Shop " + tt.lang, "name": "Owner", "email": tt.email, "password": "correct horse battery", "language": tt.lang} {
			v.Set(k, val)
		}
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+action, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", tt.accept)
		res := c.do(req)
		if res.status != http.StatusSeeOther || res.location != "/setup" {
			t.Fatalf("%s: sign-up %d %q", tt.email, res.status, res.location)
		}
		if got := text(c.get("/setup?step=place"), `#f-currency option[selected]`); got != tt.want {
			t.Errorf("%s (%s, %s): the place step proposes %q, want %q", tt.email, tt.lang, tt.accept, got, tt.want)
		}
	}
}

// TestSetUpWalksThroughTheSteps: the reward the first step asks becomes the
// default program's, the place and look steps save the settings, and the last
// step ticks off what is done.
func TestSetUpWalksThroughTheSteps(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	first := owner.get("/setup")
	if got := text(first, `[data-testid="setup-progress"]`); got != "Step 1 of 4" {
		t.Errorf("progress %q", got)
	}
	if got := first.doc.Find(`[data-testid="setup-preview"] ol.stamps li`).Length(); got != 10 {
		t.Errorf("the preview draws %d stamps, want the program's 10", got)
	}
	res := owner.submit(first, `[data-testid="setup-form"]`, map[string]string{"reward_text": "a free flat white", "stamps_required": "8"})
	if res.status != http.StatusSeeOther || res.location != "/setup?step=place" {
		t.Fatalf("reward step: %d %q\n%s", res.status, res.location, snippet(res.body))
	}
	if got := e.count(`SELECT count(*) FROM programs WHERE is_default = 1 AND reward_text = 'a free flat white' AND stamps_required = 8`); got != 1 {
		t.Errorf("the default program was not given the reward")
	}
	res = owner.submit(owner.get(res.location), `[data-testid="setup-form"]`, map[string]string{"currency": "TRY", "timezone": "Europe/Istanbul"})
	if res.location != "/setup?step=look" {
		t.Fatalf("place step: %d %q\n%s", res.status, res.location, snippet(res.body))
	}
	res = owner.submit(owner.get(res.location), `[data-testid="setup-form"]`, map[string]string{"brand_color": "#123abc"})
	if res.location != "/setup?step=ready" {
		t.Fatalf("look step: %d %q\n%s", res.status, res.location, snippet(res.body))
	}
	if got := e.count(`SELECT count(*) FROM shops WHERE currency = 'TRY' AND timezone = 'Europe/Istanbul' AND brand_color = '#123abc' AND name = 'Kafe'`); got != 1 {
		t.Errorf("the settings were not saved, or others were changed")
	}
	if got := owner.get(res.location).doc.Find(`[data-testid="setup-todo"] li.done`).Length(); got != 0 {
		t.Errorf("%d first things done on a new shop", got)
	}
	e.addCashier(owner, "cashier@example.com")
	owner.submit(owner.get(owner.enroll("Ayla")), `[data-testid="stamp-1"]`, nil)
	if got := owner.get("/setup?step=ready").doc.Find(`[data-testid="setup-todo"] li.done`).Length(); got != 2 {
		t.Errorf("%d first things done after adding a cashier and a stamp, want 2", got)
	}
	// With stamps on the cards, the reward changes on the program's page, which
	// confirms what a new target does to them.
	reward := owner.get("/setup")
	if reward.doc.Find(`[data-testid="setup-form"]`).Length() != 0 || reward.doc.Find(`a[href="/programs/1"]`).Length() != 1 {
		t.Errorf("the reward step of a shop with stamps offers its form, or no link to the program")
	}
}

// TestSetUpRefusesBadInput: each step's form refused with a message and a
// 4xx, changing nothing; cashiers and other shops have no set-up of ours.
func TestSetUpRefusesBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	checkBadForms(t, e, []badForm{
		{name: "reward missing", c: owner, page: "/setup", form: `[data-testid="setup-form"]`, set: map[string]string{"reward_text": ""}, status: 422, msg: ".field-error"},
		{name: "reward too long", c: owner, page: "/setup", form: `[data-testid="setup-form"]`, set: map[string]string{"reward_text": strings.Repeat("x", 121)}, status: 422, msg: ".field-error"},
		{name: "stamps malformed", c: owner, page: "/setup", form: `[data-testid="setup-form"]`, set: map[string]string{"stamps_required": "ten"}, status: 422, msg: ".field-error"},
		{name: "stamps zero", c: owner, page: "/setup", form: `[data-testid="setup-form"]`, set: map[string]string{"stamps_required": "0"}, status: 422, msg: ".field-error"},
		{name: "stamps huge", c: owner, page: "/setup", form: `[data-testid="setup-form"]`, set: map[string]string{"stamps_required": "99999999999999999999"}, status: 422, msg: ".field-error"},
		{name: "currency unknown", c: owner, page: "/setup?step=place", form: `[data-testid="setup-form"]`, set: map[string]string{"currency": "XXX"}, status: 422, msg: ".field-error"},
		{name: "zone unknown", c: owner, page: "/setup?step=place", form: `[data-testid="setup-form"]`, set: map[string]string{"timezone": "Mars/Olympus"}, status: 422, msg: ".field-error"},
		{name: "colour malformed", c: owner, page: "/setup?step=look", form: `[data-testid="setup-form"]`, set: map[string]string{"brand_color": "red"}, status: 422, msg: ".field-error"},
		{name: "no CSRF token", c: owner, page: "/setup", form: `[data-testid="setup-form"]`, del: []string{"_csrf"}, status: 403, msg: `[data-testid="error-message"]`},
	})
	// A token the cashier's own page gave: the refusal is the role's, not the token's.
	_, v := formValues(t, cashier.get("/account"), `form[action="/account/password"]`)
	for _, path := range []string{"/setup/reward", "/setup/place", "/setup/look"} {
		if res := cashier.postRaw(path, url.Values{"_csrf": {v.Get("_csrf")}, "reward_text": {"x"}, "currency": {"EUR"}}); res.status != http.StatusForbidden {
			t.Errorf("a cashier's POST %s: %d, want 403", path, res.status)
		}
	}
	if res := cashier.get("/setup"); res.status != http.StatusForbidden {
		t.Errorf("a cashier's set-up: %d, want 403", res.status)
	}
}

// TestSettingsSaySaved: saving the settings says so at the top of the page
// the owner lands on; a shop whose browser gave it a time zone outside the
// usual list can still save its settings (it was refused as invalid).
func TestSettingsSaySaved(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client()
	res := owner.submit(owner.get("/signup"), `form[action="/signup"]`, map[string]string{
		"shop_name": "Café", "name": "Owner", "email": "owner@example.com", "password": "correct horse battery", "timezone": "America/Sao_Paulo",
	})
	if res.location != "/setup" {
		t.Fatalf("sign-up: %d %q", res.status, res.location)
	}
	res = owner.submit(owner.get("/settings"), `form[action="/settings"]`, map[string]string{"name": "Café Bonito"})
	if res.status != http.StatusSeeOther || res.location != "/settings?saved=settings" {
		t.Fatalf("saving the settings of a São Paulo shop: %d %q\n%s", res.status, res.location, snippet(res.body))
	}
	if got := text(owner.get(res.location), `[data-testid="saved"]`); !strings.HasPrefix(got, "Settings saved.") {
		t.Errorf("after saving: %q", got)
	}
	for _, q := range []string{"", "?saved=", "?saved=<script>", "?saved=1"} {
		if n := owner.get("/settings" + q).doc.Find(`[data-testid="saved"]`).Length(); n != 0 {
			t.Errorf("/settings%s says saved", q)
		}
	}
}

// TestSolarHijriDates: a shop that chooses the Solar Hijri calendar reads its
// dates in it (the test's clock is 2 March 2026, 11 Esfand 1404); a forged
// calendar is refused and changes nothing.
func TestSolarHijriDates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	coupon := newCoupon(t, owner, map[string]string{"title": "Nowruz", "value_kind": "percent", "value_number": "10", "audience": "all"})
	if got := text(owner.get(coupon), `main`); !strings.Contains(got, "2026") {
		t.Fatalf("a Gregorian shop's coupon page: %.200q", got)
	}
	res := owner.submit(owner.get("/settings"), `form[action="/settings"]`, map[string]string{"language": "fa", "timezone": "Asia/Tehran", "calendar": "jalali"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("settings: %d\n%s", res.status, snippet(res.body))
	}
	if got := text(owner.get(coupon), `main`); !strings.Contains(got, "۱۱ اسفند ۱۴۰۴") {
		t.Errorf("a Solar Hijri shop's coupon page: %.300q", got)
	}
	res = owner.submit(owner.get("/settings"), `form[action="/settings"]`, map[string]string{"calendar": "julian"})
	if res.status != http.StatusUnprocessableEntity || e.count(`SELECT count(*) FROM shops WHERE calendar = 'jalali'`) != 1 {
		t.Errorf("a forged calendar: %d", res.status)
	}
}

// TestSetUpTakesTheLogo: the look step uploads the logo itself and comes
// back to the step, which shows it.
func TestSetUpTakesTheLogo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	_, v := formValues(t, owner.get("/setup?step=look"), `[data-testid="logo-form"]`)
	if v.Get("from") != "setup" {
		t.Fatalf("the look step's logo form does not come back: %v", v)
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k := range v {
		w.WriteField(k, v.Get(k))
	}
	fw, _ := w.CreateFormFile("logo", "logo.png")
	fw.Write(pngOf(400, 400))
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/settings/logo", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res := owner.do(req)
	if res.status != http.StatusSeeOther || res.location != "/setup?step=look" {
		t.Fatalf("logo from the set-up: %d %q\n%s", res.status, res.location, snippet(res.body))
	}
	if owner.get(res.location).doc.Find(`[data-testid="setup-logo"]`).Length() != 1 {
		t.Error("the look step does not show the new logo")
	}
}
