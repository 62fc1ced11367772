package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"regulars/db"
)

// customerListShop is a shop whose list shows every column: Ayla joined on
// 2 March with a phone, visited that day and has 3 stamps of 10 and a reward
// ready (a paper card's 12 stamps moved over); Bora joined
// on 5 March, visited once since and gave no phone; Cem joined on 6 March and
// never came. Another shop's Zeynep must never show.
func customerListShop(t *testing.T) (*env, *client) {
	t.Helper()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	ayla := owner.enroll("Ayla")
	if res := owner.submit(owner.get(customerPath(ayla)), `[data-testid="profile-form"]`, map[string]string{
		"first_name": "Ayla", "phone": "0532 123 45 67"}); res.status != http.StatusSeeOther {
		t.Fatalf("save profile: %d", res.status)
	}
	if res := owner.submit(owner.get(ayla), `[data-testid="stamp-1"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("stamp: %d", res.status)
	}
	if res := owner.submit(owner.get(customerPath(ayla)), `[data-testid="adjust-form"]`, map[string]string{
		"stamps": "12", "reason": "paper card"}); res.status != http.StatusSeeOther {
		t.Fatalf("adjust: %d", res.status)
	}
	e.clock.Advance(72 * time.Hour)
	bora := owner.enroll("Bora")
	e.clock.Advance(24 * time.Hour)
	owner.enroll("Cem")
	e.clock.Advance(time.Hour)
	if res := owner.submit(owner.get(bora), `[data-testid="stamp-1"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("stamp: %d", res.status)
	}
	other := e.signup("Other", "other@example.com")
	zeynep := other.enroll("Zeynep")
	if res := other.submit(other.get(customerPath(zeynep)), `[data-testid="profile-form"]`, map[string]string{
		"first_name": "Zeynep", "phone": "0555 999 88 77"}); res.status != http.StatusSeeOther {
		t.Fatalf("save profile: %d", res.status)
	}
	return e, owner
}

// rowCell is the text of the cell testid in the list's row of name.
func rowCell(r response, name, testid string) string {
	var out string
	r.doc.Find(`[data-testid="customer-row"]`).Each(func(_ int, s *goquery.Selection) {
		if strings.TrimSpace(s.Find(`td:first-child a`).Text()) == name {
			out = strings.Join(strings.Fields(s.Find(`[data-testid="`+testid+`"]`).Text()), " ")
		}
	})
	return out
}

// TestCustomerListColumns: each row shows the stamps now in the program (in
// every program once there are two), a marker when a reward is ready, the
// phone's last digits only (to the owner too: the whole number is on the
// record) and the day the customer joined; nothing of another shop.
func TestCustomerListColumns(t *testing.T) {
	t.Parallel()
	e, owner := customerListShop(t)
	manager := e.addManager(owner, "manager@example.com")
	tests := []struct {
		name, testid, want string
	}{
		{"Ayla", "customer-stamps", "3 of 10 1 reward ready"},
		{"Bora", "customer-stamps", "1 of 10"},
		{"Cem", "customer-stamps", "0 of 10"},
		{"Ayla", "customer-phone", "…4567"},
		{"Bora", "customer-phone", ""},
		{"Ayla", "customer-joined", "Mar 2, 2026"},
		{"Bora", "customer-joined", "Mar 5, 2026"},
		{"Cem", "customer-joined", "Mar 6, 2026"},
	}
	for who, c := range map[string]*client{"owner": owner, "manager": manager} {
		list := c.get("/customers")
		if list.status != http.StatusOK {
			t.Fatalf("%s: GET /customers: %d", who, list.status)
		}
		for _, tt := range tests {
			if got := rowCell(list, tt.name, tt.testid); got != tt.want {
				t.Errorf("%s: %s's %s %q, want %q", who, tt.name, tt.testid, got, tt.want)
			}
		}
		if n := list.doc.Find(`[data-testid="reward-ready"]`).Length(); n != 1 {
			t.Errorf("%s: %d reward-ready markers, want Ayla's alone", who, n)
		}
		for _, whole := range []string{"1234567", "123 45 67", "05321234567"} {
			if strings.Contains(list.body, whole) {
				t.Errorf("%s: the list holds Ayla's whole phone (%s)", who, whole)
			}
		}
		if strings.Contains(list.body, "Zeynep") || strings.Contains(list.body, "8877") {
			t.Errorf("%s: the list shows another shop's customer", who)
		}
	}

	// A second program: each row shows both, by name, the default first.
	if _, err := e.store.SaveProgram(context.Background(), db.Program{ShopID: 1, Name: "Haircut", RewardText: "a cut", StampsRequired: 3, MaxPerVisit: 1},
		1, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	list := owner.get("/customers")
	if got, want := rowCell(list, "Ayla", "customer-stamps"), "Loyalty card 3 of 10 Haircut 0 of 3 1 reward ready"; got != want {
		t.Errorf("with two programs Ayla's stamps read %q, want %q", got, want)
	}
}

// TestCustomerListSorts: the list orders by latest visit (the default),
// name, joined date, visits and rewards; the column headers and the pager
// keep the search and the group; an unknown order shows the default one.
func TestCustomerListSorts(t *testing.T) {
	t.Parallel()
	_, owner := customerListShop(t)
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"Bora", "Ayla", "Cem"}},
		{"?sort=last", []string{"Bora", "Ayla", "Cem"}},
		{"?sort=name", []string{"Ayla", "Bora", "Cem"}},
		{"?sort=joined", []string{"Cem", "Bora", "Ayla"}},
		{"?sort=visits", []string{"Bora", "Ayla", "Cem"}},
		{"?sort=rewards", []string{"Ayla", "Cem", "Bora"}},
		{"?sort=joined&q=c", []string{"Cem"}},
		// Unknown orders: an old bookmark or a hand-typed address.
		{"?sort=bogus", []string{"Bora", "Ayla", "Cem"}},
		{"?sort=NAME", []string{"Bora", "Ayla", "Cem"}},
		{"?sort=name%00", []string{"Bora", "Ayla", "Cem"}},
		{"?sort=" + strings.Repeat("x", 300), []string{"Bora", "Ayla", "Cem"}},
	}
	for _, tt := range tests {
		res := owner.get("/customers" + tt.query)
		if res.status != http.StatusOK {
			t.Errorf("GET /customers%s: %d, want 200", tt.query, res.status)
			continue
		}
		if got := rowNames(res); strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("GET /customers%s: rows %q, want %q", tt.query, got, tt.want)
		}
	}
	if got := owner.get("/customers?sort=bogus").doc.Find(`#f-sort option[selected]`).AttrOr("value", ""); got != "last" {
		t.Errorf("an unknown order selects %q in the form, want last", got)
	}

	page := owner.get("/customers?q=a&segment=new&sort=joined")
	links := map[string]string{
		"sort-name":    "/customers?q=a&segment=new&sort=name",
		"sort-joined":  "/customers?q=a&segment=new&sort=joined",
		"sort-last":    "/customers?q=a&segment=new",
		"sort-visits":  "/customers?q=a&segment=new&sort=visits",
		"sort-rewards": "/customers?q=a&segment=new&sort=rewards",
	}
	for id, want := range links {
		if got := page.doc.Find(`[data-testid="`+id+`"]`).AttrOr("href", ""); got != want {
			t.Errorf("%s links to %q, want %q", id, got, want)
		}
	}
	if got := page.doc.Find(`th[aria-sort="descending"] a`).AttrOr("data-testid", ""); got != "sort-joined" {
		t.Errorf("the header marked as the order is %q, want sort-joined", got)
	}
	if got := owner.get("/customers?sort=name").doc.Find(`th[aria-sort="ascending"] a`).AttrOr("data-testid", ""); got != "sort-name" {
		t.Errorf("by name the header marked ascending is %q", got)
	}
}

// TestCustomerListPagerKeepsTheOrder: the next page of a list by name is by
// name, of the same search.
func TestCustomerListPagerKeepsTheOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	ctx := context.Background()
	for i := range db.CustomersPerPage + 1 {
		if _, err := e.store.EnrollCard(ctx, 1, db.NewCard{FirstName: "Guest " + string(rune('A'+i%26)) + string(rune('a'+i/26)), CreatedBy: 1,
			Key: "bulk-" + string(rune('A'+i))}, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	first := owner.get("/customers?q=guest&sort=name")
	next := first.doc.Find(`[data-testid="page-next"]`).AttrOr("href", "")
	if next != "/customers?page=2&q=guest&sort=name" {
		t.Fatalf("next page link %q", next)
	}
	names := append(rowNames(first), rowNames(owner.get(next))...)
	if len(names) != db.CustomersPerPage+1 {
		t.Fatalf("%d names on the two pages", len(names))
	}
	for i := 1; i < len(names); i++ {
		if strings.ToLower(names[i-1]) > strings.ToLower(names[i]) {
			t.Errorf("by name %q comes before %q", names[i-1], names[i])
		}
	}
}
