package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"regulars/db"
	"regulars/handlers"
	"regulars/outbox"
)

// withEmail is a server with a mail server configured.
func withEmail(cfg *handlers.Config) { cfg.EmailFrom = "cards@example.com" }

// TestAutomationsEmailOff: without a mail server the page says e-mail is
// off and how to turn it on, and refuses to turn on a message only e-mail
// carries; "reward ready" turns on all the same, for the phones that asked
// for notifications (web push needs no mail server).
func TestAutomationsEmailOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	page := owner.get("/automations/we_miss_you")
	if page.status != http.StatusOK {
		t.Fatalf("GET /automations/we_miss_you: %d", page.status)
	}
	if got := text(page, `[data-testid="email-off"]`); !strings.Contains(got, "-smtp-url") || !strings.Contains(got, "REGULARS_SMTP_URL") {
		t.Errorf("the page says %q: not that e-mail is off and how to turn it on", got)
	}
	before := e.snapshot()
	res := owner.submit(page, `[data-testid="automation-form"]`, map[string]string{"enabled": "1", "action": "save"})
	if res.status != http.StatusUnprocessableEntity || text(res, `#e-enabled`) == "" {
		t.Errorf("turning it on without e-mail: %d %q", res.status, text(res, `#e-enabled`))
	}
	if e.snapshot() != before {
		t.Error("the refused form changed the database")
	}
	page = owner.get("/automations/reward_ready")
	if res := owner.submit(page, `[data-testid="automation-form"]`, map[string]string{"enabled": "1", "action": "save"}); res.status != http.StatusSeeOther {
		t.Fatalf("turning reward ready on for push: %d\n%s", res.status, snippet(res.body))
	}
	if n := e.count(`SELECT count(*) FROM automations WHERE kind = 'reward_ready' AND enabled`); n != 1 {
		t.Errorf("%d automations on", n)
	}
}

// TestAutomationsSaveAndPreview: the owner turns "reward ready" on with a
// text of their own; the preview shows a typed text without saving it; a
// text left as the catalogue's is not stored.
func TestAutomationsSaveAndPreview(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, withEmail)
	owner := e.signup("Shop", "owner@example.com")
	page := owner.get("/automations/reward_ready")
	if got := text(page, `[data-testid="email-on"]`); !strings.Contains(got, "cards@example.com") {
		t.Errorf("e-mail on says %q", got)
	}
	fill := map[string]string{"enabled": "1", "subject_en": "{name}, a treat at {shop}", "body_en": "Come and get {reward}!", "action": "preview"}
	before := e.snapshot()
	res := owner.submit(page, `[data-testid="automation-form"]`, fill)
	if res.status != http.StatusOK {
		t.Fatalf("preview: %d", res.status)
	}
	if got := text(res, `[data-testid="preview-subject"]`); got != "Alex, a treat at Shop" {
		t.Errorf("preview subject %q", got)
	}
	if got := text(res, `.mail-para`); !strings.Contains(got, "Come and get") || strings.Contains(got, "{reward}") {
		t.Errorf("preview body %q", got)
	}
	if e.snapshot() != before {
		t.Error("the preview saved something")
	}
	fill["action"] = "save"
	if res := owner.submit(page, `[data-testid="automation-form"]`, fill); res.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.status, snippet(res.body))
	}
	if n := e.count(`SELECT count(*) FROM automations WHERE kind = 'reward_ready' AND enabled`); n != 1 {
		t.Errorf("%d automations on", n)
	}
	if n := e.count(`SELECT count(*) FROM automation_texts WHERE language = 'en' AND subject = '{name}, a treat at {shop}'`); n != 1 {
		t.Errorf("the owner's English text was not kept")
	}
	if n := e.count(`SELECT count(*) FROM automation_texts WHERE language != 'en'`); n != 0 {
		t.Errorf("%d texts kept that were the catalogue's", n)
	}
	page = owner.get("/automations/reward_ready?saved=1")
	if _, v := formValues(t, page, `[data-testid="automation-form"]`); v.Get("enabled") != "1" || v.Get("subject_en") != "{name}, a treat at {shop}" {
		t.Errorf("the form shows %v", v)
	}
}

// joinWithEmail makes a card by the shop's join form with an address and
// the service consent, and returns its token.
func joinWithEmail(t *testing.T, e *env, slug, email string, service bool) string {
	t.Helper()
	c := e.client()
	fill := map[string]string{"first_name": "Ayla", "email": email}
	if service {
		fill["email_service"] = "1"
	}
	res := c.submit(c.get("/join/"+slug), `[data-testid="join-form"]`, fill)
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/c/") {
		t.Fatalf("join: %d %q\n%s", res.status, res.location, snippet(res.body))
	}
	return strings.TrimPrefix(res.location, "/c/")
}

// TestJoinAsksForEmailConsent: the join form records the service consent
// with its source; ticked without an address, it records nothing (joining
// needs nothing).
func TestJoinAsksForEmailConsent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signup("Shop", "owner@example.com")
	joinWithEmail(t, e, "shop", "ayla@example.com", true)
	if n := e.count(`SELECT count(*) FROM consents WHERE channel = 'email' AND purpose = 'service' AND granted AND source = 'join'`); n != 1 {
		t.Errorf("%d service consents from the join form", n)
	}
	joinWithEmail(t, e, "shop", "", true)
	if n := e.count(`SELECT count(*) FROM consents WHERE purpose = 'service'`); n != 1 {
		t.Errorf("%d service consents, want none for the card without an address", n-1)
	}
}

// TestCounterTakesEmailConsent: the cashier enrolls a customer with their
// address and their yes to the reward's e-mail, recorded as given at the
// counter; a malformed address is refused with the form kept.
func TestCounterTakesEmailConsent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	page := owner.get("/counter")
	res := owner.submit(page, `form[action="/counter/enroll"]`, map[string]string{"first_name": "Deniz", "email": "Deniz@Example.com", "email_service": "1"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("enroll: %d\n%s", res.status, snippet(res.body))
	}
	if n := e.count(`SELECT count(*) FROM consents c JOIN cards k ON k.id = c.card_id
		WHERE k.email = 'deniz@example.com' AND c.purpose = 'service' AND c.granted AND c.source = 'counter'`); n != 1 {
		t.Errorf("%d service consents from the counter", n)
	}
	before := e.snapshot()
	res = owner.submit(owner.get("/counter"), `form[action="/counter/enroll"]`, map[string]string{"first_name": "Ece", "email": "not an address"})
	if res.status != http.StatusUnprocessableEntity || text(res, "#e-email") == "" {
		t.Errorf("a malformed address: %d %q", res.status, text(res, "#e-email"))
	}
	if e.snapshot() != before {
		t.Error("the refused enrolment changed the database")
	}
}

// TestCardPageChoices: the customer sees their choices on their card page
// and changes them; a card without an address takes one there; one with an
// address keeps it (whoever holds a link does not redirect the shop's mail).
func TestCardPageChoices(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	token := cardToken(t, e, 1, owner.enroll("Bora"))
	customer := e.client()
	page := customer.get("/c/" + token)
	if page.doc.Find(`[data-testid="consent-email-field"]`).Length() != 1 {
		t.Fatal("a card without an address is not offered a field for one")
	}
	// choose sends the form with the boxes ticked as given (formValues
	// would send every box).
	choose := func(page response, fill map[string]string) response {
		t.Helper()
		action, v := formValues(t, page, `[data-testid="consent-form"]`)
		v.Del("service")
		v.Del("marketing")
		for k, x := range fill {
			v.Set(k, x)
		}
		return customer.postRaw(action, v)
	}
	res := choose(page, map[string]string{"email": "bora@example.com", "service": "1"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("save choices: %d\n%s", res.status, snippet(res.body))
	}
	page = customer.get(res.location)
	if page.doc.Find(`[data-testid="consent-saved"]`).Length() != 1 || !page.doc.Find(`[data-testid="consent-service"]`).Is("[checked]") ||
		page.doc.Find(`[data-testid="consent-marketing"]`).Is("[checked]") {
		t.Errorf("the page after saving (%d, %s) does not show the choices saved:\n%s", page.status, res.location, snippet(page.doc.Find("#messages").Text()))
	}
	if got := text(page, `[data-testid="consent-email"]`); strings.Contains(got, "bora@example.com") || !strings.Contains(got, "@example.com") {
		t.Errorf("the address is shown as %q, want it masked", got)
	}
	if n := e.count(`SELECT count(*) FROM cards WHERE token = ? AND email = 'bora@example.com'`, token); n != 1 {
		t.Error("the address was not kept")
	}
	// Another address sent for a card that has one is not taken; the choices are.
	res = choose(page, map[string]string{"email": "thief@example.com", "marketing": "1"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("second save: %d", res.status)
	}
	if n := e.count(`SELECT count(*) FROM cards WHERE email = 'thief@example.com'`); n != 0 {
		t.Error("a card's address was replaced from its page")
	}
	want := "service 1 card|service 0 card|marketing 1 card"
	var got []string
	rows, _ := e.raw.Query(`SELECT purpose, granted, source FROM consents ORDER BY id`)
	for rows.Next() {
		var p, s string
		var g int
		rows.Scan(&p, &g, &s)
		got = append(got, p+" "+map[int]string{0: "0", 1: "1"}[g]+" "+s)
	}
	rows.Close()
	if strings.Join(got, "|") != want {
		t.Errorf("consent record %q, want %q", strings.Join(got, "|"), want)
	}
	// Ticking a box without any address is refused with the reason.
	token2 := cardToken(t, e, 1, owner.enroll("Cem"))
	res = choose(customer.get("/c/"+token2), map[string]string{"service": "1"})
	if res.status != http.StatusUnprocessableEntity || text(res, `[data-testid="consent-problem"]`) == "" {
		t.Errorf("consent without an address: %d %q", res.status, text(res, `[data-testid="consent-problem"]`))
	}
}

// TestUnsubscribeOneClick: the link of a message opens a page that changes
// nothing; a mail program's one-click POST (no cookie, no form token,
// RFC 8058) withdraws the consent, and the next reward queues nothing; a
// link with a wrong MAC is not found and changes nothing.
func TestUnsubscribeOneClick(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnvWith(t, withEmail)
	owner := e.signup("Shop", "owner@example.com")
	owner.submit(owner.get("/automations/reward_ready"), `[data-testid="automation-form"]`, map[string]string{"enabled": "1", "action": "save"})
	token := joinWithEmail(t, e, "shop", "ayla@example.com", true)
	card, err := e.store.CardByToken(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	stamp10 := func() {
		t.Helper()
		ps, _ := e.store.Programs(ctx, card.ShopID, false)
		for i := range 10 {
			e.clock.Advance(time.Hour)
			a := db.Action{ShopID: card.ShopID, CardID: card.ID, ProgramID: ps[0].ID, Key: "s" + e.clock.Now().Format(time.RFC3339) + string(rune('a'+i)), Now: e.clock.Now()}
			if _, err := e.store.Stamp(ctx, a, 1, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	stamp10()
	if n := e.count(`SELECT count(*) FROM outbox WHERE card_id = ? AND state = 'queued'`, card.ID); n != 1 {
		t.Fatalf("%d messages queued by the tenth stamp", n)
	}
	var id int64
	e.raw.QueryRow(`SELECT id FROM outbox`).Scan(&id)
	key, err := e.store.Secret(ctx, outbox.UnsubscribeKey, 32)
	if err != nil {
		t.Fatal(err)
	}
	path := outbox.UnsubscribePath(key, id)
	mailer := e.client() // a mail program: no cookies, no token
	before := e.snapshot()
	for _, bad := range []string{"/u/" + strconv.FormatInt(id, 10) + "/AAAAAAAAAAAAAAAAAAAAAA", "/u/" + strconv.FormatInt(id+1, 10) + "/" + outbox.UnsubscribeToken(key, id), "/u/x/" + outbox.UnsubscribeToken(key, id)} {
		if res := mailer.postRaw(bad, url.Values{"List-Unsubscribe": {"One-Click"}}); res.status != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", bad, res.status)
		}
		if res := mailer.get(bad); res.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", bad, res.status)
		}
	}
	page := mailer.get(path)
	if page.status != http.StatusOK || page.doc.Find(`[data-testid="unsubscribe"]`).Length() != 1 {
		t.Fatalf("GET the link: %d", page.status)
	}
	if e.snapshot() != before {
		t.Fatal("opening the link or a forged one changed the database")
	}
	res := mailer.postRaw(path, url.Values{"List-Unsubscribe": {"One-Click"}})
	if res.status != http.StatusOK || res.doc.Find(`[data-testid="unsubscribed"]`).Length() != 1 {
		t.Fatalf("one-click POST: %d\n%s", res.status, snippet(res.body))
	}
	if n := e.count(`SELECT count(*) FROM consents WHERE card_id = ? AND purpose = 'service' AND NOT granted AND source = 'unsubscribe'`, card.ID); n != 1 {
		t.Errorf("%d withdrawals recorded", n)
	}
	stamp10()
	if n := e.count(`SELECT count(*) FROM outbox WHERE card_id = ?`, card.ID); n != 1 {
		t.Errorf("%d messages after unsubscribing, want the first only", n)
	}
	// The page's own button works too, and again changes nothing more.
	if res := mailer.submit(mailer.get(path), `[data-testid="unsubscribe-form"]`, nil); res.status != http.StatusOK {
		t.Errorf("the page's button: %d", res.status)
	}
}
