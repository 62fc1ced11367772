package handlers_test

import (
	"net/http"
	"strings"
	"testing"
)

// A Persian shop writes numbers in Persian digits until its owner chooses
// Latin ones; machine values (codes, form values) stay Latin either way, and
// pages in other languages always use 0–9.
func TestPersianDigits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	res := c.submit(c.get("/signup"), `form[action="/signup"]`, map[string]string{
		"shop_name": "کافه نارنج", "name": "مریم", "email": "maryam@example.com", "password": "correct horse battery",
		"language": "fa", "timezone": "Asia/Tehran",
	})
	if res.status != http.StatusSeeOther {
		t.Fatalf("signup: %d\n%s", res.status, snippet(res.body))
	}
	cardPath := c.enroll("سارا")
	counter := c.get(cardPath)
	if dir := counter.doc.Find("html").AttrOr("dir", ""); dir != "rtl" {
		t.Errorf("Persian page dir %q, want rtl", dir)
	}
	if got := stampCount(t, counter); got != "۰ از ۱۰" {
		t.Errorf("new Persian shop's stamp count %q, want Persian digits", got)
	}
	code := text(counter, `[data-testid="short-code"]`)
	if code == "" || !isLatinCode(code) {
		t.Errorf("short code %q must stay Latin", code)
	}
	if v := counter.doc.Find(`input[name="count"]`).First().AttrOr("value", ""); v != "1" {
		t.Errorf("stamp form value %q must stay a Latin number", v)
	}

	settings := c.get("/settings")
	if got := settings.doc.Find(`select[name="digits"] option[selected]`).AttrOr("value", ""); got != "persian" {
		t.Errorf("digits preselected %q, want persian for a Persian shop", got)
	}
	if res := c.submit(settings, `form[action="/settings"]`, map[string]string{"digits": "latin"}); res.status != http.StatusSeeOther {
		t.Fatalf("save settings: %d\n%s", res.status, snippet(res.body))
	}
	if got := stampCount(t, c.get(cardPath)); got != "0 از 10" {
		t.Errorf("Latin-digit Persian shop's stamp count %q, want 0 از 10", got)
	}

	// Back to Persian digits: a person reading the shop in Turkish still sees 0–9.
	c.submit(c.get("/settings"), `form[action="/settings"]`, map[string]string{"digits": "persian"})
	c.submit(c.get(cardPath), `form.lang-switch`, map[string]string{"lang": "tr"})
	if got := stampCount(t, c.get(cardPath)); got != "0 / 10" {
		t.Errorf("Turkish page of a Persian-digit shop: %q, want 0 / 10", got)
	}
}

// Switching a shop to Persian brings Persian digits along, unless the owner
// picks the digits in the same save.
func TestLanguageChangeBringsDigits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, digits, want string
	}{
		{"digits untouched", "latin", "persian"},
		{"digits chosen", "", "latin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			owner := e.signup("Kahve", "owner@example.com")
			fill := map[string]string{"language": "fa"}
			if tt.digits == "" {
				// Chosen: first move to Persian digits, then back to Latin with the language change.
				owner.submit(owner.get("/settings"), `form[action="/settings"]`, map[string]string{"digits": "persian"})
				fill["digits"] = "latin"
			}
			if res := owner.submit(owner.get("/settings"), `form[action="/settings"]`, fill); res.status != http.StatusSeeOther {
				t.Fatalf("save settings: %d\n%s", res.status, snippet(res.body))
			}
			if got := e.count(`SELECT count(*) FROM shops WHERE digits = ?`, tt.want); got != 1 {
				t.Errorf("digits after switching to Persian: want %s", tt.want)
			}
		})
	}
}

func isLatinCode(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r == '-') {
			return false
		}
	}
	return true
}

// Exports are machine text: a Persian-digit shop's files still hold 0–9, and
// a Romanian reader's Excel gets semicolons, as it expects.
func TestExportsStayMachineText(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.submit(c.get("/signup"), `form[action="/signup"]`, map[string]string{
		"shop_name": "کافه نارنج", "name": "مریم", "email": "maryam@example.com", "password": "correct horse battery",
		"language": "fa", "timezone": "Asia/Tehran",
	})
	cardPath := c.enroll("سارا")
	if res := c.submit(c.get(cardPath), `form:has([data-testid="stamp-1"])`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("stamp: %d\n%s", res.status, snippet(res.body))
	}
	for _, path := range []string{"/customers/export.csv", "/ledger/export.csv"} {
		res := c.get(path)
		if res.status != http.StatusOK || strings.ContainsAny(res.body, "۰۱۲۳۴۵۶۷۸۹") || !strings.ContainsAny(res.body, "0123456789") {
			t.Errorf("%s of a Persian-digit shop: %d\n%s", path, res.status, snippet(res.body))
		}
	}
	c.submit(c.get("/customers"), `form.lang-switch`, map[string]string{"lang": "ro"})
	if head, _, _ := strings.Cut(c.get("/customers/export.csv").body, "\r\n"); !strings.Contains(head, ";") {
		t.Errorf("Romanian export header %q, want semicolons", head)
	}
}
