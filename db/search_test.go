package db_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/loyalty"
	"regulars/migrations"
)

// TestCounterFindsNamesAndPhonesAsTyped: issue 14's names and numbers that
// the counter did not find, typed as cashiers type them.
func TestCounterFindsNamesAndPhonesAsTyped(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, userID, _, _ := shop(t, s, "search@example.com")
	people := map[string]string{"Çağla": "+90 532 111 22 33", "Ayşe": "0532 444 55 66", "Ștefan": "+40 721 000 111", "Şükrü": "",
		"علي": "۰۹۱۲ ۳۴۵ ۶۷۸۹", "کاظم": "", "Ali": ""}
	ids := map[string]int64{}
	for name, phone := range people {
		c, err := s.EnrollCard(ctx, shopID, db.NewCard{FirstName: name, Phone: loyalty.NormalizePhone(phone), CreatedBy: userID, Key: "search-" + name}, t0)
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = c.ID
	}
	other, otherUser, _, _ := shop(t, s, "search-other@example.com")
	if _, err := s.EnrollCard(ctx, other, db.NewCard{FirstName: "Ayşe", Phone: "05324445566", CreatedBy: otherUser, Key: "search-other"}, t0); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		q    db.CardQuery
		want []string
	}{
		{db.CardQuery{Name: "çağla"}, []string{"Çağla"}},
		{db.CardQuery{Name: "cagla"}, []string{"Çağla"}},
		{db.CardQuery{Name: "AYŞE"}, []string{"Ayşe"}},
		{db.CardQuery{Name: "ayse"}, []string{"Ayşe"}},
		{db.CardQuery{Name: "stefan"}, []string{"Ștefan"}},
		{db.CardQuery{Name: "sukru"}, []string{"Şükrü"}},
		{db.CardQuery{Name: "علی"}, []string{"علي"}},
		{db.CardQuery{Name: "كاظم"}, []string{"کاظم"}},
		{db.CardQuery{Name: "a"}, []string{"Ali", "Ayşe"}},
		{db.CardQuery{Phone: "2233"}, []string{"Çağla"}},
		{db.CardQuery{Phone: "05321112233"}, []string{"Çağla"}},
		{db.CardQuery{Phone: "+905324445566"}, []string{"Ayşe"}},
		{db.CardQuery{Phone: "0721 000 111"}, []string{"Ștefan"}},
		{db.CardQuery{Phone: "6789"}, []string{"علي"}},
		{db.CardQuery{Phone: "123"}, nil}, // fewer than four digits name no number
		{db.CardQuery{Name: "zeynep"}, nil},
	} {
		cards, err := s.SearchCards(ctx, shopID, tt.q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range cards {
			got = append(got, c.FirstName)
			if c.ShopID != shopID {
				t.Errorf("%+v found another shop's card %d", tt.q, c.ID)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%+v found %q, want %q", tt.q, got, tt.want)
		}
	}
}

// TestUpgradeKeysExistingCards: cards written before the search keys get
// theirs at the first start of the new version.
func TestUpgradeKeysExistingCards(t *testing.T) {
	t.Parallel()
	path := dbtest.PathBefore(t, "0010")
	ctx := context.Background()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`INSERT INTO shops (id, slug, name, created_at) VALUES (1, 'old', 'Old', 0)`,
		`INSERT INTO cards (id, shop_id, token, short_code, first_name, phone, created_at) VALUES (1, 1, 't1', 'AAAA', 'Çağla', '+905321112233', 0)`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s, err := db.Open(ctx, path, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range []db.CardQuery{{Name: "cagla"}, {Phone: "2233"}} {
		if cards, err := s.SearchCards(ctx, 1, q); err != nil || len(cards) != 1 {
			t.Errorf("%+v after the upgrade: %d cards (%v)", q, len(cards), err)
		}
	}
}
