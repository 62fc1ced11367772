package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"regulars/db"
	"regulars/loyalty"
)

// catalogueShop is a shop with a points program, a gift in its catalogue,
// and a customer whose card holds 500 points.
type catalogueShop struct {
	e               *env
	owner, cashier  *client
	customer        *client
	cardPath, token string
	giftID          string
	program         string
}

func newCatalogueShop(t *testing.T, e *env, name, email string, gift map[string]string) catalogueShop {
	t.Helper()
	s := catalogueShop{e: e, owner: e.signup(name, email)}
	s.program = newPointsProgram(t, e, s.owner, email)
	fields := map[string]string{"name": "Mug", "points": "300", "stock": "1", "per_customer": "1", "cost": "4.50"}
	for k, v := range gift {
		fields[k] = v
	}
	res := s.owner.submit(s.owner.get("/catalogue"), `[data-testid="gift-form"]`, fields)
	if res.status != http.StatusSeeOther {
		t.Fatalf("add gift: %d\n%s", res.status, snippet(res.body))
	}
	if err := e.raw.QueryRow(`SELECT g.id FROM gifts g JOIN users u ON u.shop_id = g.shop_id WHERE u.email = ? ORDER BY g.id DESC`, email).Scan(&s.giftID); err != nil {
		t.Fatal(err)
	}
	s.cashier = e.addCashier(s.owner, "till-"+email)
	s.cardPath = s.cashier.enroll("Ada")
	page := s.cashier.get(s.cardPath)
	if res := s.cashier.submit(page, `form[data-keypad]`, map[string]string{"amount": "500"}); res.status != http.StatusSeeOther {
		t.Fatalf("earn: %d\n%s", res.status, snippet(res.body))
	}
	if err := e.raw.QueryRow(`SELECT token FROM cards WHERE id = ?`, strings.TrimPrefix(s.cardPath, "/counter/cards/")).Scan(&s.token); err != nil {
		t.Fatal(err)
	}
	s.customer = e.client()
	return s
}

func (s catalogueShop) card() response { return s.customer.get("/c/" + s.token) }

// TestGiftJourney: the customer asks for a gift on the card page, the owner
// marks it ready, the cashier hands it over, and the card says so at each step.
func TestGiftJourney(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := newCatalogueShop(t, e, "Gift Bar", "giftbar@example.com", nil)
	page := s.card()
	if got := text(page, `[data-testid="card-gift"] [data-testid="gift-name"]`); got != "Mug" {
		t.Fatalf("the card offers %q, want Mug\n%s", got, snippet(page.body))
	}
	res := s.customer.submit(page, `[data-testid="gift-request"]`, nil)
	if res.status != http.StatusOK || text(res, `[data-testid="gift-requested"]`) == "" {
		t.Fatalf("request: %d\n%s", res.status, snippet(res.body))
	}
	if p := e.points(s.cardPath); p != 200 {
		t.Errorf("points after the 300-point gift: %d, want 200", p)
	}
	if got := text(res, `[data-testid="card-gift-state"]`); got != "Requested" {
		t.Errorf("card state %q, want Requested", got)
	}
	// The last one is gone and within the limit: no longer offered.
	if n := res.doc.Find(`[data-testid="card-gift"]`).Length(); n != 0 {
		t.Errorf("the card still offers %d gifts", n)
	}

	queue := s.owner.get("/catalogue/orders")
	if res := s.owner.submit(queue, `[data-testid="gift-move-ready"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("ready: %d\n%s", res.status, snippet(res.body))
	}
	if got := text(s.card(), `[data-testid="card-gift-state"]`); got != "Ready for pickup" {
		t.Errorf("card state %q, want Ready for pickup", got)
	}
	counter := s.cashier.get(s.cardPath)
	res = s.cashier.submit(counter, `[data-testid="counter-gift-handover"]`, nil)
	if res.status != http.StatusOK {
		t.Fatalf("hand over: %d\n%s", res.status, snippet(res.body))
	}
	if got := text(s.card(), `[data-testid="card-gift-state"]`); got != "Handed over" {
		t.Errorf("card state %q, want Handed over", got)
	}
	if got := text(s.owner.get("/catalogue/orders"), `[data-testid="gift-order-done"] [data-testid="gift-order-state"]`); got != "Handed over" {
		t.Errorf("the owner's queue says %q", got)
	}
	if got := text(s.owner.get("/dashboard"), `[data-testid="gifts-handed-out"]`); !strings.Contains(got, "4.50") {
		t.Errorf("dashboard's gifts line %q, want the cost 4.50", got)
	}
}

// TestGiftAtTheCounter: the cashier redeems a gift for points and money;
// a double tap spends once; cancelling returns points and stock.
func TestGiftAtTheCounter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := newCatalogueShop(t, e, "Counter Gifts", "countergifts@example.com", map[string]string{
		"points": "600", "partial_points": "150", "partial_money": "2,00", "stock": "3", "per_customer": "0"})
	page := s.cashier.get(s.cardPath)
	if page.doc.Find(`[data-testid="counter-gift-redeem"]`).Length() != 0 {
		t.Errorf("600 points offered to a card of 500")
	}
	action, values := formValues(t, page, `[data-testid="counter-gift-redeem-partial"]`)
	for range 2 {
		if res := s.cashier.postRaw(action, values); res.status != http.StatusOK {
			t.Fatalf("redeem: %d\n%s", res.status, snippet(res.body))
		}
	}
	if p := e.points(s.cardPath); p != 350 {
		t.Errorf("points after a double tap of 150 + 2.00: %d, want 350", p)
	}
	if n := e.count(`SELECT stock FROM gifts WHERE id = ?`, s.giftID); n != 2 {
		t.Errorf("stock %d, want 2", n)
	}
	if got := text(s.cashier.get(s.cardPath), `[data-testid="counter-gift-order"]`); !strings.Contains(got, "2.00") {
		t.Errorf("the counter does not ask for the money: %q", got)
	}
	queue := s.owner.get("/catalogue/orders")
	if res := s.owner.submit(queue, `[data-testid="gift-move-cancelled"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d\n%s", res.status, snippet(res.body))
	}
	if p := e.points(s.cardPath); p != 500 {
		t.Errorf("points after the cancel: %d, want 500", p)
	}
	if n := e.count(`SELECT stock FROM gifts WHERE id = ?`, s.giftID); n != 3 {
		t.Errorf("stock after the cancel %d, want 3", n)
	}
	if got := text(s.card(), `[data-testid="card-gift-state"]`); got != "Cancelled, points returned" {
		t.Errorf("card state %q", got)
	}
}

// TestGiftBadInput: the owner's form refuses what is missing, malformed,
// negative or huge with a 422 and writes nothing.
func TestGiftBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := newCatalogueShop(t, e, "Bad Gifts", "badgifts@example.com", nil)
	other := newCatalogueShop(t, e, "Other Gifts", "othergifts@example.com", nil)
	tests := []struct {
		name  string
		field map[string]string
	}{
		{"no name", map[string]string{"name": ""}},
		{"name too long", map[string]string{"name": strings.Repeat("m", 81)}},
		{"name with a newline", map[string]string{"name": "Mug\r\nX"}},
		{"no price", map[string]string{"points": ""}},
		{"negative price", map[string]string{"points": "-5"}},
		{"zero price", map[string]string{"points": "0"}},
		{"huge price", map[string]string{"points": "99999999999"}},
		{"price in exponent", map[string]string{"points": "1e20"}},
		{"negative stock", map[string]string{"stock": "-1"}},
		{"huge stock", map[string]string{"stock": "9999999999"}},
		{"words for stock", map[string]string{"stock": "many"}},
		{"negative limit", map[string]string{"per_customer": "-1"}},
		{"partial not below the price", map[string]string{"partial_points": "300", "partial_money": "2.00"}},
		{"partial without money", map[string]string{"partial_points": "100"}},
		{"money without points", map[string]string{"partial_money": "2.00"}},
		{"malformed money", map[string]string{"partial_points": "100", "partial_money": "2,3,4"}},
		{"huge money", map[string]string{"partial_points": "100", "partial_money": "1e20"}},
		{"negative cost", map[string]string{"cost": "-4"}},
		{"ends before it starts", map[string]string{"starts": "2026-05-10", "ends": "2026-05-01"}},
		{"a malformed day", map[string]string{"ends": "2026-13-45"}},
		{"another shop's program", map[string]string{"program": other.program}},
		{"no program", map[string]string{"program": "x"}},
	}
	form := s.owner.get("/catalogue")
	for _, tt := range tests {
		before := e.snapshot()
		fill := map[string]string{"name": "Tote", "points": "100", "key": fmt.Sprintf("bad-gift-key-%08d", len(tt.name))}
		for k, v := range tt.field {
			fill[k] = v
		}
		res := s.owner.submit(form, `[data-testid="gift-form"]`, fill)
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422\n%s", tt.name, res.status, snippet(res.body))
		}
		if after := e.snapshot(); after != before {
			t.Errorf("%s changed the database", tt.name)
		}
	}
	// The same form edits an item: its refusals are the same.
	edit := s.owner.get("/catalogue/" + s.giftID)
	if res := s.owner.submit(edit, `[data-testid="gift-form"]`, map[string]string{"points": "-1"}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("edit with a negative price: %d", res.status)
	}
	// A replayed add form adds one item.
	_, values := formValues(t, form, `[data-testid="gift-form"]`)
	values.Set("name", "Tote")
	values.Set("points", "100")
	for range 2 {
		if res := s.owner.postRaw("/catalogue", values); res.status != http.StatusSeeOther {
			t.Fatalf("add: %d\n%s", res.status, snippet(res.body))
		}
	}
	if n := e.count(`SELECT count(*) FROM gifts WHERE name = 'Tote'`); n != 1 {
		t.Errorf("a replayed form added %d items", n)
	}
	// A picture over the upload limit comes back with the reason.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range values {
		mw.WriteField(k, v[0])
	}
	w, _ := mw.CreateFormFile("image", "huge.png")
	w.Write(bytes.Repeat([]byte{0x89}, 13<<20))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/catalogue", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	before := e.snapshot()
	if res := s.owner.do(req); res.status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized picture: %d, want 413", res.status)
	}
	if e.snapshot() != before {
		t.Errorf("an oversized picture changed the database")
	}
}

// TestGiftOtherShopsAndForgedForms: another shop's item, redemption or card
// is not found; forged states, stale and tokenless forms change nothing.
func TestGiftOtherShopsAndForgedForms(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := newCatalogueShop(t, e, "Mine", "minegifts@example.com", nil)
	them := newCatalogueShop(t, e, "Theirs", "theirgifts@example.com", nil)
	res := s.customer.submit(s.card(), `[data-testid="gift-request"]`, nil)
	if res.status != http.StatusOK {
		t.Fatalf("request: %d", res.status)
	}
	var order string
	if err := e.raw.QueryRow(`SELECT id FROM gift_orders WHERE gift_id = ?`, s.giftID).Scan(&order); err != nil {
		t.Fatal(err)
	}
	themCard := them.cashier.get(them.cardPath)
	_, counterValues := formValues(t, themCard, `form[data-keypad]`)
	key := counterValues.Get("key")
	csrf := counterValues.Get("_csrf")
	ownerCSRF := func() string {
		_, v := formValues(t, them.owner.get("/catalogue"), `[data-testid="gift-form"]`)
		return v.Get("_csrf")
	}()
	tests := []struct {
		name   string
		c      *client
		path   string
		values url.Values
		want   int
	}{
		{"their owner edits my item", them.owner, "/catalogue/" + s.giftID, url.Values{"_csrf": {ownerCSRF}, "name": {"X"}, "points": {"1"}, "program": {them.program}}, http.StatusNotFound},
		{"their owner archives my item", them.owner, "/catalogue/" + s.giftID + "/archive", url.Values{"_csrf": {ownerCSRF}}, http.StatusNotFound},
		{"their owner moves my redemption", them.owner, "/catalogue/orders/" + order, url.Values{"_csrf": {ownerCSRF}, "from": {"requested"}, "to": {"cancelled"}}, http.StatusNotFound},
		{"their cashier redeems my item", them.cashier, them.cardPath + "/gifts", url.Values{"_csrf": {csrf}, "key": {key + "-x"}, "gift": {s.giftID}}, http.StatusNotFound},
		{"their cashier hands over my redemption", them.cashier, them.cardPath + "/gifts/" + order + "/handover", url.Values{"_csrf": {csrf}, "from": {"requested"}}, http.StatusNotFound},
		{"their customer asks for my item", them.customer, "/c/" + them.token + "/gifts/" + s.giftID, url.Values{"key": {"a-customer-key-0001"}}, http.StatusNotFound},
		{"a forged state", s.owner, "/catalogue/orders/" + order, nil, http.StatusBadRequest},
		{"a stale form", s.owner, "/catalogue/orders/" + order, nil, http.StatusConflict},
		{"no token", s.owner, "/catalogue/orders/" + order, url.Values{"from": {"requested"}, "to": {"cancelled"}}, http.StatusForbidden},
		{"no key", s.customer, "/c/" + s.token + "/gifts/" + s.giftID, url.Values{}, http.StatusBadRequest},
		{"a malformed id", s.customer, "/c/" + s.token + "/gifts/x1", url.Values{"key": {"a-customer-key-0002"}}, http.StatusNotFound},
		{"huge tracking", s.owner, "/catalogue/orders/" + order, nil, http.StatusUnprocessableEntity},
	}
	queue := s.owner.get("/catalogue/orders")
	_, mine := formValues(t, queue, `[data-testid="gift-move-ready"]`)
	for _, tt := range tests {
		v := tt.values
		switch tt.name {
		case "a forged state":
			v = url.Values{"_csrf": {mine.Get("_csrf")}, "from": {"requested"}, "to": {"teleported"}}
		case "a stale form":
			v = url.Values{"_csrf": {mine.Get("_csrf")}, "from": {"ready"}, "to": {"handed_over"}}
		case "huge tracking":
			v = url.Values{"_csrf": {mine.Get("_csrf")}, "from": {"requested"}, "to": {"shipped"}, "tracking": {strings.Repeat("9", 301)}}
		}
		if tt.c == s.customer || tt.c == them.customer {
			// The card page's forms carry the page's token.
			_, cv := formValues(t, tt.c.get("/c/"+map[bool]string{true: s.token, false: them.token}[tt.c == s.customer]), `form[action$="/consent"]`)
			v.Set("_csrf", cv.Get("_csrf"))
		}
		before := e.snapshot()
		if res := tt.c.postRaw(tt.path, v); res.status != tt.want {
			t.Errorf("%s: %d, want %d\n%s", tt.name, res.status, tt.want, snippet(res.body))
		}
		if e.snapshot() != before {
			t.Errorf("%s changed the database", tt.name)
		}
	}
	// A replayed request from the card page spends once.
	s2 := newCatalogueShop(t, e, "Replays", "replaygifts@example.com", map[string]string{"stock": "", "per_customer": "0", "points": "100"})
	page := s2.card()
	action, values := formValues(t, page, `[data-testid="gift-request"]`)
	for range 3 {
		if res := s2.customer.postRaw(action, values); res.status != http.StatusOK && res.status != http.StatusSeeOther {
			t.Fatalf("request: %d", res.status)
		}
	}
	if p := e.points(s2.cardPath); p != 400 {
		t.Errorf("three posts of one form left %d points, want 400", p)
	}
}

// seedGift gives the security suite's shop a points program, a gift with a
// picture and a redemption of it, on a card other than the one whose stamps
// the suite undoes.
func seedGift(t *testing.T, e *env, shopID, ownerID int64, now time.Time, name string) {
	t.Helper()
	ctx := context.Background()
	programID, err := e.store.SaveProgram(ctx, db.Program{ShopID: shopID, Name: "Beans", RewardText: "beans", Kind: db.ProgramPoints,
		PointsPerUnit: 1, PointsRounding: loyalty.RoundDown, RewardPoints: 100, MaxPerVisit: 1000}, ownerID, now)
	if err != nil {
		t.Fatal(err)
	}
	giftID, err := e.store.CreateGift(ctx, shopID, db.GiftInput{ProgramID: programID, Name: "Mug", Points: 10, Image: pngOf(8, 8),
		Limited: true, Stock: 5, Key: "seed-gift-" + name}, now)
	if err != nil {
		t.Fatal(err)
	}
	cardID := int64(e.count(`SELECT id FROM cards WHERE shop_id = ?1 AND erased_at IS NULL AND id != coalesce((SELECT card_id FROM events
		WHERE shop_id = ?1 AND kind = 'stamp' ORDER BY id DESC LIMIT 1), 0) ORDER BY id LIMIT 1`, shopID))
	a := db.Action{ShopID: shopID, CardID: cardID, ProgramID: programID, UserID: ownerID, Key: "seed-points-" + name, Now: now}
	if _, err := e.store.AdjustPoints(ctx, a, 100, "seed"); err != nil {
		t.Fatal(err)
	}
	a.Key = "seed-redeem-" + name
	if _, err := e.store.RedeemGift(ctx, a, giftID, false, db.GiftFromCounter); err != nil {
		t.Fatal(err)
	}
}

// TestGiftPicture: an item's picture goes through the news pictures' path
// (re-encoded as JPEG) and is served to the card page; edit can remove it.
func TestGiftPicture(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := newCatalogueShop(t, e, "Pictures", "picturegifts@example.com", nil)
	_, values := formValues(t, s.owner.get("/catalogue"), `[data-testid="gift-form"]`)
	values.Set("name", "Tote")
	values.Set("points", "100")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range values {
		mw.WriteField(k, v[0])
	}
	w, _ := mw.CreateFormFile("image", "tote.png")
	w.Write(pngOf(40, 30))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/catalogue", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if res := s.owner.do(req); res.status != http.StatusSeeOther {
		t.Fatalf("add with a picture: %d\n%s", res.status, snippet(res.body))
	}
	src, ok := s.card().doc.Find(`[data-testid="card-gift"]:contains("Tote") img`).Attr("src")
	if !ok {
		t.Fatal("the card shows no picture of the gift")
	}
	res := s.customer.get(src)
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("the picture: %d %s", res.status, res.header.Get("Content-Type"))
	}
	var id string
	e.raw.QueryRow(`SELECT id FROM gifts WHERE name = 'Tote'`).Scan(&id)
	edit := s.owner.get("/catalogue/" + id)
	if res := s.owner.submit(edit, `[data-testid="gift-form"]`, map[string]string{"remove_image": "1"}); res.status != http.StatusSeeOther {
		t.Fatalf("remove the picture: %d\n%s", res.status, snippet(res.body))
	}
	if res := s.customer.get(src); res.status != http.StatusNotFound {
		t.Errorf("a removed picture: %d, want 404", res.status)
	}
}
