package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"regulars/db"
	"regulars/loyalty"
)

// saveClubs creates the named clubs in the shop.
func saveClubs(t *testing.T, e *env, shopID int64, names ...string) {
	t.Helper()
	for _, name := range names {
		if _, err := e.store.SaveClub(context.Background(), shopID, db.Club{Name: name, Open: true}, 0, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCSVCreditAndClubsRoundTrip imports starting store credit (in the
// owner's decimal comma and in Persian digits) and clubs, exports the shop
// in Turkish (semicolons), and imports that file into a fresh shop with the
// same clubs: the same credit and memberships arrive.
func TestCSVCreditAndClubsRoundTrip(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve Evi", "a@example.com")
	saveClubs(t, e, 1, "Kahve kulübü", "Çocuk kulübü")
	owner.importCSV([]byte("Ad;Telefon;Mağaza kredisi;Kulüpler\r\n" +
		"Çağrı;0532 111 22 01;12,50;\"Kahve kulübü; Çocuk kulübü\"\r\n" +
		"مریم;0912 000 11 22;۳٫۷۵;kahve KULÜBÜ\r\n" +
		"Ali;0532 111 22 03;;\r\n"))
	first := exported(t, e, 1)
	want := map[string]struct {
		credit int
		clubs  []string
	}{"05321112201": {12_50, []string{"Kahve kulübü", "Çocuk kulübü"}}, "09120001122": {3_75, []string{"Kahve kulübü"}}, "05321112203": {0, nil}}
	check := func(what string, got []db.ExportedCustomer) {
		t.Helper()
		if len(got) != 3 {
			t.Fatalf("%s: %d customers", what, len(got))
		}
		for _, c := range got {
			w := want[c.Phone]
			if c.Credit != w.credit || !slices.Equal(c.Clubs, w.clubs) {
				t.Errorf("%s %s: credit %d, clubs %q; want %d, %q", what, c.FirstName, c.Credit, c.Clubs, w.credit, w.clubs)
			}
		}
	}
	check("imported", first)
	if n := e.count(`SELECT count(*) FROM events WHERE kind = 'adjust' AND program_id IS NULL AND note = 'import' AND credit > 0`); n != 2 {
		t.Errorf("%d credit adjustments noted import, want 2", n)
	}
	// The customer's record shows the credit and its reason.
	rec := owner.get("/customers/1")
	if got := text(rec, `[data-testid="customer-credit"]`); !strings.Contains(got, "12.50") {
		t.Errorf("record's store credit %q", got)
	}
	if got := text(rec, `[data-testid="customer-credit-changes"]`); !strings.Contains(got, "+12.50") || !strings.Contains(got, "import") {
		t.Errorf("record's credit changes %q", got)
	}

	if res := owner.submit(owner.get("/customers/import"), `form.lang-switch`, map[string]string{"lang": "tr"}); res.status != http.StatusSeeOther {
		t.Fatalf("switch to Turkish: %d", res.status)
	}
	file := owner.get("/customers/export.csv").body
	lines := strings.Split(strings.TrimSuffix(file, "\r\n"), "\r\n")
	if !strings.HasSuffix(lines[0], ";store credit;clubs") || !strings.HasSuffix(lines[1], `;12.50;"Kahve kulübü; Çocuk kulübü"`) {
		t.Errorf("export:\n%s", file)
	}

	fresh := e.signup("Fresh Shop", "b@example.com")
	// Without the clubs, the file is refused, naming the row and the club.
	before := e.snapshot()
	res := fresh.uploadCSV(fresh.csrf(), []byte(file))
	if res.status != http.StatusUnprocessableEntity || res.doc.Find(`[data-testid="csv-confirm"]`).Length() != 0 {
		t.Fatalf("a file naming clubs the shop lacks: %d", res.status)
	}
	if bad := res.doc.Find(`tr.bad[data-testid="csv-row"]`); bad.Length() != 2 || !strings.HasPrefix(strings.TrimSpace(bad.Eq(0).Text()), "2") ||
		!strings.Contains(bad.Eq(0).Text(), "“Kahve kulübü”") {
		t.Errorf("the rows naming unknown clubs:\n%s", snippet(res.body))
	}
	if e.snapshot() != before {
		t.Error("a refused preview changed the database")
	}
	saveClubs(t, e, 2, "Kahve kulübü", "Çocuk kulübü")
	fresh.importCSV([]byte(file))
	check("round trip", exported(t, e, 2))
}

// TestCSVImportCreditAndClubRefusals: a bad credit or an unknown club is
// shown on its row with the row's number, and nothing is imported, also
// when a confirmation is forged or another shop has the club.
func TestCSVImportCreditAndClubRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	e.signup("Other", "other@example.com")
	saveClubs(t, e, 1, "Coffee club")
	saveClubs(t, e, 2, "Chess club") // another shop's club is no club here
	csrf := owner.csrf()
	tests := []struct {
		name string
		file string
		msg  string
	}{
		{"negative credit", "name,store credit\nAli,1\nBora,-5.00\n", "below zero"},
		{"malformed credit", "name,store credit\nAli,1\nBora,12.345\n", "not an amount"},
		{"thousands separator", "name,store credit\nAli,1\nBora,\"1,500.00\"\n", "not an amount"},
		{"oversized credit", "name,store credit\nAli,1\nBora,99999999\n", "more than 1,000,000"},
		{"unknown club", "name,clubs\nAli,Coffee club\nBora,Tea club\n", "“Tea club”"},
		{"another shop's club", "name,clubs\nAli,Coffee club\nBora,Chess club\n", "“Chess club”"},
		{"stamps over the stamps cap", "name,stamps\nAli,1\nBora,1001\n", "between 0 and 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot()
			res := owner.uploadCSV(csrf, []byte(tt.file))
			if res.status != http.StatusUnprocessableEntity || res.doc.Find(`[data-testid="csv-confirm"]`).Length() != 0 {
				t.Fatalf("status %d\n%s", res.status, snippet(res.body))
			}
			bad := res.doc.Find(`tr.bad[data-testid="csv-row"]`)
			if bad.Length() != 1 || !strings.HasPrefix(strings.TrimSpace(bad.Text()), "3") || !strings.Contains(bad.Text(), tt.msg) {
				t.Errorf("the bad row (3) with %q:\n%s", tt.msg, snippet(res.body))
			}
			if e.snapshot() != before {
				t.Error("the database changed")
			}
			// A confirmation carrying the file is refused the same way.
			v := url.Values{"_csrf": {csrf}, "key": {"k-1234567890123456-import"}, "content": {b64(tt.file)}, "checked": {""}}
			if res := owner.postRaw("/customers/import/confirm", v); res.status != http.StatusUnprocessableEntity {
				t.Errorf("forged confirm: %d", res.status)
			}
			if e.snapshot() != before {
				t.Error("a forged confirm changed the database")
			}
		})
	}

	// A good file imports once; the same confirmation again changes nothing.
	good := owner.uploadCSV(csrf, []byte("name,store credit,clubs\nAli,2.50,Coffee club\n"))
	if got := text(good, `[data-testid="csv-credit"]`); got != "2.50" {
		t.Errorf("preview's credit %q", got)
	}
	_, confirm := formValues(t, good, `[data-testid="csv-confirm"]`)
	if res := owner.postRaw("/customers/import/confirm", confirm); res.status != http.StatusSeeOther {
		t.Fatalf("confirm: %d", res.status)
	}
	before := e.snapshot()
	if res := owner.postRaw("/customers/import/confirm", confirm); res.status != http.StatusConflict {
		t.Errorf("replayed confirm: %d", res.status)
	}
	if e.snapshot() != before {
		t.Error("a replayed confirm changed the database")
	}
	if n := e.count(`SELECT count(*) FROM card_credit WHERE shop_id = 1 AND credit = 250`); n != 1 {
		t.Errorf("%d cards with the imported credit, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM club_members WHERE shop_id = 1 AND source = 'import'`); n != 1 {
		t.Errorf("%d memberships by the import, want 1", n)
	}
}

// TestCSVImportPointsCap: into a points program a starting balance may be
// up to a million points; a stamps program keeps its 1,000.
func TestCSVImportPointsCap(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve", "a@example.com")
	ctx := context.Background()
	id, err := e.store.SaveProgram(ctx, db.Program{ShopID: 1, Name: "Beans", RewardText: "beans", Kind: db.ProgramPoints, PointsPerUnit: 1,
		PointsRounding: loyalty.RoundDown, RewardPoints: 100, MaxPerVisit: 1000}, 0, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetDefaultProgram(ctx, 1, id, 0, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	res := owner.uploadCSV(owner.csrf(), []byte("name,points\nAli,1000001\n"))
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(text(res, `[data-testid="csv-problems"]`), "1,000,000") {
		t.Errorf("a million and one points: %d\n%s", res.status, snippet(res.body))
	}
	// The preview calls the starting balance of a points program points.
	res = owner.uploadCSV(owner.csrf(), []byte("name,points\nAli,250\n"))
	if head := text(res, `table.csv-rows thead`); !strings.Contains(head, "Starting points") || strings.Contains(head, "stamps") {
		t.Errorf("preview's columns for a points program: %q", head)
	}
	owner.importCSV([]byte("name,points\nAli,250000\nBora,1000000\n"))
	if n := e.count(`SELECT sum(points) FROM events WHERE kind = 'adjust' AND note = 'import' AND program_id = ?`, id); n != 1_250_000 {
		t.Errorf("imported %d points, want 1,250,000", n)
	}
}
