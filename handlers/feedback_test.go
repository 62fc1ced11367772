package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const feedbackForm = `[data-testid="feedback"] form`

// stampedCard enrolls a card at the counter, stamps it once and returns the
// cashier, the card's counter path and its token.
func stampedCard(t *testing.T, e *env, owner *client, name string) (*client, string, string) {
	t.Helper()
	cashier := e.addCashier(owner, strings.ToLower(name)+"-cashier@example.com")
	cardPath := cashier.enroll(name)
	token := cardToken(t, e, 1, cardPath)
	if res := cashier.submit(cashier.get(cardPath), `[data-testid="stamp-1"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("stamp: %d", res.status)
	}
	return cashier, cardPath, token
}

func TestFeedbackAfterAVisit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	cardPath := cashier.enroll("Ayla")
	token := cardToken(t, e, 1, cardPath)
	phone := e.client()

	if page := phone.get("/c/" + token); page.doc.Find(`[data-testid="feedback"]`).Length() != 0 {
		t.Fatal("the card page asks about a visit before any stamp")
	}
	if res := cashier.submit(cashier.get(cardPath), `[data-testid="stamp-1"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("stamp: %d", res.status)
	}
	page := phone.get("/c/" + token)
	if page.doc.Find(feedbackForm).Length() != 1 || page.doc.Find(`[data-testid="feedback"] input[type="radio"][name="rating"]`).Length() != 5 {
		t.Fatalf("no question with five ratings after a stamp:\n%s", snippet(page.body))
	}
	if page.doc.Find(`[data-testid="feedback-thanks"]`).Length() != 0 {
		t.Error("thanked before answering")
	}
	res := phone.submit(page, feedbackForm, map[string]string{"rating": "4", "comment": "  Great croissants\r\nand tea  "})
	if res.status != http.StatusSeeOther || res.location != "/c/"+token+"#thanks" {
		t.Fatalf("answer: %d %q\n%s", res.status, res.location, snippet(res.body))
	}
	if n := e.count(`SELECT count(*) FROM feedback WHERE rating = 4 AND comment = 'Great croissants' || char(10) || 'and tea'`); n != 1 {
		t.Errorf("stored answers: %d", n)
	}
	page = phone.get("/c/" + token)
	if page.doc.Find(`[data-testid="feedback"]`).Length() != 0 {
		t.Error("the question is still shown after the answer")
	}
	if id, _ := page.doc.Find(`[data-testid="feedback-thanks"]`).Attr("id"); id != "thanks" || text(page, `[data-testid="feedback-thanks"]`) == "" {
		t.Errorf("no thank-you for #thanks: %q", id)
	}

	// The owner sees it; a second visit a week later asks again.
	fb := owner.get("/feedback")
	if fb.status != http.StatusOK || text(fb, `[data-testid="rating-average"] .tile-value`) != "4.0" || text(fb, `[data-testid="rating-count"] .tile-value`) != "1" {
		t.Errorf("owner's feedback page: %d %q %q", fb.status, text(fb, `[data-testid="rating-average"]`), text(fb, `[data-testid="rating-count"]`))
	}
	if href, _ := fb.doc.Find(`[data-testid="comment"] a`).Attr("href"); href != strings.Replace(cardPath, "/counter/cards/", "/customers/", 1) ||
		!strings.Contains(text(fb, `[data-testid="comment"]`), "Great croissants") || text(fb, `[data-testid="comment-rating"]`) != "4 of 5" {
		t.Errorf("comment: %q → %q", text(fb, `[data-testid="comment"]`), href)
	}
	if fb.doc.Find(`svg[data-testid="trend"] > title`).Length() != 1 || fb.doc.Find(`svg[data-testid="trend"] circle.dot`).Length() != 1 {
		t.Errorf("trend chart:\n%s", snippet(fb.body))
	}
	e.clock.Advance(7 * 24 * time.Hour)
	if res := cashier.submit(cashier.get(cardPath), `[data-testid="stamp-1"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("second stamp: %d", res.status)
	}
	if phone.get("/c/"+token).doc.Find(feedbackForm).Length() != 1 {
		t.Error("a new visit is not asked about")
	}
}

func TestFeedbackBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	cashier, _, token := stampedCard(t, e, owner, "Ayla")
	otherPath := cashier.enroll("Bora") // no visit
	otherToken := cardToken(t, e, 1, otherPath)
	phone := e.client()
	page := phone.get("/c/" + token)
	action, valid := formValues(t, page, feedbackForm)
	valid.Set("rating", "3")
	with := func(edit func(v url.Values)) url.Values {
		v := url.Values{}
		for k, vs := range valid {
			v[k] = append([]string(nil), vs...)
		}
		edit(v)
		return v
	}
	today := valid.Get("day")
	tests := []struct {
		name   string
		path   string
		values url.Values
		status int
		field  string // the field whose message is shown, for 422s
	}{
		{"missing rating", action, with(func(v url.Values) { v.Del("rating") }), 422, "rating"},
		{"rating 0", action, with(func(v url.Values) { v.Set("rating", "0") }), 422, "rating"},
		{"rating 6", action, with(func(v url.Values) { v.Set("rating", "6") }), 422, "rating"},
		{"rating x", action, with(func(v url.Values) { v.Set("rating", "x") }), 422, "rating"},
		{"oversized comment", action, with(func(v url.Values) { v.Set("comment", strings.Repeat("ş", 501)) }), 422, "comment"},
		{"control characters", action, with(func(v url.Values) { v.Set("comment", "hi\x00there") }), 422, "comment"},
		{"a day without a visit", action, with(func(v url.Values) { v.Set("day", "20000") }), 409, ""},
		{"malformed day", action, with(func(v url.Values) { v.Set("day", "today") }), 400, ""},
		{"missing day", action, with(func(v url.Values) { v.Del("day") }), 400, ""},
		{"no CSRF token", action, with(func(v url.Values) { v.Del("_csrf") }), 403, ""},
		{"unknown token", "/c/" + strings.Repeat("A", 24) + "/feedback", valid, 404, ""},
		{"malformed token", "/c/short/feedback", valid, 404, ""},
		{"another card's token", "/c/" + otherToken + "/feedback", valid, 409, ""},
	}
	// One case at a time: each compares snapshots of the whole shared database,
	// which a sibling case's requests would change in between.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot()
			res := phone.postRaw(tt.path, tt.values)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", res.status, tt.status, snippet(res.body))
			}
			if after := e.snapshot(); after != before {
				t.Errorf("changed the database:\n%s\n%s", before, after)
			}
			switch {
			case tt.field != "":
				if text(res, "#e-"+tt.field) == "" || res.doc.Find(feedbackForm).Length() != 1 {
					t.Errorf("no message for %s on the re-shown question:\n%s", tt.field, snippet(res.body))
				}
			case tt.status == 409:
				if text(res, `[data-testid="feedback-problem"]`) == "" {
					t.Errorf("no explanation:\n%s", snippet(res.body))
				}
			}
		})
	}
	// A refused answer keeps what was typed, and the page's language switch
	// returns to the card, not to the answer's URL.
	res := phone.postRaw(action, with(func(v url.Values) { v.Del("rating"); v.Set("comment", "Kept") }))
	if got := text(res, "#f-comment"); got != "Kept" {
		t.Errorf("comment after a refusal: %q", got)
	}
	if next, _ := res.doc.Find(`.lang-switch input[name="next"]`).Attr("value"); next != "/c/"+token {
		t.Errorf("language switch returns to %q", next)
	}

	// Replayed: the first answer stands, the second changes nothing.
	if res := phone.postRaw(action, valid); res.status != http.StatusSeeOther {
		t.Fatalf("answer: %d\n%s", res.status, snippet(res.body))
	}
	before := e.snapshot()
	res = phone.postRaw(action, with(func(v url.Values) { v.Set("rating", "1") }))
	if res.status != http.StatusConflict || text(res, `[data-testid="feedback-problem"]`) == "" || res.doc.Find(feedbackForm).Length() != 0 {
		t.Errorf("second answer: %d\n%s", res.status, snippet(res.body))
	}
	if e.snapshot() != before || e.count(`SELECT count(*) FROM feedback WHERE rating = 3 AND day = ?`, today) != 1 {
		t.Error("the second answer changed something")
	}
}
