package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// clubCardID is the card id of a counter page path.
func clubCardID(path string) int64 {
	var id int64
	fmt.Sscanf(path, "/counter/cards/%d", &id)
	return id
}

// createClub makes a club through the clubs page and returns its page path.
func createClub(t *testing.T, owner *client, name string, open bool) string {
	t.Helper()
	fill := map[string]string{"name": name, "description": "For regulars", "open": ""}
	if open {
		fill["open"] = "1"
	}
	res := owner.submit(owner.get("/clubs"), `[data-testid="club-form"]`, fill)
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/clubs/") {
		t.Fatalf("create club %q: %d %q\n%s", name, res.status, res.location, snippet(res.body))
	}
	return res.location
}

// TestClubFormsRefuseBadInput: the club form and the member forms refuse
// missing, malformed and oversized fields, another shop's club and card,
// and an archived club, each with a 4xx and nothing changed.
func TestClubFormsRefuseBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Cafe", "clubs-owner@example.com")
	other := e.signup("Rival", "clubs-rival@example.com")
	club := createClub(t, owner, "Coffee club", true)
	otherClub := createClub(t, other, "Rival club", true)
	otherCard, err := e.store.Card(context.Background(), 2, clubCardID(other.enroll("Eve")))
	if err != nil {
		t.Fatal(err)
	}
	card, err := e.store.Card(context.Background(), 1, clubCardID(owner.enroll("Ada")))
	if err != nil {
		t.Fatal(err)
	}
	_, base := formValues(t, owner.get("/clubs"), `[data-testid="club-form"]`)
	post := func(c *client, path string, fill map[string]string) response {
		t.Helper()
		v := url.Values{"_csrf": {base.Get("_csrf")}}
		if c != owner {
			_, ov := formValues(t, c.get("/clubs"), `[data-testid="club-form"]`)
			v.Set("_csrf", ov.Get("_csrf"))
		}
		for k, val := range fill {
			v.Set(k, val)
		}
		return c.postRaw(path, v)
	}
	before := e.snapshot()
	for _, tc := range []struct {
		name   string
		by     *client
		path   string
		fill   map[string]string
		status int
	}{
		{"missing name", owner, "/clubs", map[string]string{"description": "x"}, http.StatusUnprocessableEntity},
		{"blank name", owner, "/clubs", map[string]string{"name": "   "}, http.StatusUnprocessableEntity},
		{"oversized name", owner, "/clubs", map[string]string{"name": strings.Repeat("k", 61)}, http.StatusUnprocessableEntity},
		{"oversized description", owner, "/clubs", map[string]string{"name": "Tea", "description": strings.Repeat("d", 201)}, http.StatusUnprocessableEntity},
		{"name with a line break", owner, "/clubs", map[string]string{"name": "Tea\nclub"}, http.StatusUnprocessableEntity},
		{"malformed open box", owner, "/clubs", map[string]string{"name": "Tea", "open": "yes"}, http.StatusUnprocessableEntity},
		{"same name again (a replayed form)", owner, "/clubs", map[string]string{"name": "Coffee club", "open": "1"}, http.StatusConflict},
		{"another shop's club edited", other, club, map[string]string{"name": "Taken"}, http.StatusNotFound},
		{"malformed club id", owner, "/clubs/x1", map[string]string{"name": "Taken"}, http.StatusNotFound},
		{"another shop's club's member added", other, club + "/members", map[string]string{"card": otherCard.ShortCode}, http.StatusNotFound},
		{"another shop's card added", owner, club + "/members", map[string]string{"card": otherCard.ShortCode}, http.StatusUnprocessableEntity},
		{"missing card code", owner, club + "/members", map[string]string{}, http.StatusUnprocessableEntity},
		{"oversized card code", owner, club + "/members", map[string]string{"card": strings.Repeat("K", 300)}, http.StatusUnprocessableEntity},
		{"another shop's club on the record", owner, fmt.Sprintf("/customers/%d/clubs", card.ID), map[string]string{"club": strings.TrimPrefix(otherClub, "/clubs/"), "action": "join"}, http.StatusNotFound},
		{"malformed club on the record", owner, fmt.Sprintf("/customers/%d/clubs", card.ID), map[string]string{"club": "one", "action": "join"}, http.StatusBadRequest},
		{"malformed action on the record", owner, fmt.Sprintf("/customers/%d/clubs", card.ID), map[string]string{"club": "1", "action": "steal"}, http.StatusBadRequest},
		{"another shop's customer on the record", other, fmt.Sprintf("/customers/%d/clubs", card.ID), map[string]string{"club": strings.TrimPrefix(otherClub, "/clubs/"), "action": "join"}, http.StatusNotFound},
	} {
		if res := post(tc.by, tc.path, tc.fill); res.status != tc.status {
			t.Errorf("%s: %d, want %d\n%s", tc.name, res.status, tc.status, snippet(res.body))
		}
	}
	if after := e.snapshot(); after != before {
		t.Errorf("refused forms changed the database:\n%s", after)
	}
	if res := other.get(club); res.status != http.StatusNotFound {
		t.Errorf("another shop's club page: %d", res.status)
	}
	if res := owner.get(club + "?page=-1"); res.status != http.StatusBadRequest {
		t.Errorf("a malformed page: %d", res.status)
	}
	if res := e.client().get("/clubs"); res.status != http.StatusSeeOther {
		t.Errorf("clubs without signing in: %d", res.status)
	}

	// An archived club takes no member, from the owner or the record.
	page := owner.get(club)
	if res := owner.submit(page, `form[action="`+club+`"]`, map[string]string{"archived": "1", "open": "1"}); res.status != http.StatusSeeOther {
		t.Fatalf("archive: %d\n%s", res.status, snippet(res.body))
	}
	if res := post(owner, club+"/members", map[string]string{"card": card.ShortCode}); res.status != http.StatusConflict {
		t.Errorf("adding to an archived club: %d", res.status)
	}
	if res := post(owner, fmt.Sprintf("/customers/%d/clubs", card.ID), map[string]string{"club": strings.TrimPrefix(club, "/clubs/"), "action": "join"}); res.status != http.StatusConflict {
		t.Errorf("adding to an archived club from the record: %d", res.status)
	}
	if n := e.count(`SELECT count(*) FROM club_members`); n != 0 {
		t.Errorf("%d memberships after refusals", n)
	}
}

// TestClubJoinFromCardPage: the customer joins an open club with the card
// page's button, a replayed tap changes nothing, leaves it and joins again;
// a club by invitation, an archived one, another shop's and a forged action
// are refused.
func TestClubJoinFromCardPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Cafe", "card-clubs@example.com")
	other := e.signup("Rival", "card-clubs-rival@example.com")
	coffee := createClub(t, owner, "Coffee club", true)
	friends := createClub(t, owner, "Friends", false)
	rival := createClub(t, other, "Rival club", true)
	token := cardToken(t, e, 1, owner.enroll("Ada"))
	phone := e.client()

	page := phone.get("/c/" + token)
	if n := page.doc.Find(`[data-testid="card-club"]`).Length(); n != 1 {
		t.Fatalf("card page offers %d clubs, want the open one only\n%s", n, snippet(page.body))
	}
	action, join := formValues(t, page, `[data-testid="club-join"]`)
	for range 2 { // a double tap
		if res := phone.postRaw(action, join); res.status != http.StatusSeeOther || res.location != "/c/"+token+"#clubs" {
			t.Fatalf("join: %d %q\n%s", res.status, res.location, snippet(res.body))
		}
	}
	if n := e.count(`SELECT count(*) FROM club_members WHERE left_at IS NULL AND source = 'card'`); n != 1 {
		t.Fatalf("%d memberships after a double tap, want 1", n)
	}
	page = phone.get("/c/" + token)
	if page.doc.Find(`[data-testid="club-member"]`).Length() != 1 {
		t.Fatalf("the card page does not say member\n%s", snippet(page.body))
	}
	// A member sees the owner's count.
	if got := text(owner.get("/clubs"), `[data-testid="club-members"]`); got != "1" {
		t.Errorf("owner's count: %q", got)
	}

	clubPath := func(path string) string { return "/c/" + token + "/clubs/" + strings.TrimPrefix(path, "/clubs/") }
	for _, tc := range []struct {
		name, path, action string
		status             int
	}{
		{"a club by invitation", clubPath(friends), "join", http.StatusConflict},
		{"another shop's club", clubPath(rival), "join", http.StatusNotFound},
		{"no such club", clubPath("/clubs/999"), "join", http.StatusNotFound},
		{"malformed club", clubPath("/clubs/abc"), "join", http.StatusNotFound},
		{"forged action", clubPath(coffee), "delete", http.StatusBadRequest},
		{"no action", clubPath(coffee), "", http.StatusBadRequest},
		{"unknown card", "/c/" + strings.Repeat("A", len(token)) + "/clubs/1", "join", http.StatusNotFound},
	} {
		v := url.Values{"_csrf": {join.Get("_csrf")}, "action": {tc.action}}
		if res := phone.postRaw(tc.path, v); res.status != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, res.status, tc.status)
		}
	}
	// Without the form's token: refused.
	if res := phone.postRaw(action, url.Values{"action": {"join"}}); res.status != http.StatusForbidden {
		t.Errorf("join without a token: %d", res.status)
	}

	_, leave := formValues(t, page, `[data-testid="club-leave"]`)
	for range 2 {
		if res := phone.postRaw(action, leave); res.status != http.StatusSeeOther {
			t.Fatalf("leave: %d", res.status)
		}
	}
	if res := phone.postRaw(action, join); res.status != http.StatusSeeOther {
		t.Fatalf("rejoin: %d", res.status)
	}
	if n := e.count(`SELECT count(*) FROM club_members`); n != 2 {
		t.Errorf("%d membership rows after join, leave, join: leaving is kept", n)
	}

	// Archived: gone from the card, and a stale join button is refused.
	if res := owner.submit(owner.get(coffee), `form[action="`+coffee+`"]`, map[string]string{"archived": "1", "open": "1"}); res.status != http.StatusSeeOther {
		t.Fatal(res.status)
	}
	if phone.get("/c/"+token).doc.Find(`[data-testid="card-clubs"]`).Length() != 0 {
		t.Error("an archived club is still offered")
	}
	if res := phone.postRaw(action, leave); res.status != http.StatusSeeOther {
		t.Errorf("leaving an archived club: %d", res.status)
	}
	if res := phone.postRaw(action, join); res.status != http.StatusConflict {
		t.Errorf("joining an archived club: %d", res.status)
	}
}

// TestClubOwnerAddsAndTargets: the owner adds a customer by card code and
// from the record, removes one, and a coupon and news for the club reach
// its members' card pages only.
func TestClubOwnerAddsAndTargets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Cafe", "club-target@example.com")
	other := e.signup("Rival", "club-target-rival@example.com")
	club := createClub(t, owner, "Coffee club", false)
	rivalClub := createClub(t, other, "Rival club", true)
	clubID := strings.TrimPrefix(club, "/clubs/")
	ada := owner.enroll("Ada")
	bob := owner.enroll("Bob")
	adaCard, _ := e.store.Card(context.Background(), 1, clubCardID(ada))
	bobCard, _ := e.store.Card(context.Background(), 1, clubCardID(bob))

	if res := owner.submit(owner.get(club), `[data-testid="club-add"]`, map[string]string{"card": strings.ToLower(adaCard.ShortCode)}); res.status != http.StatusSeeOther {
		t.Fatalf("add by code: %d\n%s", res.status, snippet(res.body))
	}
	record := owner.get(fmt.Sprintf("/customers/%d", bobCard.ID))
	if res := owner.submit(record, `[data-testid="customer-club-add"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("add from the record: %d\n%s", res.status, snippet(res.body))
	}
	page := owner.get(club)
	if n := page.doc.Find(`[data-testid="club-member"]`).Length(); n != 2 {
		t.Fatalf("%d members listed", n)
	}
	if res := owner.submit(page, `[data-testid="club-remove"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("remove: %d", res.status)
	}
	if n := owner.get(club).doc.Find(`[data-testid="club-member"]`).Length(); n != 1 {
		t.Fatalf("%d members after a removal", n)
	}
	// Bob was added last, listed first, removed: Ada stays.
	if n := e.count(`SELECT count(*) FROM club_members WHERE card_id = ? AND left_at IS NULL`, adaCard.ID); n != 1 {
		t.Fatalf("Ada's membership: %d", n)
	}

	form := owner.get("/coupons/new")
	if form.doc.Find(`select[name="club"] option`).Length() != 1 {
		t.Fatalf("the coupon form offers no club\n%s", snippet(form.body))
	}
	coupon := map[string]string{"title": "Members' refill", "value_kind": "item", "value_text": "refill", "audience": "club", "club": clubID}
	bad := map[string]string{"title": "Stolen", "value_kind": "item", "value_text": "x", "audience": "club", "club": strings.TrimPrefix(rivalClub, "/clubs/")}
	if res := owner.submit(form, `[data-testid="coupon-form"]`, bad); res.status != http.StatusUnprocessableEntity {
		t.Errorf("a coupon for another shop's club: %d", res.status)
	}
	if res := owner.get("/coupons/audience?audience=club&club=" + clubID); res.status != http.StatusOK || !strings.Contains(res.body, "1") {
		t.Errorf("reach of the club: %d %q", res.status, res.body)
	}
	if res := owner.get("/coupons/audience?audience=club&club=x"); res.status != http.StatusBadRequest {
		t.Errorf("reach of a malformed club: %d", res.status)
	}
	if res := owner.submit(form, `[data-testid="coupon-form"]`, coupon); res.status != http.StatusSeeOther {
		t.Fatalf("club coupon: %d\n%s", res.status, snippet(res.body))
	}
	news := owner.newsForm()
	news["body"] = "Tasting for members on Friday"
	news["club"] = clubID
	if res := owner.postNews(news, nil); res.status != http.StatusSeeOther {
		t.Fatalf("club news: %d\n%s", res.status, snippet(res.body))
	}
	stolen := owner.newsForm()
	stolen["body"] = "x"
	stolen["club"] = strings.TrimPrefix(rivalClub, "/clubs/")
	if res := owner.postNews(stolen, nil); res.status != http.StatusUnprocessableEntity {
		t.Errorf("news for another shop's club: %d", res.status)
	}
	if got := text(owner.get("/news"), `[data-testid="news-club"]`); !strings.Contains(got, "Coffee club") {
		t.Errorf("the owner's news list does not name the club: %q", got)
	}

	phone := e.client()
	adaPage := phone.get("/c/" + adaCard.Token)
	bobPage := phone.get("/c/" + bobCard.Token)
	if !strings.Contains(adaPage.body, "Members&#39; refill") && !strings.Contains(adaPage.body, "Members' refill") {
		t.Errorf("the member's card has no club coupon")
	}
	if !strings.Contains(adaPage.body, "Tasting for members") {
		t.Errorf("the member's card has no club news")
	}
	if strings.Contains(bobPage.body, "refill") || strings.Contains(bobPage.body, "Tasting") {
		t.Errorf("a former member sees the club's coupon or news")
	}
	// The invitation-only club shows on its member's card, with a leave button.
	if adaPage.doc.Find(`[data-testid="club-leave"]`).Length() != 1 || bobPage.doc.Find(`[data-testid="card-club"]`).Length() != 0 {
		t.Errorf("invitation-only club on the cards: member %d, outsider %d",
			adaPage.doc.Find(`[data-testid="club-leave"]`).Length(), bobPage.doc.Find(`[data-testid="card-club"]`).Length())
	}
}
