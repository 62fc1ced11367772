package db_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/loyalty"
)

// printRun prints sheets sheets as the shop's next run and returns its cards.
func printRun(t *testing.T, s *db.Store, shopID, userID int64, sheets int) []db.PrintedCard {
	t.Helper()
	ctx := context.Background()
	batch, err := s.NextBatch(ctx, shopID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PrintCards(ctx, shopID, batch, sheets, userID, t0); err != nil {
		t.Fatalf("print %d sheets: %v", sheets, err)
	}
	cards, err := s.PrintedBatch(ctx, shopID, batch)
	if err != nil {
		t.Fatal(err)
	}
	return cards
}

func TestPrintCards(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, userID, card, _ := shop(t, s, "a@example.com")
	otherShop, otherUser, _, _ := shop(t, s, "b@example.com")

	first := printRun(t, s, shopID, userID, 1)
	second := printRun(t, s, shopID, userID, 2)
	other := printRun(t, s, otherShop, otherUser, 1)
	if len(first) != 10 || len(second) != 20 || len(other) != 10 {
		t.Fatalf("cards printed: %d, %d, %d; want 10, 20, 10", len(first), len(second), len(other))
	}
	if first[0].Batch != 1 || second[0].Batch != 2 || other[0].Batch != 1 {
		t.Errorf("batches %d, %d, %d; want 1, 2 and the other shop's own 1", first[0].Batch, second[0].Batch, other[0].Batch)
	}
	codes := map[string]bool{card.ShortCode: true}
	tokens := map[string]bool{card.Token: true}
	for _, p := range append(first, second...) {
		if _, err := loyalty.ParseCardToken(p.Token); err != nil {
			t.Errorf("token %q: %v", p.Token, err)
		}
		if _, err := loyalty.ParseShortCode(p.ShortCode); err != nil {
			t.Errorf("short code %q: %v", p.ShortCode, err)
		}
		if codes[p.ShortCode] || tokens[p.Token] {
			t.Errorf("short code %s or token repeated", p.ShortCode)
		}
		codes[p.ShortCode], tokens[p.Token] = true, true
		if p.Used() || !p.UsedAt.IsZero() || p.ShopID != shopID {
			t.Errorf("fresh printed card %+v", p)
		}
	}

	// The form of run 2, sent again, makes nothing.
	if err := s.PrintCards(ctx, shopID, 2, 1, userID, t0); !errors.Is(err, db.ErrBatchTaken) {
		t.Errorf("run 2 again: %v, want ErrBatchTaken", err)
	}
	if err := s.PrintCards(ctx, shopID, 3, db.MaxPrintSheets+1, userID, t0); err == nil {
		t.Error("21 sheets printed")
	}
	runs, err := s.PrintedBatches(ctx, shopID)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Batch != 2 || runs[0].Cards != 20 || runs[1].Cards != 10 || runs[0].Used != 0 || runs[0].CreatedBy != "O" {
		t.Errorf("runs %+v", runs)
	}
	if _, err := s.PrintedBatch(ctx, otherShop, 2); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("another shop's run 2: %v, want ErrNotFound", err)
	}
	entries, _, err := s.AuditLog(ctx, shopID, db.AuditQuery{Kind: string(db.AuditCardsPrint)}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Subject != "#2: 20" {
		t.Errorf("audit of print runs: %+v", entries)
	}
}

func TestActivatePrinted(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, userID, _, program := shop(t, s, "a@example.com")
	otherShop, otherUser, _, _ := shop(t, s, "b@example.com")
	if err := s.SaveGrowth(ctx, shopID, db.Growth{WelcomeStamps: 2, ReferralCap: 5, BirthdayDays: 7}, userID, t0); err != nil {
		t.Fatal(err)
	}
	printed := printRun(t, s, shopID, userID, 1)
	foreign := printRun(t, s, otherShop, otherUser, 1)
	p := printed[3]

	c, err := s.ActivatePrinted(ctx, shopID, p.Token, db.NewCard{FirstName: "Ayla", CreatedBy: userID, Key: "activate-key-1"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if c.Token != p.Token || c.ShortCode != p.ShortCode || c.FirstName != "Ayla" {
		t.Errorf("activated card %+v, want the printed card's token and code", c)
	}
	st, err := s.CardState(ctx, shopID, c.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Programs[0].Program.ID != program.ID || st.Programs[0].Stamps != 2 {
		t.Errorf("welcome stamps: %+v", st.Programs)
	}
	if found, err := s.CardByToken(ctx, p.Token); err != nil || found.ID != c.ID {
		t.Errorf("card by the printed token: %+v %v", found, err)
	}
	after, _ := s.PrintedByCode(ctx, shopID, "", p.ShortCode)
	if after.CardID != c.ID || !after.UsedAt.Equal(t0) {
		t.Errorf("printed card after activation: %+v", after)
	}

	for name, tc := range map[string]struct {
		shopID int64
		token  string
		key    string
		want   error
	}{
		"another cashier":        {shopID, p.Token, "activate-key-2", db.ErrPrintedUsed},
		"another shop's printed": {shopID, foreign[0].Token, "activate-key-3", db.ErrNotFound},
		"from another shop":      {otherShop, printed[4].Token, "activate-key-4", db.ErrNotFound},
		"unknown token":          {shopID, loyalty.NewCardToken(), "activate-key-5", db.ErrNotFound},
	} {
		// Not parallel: a parallel subtest would run only after the rest of
		// this test, which checks that these refusals used no printed card.
		t.Run(name, func(t *testing.T) {
			_, err := s.ActivatePrinted(ctx, tc.shopID, tc.token, db.NewCard{CreatedBy: userID, Key: tc.key}, t0)
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	_, err = s.ActivatePrinted(ctx, shopID, p.Token, db.NewCard{CreatedBy: userID, Key: "activate-key-1"}, t0)
	var replay *db.ReplayedError
	if !errors.As(err, &replay) || replay.ID != c.ID {
		t.Errorf("the same form again: %v, want a replay of card %d", err, c.ID)
	}
	cards, err := s.SearchCards(ctx, shopID, db.CardQuery{ShortCode: p.ShortCode})
	if err != nil || len(cards) != 1 {
		t.Errorf("cards with the printed code: %d, %v; want exactly one", len(cards), err)
	}
	if unused, _ := s.PrintedByCode(ctx, shopID, printed[4].Token, ""); unused.Used() {
		t.Error("a refused activation used the printed card")
	}
}

func TestReplaceCard(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, userID, card, program := shop(t, s, "a@example.com")
	otherShop, otherUser, otherCard, _ := shop(t, s, "b@example.com")
	printed := printRun(t, s, shopID, userID, 1)
	foreign := printRun(t, s, otherShop, otherUser, 1)
	used, err := s.ActivatePrinted(ctx, shopID, printed[0].Token, db.NewCard{CreatedBy: userID}, t0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		a := db.Action{ShopID: shopID, CardID: card.ID, ProgramID: program.ID, UserID: userID, Key: fmt.Sprint("stamp-", i), Now: t0}
		if _, err := s.Stamp(ctx, a, 1, false); err != nil {
			t.Fatal(err)
		}
	}

	for name, tc := range map[string]struct {
		shopID, cardID     int64
		oldToken, newToken string
		want               error
	}{
		"printed card in use":       {shopID, card.ID, card.Token, used.Token, db.ErrPrintedUsed},
		"another shop's printed":    {shopID, card.ID, card.Token, foreign[0].Token, db.ErrPrintedUnknown},
		"another shop's card":       {shopID, otherCard.ID, otherCard.Token, printed[1].Token, db.ErrNotFound},
		"stale token of no replace": {shopID, card.ID, otherCard.Token, printed[1].Token, db.ErrNotFound},
		"unknown printed token":     {shopID, card.ID, card.Token, loyalty.NewCardToken(), db.ErrPrintedUnknown},
	} {
		// Not parallel: a parallel subtest would run only after the rest of
		// this test, once the card has been replaced, erased and its tokens changed.
		t.Run(name, func(t *testing.T) {
			_, err := s.ReplaceCard(ctx, tc.shopID, tc.cardID, tc.oldToken, tc.newToken, userID, t0)
			// The counter tells an unknown printed code from an unknown card.
			if !errors.Is(err, tc.want) || tc.want == db.ErrNotFound && errors.Is(err, db.ErrPrintedUnknown) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}

	replaced, err := s.ReplaceCard(ctx, shopID, card.ID, card.Token, printed[1].Token, userID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if replaced.ID != card.ID || replaced.Token != printed[1].Token || replaced.ShortCode != printed[1].ShortCode {
		t.Errorf("replaced card %+v, want card %d with printed card %s", replaced, card.ID, printed[1].ShortCode)
	}
	st, err := s.CardState(ctx, shopID, card.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Programs[0].Stamps != 3 || len(st.Ledger) != 3 {
		t.Errorf("balance after replacement: %d stamps, %d ledger lines; want 3 and 3", st.Programs[0].Stamps, len(st.Ledger))
	}
	if _, err := s.CardByToken(ctx, card.Token); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("old token still opens the card: %v", err)
	}
	if found, _ := s.SearchCards(ctx, shopID, db.CardQuery{Token: card.Token}); len(found) != 0 {
		t.Errorf("counter still finds the old token: %+v", found)
	}
	if found, _ := s.SearchCards(ctx, shopID, db.CardQuery{Token: printed[1].Token}); len(found) != 1 || found[0].ID != card.ID {
		t.Errorf("counter by the new token: %+v", found)
	}
	r, err := s.RetiredToken(ctx, card.Token)
	if err != nil || r.CardID != card.ID || r.ShopID != shopID || !r.RetiredAt.Equal(t0) {
		t.Errorf("retired token: %+v %v", r, err)
	}
	if _, err := s.RetiredToken(ctx, printed[1].Token); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("the new token is retired: %v", err)
	}
	if p, _ := s.PrintedByCode(ctx, shopID, printed[1].Token, ""); p.CardID != card.ID {
		t.Errorf("printed card not marked as the customer's: %+v", p)
	}

	// The cashier's form sent twice: the card is not re-keyed again.
	_, err = s.ReplaceCard(ctx, shopID, card.ID, card.Token, "", userID, t0)
	var replay *db.ReplayedError
	if !errors.As(err, &replay) || replay.ID != card.ID {
		t.Errorf("replayed replacement: %v", err)
	}

	// Lost again: a new digital card this time.
	digital, err := s.ReplaceCard(ctx, shopID, card.ID, replaced.Token, "", userID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if digital.Token == replaced.Token || digital.ShortCode == replaced.ShortCode {
		t.Errorf("digital replacement kept the token or code: %+v", digital)
	}
	if _, err := loyalty.ParseCardToken(digital.Token); err != nil {
		t.Errorf("digital token %q: %v", digital.Token, err)
	}
	if _, err := s.RetiredToken(ctx, replaced.Token); err != nil {
		t.Errorf("the printed card's token is not retired: %v", err)
	}
	entries, _, err := s.AuditLog(ctx, shopID, db.AuditQuery{Kind: string(db.AuditCardReplace)}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[1].Subject != loyalty.FormatShortCode(card.ShortCode)+" → "+loyalty.FormatShortCode(printed[1].ShortCode) {
		t.Errorf("audit of replacements: %+v", entries)
	}

	// An erased customer's card is not replaced.
	if err := s.EraseCustomer(ctx, shopID, userID, card.ID, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReplaceCard(ctx, shopID, card.ID, digital.Token, printed[2].Token, userID, t0); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("erased card replaced: %v", err)
	}
}
