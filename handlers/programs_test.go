package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestRuleChangeIsConfirmed: lowering a target gives rewards at once, so the
// owner is told how many cards before anything is saved, in their language
// (numbers in the shop's digits, Latin for this English shop), and saves again to confirm; a change of the reward's text alone asks nothing.
func TestRuleChangeIsConfirmed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		lang, rewardsNow, confirm string
	}{
		{"en", "1 card holds enough stamps for the new number", "Save the new rule"},
		{"fa", "1 کارت برای عدد جدید مهر کافی دارد", "ذخیرهٔ قانون جدید"},
		{"tr", "1 kartta yeni sayı için yeterli damga var", "Yeni kuralı kaydet"},
		{"ro", "1 card are destule ștampile pentru noul număr", "Salvează noua regulă"},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			owner := e.signup("Pastane", "owner@example.com")
			u, _ := url.Parse(e.srv.URL)
			owner.http.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: c.lang, Path: "/"}})
			cardPath := owner.enroll("Ayşe")
			page := owner.get(cardPath)
			for range 9 {
				res := owner.submit(page, `[data-testid="stamp-1"]`, nil)
				if res.status != http.StatusSeeOther {
					t.Fatalf("stamp: %d\n%s", res.status, snippet(res.body))
				}
				page = owner.get(res.location)
			}
			before := e.snapshot()

			form := owner.get("/programs/1")
			res := owner.submit(form, `[data-testid="program-form"]`, map[string]string{"stamps_required": "8"})
			if res.status != http.StatusOK {
				t.Fatalf("lowering to 8: %d\n%s", res.status, snippet(res.body))
			}
			if got := text(res, `[data-testid="rule-change"]`); !strings.Contains(got, c.rewardsNow) {
				t.Errorf("the owner is told %q, want %q", got, c.rewardsNow)
			}
			if got := text(res, `[data-testid="confirm-rule"]`); got != c.confirm {
				t.Errorf("confirm button %q, want %q", got, c.confirm)
			}
			if after := e.snapshot(); after != before {
				t.Error("asking for confirmation changed the database")
			}

			res = owner.submit(res, `[data-testid="program-form"]`, nil)
			if res.status != http.StatusSeeOther {
				t.Fatalf("confirming: %d\n%s", res.status, snippet(res.body))
			}
			if n := e.count(`SELECT stamps_required FROM programs WHERE id = 1`); n != 8 {
				t.Errorf("target after confirming: %d", n)
			}
			if n := owner.get(cardPath).doc.Find(`[data-testid="reward"]`).Length(); n != 1 {
				t.Errorf("rewards ready on the card at 9 stamps after 10 → 8: %d, want 1", n)
			}

			// The reward's text alone changes no card: saved at once.
			res = owner.submit(owner.get("/programs/1"), `[data-testid="program-form"]`, map[string]string{"reward_text": "a pastry"})
			if res.status != http.StatusSeeOther {
				t.Errorf("changing the reward's text: %d, want saved at once", res.status)
			}
		})
	}
}

// TestProgramChangesAreConfirmed: saving, archiving or making a program the
// default says so where the owner lands, naming the program, in the owner's
// language; a forged or foreign id says nothing.
func TestProgramChangesAreConfirmed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	res := owner.submit(owner.get("/programs/new"), `[data-testid="program-form"]`, map[string]string{"name": "Pastry card", "reward_text": "a croissant"})
	pastry := e.count(`SELECT id FROM programs WHERE name = 'Pastry card'`)
	if want := fmt.Sprintf("/programs?saved=%d", pastry); res.location != want {
		t.Fatalf("saving a new program went to %q, want %q", res.location, want)
	}
	saved := func(path string) string { return strings.TrimSpace(text(owner.get(path), `[data-testid="saved"]`)) }
	if got := saved(res.location); got != "“Pastry card” is saved." {
		t.Errorf("after saving: %q", got)
	}
	program := fmt.Sprintf("/programs/%d", pastry)
	res = owner.submit(owner.get(program), `form[action$="/default"]`, nil)
	if got := saved(res.location); !strings.HasPrefix(got, "“Pastry card” is now the default program") {
		t.Errorf("after making it the default: %q at %q", got, res.location)
	}
	res = owner.submit(owner.get("/programs/1"), `form[action$="/archive"]`, nil)
	if got := saved(res.location); !strings.Contains(got, "” is archived: ") {
		t.Errorf("after archiving: %q at %q", got, res.location)
	}
	owner.submit(owner.get("/dashboard"), `form.lang-switch`, map[string]string{"lang": "tr"})
	if got := saved(fmt.Sprintf("/programs?saved=%d", pastry)); got != "“Pastry card” kaydedildi." {
		t.Errorf("in Turkish: %q", got)
	}
	other := e.signup("Other", "other@example.com")
	other.submit(other.get("/programs/new"), `[data-testid="program-form"]`, map[string]string{"name": "Secret card", "reward_text": "tea"})
	foreign := e.count(`SELECT id FROM programs WHERE name = 'Secret card'`)
	for _, q := range []string{"?saved=abc", "?saved=999999", fmt.Sprintf("?saved=%d", foreign), "?archived=-1"} {
		if got := saved("/programs" + q); got != "" {
			t.Errorf("/programs%s says %q", q, got)
		}
	}
}
