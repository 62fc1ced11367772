package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// newCoupon creates a campaign through the owner's form and returns its page path.
func newCoupon(t *testing.T, owner *client, fill map[string]string) string {
	t.Helper()
	res := owner.submit(owner.get("/coupons/new"), `[data-testid="coupon-form"]`, fill)
	if res.status != http.StatusSeeOther {
		t.Fatalf("create coupon %v: %d\n%s", fill, res.status, snippet(res.body))
	}
	return res.location
}

func couponTitles(r response) []string {
	var titles []string
	r.doc.Find(`[data-testid="coupon"]`).Each(func(_ int, s *goquery.Selection) {
		titles = append(titles, strings.TrimSpace(s.Find("h2, .big-text").First().Text()))
	})
	return titles
}

func TestCouponForAllCustomers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	cardPath := cashier.enroll("Ayla")
	token := cardToken(t, e, 1, cardPath)
	couponPath := newCoupon(t, owner, map[string]string{"title": "Spring treat", "value_kind": "percent", "value_number": "10", "audience": "all"})

	phone := e.client()
	card := phone.get("/c/" + token)
	if got := couponTitles(card); len(got) != 1 || got[0] != "Spring treat" {
		t.Fatalf("card page coupons %v", got)
	}
	if !strings.Contains(card.doc.Find(`[data-testid="coupon"]`).Text(), "10% off") {
		t.Errorf("coupon value not shown: %q", card.doc.Find(`[data-testid="coupon"]`).Text())
	}
	// A card enrolled after the campaign started gets it too.
	later := cardToken(t, e, 1, cashier.enroll("Late"))
	if got := couponTitles(e.client().get("/c/" + later)); len(got) != 1 {
		t.Errorf("a later card's coupons: %v", got)
	}
	page := cashier.get(cardPath)
	res := cashier.submit(page, `[data-testid="redeem-coupon"]`, nil)
	if res.status != http.StatusSeeOther {
		t.Fatalf("redeem coupon: %d\n%s", res.status, snippet(res.body))
	}
	page = cashier.get(res.location)
	if got := page.doc.Find(`[data-testid="result"]`).AttrOr("data-result", ""); got != "coupon" {
		t.Errorf("result %q", got)
	}
	if n := page.doc.Find(`[data-testid="redeem-coupon"]`).Length(); n != 0 {
		t.Errorf("a used coupon is still offered")
	}
	if got := couponTitles(phone.get("/c/" + token)); len(got) != 0 {
		t.Errorf("used coupon still on the card page: %v", got)
	}
	// Replaying the redemption form, or posting it with a new key, changes nothing.
	_, v := formValues(t, cashier.get(cardPath), `form[action$="/code"]`)
	v.Set("key", "another-key-0123456789")
	v.Del("code")
	v.Set("campaign", strings.TrimPrefix(couponPath, "/coupons/"))
	if res := cashier.postRaw(cardPath+"/coupon", v); res.status != http.StatusConflict || !strings.Contains(text(res, `[data-testid="result"]`), "already used") {
		t.Errorf("second use: %d %q", res.status, text(res, `[data-testid="result"]`))
	}
	stats := owner.get(couponPath)
	for id, want := range map[string]string{"coupon-issued": "2", "coupon-viewed": "2", "coupon-redeemed": "1", "coupon-rate": "50%"} {
		if got := text(stats, `[data-testid="`+id+`"] .tile-value`); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if n := stats.doc.Find(`[data-testid="by-day"] tbody tr`).Length(); n != 1 {
		t.Errorf("redemptions by day: %d rows", n)
	}
	// Undo gives the coupon back.
	page = cashier.get(cardPath)
	if res := cashier.submit(page, `[data-testid="undo"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("undo coupon: %d", res.status)
	}
	if n := cashier.get(cardPath).doc.Find(`[data-testid="redeem-coupon"]`).Length(); n != 1 {
		t.Errorf("undone coupon not offered again")
	}
}

func TestCouponForSegmentAndLateJoiner(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	regular := owner.enroll("Regular")
	once := owner.enroll("Once")
	visit := func(path string) {
		page := owner.get(path)
		if res := owner.submit(page, `[data-testid="stamp-1"]`, nil); res.status != http.StatusSeeOther {
			t.Fatalf("stamp: %d", res.status)
		}
	}
	for range 3 {
		visit(regular)
		e.clock.Advance(24 * time.Hour)
	}
	visit(once)
	// In a shop this small the frequent visitor is its top decile: a VIP.
	newCoupon(t, owner, map[string]string{"title": "For VIPs", "value_kind": "item", "value_text": "a free cookie", "audience": "segment", "segment": "vip"})
	if got := couponTitles(owner.get(regular)); len(got) != 1 || !strings.Contains(got[0], "For VIPs") {
		t.Errorf("VIP's coupons %v", got)
	}
	if got := couponTitles(owner.get(once)); len(got) != 0 {
		t.Errorf("one-time visitor's coupons %v", got)
	}
	// The one-time visitor comes twice more and catches up: the coupon follows.
	e.clock.Advance(24 * time.Hour)
	visit(once)
	e.clock.Advance(24 * time.Hour)
	visit(once)
	if got := couponTitles(owner.get(once)); len(got) != 1 {
		t.Errorf("late VIP's coupons %v", got)
	}
}

func TestCouponCodeAndLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	a := owner.enroll("A")
	b := owner.enroll("B")
	couponPath := newCoupon(t, owner, map[string]string{"title": "Welcome", "value_kind": "amount", "value_number": "2,50", "audience": "code", "code": "welcome10", "total_limit": "1"})
	if !strings.Contains(owner.get(couponPath).body, "2.50 EUR off") {
		t.Error("amount not shown as 2.50 EUR off")
	}
	useCode := func(path, code string) response {
		return owner.submit(owner.get(path), `form[action$="/code"]`, map[string]string{"code": code})
	}
	if res := useCode(a, "nope-code"); res.status != http.StatusConflict || !strings.Contains(text(res, `[data-testid="result"]`), "no coupon") {
		t.Errorf("unknown code: %d %q", res.status, text(res, `[data-testid="result"]`))
	}
	if res := useCode(a, " Welcome10 "); res.status != http.StatusSeeOther {
		t.Fatalf("code: %d\n%s", res.status, snippet(res.body))
	}
	if res := useCode(b, "WELCOME10"); res.status != http.StatusConflict || !strings.Contains(text(res, `[data-testid="result"]`), "used up") {
		t.Errorf("beyond the total limit: %d %q", res.status, text(res, `[data-testid="result"]`))
	}
	// Pausing and ending.
	other := newCoupon(t, owner, map[string]string{"title": "Later", "value_kind": "text", "value_text": "A surprise", "audience": "code", "code": "LATER"})
	if res := owner.submit(owner.get(other), `form[action$="/pause"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("pause: %d", res.status)
	}
	if res := useCode(b, "LATER"); res.status != http.StatusConflict || !strings.Contains(text(res, `[data-testid="result"]`), "paused") {
		t.Errorf("paused: %d %q", res.status, text(res, `[data-testid="result"]`))
	}
	owner.submit(owner.get(other), `form[action$="/resume"]`, nil)
	owner.submit(owner.get(other), `form[action$="/end"]`, nil)
	if res := useCode(b, "LATER"); res.status != http.StatusConflict || !strings.Contains(text(res, `[data-testid="result"]`), "ended") {
		t.Errorf("ended: %d %q", res.status, text(res, `[data-testid="result"]`))
	}
	// Expired.
	newCoupon(t, owner, map[string]string{"title": "Short", "value_kind": "percent", "value_number": "5", "audience": "code", "code": "SHORT",
		"valid_from": "2026-03-02", "valid_until": "2026-03-02"})
	e.clock.Advance(48 * time.Hour)
	if res := useCode(b, "SHORT"); res.status != http.StatusConflict || !strings.Contains(text(res, `[data-testid="result"]`), "expired") {
		t.Errorf("expired: %d %q", res.status, text(res, `[data-testid="result"]`))
	}
}

// TestChosenCustomers: a coupon for chosen cards is theirs only. (The race for
// its last redemption is in race_test.go.)
func TestChosenCustomers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	var paths, codes []string
	for i := range 3 {
		p := owner.enroll("C" + string(rune('a'+i)))
		paths = append(paths, p)
		codes = append(codes, text(owner.get(p), `[data-testid="short-code"]`))
	}
	newCoupon(t, owner, map[string]string{"title": "Chosen", "value_kind": "percent", "value_number": "50", "audience": "chosen",
		"cards": strings.Join(codes, "\n")})
	for _, p := range paths {
		if got := couponTitles(owner.get(p)); len(got) != 1 || !strings.HasPrefix(got[0], "Chosen") {
			t.Errorf("chosen card %s: coupons %v", p, got)
		}
	}
	if res := owner.submit(owner.get(paths[0]), `[data-testid="redeem-coupon"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("chosen card redeems: %d\n%s", res.status, snippet(res.body))
	}
	// A card not chosen does not get it, even by posting the campaign id.
	stranger := owner.enroll("Stranger")
	_, v := formValues(t, owner.get(stranger), `form[action$="/code"]`)
	v.Set("campaign", "1")
	if res := owner.postRaw(stranger+"/coupon", v); res.status != http.StatusConflict || !strings.Contains(text(res, `[data-testid="result"]`), "not given") {
		t.Errorf("stranger: %d %q", res.status, text(res, `[data-testid="result"]`))
	}
}

func TestCouponBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	card := owner.enroll("A")
	newCoupon(t, owner, map[string]string{"title": "Taken", "value_kind": "text", "value_text": "x", "audience": "code", "code": "TAKEN"})
	other := e.signup("Other", "other@example.com")
	otherCoupon := newCoupon(t, other, map[string]string{"title": "Theirs", "value_kind": "percent", "value_number": "10", "audience": "code", "code": "THEIRS"})
	base := map[string]string{"title": "T", "value_kind": "percent", "value_number": "10", "audience": "all"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name string
		fill map[string]string
	}{
		{"missing title", with("title", "")},
		{"oversized title", with("title", strings.Repeat("t", 81))},
		{"percent zero", with("value_number", "0")},
		{"percent over 100", with("value_number", "101")},
		{"malformed amount", with("value_kind", "amount", "value_number", "2.5.0")},
		{"item without text", with("value_kind", "item", "value_text", "")},
		{"unknown kind", with("value_kind", "bitcoin")},
		{"malformed date", with("valid_from", "yesterday")},
		{"until before from", with("valid_from", "2026-05-02", "valid_until", "2026-05-01")},
		{"unknown audience", with("audience", "everyone")},
		{"unknown segment", with("audience", "segment", "segment", "whales")},
		{"malformed code", with("audience", "code", "code", "NO SPACES")},
		{"replayed code", with("audience", "code", "code", "taken")},
		{"chosen nobody", with("audience", "chosen", "cards", "")},
		{"chosen foreign card", with("audience", "chosen", "cards", "K7M2-Q9XD")},
		{"negative total limit", with("total_limit", "-1")},
		{"per-card limit zero", with("per_card_limit", "0")},
	}
	// One case at a time: each compares snapshots of the whole shared database,
	// which a sibling case's requests would change in between.
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot()
			res := owner.submit(owner.get("/coupons/new"), `[data-testid="coupon-form"]`, tt.fill)
			if res.status != http.StatusUnprocessableEntity || res.doc.Find(".field-error").Length() == 0 {
				t.Fatalf("status %d, field errors %d", res.status, res.doc.Find(".field-error").Length())
			}
			if after := e.snapshot(); after != before {
				t.Errorf("changed: %s → %s", before, after)
			}
		})
	}
	for path, want := range map[string]int{otherCoupon: 404, otherCoupon + "x": 404, "/coupons": 200} {
		if res := owner.get(path); res.status != want {
			t.Errorf("GET %s: %d, want %d", path, res.status, want)
		}
	}
	if res := cashier.get("/coupons"); res.status != http.StatusForbidden {
		t.Errorf("cashier sees coupons: %d", res.status)
	}
	_, v := formValues(t, owner.get("/coupons/1"), `form[action="/coupons/1/pause"]`)
	for _, path := range []string{otherCoupon + "/pause", "/coupons/1/explode"} {
		if res := owner.postRaw(path, v); res.status != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", path, res.status)
		}
	}
	_, v = formValues(t, owner.get(card), `form[action$="/code"]`)
	v.Set("campaign", strings.TrimPrefix(otherCoupon, "/coupons/"))
	if res := owner.postRaw(card+"/coupon", v); res.status != http.StatusConflict {
		t.Errorf("another shop's campaign: %d", res.status)
	}
	v.Set("code", "THEIRS")
	if res := owner.postRaw(card+"/code", v); res.status != http.StatusConflict || !strings.Contains(text(res, `[data-testid="result"]`), "no coupon") {
		t.Errorf("another shop's code: %d", res.status)
	}
}

// TestCouponValueAsTyped: an owner types the amount with its currency and
// either decimal separator, a percentage with its sign, on any keyboard.
func TestCouponValueAsTyped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	for _, tt := range []struct {
		kind, typed string
		want        int
	}{
		{"amount", "4,50 €", 450}, {"amount", "€4.50", 450}, {"amount", "12 TL", 1200}, {"amount", "۲٫۵۰ ₺", 250},
		{"amount", "1000000,00 lei", 100_000_000}, {"percent", "10%", 10}, {"percent", "۱۵٪", 15}, {"percent", "% 20", 20},
	} {
		title := "Coupon " + tt.typed
		newCoupon(t, owner, map[string]string{"title": title, "value_kind": tt.kind, "value_number": tt.typed, "audience": "all"})
		if got := e.count(`SELECT value_number FROM campaigns WHERE title = ?`, title); got != tt.want {
			t.Errorf("%s %q was kept as %d, want %d", tt.kind, tt.typed, got, tt.want)
		}
	}
}

// TestChosenCustomersTypedBadly: a code that names no card of the shop is
// shown with its line, nothing is created, and the typed list is kept; a
// code listed twice counts once.
func TestChosenCustomersTypedBadly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	mine := text(owner.get(owner.enroll("Ayla")), `[data-testid="short-code"]`)
	other := e.signup("Other", "other@example.com")
	theirs := text(other.get(other.enroll("Zed")), `[data-testid="short-code"]`)
	for _, tt := range []struct{ cards, want string }{
		{mine + "\nK7M2-Q9XZ", "Line 2: “K7M2-Q9XZ”"},
		{mine + ", " + theirs, "Line 1: “" + theirs + "”"},
		{mine + "\n\nnot a code", "Line 3: “not”"},
		{strings.Repeat(strings.ReplaceAll(mine, "-", "")+",", 501), "List between 1 and 500"},
	} {
		res := owner.submit(owner.get("/coupons/new"), `[data-testid="coupon-form"]`, map[string]string{
			"title": "Chosen", "value_kind": "percent", "value_number": "50", "audience": "chosen", "cards": tt.cards})
		if got := text(res, `[data-testid="cards-error"]`); res.status != http.StatusUnprocessableEntity || !strings.HasPrefix(got, tt.want) {
			t.Errorf("cards %.40q: %d %q, want 422 %q", tt.cards, res.status, got, tt.want)
		}
		if got := res.doc.Find(`#f-cards`).Text(); got != tt.cards {
			t.Errorf("the typed list came back as %.40q", got)
		}
	}
	if n := e.count(`SELECT count(*) FROM campaigns`); n != 0 {
		t.Fatalf("%d campaigns created from bad lists", n)
	}
	newCoupon(t, owner, map[string]string{"title": "Twice", "value_kind": "percent", "value_number": "50", "audience": "chosen", "cards": mine + "\n" + strings.ToLower(mine)})
	if n := e.count(`SELECT count(*) FROM coupons`); n != 1 {
		t.Errorf("a code listed twice issued %d coupons", n)
	}
}

// TestCouponReach: the coupon form says whom it goes to before Create, for
// the first choice and as the owner changes it (issue 16).
func TestCouponReach(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	regular := owner.enroll("Regular")
	for range 3 {
		if res := owner.submit(owner.get(regular), `[data-testid="stamp-1"]`, nil); res.status != http.StatusSeeOther {
			t.Fatalf("stamp: %d", res.status)
		}
		e.clock.Advance(24 * time.Hour)
	}
	mine := text(owner.get(regular), `[data-testid="short-code"]`)
	second := text(owner.get(owner.enroll("Second")), `[data-testid="short-code"]`)
	owner.enroll("Third")
	other := e.signup("Other", "other@example.com")
	theirs := text(other.get(other.enroll("Zed")), `[data-testid="short-code"]`)
	cashier := e.addCashier(owner, "cashier@example.com")

	if got := text(owner.get("/coupons/new"), `[data-testid="coupon-reach"]`); got != "This goes to 3 customers." {
		t.Errorf("the form's first count %q", got)
	}
	reach := func(who *client, q url.Values) response { return who.get("/coupons/audience?" + q.Encode()) }
	for _, tt := range []struct {
		name   string
		query  url.Values
		status int
		want   string
	}{
		{"everyone", url.Values{"audience": {"all"}}, 200, "This goes to 3 customers."},
		{"a segment", url.Values{"audience": {"segment"}, "segment": {"vip"}}, 200, "This goes to 1 customer."},
		{"an empty segment", url.Values{"audience": {"segment"}, "segment": {"lapsed"}}, 200, "This goes to 0 customers."},
		{"chosen", url.Values{"audience": {"chosen"}, "cards": {mine + "\n" + strings.ToLower(second) + "\n" + mine}}, 200, "This goes to 2 customers."},
		{"chosen, none yet", url.Values{"audience": {"chosen"}, "cards": {" \n"}}, 200, "Type or tick"},
		{"another shop's card", url.Values{"audience": {"chosen"}, "cards": {mine + "\n" + theirs}}, 200, "Line 2: “" + theirs + "”"},
		{"a code", url.Values{"audience": {"code"}}, 200, "anyone who says the code"},
		{"no audience: the form's first choice", url.Values{}, 200, "This goes to 3 customers."},
		{"an unknown audience", url.Values{"audience": {"everyone"}}, 400, ""},
		{"an unknown segment", url.Values{"audience": {"segment"}, "segment": {"<b>"}}, 400, ""},
		{"too many codes", url.Values{"audience": {"chosen"}, "cards": {strings.Repeat(mine+"\n", 600)}}, 400, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := reach(owner, tt.query)
			if res.status != tt.status || !strings.Contains(res.body, tt.want) {
				t.Fatalf("%d %q, want %d %q", res.status, res.body, tt.status, tt.want)
			}
			if tt.status == 200 && !strings.HasPrefix(res.header.Get("Content-Type"), "text/plain") {
				t.Errorf("content type %q", res.header.Get("Content-Type"))
			}
		})
	}
	if res := reach(cashier, url.Values{"audience": {"all"}}); res.status != http.StatusForbidden {
		t.Errorf("a cashier counts the audience: %d", res.status)
	}
	if res := reach(e.client(), url.Values{"audience": {"all"}}); res.status != http.StatusSeeOther || strings.Contains(res.body, "customers") {
		t.Errorf("signed out: %d %q", res.status, res.body)
	}
	// The other shop counts its own customers only.
	if res := reach(other, url.Values{"audience": {"all"}}); res.body != "This goes to 1 customer." {
		t.Errorf("the other shop: %q", res.body)
	}
}

// TestCouponToChosenFromList: customers ticked on the customer list open the
// coupon form with their cards as the audience, and the campaign's page lists
// who got it (issue 16).
func TestCouponToChosenFromList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	for _, name := range []string{"Ayla", "Bora", "Cem"} {
		owner.enroll(name)
	}
	list := owner.get("/customers")
	send := list.doc.Find(`form[data-testid="coupon-chosen"]`)
	if action, _ := send.Attr("action"); action != "/coupons/new" || send.AttrOr("method", "") != "get" {
		t.Fatalf("send form: %q", action)
	}
	chosen := url.Values{}
	names := map[string]string{}
	list.doc.Find(`[data-testid="customer-row"]`).Each(func(_ int, row *goquery.Selection) {
		box := row.Find(`input[type="checkbox"][form="coupon-chosen"]`)
		name := row.Find("a").First().Text()
		if box.AttrOr("name", "") != "card" || box.AttrOr("aria-label", "") == "" {
			t.Errorf("row %s: no checkbox for the send form", name)
		}
		if name != "Bora" {
			chosen.Add("card", box.AttrOr("value", ""))
			names[name] = box.AttrOr("value", "")
		}
	})
	if len(chosen["card"]) != 2 {
		t.Fatalf("chosen %v", chosen)
	}

	form := owner.get("/coupons/new?" + chosen.Encode())
	if got := form.doc.Find(`select[name="audience"] option[selected]`).AttrOr("value", ""); got != "chosen" {
		t.Errorf("audience %q, want chosen", got)
	}
	if got := form.doc.Find(`#f-cards`).Text(); got != strings.Join(chosen["card"], "\n") {
		t.Errorf("cards %q", got)
	}
	if got := text(form, `[data-testid="coupon-reach"]`); got != "This goes to 2 customers." {
		t.Errorf("reach %q", got)
	}
	res := owner.submit(form, `[data-testid="coupon-form"]`, map[string]string{"title": "For two", "value_kind": "percent", "value_number": "20", "cards": form.doc.Find(`#f-cards`).Text()})
	if res.status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.status, snippet(res.body))
	}
	page := owner.get(res.location)
	if got := text(page, `[data-testid="recipients"] h2`); got != "Given to 2 customers" {
		t.Errorf("recipients heading %q", got)
	}
	got := map[string]string{}
	page.doc.Find(`[data-testid="recipient"]`).Each(func(_ int, row *goquery.Selection) {
		got[row.Find("a").Text()] = row.Find(".code").Text()
	})
	if fmt.Sprint(got) != fmt.Sprint(names) {
		t.Errorf("recipients %v, want %v", got, names)
	}
	if page.doc.Find(`[data-testid="recipients-more"]`).Length() != 0 {
		t.Error("says more are not listed")
	}
	// A campaign for everyone lists everyone; one for a code, nobody yet.
	page = owner.get(newCoupon(t, owner, map[string]string{"title": "All", "value_kind": "percent", "value_number": "5", "audience": "all"}))
	if n := page.doc.Find(`[data-testid="recipient"]`).Length(); n != 3 {
		t.Errorf("everyone: %d rows", n)
	}
	page = owner.get(newCoupon(t, owner, map[string]string{"title": "Code", "value_kind": "percent", "value_number": "5", "audience": "code", "code": "HELLO"}))
	if got := text(page, `[data-testid="recipients"] p`); !strings.Contains(got, "Nobody") {
		t.Errorf("a code campaign: %q", got)
	}
}
