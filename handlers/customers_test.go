package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"regulars/db"
)

// customerPath is the owner's page of the card at the counter path cardPath.
func customerPath(cardPath string) string {
	return strings.Replace(cardPath, "/counter/cards/", "/customers/", 1)
}

// addManager adds a manager through the owner's staff page and signs them in.
func (e *env) addManager(owner *client, email string) *client {
	e.t.Helper()
	res := owner.submit(owner.get("/staff"), `form[action="/staff"]`, map[string]string{
		"name": "Manager " + email, "email": email, "role": "manager", "password": "manager password 1",
	})
	if res.status != http.StatusSeeOther {
		e.t.Fatalf("add manager: status %d\n%s", res.status, snippet(res.body))
	}
	return e.login(email, "manager password 1")
}

func rowNames(r response) []string {
	var out []string
	r.doc.Find(`[data-testid="customer-row"] td:first-child a`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	return out
}

func TestCustomerList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	ayla := owner.enroll("Ayla")
	owner.enroll("Bora")
	if res := owner.submit(owner.get(ayla), `[data-testid="stamp-1"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("stamp: %d", res.status)
	}
	e.signup("Other", "other@example.com").enroll("Ayşe")

	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"Ayla", "Bora"}},
		{"?q=ay", []string{"Ayla"}},
		{"?q=" + url.QueryEscape("%"), nil},
		{"?segment=new", []string{"Ayla"}},
		{"?segment=lapsed", nil},
		{"?sort=visits", []string{"Ayla", "Bora"}},
		{"?sort=rewards&page=1", []string{"Bora", "Ayla"}},
		{"?page=2", nil},
	}
	for _, tt := range tests {
		res := owner.get("/customers" + tt.query)
		if res.status != http.StatusOK {
			t.Fatalf("GET /customers%s: %d", tt.query, res.status)
		}
		if got := rowNames(res); strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("GET /customers%s: rows %q, want %q", tt.query, got, tt.want)
		}
		if tt.want == nil && text(res, `[data-testid="customers-none"]`) == "" {
			t.Errorf("GET /customers%s: no word for an empty list", tt.query)
		}
	}
	list := owner.get("/customers")
	if got := text(list, `[data-testid="segment-new"] .count`); got != "1" {
		t.Errorf("new customers counted %q", got)
	}
	if href := list.doc.Find(`[data-testid="segment-at_risk"] a`).AttrOr("href", ""); href != "/customers?segment=at_risk" {
		t.Errorf("at-risk segment links to %q", href)
	}
	if text(list, `[data-testid="segment-lapsed"] .hint`) == "" {
		t.Error("a segment without its rule")
	}
	if list.doc.Find(`nav a[href="/customers"][aria-current="page"]`).Length() != 1 {
		t.Error("no current Customers link in the menu")
	}
	for _, q := range []string{"?segment=whales", "?page=0", "?page=two", "?page=99999999999", "?q=" + strings.Repeat("x", 201), "?q=%ff"} {
		if res := owner.get("/customers" + q); res.status != http.StatusBadRequest || text(res, `[data-testid="error-message"]`) == "" {
			t.Errorf("GET /customers%s: %d, want 400 with a message", q, res.status)
		}
	}
}

func TestCustomerListPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	ctx := context.Background()
	for i := range db.CustomersPerPage + 3 {
		if _, err := e.store.EnrollCard(ctx, 1, db.NewCard{FirstName: fmt.Sprintf("Guest %02d", i), CreatedBy: 1, Key: fmt.Sprint("bulk-", i)}, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	first := owner.get("/customers?q=guest")
	if n := len(rowNames(first)); n != db.CustomersPerPage {
		t.Fatalf("first page: %d rows", n)
	}
	if text(first, `[data-testid="page-prev"]`) != "" {
		t.Error("a previous page before the first")
	}
	next := first.doc.Find(`[data-testid="page-next"]`).AttrOr("href", "")
	if next != "/customers?page=2&q=guest" {
		t.Fatalf("next page link %q", next)
	}
	second := owner.get(next)
	if n := len(rowNames(second)); n != 3 || text(second, `[data-testid="page-next"]`) != "" {
		t.Errorf("second page: %d rows, next %q", n, text(second, `[data-testid="page-next"]`))
	}
	if !strings.Contains(text(second, `[data-testid="pager"]`), "2 of 2") {
		t.Errorf("pager says %q", text(second, `[data-testid="pager"]`))
	}
}

func TestCustomerPageAndAdjust(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	cardPath := cashier.enroll("Ayla")
	cashier.submit(cashier.get(cardPath), `[data-testid="stamp-1"]`, nil)
	token := cardToken(t, e, 1, cardPath)
	path := customerPath(cardPath)

	page := owner.get(path)
	if page.status != http.StatusOK || text(page, `[data-testid="customer-name"]`) != "Ayla" {
		t.Fatalf("customer page: %d %q", page.status, text(page, `[data-testid="customer-name"]`))
	}
	if href := page.doc.Find(`[data-testid="card-link"]`).AttrOr("href", ""); !strings.HasSuffix(href, "/c/"+token) {
		t.Errorf("card link %q", href)
	}
	if got := text(page, `[data-testid="customer-program"]`); !strings.Contains(got, "1 of 10") {
		t.Errorf("program progress %q", got)
	}
	if got := text(page, `[data-testid="customer-ledger"] tbody tr`); !strings.Contains(got, "Cashier") {
		t.Errorf("ledger does not say who stamped: %q", got)
	}

	res := owner.submit(page, `[data-testid="adjust-form"]`, map[string]string{"stamps": "+12", "reason": "moved from the paper card"})
	if res.status != http.StatusSeeOther || res.location != path+"?saved=adjust" {
		t.Fatalf("adjust: %d %q\n%s", res.status, res.location, snippet(res.body))
	}
	after := owner.get(res.location)
	if text(after, `[data-testid="saved"]`) == "" {
		t.Error("no word that the adjustment was saved")
	}
	if got := text(after, `[data-testid="customer-program"]`); !strings.Contains(got, "3 of 10") || !strings.Contains(got, "1 reward ready") {
		t.Errorf("after +12: %q", got)
	}
	row := text(after, `[data-testid="customer-ledger"] tbody tr`)
	if !strings.Contains(row, "+12") || !strings.Contains(row, "moved from the paper card") || !strings.Contains(row, "Owner of Kafe") {
		t.Errorf("adjustment in the ledger: %q", row)
	}
	if got := text(after, `[data-testid="customer-rewards"] .tile-value`); got != "1" {
		t.Errorf("rewards tile %q", got)
	}
	// The customer sees the stamps, not the shop's reasons.
	card := e.client().get("/c/" + token)
	if strings.Contains(card.body, "paper card") || !strings.Contains(card.body, "+12") {
		t.Errorf("card page shows the adjustment wrongly:\n%s", snippet(card.body))
	}

	// The same form again: recorded once.
	before := e.snapshot()
	replay := owner.submit(page, `[data-testid="adjust-form"]`, map[string]string{"stamps": "+12", "reason": "moved from the paper card"})
	if replay.status != http.StatusConflict || text(replay, `[data-testid="problem"]`) == "" {
		t.Errorf("replayed adjustment: %d %q", replay.status, text(replay, `[data-testid="problem"]`))
	}
	if e.snapshot() != before {
		t.Error("a replayed adjustment changed the database")
	}
	if n := e.count(`SELECT count(*) FROM events WHERE kind = 'adjust'`); n != 1 {
		t.Errorf("%d adjustments recorded", n)
	}

	// A negative adjustment takes stamps away.
	res = owner.submit(owner.get(path), `[data-testid="adjust-form"]`, map[string]string{"stamps": "-2", "reason": "double stamped"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("adjust -2: %d", res.status)
	}
	if got := text(owner.get(path), `[data-testid="customer-program"]`); !strings.Contains(got, "1 of 10") {
		t.Errorf("after -2: %q", got)
	}
}

func TestCustomerRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	manager := e.addManager(owner, "manager@example.com")
	path := customerPath(owner.enroll("Ayla"))
	ownerPage := owner.get(path)
	for _, c := range []*client{cashier} {
		for _, p := range []string{"/customers", path} {
			if res := c.get(p); res.status != http.StatusForbidden {
				t.Errorf("cashier GET %s: %d, want 403", p, res.status)
			}
		}
	}
	if res := e.client().get("/customers"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/login") {
		t.Errorf("anonymous GET /customers: %d %q", res.status, res.location)
	}
	page := manager.get(path)
	if page.status != http.StatusOK || text(page, `[data-testid="customer-name"]`) != "Ayla" {
		t.Fatalf("manager's customer page: %d", page.status)
	}
	for _, form := range []string{"adjust-form", "profile-form", "erase-form"} {
		if page.doc.Find(`[data-testid="`+form+`"]`).Length() != 0 {
			t.Errorf("the manager is offered %s", form)
		}
	}
	if res := manager.get("/customers"); res.status != http.StatusOK || len(rowNames(res)) != 1 {
		t.Errorf("manager's list: %d", res.status)
	}
	// The owner's forms, posted with a manager's or a cashier's session and token.
	for name, c := range map[string]*client{"manager": manager, "cashier": cashier} {
		_, own := formValues(t, c.get("/counter"), `form[action="/logout"]`)
		for _, form := range []string{"adjust-form", "profile-form", "erase-form"} {
			action, v := formValues(t, ownerPage, `[data-testid="`+form+`"]`)
			v.Set("_csrf", own.Get("_csrf"))
			v.Set("stamps", "5")
			v.Set("reason", "because")
			v.Set("first_name", "Hacked")
			before := e.snapshot()
			if res := c.postRaw(action, v); res.status != http.StatusForbidden {
				t.Errorf("%s posts %s: %d, want 403", name, form, res.status)
			}
			if e.snapshot() != before {
				t.Errorf("%s's %s changed the database", name, form)
			}
		}
	}
}

// TestCustomerBadInput posts the customer page's forms missing, malformed,
// oversized and for another shop's card: each is refused with a message and
// leaves the database as it was.
func TestCustomerBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	path := customerPath(owner.enroll("Ayla"))
	other := e.signup("Other", "other@example.com")
	foreign := customerPath(other.enroll("Ayşe"))
	page := owner.get(path)

	type tc struct {
		name   string
		form   string
		set    map[string]string // "_action" replaces the form's action
		del    []string
		status int
		msg    string
	}
	adjust := func(name string, set map[string]string, del []string, status int, msg string) tc {
		fill := map[string]string{"stamps": "3", "reason": "lost card"}
		for k, v := range set {
			fill[k] = v
		}
		return tc{name, "adjust-form", fill, del, status, msg}
	}
	profile := func(name string, set map[string]string, status int, msg string) tc {
		fill := map[string]string{"first_name": "Ayla", "phone": "0532 123 45 67", "email": "ayla@example.com", "birth_month": "3", "birth_day": "14"}
		for k, v := range set {
			fill[k] = v
		}
		return tc{name, "profile-form", fill, nil, status, msg}
	}
	const fieldError, errorPage = ".field-error", `[data-testid="error-message"]`
	cases := []tc{
		adjust("adjust missing reason", map[string]string{"reason": ""}, nil, 422, fieldError),
		adjust("adjust blank reason", map[string]string{"reason": "   "}, nil, 422, fieldError),
		adjust("adjust oversized reason", map[string]string{"reason": strings.Repeat("r", 201)}, nil, 422, fieldError),
		adjust("adjust reason over two lines", map[string]string{"reason": "one\ntwo"}, nil, 422, fieldError),
		adjust("adjust missing count", nil, []string{"stamps"}, 422, fieldError),
		adjust("adjust malformed count", map[string]string{"stamps": "three"}, nil, 422, fieldError),
		adjust("adjust count in exponent form", map[string]string{"stamps": "1e3"}, nil, 422, fieldError),
		adjust("adjust double sign", map[string]string{"stamps": "--2"}, nil, 422, fieldError),
		adjust("adjust fraction", map[string]string{"stamps": "1.5"}, nil, 422, fieldError),
		adjust("adjust zero", map[string]string{"stamps": "0"}, nil, 422, fieldError),
		adjust("adjust over the maximum", map[string]string{"stamps": "1001"}, nil, 422, fieldError),
		adjust("adjust under the minimum", map[string]string{"stamps": "-1001"}, nil, 422, fieldError),
		adjust("adjust huge count", map[string]string{"stamps": "99999999999999999999"}, nil, 422, fieldError),
		adjust("adjust without key", nil, []string{"key"}, 400, errorPage),
		adjust("adjust malformed key", map[string]string{"key": "../../etc/passwd-xx"}, nil, 400, errorPage),
		adjust("adjust malformed program", map[string]string{"program": "one"}, nil, 400, errorPage),
		adjust("adjust another shop's program", map[string]string{"program": "2"}, nil, 404, errorPage),
		adjust("adjust another shop's card", map[string]string{"_action": foreign + "/adjust"}, nil, 404, errorPage),
		adjust("adjust another shop's card with bad input", map[string]string{"_action": foreign + "/adjust", "reason": ""}, nil, 404, errorPage),
		adjust("adjust unknown card", map[string]string{"_action": "/customers/999/adjust"}, nil, 404, errorPage),
		adjust("adjust malformed card id", map[string]string{"_action": "/customers/x1/adjust"}, nil, 404, errorPage),
		adjust("adjust without CSRF token", nil, []string{"_csrf"}, 403, errorPage),
		profile("profile malformed phone", map[string]string{"phone": "call me"}, 422, fieldError),
		profile("profile oversized name", map[string]string{"first_name": strings.Repeat("n", 51)}, 422, fieldError),
		profile("profile malformed email", map[string]string{"email": "ayla@"}, 422, fieldError),
		profile("profile February 30", map[string]string{"birth_month": "2", "birth_day": "30"}, 422, fieldError),
		profile("profile month without day", map[string]string{"birth_day": ""}, 422, fieldError),
		profile("profile month 13", map[string]string{"birth_month": "13"}, 422, fieldError),
		profile("profile oversized day", map[string]string{"birth_day": "014"}, 422, fieldError),
		profile("profile of another shop's card", map[string]string{"_action": foreign + "/profile"}, 404, errorPage),
		{"erase without the confirmation", "erase-form", nil, []string{"understand"}, 422, fieldError},
		{"erase with a wrong confirmation", "erase-form", map[string]string{"understand": "yes please"}, nil, 422, fieldError},
		{"erase another shop's card", "erase-form", map[string]string{"_action": foreign + "/erase"}, nil, 404, errorPage},
		{"erase without CSRF token", "erase-form", nil, []string{"_csrf"}, 403, errorPage},
	}
	// One case at a time: each compares snapshots of the whole shared database,
	// which a sibling case's requests would change in between.
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot()
			action, v := formValues(t, page, `[data-testid="`+tt.form+`"]`)
			for k, val := range tt.set {
				if k == "_action" {
					action = val
					continue
				}
				v.Set(k, val)
			}
			for _, k := range tt.del {
				v.Del(k)
			}
			res := owner.postRaw(action, v)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", res.status, tt.status, snippet(res.body))
			}
			if msg := text(res, tt.msg); msg == "" {
				t.Errorf("no message in %s:\n%s", tt.msg, snippet(res.body))
			}
			if after := e.snapshot(); after != before {
				t.Errorf("database changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	// A refused form comes back as it was typed.
	_, v := formValues(t, page, `[data-testid="adjust-form"]`)
	v.Set("stamps", "7")
	v.Set("reason", "")
	res := owner.postRaw(path+"/adjust", v)
	if got := res.doc.Find(`[data-testid="adjust-form"] input[name="stamps"]`).AttrOr("value", ""); got != "7" {
		t.Errorf("refused adjustment shows stamps %q", got)
	}
}

func TestEditAndEraseCustomer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	cardPath := cashier.enroll("Ayla")
	cashier.submit(cashier.get(cardPath), `[data-testid="stamp-1"]`, nil)
	token := cardToken(t, e, 1, cardPath)
	path := customerPath(cardPath)

	res := owner.submit(owner.get(path), `[data-testid="profile-form"]`, map[string]string{
		"first_name": "Ayla", "phone": "0532 123 45 67", "email": "Ayla@Example.com", "birth_month": "2", "birth_day": "29",
	})
	if res.status != http.StatusSeeOther || res.location != path+"?saved=profile" {
		t.Fatalf("save profile: %d %q\n%s", res.status, res.location, snippet(res.body))
	}
	profile := text(owner.get(path), `[data-testid="profile"]`)
	for _, want := range []string{"05321234567", "ayla@example.com", "Feb 29"} {
		if !strings.Contains(profile, want) {
			t.Errorf("profile %q lacks %q", profile, want)
		}
	}
	if n := e.count(`SELECT count(*) FROM audit WHERE action = 'customer_edit'`); n != 1 {
		t.Errorf("%d edit audit rows", n)
	}
	code := text(owner.get(path), `[data-testid="short-code"]`)
	e.clock.Advance(time.Hour)

	res = owner.submit(owner.get(path), `[data-testid="erase-form"]`, nil)
	if res.status != http.StatusSeeOther || res.location != path+"?saved=erase" {
		t.Fatalf("erase: %d %q\n%s", res.status, res.location, snippet(res.body))
	}
	page := owner.get(res.location)
	if got := text(page, `[data-testid="customer-name"]`); got != "Erased customer" {
		t.Errorf("erased customer named %q", got)
	}
	if strings.Contains(page.body, "0532") || strings.Contains(page.body, "ayla@") || strings.Contains(page.body, "Ayla") {
		t.Error("the erased customer's page still shows personal data")
	}
	for _, sel := range []string{"card-link", "adjust-form", "profile-form", "erase-form"} {
		if page.doc.Find(`[data-testid="`+sel+`"]`).Length() != 0 {
			t.Errorf("erased customer's page offers %s", sel)
		}
	}
	if got := text(page, `[data-testid="customer-visits"] .tile-value`); got != "1" {
		t.Errorf("visits after erasing: %q", got)
	}
	if n := page.doc.Find(`[data-testid="customer-ledger"] tbody tr`).Length(); n != 1 {
		t.Errorf("ledger after erasing: %d rows", n)
	}
	list := owner.get("/customers")
	if got := rowNames(list); len(got) != 1 || got[0] != "Erased customer" || !strings.Contains(text(list, `[data-testid="customer-row"]`), code) {
		t.Errorf("list after erasing: %q", got)
	}
	if res := e.client().get("/c/" + token); res.status != http.StatusNotFound {
		t.Errorf("the old card link: %d, want 404", res.status)
	}
	for _, q := range []string{code, "4567", "Ayla"} {
		if res := cashier.get("/counter/find?q=" + url.QueryEscape(q)); res.status != http.StatusNotFound {
			t.Errorf("counter finds the erased card by %q: %d", q, res.status)
		}
	}
	if res := cashier.get(cardPath); res.status != http.StatusNotFound {
		t.Errorf("counter page of the erased card: %d", res.status)
	}
	before := e.snapshot()
	_, v := formValues(t, cashier.get("/counter"), `form[action="/logout"]`)
	v.Set("key", "a-fresh-key-0123456789")
	v.Set("program", "1")
	v.Set("count", "1")
	if res := cashier.postRaw(cardPath+"/stamp", v); res.status != http.StatusNotFound {
		t.Errorf("stamping the erased card: %d", res.status)
	}
	if e.snapshot() != before {
		t.Error("stamping the erased card changed the database")
	}
	if n := e.count(`SELECT count(*) FROM audit WHERE action = 'customer_erase'`); n != 1 {
		t.Errorf("%d erase audit rows", n)
	}
}

func TestCustomerRecordShowsConsent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Bakery", "owner@example.com")
	for i, consent := range []bool{true, false} {
		card, err := e.store.EnrollCard(context.Background(), 1, db.NewCard{FirstName: fmt.Sprint("Guest ", i), Consent: consent, Key: fmt.Sprint("join-", i)}, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		want := map[bool]string{true: "Agreed to hear from the shop", false: "Not given"}[consent]
		if got := text(owner.get(fmt.Sprint("/customers/", card.ID)), `[data-testid="consent"]`); got != want {
			t.Errorf("consent %v shown as %q, want %q", consent, got, want)
		}
	}
}

// TestManagersSeeContactDetailsMasked: a manager looks customers up but sees
// their phone number and e-mail address masked; the owner, who may export
// them, sees them whole (issue 15).
func TestManagersSeeContactDetailsMasked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	manager := e.addManager(owner, "manager@example.com")
	path := customerPath(owner.enroll("Ayla"))
	if res := owner.submit(owner.get(path), `[data-testid="profile-form"]`, map[string]string{
		"first_name": "Ayla", "phone": "0532 123 45 67", "email": "ayla.kaya@example.com"}); res.status != http.StatusSeeOther {
		t.Fatalf("save profile: %d", res.status)
	}
	for _, tt := range []struct {
		who          string
		c            *client
		phone, email string
		masked       bool
	}{
		{"owner", owner, "05321234567", "ayla.kaya@example.com", false},
		{"manager", manager, "…4567", "a…@example.com", true},
	} {
		page := tt.c.get(path)
		if got := text(page, `[data-testid="profile-phone"]`); got != tt.phone {
			t.Errorf("%s sees the phone as %q, want %q", tt.who, got, tt.phone)
		}
		if got := text(page, `[data-testid="profile-email"]`); got != tt.email {
			t.Errorf("%s sees the e-mail as %q, want %q", tt.who, got, tt.email)
		}
		if tt.masked && (strings.Contains(page.body, "1234567") || strings.Contains(page.body, "ayla.kaya")) {
			t.Errorf("the %s's page holds the whole phone or e-mail somewhere", tt.who)
		}
		if got := page.doc.Find(`[data-testid="contact-masked"]`).Length() == 1; got != tt.masked {
			t.Errorf("%s: says the details are masked: %v", tt.who, got)
		}
	}
	// The manager still finds the customer by the number a customer gives.
	if names := rowNames(manager.get("/customers?q=" + url.QueryEscape("0532 123 45 67"))); len(names) != 1 {
		t.Errorf("the manager's search by phone: %v", names)
	}
}

// TestAdjustSaysWhatWasRemoved: taking away more stamps than the card holds
// takes what it holds, records that in the ledger, and says so; a card with
// none loses none and records nothing.
func TestAdjustSaysWhatWasRemoved(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	path := customerPath(owner.enroll("Ayla"))
	adjust := func(n string) response {
		t.Helper()
		res := owner.submit(owner.get(path), `[data-testid="adjust-form"]`, map[string]string{"stamps": n, "reason": "correction"})
		if res.status != http.StatusSeeOther {
			t.Fatalf("adjust %s: %d\n%s", n, res.status, snippet(res.body))
		}
		return owner.get(res.location)
	}
	adjust("+4")
	cases := []struct {
		n, said string
		ledger  int // adjustment rows afterwards
	}{
		{"-50", "4 stamps removed; the card had 4.", 2},
		{"-3", "0 stamps removed; the card had 0.", 2},
	}
	for _, tt := range cases {
		page := adjust(tt.n)
		if got := text(page, `[data-testid="saved"]`); got != tt.said {
			t.Errorf("after %s: %q, want %q", tt.n, got, tt.said)
		}
		if got := text(page, `[data-testid="customer-program"]`); !strings.Contains(got, "0 of 10") {
			t.Errorf("after %s: %q", tt.n, got)
		}
		if n := e.count(`SELECT count(*) FROM events WHERE kind = 'adjust'`); n != tt.ledger {
			t.Errorf("after %s: %d adjustments in the ledger, want %d", tt.n, n, tt.ledger)
		}
	}
	if n := e.count(`SELECT count(*) FROM events WHERE kind = 'adjust' AND stamps = -4`); n != 1 {
		t.Error("the ledger does not record the 4 stamps actually removed")
	}
	if res := owner.get(path + "?saved=adjust&removed=x&had=4"); res.status != http.StatusBadRequest {
		t.Errorf("malformed removal in the address: %d", res.status)
	}
}

// TestNamelessCustomerReadsTheSame: a customer who gave no name is
// "(no name)" beside the card's code wherever staff see the card, never
// "Customer" as if it were a first name.
func TestNamelessCustomerReadsTheSame(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	cardPath := owner.enroll("")
	owner.submit(owner.get(cardPath), `[data-testid="stamp-1"]`, nil)
	record := owner.get(customerPath(cardPath))
	code := text(record, `[data-testid="short-code"]`)
	for _, c := range []struct{ page, sel, want string }{
		{"/customers", `[data-testid="customer-row"] a[href^="/customers/"]`, "(no name)"},
		{customerPath(cardPath), `[data-testid="customer-name"]`, "(no name)"},
		{customerPath(cardPath), `[data-testid="profile-name"]`, "(no name)"},
		{"/dashboard", `table.ledger tbody tr td:nth-child(2)`, "(no name) · " + code},
	} {
		res := owner.get(c.page)
		if got := text(res, c.sel); !strings.Contains(got, c.want) || strings.Contains(got, "Customer") {
			t.Errorf("%s %s = %q, want %q", c.page, c.sel, got, c.want)
		}
	}
}

// TestCustomerListSaysHowCustomersJoin: a shop without customers is told how
// they join, with links; a search that finds none says that instead.
func TestCustomerListSaysHowCustomersJoin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	res := owner.get("/customers")
	empty := res.doc.Find(`[data-testid="customers-empty"]`)
	if empty.Find(`a[href="/poster"]`).Length() != 1 || empty.Find(`a[href="/counter"]`).Length() != 1 {
		t.Errorf("no way to customers on an empty list:\n%s", snippet(res.body))
	}
	if res := owner.get("/customers?q=zz"); res.doc.Find(`[data-testid="customers-empty"]`).Length() != 0 || text(res, `[data-testid="customers-none"]`) == "" {
		t.Error("a search without results reads as a shop without customers")
	}
	for _, c := range []struct{ page, sel, link string }{
		{"/coupons", `[data-testid="coupons-none"]`, "/coupons/new"},
		{"/raffles", `[data-testid="raffles-none"]`, "/raffles/new"},
		{"/news", `[data-testid="news-none"]`, "#f-body"},
	} {
		if res := owner.get(c.page); res.doc.Find(c.sel+` a[href="`+c.link+`"]`).Length() != 1 {
			t.Errorf("%s: the empty list does not lead to %s", c.page, c.link)
		}
	}
}
