package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"regulars/db"
	"regulars/locale"
	"regulars/loyalty"
)

// printSheet prints one sheet through the owner's form and returns the run's
// printed cards.
func printSheet(t *testing.T, e *env, owner *client, shopID int64) []db.PrintedCard {
	t.Helper()
	res := owner.submit(owner.get("/cards/print"), `[data-testid="print-form"]`, map[string]string{"sheets": "1"})
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/cards/print/") {
		t.Fatalf("print: %d %q\n%s", res.status, res.location, snippet(res.body))
	}
	var batch int
	for _, r := range strings.TrimPrefix(res.location, "/cards/print/") {
		batch = batch*10 + int(r-'0')
	}
	cards, err := e.store.PrintedBatch(context.Background(), shopID, batch)
	if err != nil {
		t.Fatal(err)
	}
	return cards
}

// badForm is a submission that must be refused with status and a message
// under msg, leaving the database as it was.
type badForm struct {
	name   string
	c      *client
	page   string            // where the form is rendered
	form   string            // selector of the form
	set    map[string]string // fields to change; "_action" changes where it goes
	del    []string          // fields to drop
	status int
	msg    string
}

func checkBadForms(t *testing.T, e *env, cases []badForm) {
	t.Helper()
	// One case at a time: each compares snapshots of the whole shared database,
	// which a sibling case's requests would change in between.
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			form := tt.c.get(tt.page)
			before := e.snapshot()
			action, v := formValues(t, form, tt.form)
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
			res := tt.c.postRaw(action, v)
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
}

func TestPrintCardsPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	other := e.signup("Other", "other@example.com")

	if n := owner.get("/cards/print").doc.Find(`[data-testid="print-run"]`).Length(); n != 0 {
		t.Errorf("%d print runs before printing", n)
	}
	cards := printSheet(t, e, owner, 1)
	if len(cards) != 10 {
		t.Fatalf("%d cards printed, want 10", len(cards))
	}
	sheet := owner.get("/cards/print/1")
	if sheet.status != http.StatusOK {
		t.Fatalf("sheet: %d", sheet.status)
	}
	if n := sheet.doc.Find(`[data-testid="sheet"]`).Length(); n != 1 {
		t.Errorf("%d sheets, want 1", n)
	}
	printed := sheet.doc.Find(`[data-testid="printed-card"]`)
	if printed.Length() != 10 || printed.Find("svg.qr").Length() != 10 {
		t.Errorf("sheet has %d cards with %d QR codes, want 10 and 10", printed.Length(), printed.Find("svg.qr").Length())
	}
	if got, want := strings.TrimSpace(printed.First().Find(`[data-testid="printed-code"]`).Text()), loyalty.FormatShortCode(cards[0].ShortCode); got != want {
		t.Errorf("first card's code %q, want %q", got, want)
	}
	if got := strings.TrimSpace(printed.First().Find(".printed-shop").Text()); got != "Kafe" {
		t.Errorf("shop name on the card %q", got)
	}
	if n := sheet.doc.Find("nav, form").Length(); n != 0 {
		t.Errorf("the sheet has %d navigation bars or forms", n)
	}
	if n := sheet.doc.Find("svg.crop-marks").Length(); n != 1 {
		t.Errorf("%d crop mark layers", n)
	}
	if strings.Contains(sheet.body, "<script>") {
		t.Error("inline script on the sheet")
	}
	runs := owner.get("/cards/print").doc.Find(`[data-testid="print-run"]`)
	if runs.Length() != 1 || !strings.Contains(runs.Text(), "No. 1") {
		t.Errorf("print runs: %q", runs.Text())
	}

	for path, want := range map[string]int{
		"/cards/print/2":   404, // none yet
		"/cards/print/0":   404,
		"/cards/print/x":   404,
		"/cards/print/1e3": 404,
	} {
		if res := owner.get(path); res.status != want {
			t.Errorf("GET %s: %d, want %d", path, res.status, want)
		}
	}
	if res := other.get("/cards/print/1"); res.status != http.StatusNotFound {
		t.Errorf("another shop's run: %d, want 404", res.status)
	}
	if res := cashier.get("/cards/print"); res.status != http.StatusForbidden {
		t.Errorf("cashier's print page: %d, want 403", res.status)
	}
	if res := cashier.get("/cards/print/1"); res.status != http.StatusForbidden {
		t.Errorf("cashier's sheet: %d, want 403", res.status)
	}

	stale := owner.get("/cards/print")
	printSheet(t, e, owner, 1) // run 2, from a page loaded later
	checkBadForms(t, e, []badForm{
		{"sheets missing", owner, "/cards/print", `[data-testid="print-form"]`, map[string]string{"sheets": ""}, nil, 422, ".field-error"},
		{"sheets dropped", owner, "/cards/print", `[data-testid="print-form"]`, nil, []string{"sheets"}, 422, ".field-error"},
		{"sheets malformed", owner, "/cards/print", `[data-testid="print-form"]`, map[string]string{"sheets": "two"}, nil, 422, ".field-error"},
		{"sheets zero", owner, "/cards/print", `[data-testid="print-form"]`, map[string]string{"sheets": "0"}, nil, 422, ".field-error"},
		{"sheets oversized", owner, "/cards/print", `[data-testid="print-form"]`, map[string]string{"sheets": "21"}, nil, 422, ".field-error"},
		{"sheets huge", owner, "/cards/print", `[data-testid="print-form"]`, map[string]string{"sheets": "99999999999999"}, nil, 422, ".field-error"},
		{"batch malformed", owner, "/cards/print", `[data-testid="print-form"]`, map[string]string{"batch": "next"}, nil, 400, `[data-testid="error-message"]`},
		{"batch missing", owner, "/cards/print", `[data-testid="print-form"]`, nil, []string{"batch"}, 400, `[data-testid="error-message"]`},
		{"without CSRF token", owner, "/cards/print", `[data-testid="print-form"]`, nil, []string{"_csrf"}, 403, `[data-testid="error-message"]`},
		{"by a cashier", cashier, "/counter", `form[action="/logout"]`, map[string]string{"_action": "/cards/print", "sheets": "1", "batch": "3"}, nil, 403, `[data-testid="error-message"]`},
	})
	// The form of run 2, sent again after run 2 was made.
	before := e.snapshot()
	res := owner.submit(stale, `[data-testid="print-form"]`, map[string]string{"sheets": "1"})
	if res.status != http.StatusConflict || !strings.Contains(text(res, `[data-testid="print-message"]`), "No. 2 was made already") {
		t.Errorf("replayed print: %d %q", res.status, text(res, `[data-testid="print-message"]`))
	}
	if after := e.snapshot(); after != before {
		t.Errorf("replayed print changed the database")
	}
}

func TestActivatePrintedCard(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	other := e.signup("Other", "other@example.com")
	ctx := context.Background()
	if err := e.store.SaveGrowth(ctx, 1, db.Growth{WelcomeStamps: 2, ReferralCap: 5, BirthdayDays: 7}, 1, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	cards := printSheet(t, e, owner, 1)
	foreign := printSheet(t, e, other, 2)

	// The card page of a blank card says so, in its shop's name.
	blank := e.client().get("/c/" + cards[0].Token)
	if blank.status != http.StatusNotFound || text(blank, `[data-testid="card-not-active"]`) == "" || text(blank, ".shopbar h1") != "Kafe" {
		t.Errorf("blank card's page: %d\n%s", blank.status, snippet(blank.body))
	}

	// The cashier scans it: the counter offers to activate it.
	offer := cashier.get("/counter/find?q=" + url.QueryEscape(e.srv.URL+"/c/"+cards[0].Token))
	if offer.status != http.StatusOK || text(offer, `[data-testid="printed-code"]`) != loyalty.FormatShortCode(cards[0].ShortCode) {
		t.Fatalf("activation offer: %d\n%s", offer.status, snippet(offer.body))
	}
	// Typing the short code offers it too.
	if typed := cashier.get("/counter/find?q=" + url.QueryEscape(strings.ToLower(loyalty.FormatShortCode(cards[1].ShortCode)))); typed.doc.Find(`[data-testid="activate-form"]`).Length() != 1 {
		t.Errorf("short code typed: no activation offer\n%s", snippet(typed.body))
	}
	// Another shop's printed card is not this shop's to activate.
	if res := cashier.get("/counter/find?q=" + foreign[0].Token); res.status != http.StatusNotFound {
		t.Errorf("another shop's printed card at the counter: %d, want 404", res.status)
	}

	checkBadForms(t, e, []badForm{
		{"phone malformed", cashier, "/counter/find?q=" + cards[0].Token, `[data-testid="activate-form"]`, map[string]string{"phone": "call me"}, nil, 422, ".field-error"},
		{"name oversized", cashier, "/counter/find?q=" + cards[0].Token, `[data-testid="activate-form"]`, map[string]string{"first_name": strings.Repeat("n", 51)}, nil, 422, ".field-error"},
		{"token missing", cashier, "/counter/find?q=" + cards[0].Token, `[data-testid="activate-form"]`, nil, []string{"token"}, 400, `[data-testid="error-message"]`},
		{"token malformed", cashier, "/counter/find?q=" + cards[0].Token, `[data-testid="activate-form"]`, map[string]string{"token": "../" + cards[0].Token}, nil, 400, `[data-testid="error-message"]`},
		{"key missing", cashier, "/counter/find?q=" + cards[0].Token, `[data-testid="activate-form"]`, nil, []string{"key"}, 400, `[data-testid="error-message"]`},
		{"another shop's printed card", cashier, "/counter/find?q=" + cards[0].Token, `[data-testid="activate-form"]`, map[string]string{"token": foreign[0].Token}, nil, 404, `[data-testid="error-message"]`},
		{"without CSRF token", cashier, "/counter/find?q=" + cards[0].Token, `[data-testid="activate-form"]`, nil, []string{"_csrf"}, 403, `[data-testid="error-message"]`},
	})

	res := cashier.submit(offer, `[data-testid="activate-form"]`, map[string]string{"first_name": "Ayla"})
	if res.status != http.StatusSeeOther || !strings.HasSuffix(res.location, "?activated=1") {
		t.Fatalf("activate: %d %q\n%s", res.status, res.location, snippet(res.body))
	}
	card := cashier.get(res.location)
	if got := card.doc.Find(`[data-testid="result"]`).AttrOr("data-result", ""); got != "activated" {
		t.Errorf("result %q, want activated", got)
	}
	if got := text(card, `[data-testid="card-name"]`); got != "Ayla" {
		t.Errorf("card name %q", got)
	}
	if got := text(card, `[data-testid="stamp-count"]`); got != "2 of 10" {
		t.Errorf("welcome stamps: %q, want 2 of 10", got)
	}
	cardsBefore := e.count(`SELECT count(*) FROM cards`)

	// Double tap: the same form again shows the card made the first time.
	if again := cashier.submit(offer, `[data-testid="activate-form"]`, map[string]string{"first_name": "Ayla"}); again.status != http.StatusConflict || text(again, `[data-testid="result"]`) == "" {
		t.Errorf("replayed activation: %d\n%s", again.status, snippet(again.body))
	}
	// Another cashier's screen, loaded before: refused, the card is in use.
	second := cashier.get("/counter/find?q=" + cards[1].Token)
	_, v := formValues(t, second, `[data-testid="activate-form"]`)
	v.Set("token", cards[0].Token)
	if taken := cashier.postRaw("/counter/activate", v); taken.status != http.StatusConflict || !strings.Contains(text(taken, `[data-testid="lookup-message"]`), "already active") {
		t.Errorf("second activation: %d %q", taken.status, text(taken, `[data-testid="lookup-message"]`))
	}
	if n := e.count(`SELECT count(*) FROM cards`); n != cardsBefore {
		t.Errorf("%d cards after the second activation, want %d", n, cardsBefore)
	}
	// Now a scan of the printed card opens the customer's card.
	if found := cashier.get("/counter/find?q=" + cards[0].Token); found.status != http.StatusSeeOther || found.location != strings.TrimSuffix(res.location, "?activated=1") {
		t.Errorf("scan after activation: %d %q", found.status, found.location)
	}
	if page := e.client().get("/c/" + cards[0].Token); page.status != http.StatusOK || text(page, `[data-testid="stamp-count"]`) != "2 of 10" {
		t.Errorf("activated card's page: %d %q", page.status, text(page, `[data-testid="stamp-count"]`))
	}
}

func TestReplaceLostCard(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	other := e.signup("Other", "other@example.com")
	cardPath := cashier.enroll("Ayla")
	oldToken := cardToken(t, e, 1, cardPath)
	if res := cashier.submit(cashier.get(cardPath), `[data-testid="stamp-1"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("stamp: %d", res.status)
	}
	cards := printSheet(t, e, owner, 1)
	foreign := printSheet(t, e, other, 2)
	otherCard := other.enroll("Bora")
	used := cashier.submit(cashier.get("/counter/find?q="+cards[9].Token), `[data-testid="activate-form"]`, nil)
	if used.status != http.StatusSeeOther {
		t.Fatalf("activate: %d", used.status)
	}

	checkBadForms(t, e, []badForm{
		{"code missing", cashier, cardPath, `[data-testid="replace-printed"]`, map[string]string{"code": ""}, nil, 422, `[data-testid="result"]`},
		{"code malformed", cashier, cardPath, `[data-testid="replace-printed"]`, map[string]string{"code": "not a card"}, nil, 422, `[data-testid="result"]`},
		{"code oversized", cashier, cardPath, `[data-testid="replace-printed"]`, map[string]string{"code": strings.Repeat("A", 201)}, nil, 422, `[data-testid="result"]`},
		{"code of no printed card", cashier, cardPath, `[data-testid="replace-printed"]`, map[string]string{"code": "2345-6789"}, nil, 422, `[data-testid="result"]`},
		{"another shop's printed card", cashier, cardPath, `[data-testid="replace-printed"]`, map[string]string{"code": e.srv.URL + "/c/" + foreign[0].Token}, nil, 422, `[data-testid="result"]`},
		{"another shop's printed short code", cashier, cardPath, `[data-testid="replace-printed"]`, map[string]string{"code": foreign[0].ShortCode}, nil, 422, `[data-testid="result"]`},
		{"printed card in use", cashier, cardPath, `[data-testid="replace-printed"]`, map[string]string{"code": cards[9].ShortCode}, nil, 409, `[data-testid="result"]`},
		{"from missing", cashier, cardPath, `[data-testid="replace-printed"]`, map[string]string{"code": cards[0].ShortCode}, []string{"from"}, 400, `[data-testid="error-message"]`},
		{"from of another card", cashier, cardPath, `[data-testid="replace-digital"]`, map[string]string{"from": cards[9].Token}, nil, 404, `[data-testid="error-message"]`},
		{"another shop's card", cashier, cardPath, `[data-testid="replace-digital"]`, map[string]string{"_action": otherCard + "/replace"}, nil, 404, `[data-testid="error-message"]`},
		{"malformed card id", cashier, cardPath, `[data-testid="replace-digital"]`, map[string]string{"_action": "/counter/cards/x/replace"}, nil, 404, `[data-testid="error-message"]`},
		{"without CSRF token", cashier, cardPath, `[data-testid="replace-printed"]`, map[string]string{"code": cards[0].ShortCode}, []string{"_csrf"}, 403, `[data-testid="error-message"]`},
	})

	page := cashier.get(cardPath)
	res := cashier.submit(page, `[data-testid="replace-printed"]`, map[string]string{"code": loyalty.FormatShortCode(cards[0].ShortCode)})
	if res.status != http.StatusSeeOther || res.location != cardPath+"?replaced=printed" {
		t.Fatalf("replace: %d %q\n%s", res.status, res.location, snippet(res.body))
	}
	after := cashier.get(res.location)
	if got := after.doc.Find(`[data-testid="result"]`).AttrOr("data-result", ""); got != "replaced" {
		t.Errorf("result %q, want replaced", got)
	}
	if got := text(after, `[data-testid="stamp-count"]`); got != "1 of 10" {
		t.Errorf("balance after replacement %q, want 1 of 10", got)
	}
	if got := text(after, `[data-testid="short-code"]`); got != loyalty.FormatShortCode(cards[0].ShortCode) {
		t.Errorf("short code after replacement %q", got)
	}
	// The same form again changes nothing.
	before := e.snapshot()
	if again := cashier.submit(page, `[data-testid="replace-printed"]`, map[string]string{"code": cards[1].ShortCode}); again.status != http.StatusConflict || text(again, `[data-testid="result"]`) == "" {
		t.Errorf("replayed replacement: %d\n%s", again.status, snippet(again.body))
	}
	if e.snapshot() != before {
		t.Error("replayed replacement changed the database")
	}

	// The lost card's URL and a scan of it say it was replaced.
	lost := e.client().get("/c/" + oldToken)
	if lost.status != http.StatusGone || !strings.Contains(text(lost, `[data-testid="card-replaced"]`), "replaced") {
		t.Errorf("lost card's page: %d\n%s", lost.status, snippet(lost.body))
	}
	scan := cashier.get("/counter/find?q=" + url.QueryEscape(e.srv.URL+"/c/"+oldToken))
	if scan.status != http.StatusGone || !strings.Contains(text(scan, `[data-testid="lookup-message"]`), "replaced") {
		t.Errorf("lost card at the counter: %d %q", scan.status, text(scan, `[data-testid="lookup-message"]`))
	}
	// Another shop's counter does not learn of it.
	if res := other.get("/counter/find?q=" + oldToken); res.status != http.StatusNotFound {
		t.Errorf("another shop's counter on the retired token: %d, want 404", res.status)
	}
	if res := e.client().get("/c/" + cards[0].Token); res.status != http.StatusOK || text(res, `[data-testid="stamp-count"]`) != "1 of 10" {
		t.Errorf("new card's page: %d %q", res.status, text(res, `[data-testid="stamp-count"]`))
	}

	// Lost again: a new digital card, shown large for the customer's phone.
	res = cashier.submit(cashier.get(cardPath), `[data-testid="replace-digital"]`, nil)
	if res.status != http.StatusSeeOther || res.location != cardPath+"?replaced=digital" {
		t.Fatalf("digital replacement: %d %q", res.status, res.location)
	}
	digital := cashier.get(res.location)
	if digital.doc.Find(`[data-testid="new-card-qr"] svg`).Length() != 1 {
		t.Error("no QR code of the new digital card")
	}
	if res := e.client().get("/c/" + cards[0].Token); res.status != http.StatusGone {
		t.Errorf("the replaced printed card's page: %d, want 410", res.status)
	}
	if res := cashier.get(cardPath + "?replaced=sideways"); res.status != http.StatusNotFound {
		t.Errorf("unknown replaced= value: %d", res.status)
	}
}

// TestPrintedCardsSpeakTheShopsLanguage: the cards are for the shop's
// customers, so they are printed in the shop's language, digits and
// direction, with its rule, whatever language the owner's screen is in.
func TestPrintedCardsSpeakTheShopsLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	if res := owner.submit(owner.get("/settings"), `form[action="/settings"]`, map[string]string{"language": "fa", "timezone": "Asia/Tehran", "currency": "IRR"}); res.status != http.StatusSeeOther {
		t.Fatalf("settings: %d\n%s", res.status, snippet(res.body))
	}
	owner.submit(owner.get("/dashboard"), `form.lang-switch`, map[string]string{"lang": "en"})
	res := owner.submit(owner.get("/cards/print"), `[data-testid="print-form"]`, map[string]string{"sheets": "1"})
	sheet := owner.get(res.location)
	if lang := sheet.doc.Find("html").AttrOr("lang", ""); lang != "en" {
		t.Fatalf("the sheet's page is in %q, want the owner's English", lang)
	}
	card := sheet.doc.Find(`[data-testid="printed-card"]`).First()
	if lang, dir := card.AttrOr("lang", ""), card.AttrOr("dir", ""); lang != "fa" || dir != "rtl" {
		t.Errorf("a printed card is lang=%q dir=%q, want the shop's fa, rtl", lang, dir)
	}
	if got := card.Text(); !strings.Contains(got, "کارت وفاداری شما") || strings.Contains(got, "Your loyalty card") {
		t.Errorf("a printed card says %q, want the shop's Persian", got)
	}
	// The default program's rule, "10 stamps → 1 free item", in Persian digits.
	if got := strings.TrimSpace(card.Find(`[data-testid="printed-rule"]`).Text()); !strings.HasPrefix(got, "۱۰ مهر") {
		t.Errorf("a printed card's rule is %q, want the default program's in Persian digits", got)
	}
}

// TestPosterSpeaksTheShopsLanguage: the join poster is for the shop's
// customers: its words are in the shop's language whatever the screen
// printing it is in, while the tools around it stay in the printer's.
func TestPosterSpeaksTheShopsLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	if res := owner.submit(owner.get("/settings"), `form[action="/settings"]`, map[string]string{"language": "tr", "timezone": "Europe/Istanbul", "currency": "TRY"}); res.status != http.StatusSeeOther {
		t.Fatalf("settings: %d", res.status)
	}
	owner.submit(owner.get("/dashboard"), `form.lang-switch`, map[string]string{"lang": "en"})
	page := owner.get("/poster")
	if lang := page.doc.Find("html").AttrOr("lang", ""); lang != "en" {
		t.Fatalf("the poster's page is in %q, want the owner's English", lang)
	}
	poster := page.doc.Find(`[data-testid="poster"]`)
	if lang := poster.AttrOr("lang", ""); lang != "tr" {
		t.Errorf("the poster is lang=%q, want the shop's tr", lang)
	}
	scan := strings.TrimSpace(poster.Find(`[data-testid="poster-scan"]`).Text())
	pitch := strings.TrimSpace(poster.Find(`[data-testid="poster-pitch"]`).Text())
	tr := locale.New("tr", nil, locale.LatinDigits)
	if scan != tr.T("PosterScan") || pitch != tr.T("PosterDefaultPitch") {
		t.Errorf("the poster says %q / %q, want the shop's Turkish", pitch, scan)
	}
}
