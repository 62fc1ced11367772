package db_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"regulars/db"
	"regulars/loyalty"
)

// importRows makes the rows an import of exported customers reads: their
// name, phone, starting store credit and clubs.
func importRows(exported []db.ExportedCustomer) []loyalty.CustomerRow {
	var rows []loyalty.CustomerRow
	for i, c := range exported {
		if c.Phone == "" {
			continue // the shop's first card, enrolled without a contact
		}
		rows = append(rows, loyalty.CustomerRow{Row: i + 2, FirstName: c.FirstName, Phone: c.Phone,
			StartingCredit: c.Credit, HasCredit: true, Clubs: c.Clubs})
	}
	return rows
}

// A shop's customers export carries each card's store credit and clubs, and
// importing it into a fresh shop with the same clubs gives the same credit
// (as adjustments noted "import") and the same memberships.
func TestImportCreditAndClubsRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	from := newLedgerShop(t, "export-credit@example.com")
	from.cashback(loyalty.Cashback{Rate: 500})
	clubs := map[string]int64{}
	for _, name := range []string{"Coffee club", "Kids' club", "Old club"} {
		id, err := from.s.SaveClub(ctx, from.shopID, db.Club{Name: name, Open: true}, from.userID, from.now)
		if err != nil {
			t.Fatal(err)
		}
		clubs[name] = id
	}
	enrol := func(l *ledgerShop, name, phone string) db.Card {
		t.Helper()
		c, err := l.s.EnrollCard(ctx, l.shopID, db.NewCard{FirstName: name, Phone: phone, CreatedBy: l.userID, Key: "enrol-" + phone}, l.now)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ayse, bora, cem := enrol(from, "Ayşe", "+905321110001"), enrol(from, "Bora", "+905321110002"), enrol(from, "Cem", "+905321110003")
	for _, c := range []struct {
		card   db.Card
		amount int
	}{{ayse, 112_59}, {bora, 10_00}, {cem, 40_00}} {
		if _, err := from.s.EarnCredit(ctx, from.action(c.card, 0), c.amount); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := from.s.SpendCredit(ctx, from.action(cem, 0), 2_00); err != nil { // all of it
		t.Fatal(err)
	}
	for _, m := range []struct {
		card db.Card
		club string
	}{{ayse, "Kids' club"}, {ayse, "Coffee club"}, {bora, "Coffee club"}, {cem, "Old club"}} {
		if err := from.s.JoinClub(ctx, from.shopID, clubs[m.club], m.card.ID, db.ClubByOwner, from.userID, from.now); err != nil {
			t.Fatal(err)
		}
	}
	// An archived club takes no members, so the export leaves it out.
	if _, err := from.s.SaveClub(ctx, from.shopID, db.Club{ID: clubs["Old club"], Name: "Old club", Archived: true}, from.userID, from.now); err != nil {
		t.Fatal(err)
	}
	_, exported := exportAll(t, from.s, from.shopID, from.now)
	want := map[string]struct {
		credit int
		clubs  []string
	}{"+905321110001": {5_62, []string{"Coffee club", "Kids' club"}}, "+905321110002": {50, []string{"Coffee club"}}, "+905321110003": {0, nil}}
	for _, c := range exported {
		if w, ok := want[c.Phone]; ok && (c.Credit != w.credit || !slices.Equal(c.Clubs, w.clubs)) {
			t.Errorf("exported %s: credit %d, clubs %q; want %d, %q", c.FirstName, c.Credit, c.Clubs, w.credit, w.clubs)
		}
	}

	to := newLedgerShop(t, "import-credit@example.com")
	rows := importRows(exported)
	// A club the new shop does not have refuses the whole file.
	if _, err := to.s.ImportCustomers(ctx, to.shopID, to.userID, rows, to.program.ID, "no-clubs", db.ImportSkip, to.now); !errors.Is(err, loyalty.ErrCSVClubUnknown) {
		t.Fatalf("import naming clubs the shop lacks: %v, want ErrCSVClubUnknown", err)
	}
	if n := count(t, to.raw, `SELECT count(*) FROM cards WHERE shop_id = ?`, to.shopID); n != 1 {
		t.Fatalf("a refused import left %d cards, want the 1 enrolled", n)
	}
	for _, name := range []string{"Coffee club", "Kids' club"} {
		if _, err := to.s.SaveClub(ctx, to.shopID, db.Club{Name: name}, to.userID, to.now); err != nil {
			t.Fatal(err)
		}
	}
	res, err := to.s.ImportCustomers(ctx, to.shopID, to.userID, rows, to.program.ID, "round-trip", db.ImportSkip, to.now)
	if err != nil || res.Created != 3 {
		t.Fatalf("import: %+v, %v", res, err)
	}
	_, imported := exportAll(t, to.s, to.shopID, to.now)
	for _, c := range imported {
		if w, ok := want[c.Phone]; ok && (c.Credit != w.credit || !slices.Equal(c.Clubs, w.clubs)) {
			t.Errorf("imported %s: credit %d, clubs %q; want %d, %q", c.FirstName, c.Credit, c.Clubs, w.credit, w.clubs)
		}
	}
	if n := count(t, to.raw, `SELECT count(*) FROM events WHERE shop_id = ? AND kind = 'adjust' AND program_id IS NULL AND note = ? AND credit > 0`,
		to.shopID, db.ImportNote); n != 2 {
		t.Errorf("%d credit adjustments noted import, want 2 (none for a card holding nothing)", n)
	}
	if n := count(t, to.raw, `SELECT count(*) FROM club_members WHERE shop_id = ? AND source = 'import' AND added_by = ?`, to.shopID, to.userID); n != 3 {
		t.Errorf("%d memberships by the import, want 3", n)
	}
	if owed, err := to.s.CreditLiability(ctx, to.shopID); err != nil || owed != (db.Liability{Credit: 5_62 + 50, Cards: 2}) {
		t.Errorf("liability after the import: %+v, %v", owed, err)
	}
	to.checkRebuild()

	// Updating: credit is raised to the file's, never lowered; clubs added.
	raised := []loyalty.CustomerRow{
		{Row: 2, Phone: "+905321110001", StartingCredit: 1_00, HasCredit: true},                                // holds 5.62: kept
		{Row: 3, Phone: "+905321110002", StartingCredit: 3_00, HasCredit: true, Clubs: []string{"KIDS' CLUB"}}, // holds 0.50: raised
		{Row: 4, Phone: "+905321110003", HasCredit: false},
	}
	res, err = to.s.ImportCustomers(ctx, to.shopID, to.userID, raised, to.program.ID, "update", db.ImportUpdate, to.now)
	if err != nil || res != (db.ImportResult{Updated: 3, Kept: 1}) {
		t.Fatalf("update: %+v, %v", res, err)
	}
	_, updated := exportAll(t, to.s, to.shopID, to.now)
	for _, c := range updated {
		switch c.Phone {
		case "+905321110001":
			if c.Credit != 5_62 {
				t.Errorf("a balance above the file's was lowered to %d", c.Credit)
			}
		case "+905321110002":
			if c.Credit != 3_00 || !slices.Equal(c.Clubs, []string{"Coffee club", "Kids' club"}) {
				t.Errorf("updated Bora: credit %d, clubs %q", c.Credit, c.Clubs)
			}
		}
	}
	to.checkRebuild()
}

// Into a points program an import gives up to a million points; stamps stay
// capped by the parser (loyalty.MaxStartingStamps).
func TestImportPointsBeyondStampsCap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLedgerShop(t, "import-points-cap@example.com")
	beans := l.pointsProgram()
	rows := []loyalty.CustomerRow{{Row: 2, FirstName: "Ali", Phone: "+905321110009", StartingStamps: loyalty.MaxStartingPoints, HasStamps: true}}
	if _, err := l.s.ImportCustomers(ctx, l.shopID, l.userID, rows, beans.ID, "points", db.ImportSkip, l.now); err != nil {
		t.Fatal(err)
	}
	if n := count(t, l.raw, `SELECT points FROM events WHERE shop_id = ? AND program_id = ? AND note = ?`, l.shopID, beans.ID, db.ImportNote); n != loyalty.MaxStartingPoints {
		t.Errorf("imported %d points, want %d", n, loyalty.MaxStartingPoints)
	}
	l.checkRebuild()
}

// An erased customer's store credit is no longer owed: nobody can spend it
// (the counter never finds an erased card), so the liability leaves it out.
func TestCreditLiabilityLeavesOutErased(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLedgerShop(t, "erased-credit@example.com")
	l.cashback(loyalty.Cashback{Rate: 1000})
	other, err := l.s.EnrollCard(ctx, l.shopID, db.NewCard{FirstName: "Gone", CreatedBy: l.userID, Key: "enrol-gone"}, l.now)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []db.Card{l.card, other} {
		if _, err := l.s.EarnCredit(ctx, l.action(c, 0), 50_00); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.s.EraseCustomer(ctx, l.shopID, l.userID, other.ID, l.now); err != nil {
		t.Fatal(err)
	}
	if owed, err := l.s.CreditLiability(ctx, l.shopID); err != nil || owed != (db.Liability{Credit: 5_00, Cards: 1}) {
		t.Errorf("liability with an erased card: %+v, %v; want 5.00 on one card", owed, err)
	}
	d, err := l.s.Dashboard(ctx, l.shopID, l.now)
	if err != nil || d.Credit != (db.Liability{Credit: 5_00, Cards: 1}) {
		t.Errorf("dashboard's liability: %+v, %v", d.Credit, err)
	}
	// The export agrees: the erased row holds no credit, as it holds no person.
	err = l.s.ExportCustomers(ctx, l.shopID, []db.Program{l.program}, db.CustomerQuery{}, l.now, func(c db.ExportedCustomer) error {
		if c.ShortCode == other.ShortCode && c.Credit != 0 {
			t.Errorf("erased card exported with %d of credit", c.Credit)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// An import stopped after its first rows resumes with the same key. A club
// archived in between refuses nothing then: the first rows are in already,
// and refusing the rest would leave the file half imported. They come in
// without joining it.
func TestImportResumesPastAnArchivedClub(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLedgerShop(t, "import-resume@example.com")
	club, err := l.s.SaveClub(ctx, l.shopID, db.Club{Name: "Coffee club", Open: true}, l.userID, l.now)
	if err != nil {
		t.Fatal(err)
	}
	rows := []loyalty.CustomerRow{
		{Row: 2, FirstName: "Ada", Phone: "+905321110011", Clubs: []string{"Coffee club"}},
		{Row: 3, FirstName: "Ben", Phone: "+905321110012", Clubs: []string{"Coffee club"}},
	}
	// The import's first step took the first row and stopped there.
	if _, err := l.s.ImportCustomers(ctx, l.shopID, l.userID, rows[:1], l.program.ID, "resume", db.ImportUpdate, l.now); err != nil {
		t.Fatal(err)
	}
	if _, err := l.raw.Exec(`UPDATE imports SET finished = 0 WHERE shop_id = ? AND key = 'resume'`, l.shopID); err != nil {
		t.Fatal(err)
	}
	if _, err := l.raw.Exec(`UPDATE clubs SET archived_at = ? WHERE id = ?`, l.now.Unix(), club); err != nil {
		t.Fatal(err)
	}
	res, err := l.s.ImportCustomers(ctx, l.shopID, l.userID, rows, l.program.ID, "resume", db.ImportUpdate, l.now)
	if err != nil {
		t.Fatalf("resumed import: %v", err)
	}
	if res.Created != 2 {
		t.Errorf("created %d cards, want 2 (one per step)", res.Created)
	}
	var members, cards int
	if err := l.raw.QueryRow(`SELECT count(*) FROM club_members WHERE club_id = ?`, club).Scan(&members); err != nil {
		t.Fatal(err)
	}
	if err := l.raw.QueryRow(`SELECT count(*) FROM cards WHERE shop_id = ? AND first_name IN ('Ada', 'Ben')`, l.shopID).Scan(&cards); err != nil {
		t.Fatal(err)
	}
	if members != 1 || cards != 2 {
		t.Errorf("%d members of the archived club and %d cards, want 1 (Ada, before it was archived) and 2", members, cards)
	}
}
