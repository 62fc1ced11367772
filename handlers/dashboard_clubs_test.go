package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"regulars/db"
)

// TestDashboardClubs: the dashboard compares each club's members with the
// customers in no club, in the owner's language, and shows
// nothing of another shop's clubs.
func TestDashboardClubs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve", "a@example.com")
	e.signup("Other", "b@example.com")
	saveClubs(t, e, 2, "Chess club")
	if res := owner.get("/dashboard"); res.doc.Find(`[data-testid="dashboard-clubs"]`).Length() != 0 {
		t.Error("a shop without clubs shows a clubs section")
	}
	saveClubs(t, e, 1, "Coffee club")
	owner.importCSV([]byte("name,clubs\nAli,Coffee club\nBora,Coffee club\nCem,\nDan,\n"))
	ctx := context.Background()
	for i, card := range []int64{1, 3, 4} { // Ali, Cem and Dan come; Bora does not
		if _, err := e.store.Stamp(ctx, db.Action{ShopID: 1, CardID: card, ProgramID: 1, UserID: 1, Key: "v" + string(rune('a'+i)), Now: e.clock.Now()}, 1, false); err != nil {
			t.Fatal(err)
		}
	}
	for _, lang := range []struct{ code, coffee, others string }{
		{"en", "Coffee club|2|1 (50%)", "Customers in no club|2|2 (100%)"},
		{"fa", "Coffee club|2|1 (50%)", "مشتریانی که در هیچ باشگاهی نیستند|2|2 (100%)"}, // the shop's digits, Latin here
	} {
		if res := owner.submit(owner.get("/dashboard"), `form.lang-switch`, map[string]string{"lang": lang.code}); res.status != http.StatusSeeOther {
			t.Fatalf("switch to %s: %d", lang.code, res.status)
		}
		res := owner.get("/dashboard")
		rows := res.doc.Find(`[data-testid="dashboard-club"]`)
		got := []string{}
		rows.Each(func(_ int, r *goquery.Selection) {
			got = append(got, strings.Join(r.Find("td").Map(func(_ int, td *goquery.Selection) string { return strings.TrimSpace(td.Text()) }), "|"))
		})
		if len(got) != 2 || got[0] != lang.coffee || got[1] != lang.others {
			t.Errorf("%s: clubs %q, want %q and %q", lang.code, got, lang.coffee, lang.others)
		}
		if strings.Contains(res.body, "Chess club") {
			t.Error("another shop's club shows")
		}
	}
}
