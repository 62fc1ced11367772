package db_test

import (
	"context"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
)

// TestDrawMissingQRs: the background work draws the codes of the cards that
// have none, for the server's address, a limited number at a time; the card
// page reads them back; a new address or an erased card forgets them.
func TestDrawMissingQRs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := dbtest.Open(t)
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	shopID, userID, err := s.CreateShop(ctx, db.NewShop{Name: "Café", OwnerName: "O", Email: "o@example.com", PasswordHash: "x",
		Language: "en", TimeZone: "UTC", ProgramName: "Card", RewardText: "a coffee"}, now)
	if err != nil {
		t.Fatal(err)
	}
	var cards []db.Card
	for _, key := range []string{"a", "b", "c", "d"} {
		c, err := s.EnrollCard(ctx, shopID, db.NewCard{FirstName: key, CreatedBy: userID, Key: key}, now)
		if err != nil {
			t.Fatal(err)
		}
		cards = append(cards, c)
	}
	if err := s.EraseCustomer(ctx, shopID, userID, cards[3].ID, now); err != nil {
		t.Fatal(err)
	}
	var drawn []string
	draw := func(content string) ([]byte, error) {
		drawn = append(drawn, content)
		return []byte("modules of " + content), nil
	}
	const base = "https://loyal.example"
	kept := func(c db.Card, base string) string {
		t.Helper()
		p, err := s.CardPageByToken(ctx, c.Token, now)
		if err != nil {
			t.Fatal(err)
		}
		return string(db.CardQR(p.QR, base+"/c/"+c.Token))
	}

	for _, step := range []struct {
		name        string
		base        string
		limit, want int
	}{
		{"two of the three active cards", base, 2, 2},
		{"the last one", base, 10, 1},
		{"nothing left", base, 10, 0},
		{"a new address draws them all again", "https://cards.example", 10, 3},
	} {
		drawn = nil
		n, err := s.DrawMissingQRs(ctx, step.base, draw, step.limit)
		if err != nil || n != step.want || len(drawn) != step.want {
			t.Fatalf("%s: drew %d (%d calls), %v; want %d", step.name, n, len(drawn), err, step.want)
		}
		for _, content := range drawn {
			if content == step.base+"/c/"+cards[3].Token {
				t.Errorf("%s: an erased card was drawn", step.name)
			}
		}
	}
	for _, c := range cards[:3] {
		if got, want := kept(c, "https://cards.example"), "modules of https://cards.example/c/"+c.Token; got != want {
			t.Errorf("card %s: the page reads %q, want %q", c.FirstName, got, want)
		}
		if got := kept(c, base); got != "" {
			t.Errorf("card %s: a code of the old address is shown: %q", c.FirstName, got)
		}
	}
	if got := db.CardQR([]byte("ab"), base); got != nil {
		t.Errorf("a damaged kept code reads %q", got)
	}
}
