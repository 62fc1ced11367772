package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestLookupTellsPeopleApart: a list of names shows what tells the people
// apart (the phone's last digits, the last visit, the stamps) and says how
// many more matched; a search that finds nobody carries what was typed into
// the enrolment form. Issue 14, points 6 and 7.
func TestLookupTellsPeopleApart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Reza Café", "reza@example.com")
	for i := range 23 {
		res := owner.submit(owner.get("/counter"), `form[action="/counter/enroll"]`, map[string]string{"first_name": "Reza", "phone": fmt.Sprintf("0912 000 %04d", i)})
		if res.status != http.StatusSeeOther {
			t.Fatalf("enrol Reza %d: %d", i, res.status)
		}
	}
	list := owner.get("/counter/find?q=reza")
	rows := list.doc.Find(`[data-testid=result-card]`)
	if rows.Length() != 20 {
		t.Fatalf("%d rows, want the first 20", rows.Length())
	}
	first := rows.First().Text()
	for _, want := range []string{"Reza", "…000", "no visit yet", "0 stamps"} {
		if !strings.Contains(first, want) {
			t.Errorf("row %q does not say %q", strings.Join(strings.Fields(first), " "), want)
		}
	}
	if got := text(list, `[data-testid=results-more]`); !strings.Contains(got, "3 more") {
		t.Errorf("more line = %q, want it to say 3 more", got)
	}

	for _, tt := range []struct{ q, field, want string }{
		{"Zeynep", "first_name", "Zeynep"},
		{"0555 123 45 67", "phone", "0555 123 45 67"},
	} {
		res := owner.get("/counter/find?q=" + url.QueryEscape(tt.q))
		if res.status != http.StatusNotFound {
			t.Fatalf("%q: %d, want 404", tt.q, res.status)
		}
		if got, _ := res.doc.Find(`#f-` + tt.field).Attr("value"); got != tt.want {
			t.Errorf("%q: enrolment's %s = %q, want %q", tt.q, tt.field, got, tt.want)
		}
	}
}

// TestEnrolmentOffersTheCardOfAPhone: enrolling a phone number that a card
// has already offers that card; the cashier may still make a second one. A
// forged confirmation is refused. Issue 14, point 7.
func TestEnrolmentOffersTheCardOfAPhone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Phone Café", "phone@example.com")
	cards := func() int { return e.count(`SELECT count(*) FROM cards`) }
	res := owner.submit(owner.get("/counter"), `form[action="/counter/enroll"]`, map[string]string{"first_name": "Ayşe", "phone": "0532 111 22 33"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("first enrolment with a phone: %d", res.status)
	}
	before := cards()
	again := owner.submit(owner.get("/counter"), `form[action="/counter/enroll"]`, map[string]string{"first_name": "Ayse", "phone": "+90 532 111 22 33"})
	if again.status != http.StatusConflict {
		t.Fatalf("same phone: %d, want 409", again.status)
	}
	if cards() != before {
		t.Fatal("the same phone made a second card without asking")
	}
	if got := again.doc.Find(`[data-testid=result-card]`).Length(); got != 1 {
		t.Errorf("%d cards offered, want the one with the phone", got)
	}
	if again.doc.Find(`[data-testid=enroll-anyway]`).Length() != 1 {
		t.Fatal("no way to enrol a second card anyway")
	}
	forged := owner.postRaw("/counter/enroll", url.Values{"_csrf": {owner.token()}, "key": {"forged-same-phone-01"}, "first_name": {"X"},
		"phone": {"05321112233"}, "same_phone_ok": {"yes"}})
	if forged.status != http.StatusUnprocessableEntity || cards() != before {
		t.Errorf("a forged confirmation: %d, %d new cards", forged.status, cards()-before)
	}
	anyway := owner.submit(again, `form[action="/counter/enroll"]`, nil)
	if anyway.status != http.StatusSeeOther || cards() != before+1 {
		t.Errorf("enrol anyway: %d, %d new cards, want one", anyway.status, cards()-before)
	}
}
