package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
)

const day = 24 * time.Hour

// describe names audit lines compactly: "kind by who".
func describe(es []db.AuditEntry) string {
	var parts []string
	for _, e := range es {
		parts = append(parts, e.Kind+" by "+e.UserName)
	}
	return strings.Join(parts, ", ")
}

func TestAuditLogMergesLedgerAndActions(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, ownerID, card, prog := shop(t, s, "audit@example.com")
	minute := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }
	cashierID, err := s.AddStaff(ctx, shopID, db.NewStaff{Name: "Ayla", Email: "ayla@example.com", Role: db.RoleCashier, PasswordHash: "x"}, ownerID, minute(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(ctx, shopID, cashierID, db.AuditLogin, "ayla@example.com", minute(2)); err != nil {
		t.Fatal(err)
	}
	act := func(key string, user int64, at time.Time) db.Action {
		return db.Action{ShopID: shopID, CardID: card.ID, ProgramID: prog.ID, UserID: user, Key: key, Now: at}
	}
	if _, err := s.Stamp(ctx, act("s1", cashierID, minute(3)), 1, false); err != nil {
		t.Fatal(err)
	}
	over, err := s.Stamp(ctx, act("s2", cashierID, minute(4)), 1, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Undo(ctx, act("u1", ownerID, minute(5)), over.EventID); err != nil {
		t.Fatal(err)
	}
	// In the same second: a stamp and a settings change. Ledger lines come first.
	if err := s.UpdateShop(ctx, shopID, db.ShopSettings{Name: "Renamed", BrandColor: "#000000", Language: "en", TimeZone: "UTC", Currency: "EUR", Digits: "latin"}, ownerID, minute(6)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stamp(ctx, act("s3", cashierID, minute(6)), 1, false); err != nil {
		t.Fatal(err)
	}
	// Another shop's staff and ledger never show.
	otherShop, otherOwner, otherCard, otherProg := shop(t, s, "elsewhere@example.com")
	if _, err := s.Stamp(ctx, db.Action{ShopID: otherShop, CardID: otherCard.ID, ProgramID: otherProg.ID, UserID: otherOwner, Key: "x", Now: minute(3)}, 1, false); err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(ctx, otherShop, otherOwner, db.AuditLogin, "elsewhere@example.com", minute(3)); err != nil {
		t.Fatal(err)
	}

	const owner = "O" // the test shop's owner
	all := "stamp by Ayla, settings by " + owner + ", void by " + owner + ", override by Ayla, stamp by Ayla, login by Ayla, staff_add by " + owner
	tests := []struct {
		name string
		q    db.AuditQuery
		want string
	}{
		{"everything", db.AuditQuery{}, all},
		{"a person", db.AuditQuery{UserID: cashierID}, "stamp by Ayla, override by Ayla, stamp by Ayla, login by Ayla"},
		{"stamps, not overrides", db.AuditQuery{Kind: "stamp"}, "stamp by Ayla, stamp by Ayla"},
		{"overrides", db.AuditQuery{Kind: db.KindOverride}, "override by Ayla"},
		{"undos", db.AuditQuery{Kind: "void"}, "void by " + owner},
		{"an action", db.AuditQuery{Kind: string(db.AuditSettings)}, "settings by " + owner},
		{"a person's action", db.AuditQuery{UserID: cashierID, Kind: string(db.AuditLogin)}, "login by Ayla"},
		{"nobody's kind", db.AuditQuery{UserID: ownerID, Kind: "stamp"}, ""},
		{"dates", db.AuditQuery{From: minute(4), To: minute(6)}, "void by " + owner + ", override by Ayla"},
		{"from a day", db.AuditQuery{From: minute(6)}, "stamp by Ayla, settings by " + owner},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			es, more, err := s.AuditLog(ctx, shopID, tt.q, 100)
			if err != nil {
				t.Fatal(err)
			}
			if got := describe(es); got != tt.want || more {
				t.Errorf("got %q (more %v)\nwant %q", got, more, tt.want)
			}
		})
	}

	es, _, err := s.AuditLog(ctx, shopID, db.AuditQuery{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if e := es[0]; !e.Ledger || e.CardID != card.ID || e.ShortCode != card.ShortCode || e.Subject != prog.Name || e.Stamps != 1 {
		t.Errorf("ledger line: %+v", e)
	}
	if e := es[1]; e.Ledger || e.Subject != "Renamed" || e.UserID != ownerID {
		t.Errorf("settings line: %+v", e)
	}
	if e := es[6]; e.Subject != "Ayla (ayla@example.com)" {
		t.Errorf("staff line: %+v", e)
	}

	// Every page size walks the same log with nothing repeated or skipped,
	// across the second shared by a ledger line and an action.
	for _, size := range []int{1, 2, 3} {
		var pages []string
		q := db.AuditQuery{}
		for n := 0; ; n++ {
			page, more, err := s.AuditLog(ctx, shopID, q, size)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) > 0 {
				pages = append(pages, describe(page))
			}
			if !more {
				break
			}
			if n > 10 {
				t.Fatal("the pager does not end")
			}
			q.Before = page[len(page)-1].Cursor()
		}
		if got := strings.Join(pages, ", "); got != all {
			t.Errorf("pages of %d:\n%q\nwant\n%q", size, got, all)
		}
	}
}

func TestAuditCursor(t *testing.T) {
	t.Parallel()
	for _, c := range []db.AuditCursor{{At: 1_772_445_600, Ledger: true, ID: 123}, {At: 0, ID: 1}} {
		got, err := db.ParseAuditCursor(c.String())
		if err != nil || got != c {
			t.Errorf("%v → %q → %v, %v", c, c.String(), got, err)
		}
	}
	for _, bad := range []string{"", "-", "1772445600", "1772445600-", "1772445600-x1", "1772445600-e", "1772445600-e0", "1772445600-e-1",
		"-1-e1", "01-e1", "1-e01", "1-e1 ", "99999999999999999999-e1", "1-e1-2"} {
		if c, err := db.ParseAuditCursor(bad); !errors.Is(err, db.ErrBadCursor) {
			t.Errorf("ParseAuditCursor(%q) = %v, %v", bad, c, err)
		}
	}
}

func TestEveryAuditActionIsAKind(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, a := range db.AuditActions {
		seen[string(a)] = true
	}
	for _, k := range db.LedgerAuditKinds {
		if seen[k] {
			t.Errorf("%q is an action and a ledger kind", k)
		}
		seen[k] = true
	}
	for k := range seen {
		if !db.IsAuditKind(k) {
			t.Errorf("%q is not a kind", k)
		}
	}
	for _, k := range []string{"", "drop", "STAMP", "stamp "} {
		if db.IsAuditKind(k) {
			t.Errorf("%q is a kind", k)
		}
	}
}

// TestChangesRecordTheirAuthor: every change to the shop's staff, settings,
// programs, campaigns and raffles leaves one audit row, by whom and on what,
// in the transaction of the change.
func TestChangesRecordTheirAuthor(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, ownerID, _, prog := shop(t, s, "changes@example.com")
	at := t0
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		at = at.Add(time.Minute)
	}
	invited, err := s.AddStaff(ctx, shopID, db.NewStaff{Name: "Ece", Email: "ece@example.com", Role: db.RoleManager, InviteHash: "hash", InviteExpiresAt: t0.Add(day)}, ownerID, at)
	must(err)
	_, err = s.AcceptInvite(ctx, "hash", "pw", at)
	must(err)
	must(s.UpdateShop(ctx, shopID, db.ShopSettings{Name: "New name", BrandColor: "#112233", Language: "en", TimeZone: "UTC", Currency: "EUR", Digits: "latin"}, ownerID, at))
	must(s.SetLogo(ctx, shopID, []byte("png"), ownerID, at))
	pastry, err := s.SaveProgram(ctx, db.Program{ShopID: shopID, Name: "Pastry", RewardText: "a croissant", StampsRequired: 6, MaxPerVisit: 1}, invited, at)
	must(err)
	must(s.SetDefaultProgram(ctx, shopID, pastry, invited, at))
	must(s.ArchiveProgram(ctx, shopID, prog.ID, invited, at))
	must(s.ArchiveProgram(ctx, shopID, prog.ID, invited, at)) // archived already: nothing happens
	campaign, err := s.CreateCampaign(ctx, db.Campaign{ShopID: shopID, Title: "Spring", ValueKind: "text", ValueText: "a cookie",
		ValidFrom: t0, ValidUntil: t0.Add(30 * day), Audience: db.AudienceAll, PerCardLimit: 1}, nil, invited, at)
	must(err)
	for _, state := range []string{db.CampaignPause, db.CampaignResume, db.CampaignEnd} {
		must(s.SetCampaignState(ctx, shopID, campaign, state, invited, at))
	}
	r := db.Raffle{ShopID: shopID, Title: "Draw", Prize: "Cake", Winners: 1, EntryRule: "optin", OpensAt: t0.Add(day), ClosesAt: t0.Add(2 * day)}
	r.ID, err = s.CreateRaffle(ctx, r, ownerID, at)
	must(err)
	r.Title = "Big draw"
	must(s.UpdateRaffle(ctx, r, ownerID, at))
	must(s.DrawRaffle(ctx, shopID, r.ID, ownerID, t0.Add(3*day)))
	must(s.RemoveStaff(ctx, shopID, invited, ownerID, t0.Add(3*day)))
	// A refused change records nothing.
	if err := s.SetCampaignState(ctx, shopID, campaign, db.CampaignPause, invited, at); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("pausing an ended campaign: %v", err)
	}

	es, _, err := s.AuditLog(ctx, shopID, db.AuditQuery{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := len(es) - 1; i >= 0; i-- {
		got = append(got, es[i].Kind+" "+es[i].Subject+" by "+es[i].UserName)
	}
	want := []string{
		"staff_add Ece (ece@example.com) by O", "invite_accept ece@example.com by Ece", "settings New name by O", "logo  by O",
		"program_save Pastry by Ece", "program_default Pastry by Ece", "program_archive Card by Ece",
		"campaign_create Spring by Ece", "campaign_pause Spring by Ece", "campaign_resume Spring by Ece", "campaign_end Spring by Ece",
		"raffle_create Draw by O", "raffle_update Big draw by O", "raffle_draw Big draw by O", "staff_remove Ece (ece@example.com) by O",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit rows:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
