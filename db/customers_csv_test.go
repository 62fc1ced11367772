package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/loyalty"
)

// exportAll collects a shop's customers export with its active programs.
func exportAll(t *testing.T, s *db.Store, shopID int64, now time.Time) ([]db.Program, []db.ExportedCustomer) {
	t.Helper()
	return exportWhere(t, s, shopID, db.CustomerQuery{}, now)
}

// exportWhere collects the customers export of the cards q selects.
func exportWhere(t *testing.T, s *db.Store, shopID int64, q db.CustomerQuery, now time.Time) ([]db.Program, []db.ExportedCustomer) {
	t.Helper()
	ctx := context.Background()
	ps, err := s.Programs(ctx, shopID, false)
	if err != nil {
		t.Fatal(err)
	}
	var rows []db.ExportedCustomer
	if err := s.ExportCustomers(ctx, shopID, ps, q, now, func(c db.ExportedCustomer) error { rows = append(rows, c); return nil }); err != nil {
		t.Fatal(err)
	}
	return ps, rows
}

func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func count(t *testing.T, raw *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := raw.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestImportCustomers(t *testing.T) {
	t.Parallel()
	s, path := dbtest.Open(t)
	raw := rawDB(t, path)
	ctx := context.Background()
	shopID, userID, _, prog := shop(t, s, "a@example.com")
	otherShop, _, _, otherProg := shop(t, s, "b@example.com")
	rows := []loyalty.CustomerRow{
		{Row: 2, FirstName: "Çağrı İşıl", Phone: "+905321234567", Email: "c@example.com", Birthday: "03-14", StartingStamps: 4},
		{Row: 3, FirstName: "مریم", Email: "m@example.ir", StartingStamps: 12},
		{Row: 4, FirstName: "Ali", Phone: "0555", Birthday: "02-29"},
	}
	cards := func() int { return count(t, raw, `SELECT count(*) FROM cards WHERE shop_id = ?`, shopID) }

	// Refusals write nothing.
	bad := append([]loyalty.CustomerRow{}, rows...)
	bad = append(bad, loyalty.CustomerRow{Row: 5, FirstName: "X", Problems: []error{loyalty.ErrCSVPhone}})
	if _, err := s.ImportCustomers(ctx, shopID, userID, bad, prog.ID, "key-bad", db.ImportSkip, t0); !errors.Is(err, loyalty.ErrCSVPhone) {
		t.Errorf("rows with problems: %v", err)
	}
	if _, err := s.ImportCustomers(ctx, shopID, userID, rows, otherProg.ID, "key-foreign", db.ImportSkip, t0); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("another shop's program: %v", err)
	}
	if _, err := s.ImportCustomers(ctx, shopID, userID, nil, prog.ID, "key-none", db.ImportSkip, t0); err == nil {
		t.Error("an empty import succeeded")
	}
	extra, err := s.SaveProgram(ctx, db.Program{ShopID: shopID, Name: "Tea", RewardText: "tea", StampsRequired: 5, MaxPerVisit: 1}, 0, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ArchiveProgram(ctx, shopID, extra, 0, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportCustomers(ctx, shopID, userID, rows, extra, "key-archived", db.ImportSkip, t0); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("archived program: %v", err)
	}
	if n := cards(); n != 1 {
		t.Fatalf("refused imports left %d cards, want the 1 enrolled", n)
	}

	res, err := s.ImportCustomers(ctx, shopID, userID, rows, prog.ID, "key-1", db.ImportSkip, t0)
	if err != nil || res != (db.ImportResult{Created: 3}) {
		t.Fatalf("import: %+v, %v", res, err)
	}
	// The same confirmation again imports nothing.
	var replay *db.ReplayedError
	if _, err := s.ImportCustomers(ctx, shopID, userID, rows, prog.ID, "key-1", db.ImportSkip, t0); !errors.As(err, &replay) {
		t.Errorf("replayed import: %v", err)
	}
	if n := cards(); n != 4 {
		t.Errorf("%d cards after import and replay, want 4", n)
	}
	if n := count(t, raw, `SELECT count(*) FROM audit WHERE shop_id = ? AND action = 'customers_import' AND subject = '3'`, shopID); n != 1 {
		t.Errorf("%d audit rows for the import, want 1", n)
	}
	if n := count(t, raw, `SELECT count(*) FROM events WHERE shop_id = ? AND kind = 'adjust' AND note = ? AND user_id = ?`, shopID, db.ImportNote, userID); n != 2 {
		t.Errorf("%d starting-stamp adjustments, want 2 (a row without stamps gets none)", n)
	}
	if n := count(t, raw, `SELECT count(*) FROM cards WHERE shop_id = ?`, otherShop); n != 1 {
		t.Errorf("the other shop has %d cards", n)
	}

	_, got := exportAll(t, s, shopID, t0)
	if len(got) != 4 {
		t.Fatalf("%d exported", len(got))
	}
	for i, want := range rows {
		c := got[i+1]
		stamps := want.StartingStamps % prog.StampsRequired // 12 stamps on a 10-stamp card: a reward and 2
		if c.FirstName != want.FirstName || c.Phone != want.Phone || c.Email != want.Email || c.Birthday != want.Birthday || c.Stamps[0] != stamps {
			t.Errorf("card %d: %+v, want %+v", i, c, want)
		}
		// Starting stamps are no visit: the card has not been in yet.
		if c.Visits != 0 || !c.LastVisit.IsZero() || c.Segment != loyalty.SegmentNone {
			t.Errorf("card %d has history: %+v", i, c)
		}
	}
}

func TestExportCustomers(t *testing.T) {
	t.Parallel()
	s, path := dbtest.Open(t)
	raw := rawDB(t, path)
	ctx := context.Background()
	// 22:30 UTC is the next morning in Istanbul: dates are the shop's.
	start := time.Date(2026, 3, 1, 22, 30, 0, 0, time.UTC)
	shopID, userID, err := s.CreateShop(ctx, db.NewShop{Name: "Kahve", OwnerName: "O", Email: "o@example.com", PasswordHash: "x",
		Language: "tr", TimeZone: "Europe/Istanbul", ProgramName: "Kahve", RewardText: "kahve"}, start)
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := s.Programs(ctx, shopID, false)
	coffee := ps[0]
	teaID, err := s.SaveProgram(ctx, db.Program{ShopID: shopID, Name: "Çay", RewardText: "çay", StampsRequired: 3, MaxPerVisit: 5}, 0, start)
	if err != nil {
		t.Fatal(err)
	}
	other, _, otherCard, otherProg := shop(t, s, "b@example.com")

	// 30 cards whose events interleave in time, so the export's merge of
	// the cards and the ledger streams is exercised.
	var ids []int64
	for i := range 30 {
		// Every fourth customer agreed to hear from the shop.
		c, err := s.EnrollCard(ctx, shopID, db.NewCard{FirstName: fmt.Sprint("Müşteri ", i), Consent: i%4 == 1, CreatedBy: userID, Key: fmt.Sprint("enrol-", i)}, start)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	now := start
	key := 0
	act := func(card, program int64) db.Action {
		key++
		return db.Action{ShopID: shopID, CardID: card, ProgramID: program, UserID: userID, Key: fmt.Sprint("k", key), Now: now}
	}
	for day := range 3 {
		now = start.Add(time.Duration(day) * 24 * time.Hour)
		for i, id := range ids {
			if i%3 == day%3 {
				continue
			}
			if _, err := s.Stamp(ctx, act(id, coffee.ID), 1, false); err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 {
				if _, err := s.Stamp(ctx, act(id, teaID), 1+i%4, false); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// The last stamp of card 0 is undone: the export folds voids.
	if _, err := s.Stamp(ctx, act(ids[0], coffee.ID), 1, true); err != nil {
		t.Fatal(err)
	}
	st, _ := s.CardState(ctx, shopID, ids[0], now)
	if _, err := s.Undo(ctx, act(ids[0], 0), st.Undoable.ID); err != nil {
		t.Fatal(err)
	}
	// Another shop's ledger is no part of this export.
	if _, err := s.Stamp(ctx, db.Action{ShopID: other, CardID: otherCard.ID, ProgramID: otherProg.ID, Key: "y", Now: now}, 1, false); err != nil {
		t.Fatal(err)
	}
	// An erased customer's card is exported without personal data.
	if _, err := raw.Exec(`UPDATE cards SET erased_at = ?, email = 'gone@example.com', birthday = '01-01', consent_at = 1 WHERE id = ?`, now.Unix(), ids[5]); err != nil {
		t.Fatal(err)
	}

	exportedPrograms, got := exportAll(t, s, shopID, now)
	if len(exportedPrograms) != 2 || exportedPrograms[1].ID != teaID {
		t.Fatalf("programs %+v", exportedPrograms)
	}
	if len(got) != len(ids) {
		t.Fatalf("%d exported, want %d", len(got), len(ids))
	}
	for i, c := range got {
		st, err := s.CardState(ctx, shopID, ids[i], now)
		if err != nil {
			t.Fatal(err)
		}
		if c.ShortCode != st.Card.ShortCode {
			t.Fatalf("row %d is card %s, want %s", i, c.ShortCode, st.Card.ShortCode)
		}
		for j := range exportedPrograms {
			if c.Stamps[j] != st.Programs[j].Stamps || c.Rewards[j] != len(st.Programs[j].Available) {
				t.Errorf("card %d program %d: %d stamps and %d rewards exported, card shows %d and %d", i, j,
					c.Stamps[j], c.Rewards[j], st.Programs[j].Stamps, len(st.Programs[j].Available))
			}
		}
		var segment string
		var visits int
		raw.QueryRow(`SELECT segment, visits FROM card_stats WHERE card_id = ?`, ids[i]).Scan(&segment, &visits)
		if string(c.Segment) != segment || c.Visits != visits || visits != 2 || segment == "" {
			t.Errorf("card %d: segment %q visits %d, stats say %q %d", i, c.Segment, c.Visits, segment, visits)
		}
		if j := c.Joined.Format(time.DateOnly); j != "2026-03-02" {
			t.Errorf("card %d joined %s, want the Istanbul date 2026-03-02", i, j)
		}
		// Card i was stamped on the days d with i%3 != d%3; the last of them.
		last := "2026-03-04"
		if i%3 == 2 {
			last = "2026-03-03"
		}
		if lv := c.LastVisit.Format(time.DateOnly); lv != last {
			t.Errorf("card %d last visit %s, want %s", i, lv, last)
		}
		name := fmt.Sprint("Müşteri ", i)
		if c.Consent != (i%4 == 1 && i != 5) {
			t.Errorf("card %d exported consent %v", i, c.Consent)
		}
		if i == 5 {
			name = ""
			if c.Email != "" || c.Birthday != "" {
				t.Errorf("erased card exported %q %q", c.Email, c.Birthday)
			}
		}
		if c.FirstName != name {
			t.Errorf("card %d named %q, want %q", i, c.FirstName, name)
		}
	}
	if got[0].Stamps[0] != 2 {
		t.Errorf("card 0: %d coffee stamps, want 2 (the third was undone)", got[0].Stamps[0])
	}
	rewards := 0
	for _, c := range got {
		rewards += c.Rewards[1]
	}
	if rewards == 0 {
		t.Error("no tea reward exported: the test earns some on a 3-stamp card")
	}

	// The customer list's filter: a search, a segment; the order and page
	// of the list do not cut the file.
	tests := []struct {
		name string
		q    db.CustomerQuery
		want []int // indexes into ids
	}{
		{"search by name", db.CustomerQuery{Search: "Müşteri 2", Page: 3, Sort: db.SortVisits}, []int{2, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29}},
		{"segment", db.CustomerQuery{Segment: got[3].Segment}, nil},
		{"nobody", db.CustomerQuery{Search: "nobody"}, []int{}},
	}
	for _, tt := range tests {
		_, rows := exportWhere(t, s, shopID, tt.q, now)
		want := tt.want
		if want == nil { // every card of the segment
			for i, c := range got {
				if c.Segment == tt.q.Segment {
					want = append(want, i)
				}
			}
		}
		var codes, wantCodes []string
		for _, r := range rows {
			codes = append(codes, r.ShortCode)
		}
		for _, i := range want {
			wantCodes = append(wantCodes, got[i].ShortCode)
		}
		if fmt.Sprint(codes) != fmt.Sprint(wantCodes) {
			t.Errorf("%s: exported %v, want %v", tt.name, codes, wantCodes)
		}
	}
}

// TestImportExistingCustomers imports a file into a shop that already has
// some of its customers: a row matching a card by phone (the last digits, as
// the counter compares them) or by email skips it or updates it, never making
// a second card, and an update raises a balance to the file's stamps but
// never lowers it. The same file imported twice adds nobody the second time.
func TestImportExistingCustomers(t *testing.T) {
	t.Parallel()
	file := []loyalty.CustomerRow{
		{Row: 2, FirstName: "Ayşe Yılmaz", Phone: "+905321112233", StartingStamps: 7, HasStamps: true},
		{Row: 3, FirstName: "Bora", Email: "bora@example.com", Birthday: "05-01", StartingStamps: 2, HasStamps: true},
		{Row: 4, FirstName: "Cem", Phone: "05441234567"},
		{Row: 5, FirstName: "Ayşe again", Phone: "05321112233"}, // the same phone twice in one file
	}
	type card struct {
		name, phone, email, birthday string
		stamps                       int
	}
	tests := []struct {
		name     string
		existing db.ImportExisting
		want     db.ImportResult
		cards    []card // the shop's cards after, oldest first (after the shop's first)
	}{
		{"skip", db.ImportSkip, db.ImportResult{Created: 1, Skipped: 3}, []card{
			{"Ayşe", "05321112233", "", "", 3},
			{"Bora B.", "", "BORA@example.com", "", 5},
			{"Cem", "05441234567", "", "", 0},
		}},
		{"update", db.ImportUpdate, db.ImportResult{Created: 1, Updated: 3, Kept: 1}, []card{
			// 3 stamps raised to the file's 7; the name of the row after it
			{"Ayşe again", "05321112233", "", "", 7},
			// 5 stamps kept: the file says 2; the empty phone keeps none, the birthday is new
			{"Bora", "", "bora@example.com", "05-01", 5},
			{"Cem", "05441234567", "", "", 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, path := dbtest.Open(t)
			raw := rawDB(t, path)
			ctx := context.Background()
			shopID, userID, _, prog := shop(t, s, "a@example.com")
			enrol := func(name, phone, email string, stamps int) {
				c, err := s.EnrollCard(ctx, shopID, db.NewCard{FirstName: name, Phone: phone, Email: email, CreatedBy: userID, Key: "enrol-" + name}, t0)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.AdjustStamps(ctx, db.Action{ShopID: shopID, CardID: c.ID, ProgramID: prog.ID, UserID: userID, Key: "adj-" + name, Now: t0}, stamps, "paper card"); err != nil {
					t.Fatal(err)
				}
			}
			enrol("Ayşe", "05321112233", "", 3)
			enrol("Bora B.", "", "BORA@example.com", 5)
			// An erased customer with Cem's number is nobody to match.
			enrol("Old Cem", "05441234567", "", 1)
			if _, err := raw.Exec(`UPDATE cards SET erased_at = 1 WHERE first_name = 'Old Cem'`); err != nil {
				t.Fatal(err)
			}
			before := count(t, raw, `SELECT count(*) FROM cards WHERE shop_id = ?`, shopID)

			res, err := s.ImportCustomers(ctx, shopID, userID, file, prog.ID, "first", tt.existing, t0)
			if err != nil || res != tt.want {
				t.Fatalf("import: %+v, %v; want %+v", res, err, tt.want)
			}
			_, got := exportAll(t, s, shopID, t0)
			var cards []card
			for _, c := range got[1:] {
				if c.ShortCode != "" && c.FirstName != "Old Cem" && c.Phone+c.Email+c.FirstName != "" {
					cards = append(cards, card{c.FirstName, c.Phone, c.Email, c.Birthday, c.Stamps[0]})
				}
			}
			if fmt.Sprint(cards) != fmt.Sprint(tt.cards) {
				t.Errorf("cards\n got %v\nwant %v", cards, tt.cards)
			}
			// The same file again, under a new confirmation: everyone matches.
			again, err := s.ImportCustomers(ctx, shopID, userID, file, prog.ID, "second", tt.existing, t0)
			if err != nil || again.Created != 0 {
				t.Fatalf("the same file again: %+v, %v", again, err)
			}
			if n := count(t, raw, `SELECT count(*) FROM cards WHERE shop_id = ?`, shopID); n != before+1 {
				t.Errorf("%d cards after importing the file twice, want %d", n, before+1)
			}
			_, twice := exportAll(t, s, shopID, t0)
			if fmt.Sprint(twice) != fmt.Sprint(got) {
				t.Errorf("the second import changed the cards\n got %v\nwant %v", twice, got)
			}
			// Every stamp an import gave is an adjustment noted as imported.
			var imported int
			raw.QueryRow(`SELECT coalesce(sum(stamps), 0) FROM events WHERE shop_id = ? AND kind = 'adjust' AND note = ?`, shopID, db.ImportNote).Scan(&imported)
			if want := map[db.ImportExisting]int{db.ImportSkip: 0, db.ImportUpdate: 4}[tt.existing]; imported != want {
				t.Errorf("%d stamps imported in the ledger, want %d", imported, want)
			}
		})
	}
}

func TestExportLedger(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, userID, card, prog := shop(t, s, "a@example.com")
	other, _, otherCard, otherProg := shop(t, s, "b@example.com")
	a := db.Action{ShopID: shopID, CardID: card.ID, ProgramID: prog.ID, UserID: userID, Key: "s1", Now: t0}
	first, err := s.Stamp(ctx, a, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	a.Key = "u1"
	undo, err := s.Undo(ctx, a, first.EventID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stamp(ctx, db.Action{ShopID: other, CardID: otherCard.ID, ProgramID: otherProg.ID, Key: "o", Now: t0}, 1, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportCustomers(ctx, shopID, userID, []loyalty.CustomerRow{{Row: 2, FirstName: "Ayşe", StartingStamps: 3}}, prog.ID, "imp", db.ImportSkip, t0); err != nil {
		t.Fatal(err)
	}
	var got []db.ExportedEvent
	if err := s.ExportLedger(ctx, shopID, func(e db.ExportedEvent) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d events exported, want 3: %+v", len(got), got)
	}
	stamp, void, adjust := got[0], got[1], got[2]
	if stamp.ID != first.EventID || stamp.Kind != loyalty.KindStamp || !stamp.Voided || stamp.CardShortCode != card.ShortCode ||
		stamp.ProgramName != prog.Name || stamp.UserName != "O" || stamp.Stamps != 1 {
		t.Errorf("stamp %+v", stamp)
	}
	if void.ID != undo.EventID || void.Kind != loyalty.KindVoid || void.VoidOf != first.EventID {
		t.Errorf("void %+v", void)
	}
	if adjust.Kind != loyalty.KindAdjust || adjust.Note != db.ImportNote || adjust.Stamps != 3 || adjust.CardShortCode == card.ShortCode {
		t.Errorf("import adjustment %+v", adjust)
	}
	// A write that fails stops the export and says so.
	stop := errors.New("disk full")
	if err := s.ExportLedger(ctx, shopID, func(db.ExportedEvent) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("failing writer: %v", err)
	}
}

// TestImportCommitsInSteps imports 600 rows while a cashier stamps: the
// import commits step by step and the stamps go through between its steps
// (one transaction held the one writer for the whole file, issue 15). An
// import cut off half-way and confirmed again imports every row exactly once.
func TestImportCommitsInSteps(t *testing.T) {
	t.Parallel()
	s, path := dbtest.Open(t)
	raw := rawDB(t, path)
	ctx := context.Background()
	shopID, userID, card, prog := shop(t, s, "steps@example.com")
	rows := make([]loyalty.CustomerRow, 600)
	adjusted := 0 // rows with starting stamps
	for i := range rows {
		rows[i] = loyalty.CustomerRow{Row: i + 2, FirstName: fmt.Sprint("Customer ", i), StartingStamps: i % 3}
		if i%3 > 0 {
			adjusted++
		}
	}
	cards := func() int { return count(t, raw, `SELECT count(*) FROM cards WHERE shop_id = ?`, shopID) }

	// Stamps while the import runs.
	imported := make(chan error, 1)
	started := time.Now()
	go func() {
		_, err := s.ImportCustomers(ctx, shopID, userID, rows, prog.ID, "key-steps", db.ImportSkip, t0)
		imported <- err
	}()
	between := 0 // stamps committed while the import had some rows in and not all
	for i := 0; ; i++ {
		a := db.Action{ShopID: shopID, CardID: card.ID, ProgramID: prog.ID, UserID: userID, Key: fmt.Sprint("stamp", i), Now: t0}
		if _, err := s.Stamp(ctx, a, 1, true); err != nil {
			t.Fatal(err)
		}
		if n := cards(); n > 1 && n < 1+len(rows) {
			between++
		}
		var err error
		select {
		case err = <-imported:
		default:
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	t.Logf("%d rows imported in %s, %d stamps committed in the middle", len(rows), time.Since(started).Round(time.Millisecond), between)
	if between == 0 {
		t.Error("no stamp committed in the middle of the import: it held the writer from its first row to its last")
	}
	if n := cards(); n != 1+len(rows) {
		t.Fatalf("%d cards after the import, want %d", n, 1+len(rows))
	}

	// An import cut off after some of its steps, then confirmed again.
	cut, cancel := context.WithCancel(ctx)
	go func() {
		_, err := s.ImportCustomers(cut, shopID, userID, rows, prog.ID, "key-cut", db.ImportSkip, t0)
		imported <- err
	}()
	for cards() == 1+len(rows) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-imported; err == nil {
		t.Fatal("the import ended before it was cut off: nothing to resume")
	}
	partial := cards() - 1 - len(rows)
	if partial <= 0 || partial >= len(rows) {
		t.Fatalf("%d rows in after the cut, want some", partial)
	}
	if res, err := s.ImportCustomers(ctx, shopID, userID, rows, prog.ID, "key-cut", db.ImportSkip, t0); err != nil || res.Created != len(rows) {
		t.Fatalf("the import confirmed again: %+v, %v", res, err)
	}
	var replay *db.ReplayedError
	if _, err := s.ImportCustomers(ctx, shopID, userID, rows, prog.ID, "key-cut", db.ImportSkip, t0); !errors.As(err, &replay) {
		t.Errorf("the complete import confirmed once more: %v, want a replay", err)
	}
	if n := cards(); n != 1+2*len(rows) {
		t.Errorf("%d cards, want %d: each row of each import exactly once", n, 1+2*len(rows))
	}
	if n := count(t, raw, `SELECT count(*) FROM audit WHERE shop_id = ? AND action = 'customers_import'`, shopID); n != 2 {
		t.Errorf("%d audit rows for two imports", n)
	}
	if n := count(t, raw, `SELECT count(*) FROM events WHERE shop_id = ? AND kind = 'adjust'`, shopID); n != 2*adjusted {
		t.Errorf("%d starting-stamp adjustments, want %d", n, 2*adjusted)
	}
}
