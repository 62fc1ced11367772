package db_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/migrations"
)

// TestUpgradeCarriesConsent: the single consent cards had before 0019
// ("may send me news and offers") becomes the e-mail marketing consent, with
// its time and the source "migrated"; a card without it, or erased, gets none.
func TestUpgradeCarriesConsent(t *testing.T) {
	t.Parallel()
	path := dbtest.PathBefore(t, "0019")
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`INSERT INTO shops (id, slug, name, created_at) VALUES (1, 's', 'S', 0);
		INSERT INTO cards (id, shop_id, token, short_code, email, consent_at, created_at) VALUES
			(1, 1, 't1', 'AAAA1111', 'a@example.com', 77, 0), (2, 1, 't2', 'AAAA2222', 'b@example.com', NULL, 0);
		INSERT INTO cards (id, shop_id, token, short_code, consent_at, erased_at, created_at) VALUES (3, 1, 't3', 'AAAA3333', 5, 9, 0)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	ctx := context.Background()
	s, err := db.Open(ctx, path, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tc := range []struct {
		token string
		want  db.Consent
	}{{"t1", db.Consent{EmailMarketing: true}}, {"t2", db.Consent{}}} {
		p, err := s.CardPageByToken(ctx, tc.token, time.Unix(100, 0))
		if err != nil {
			t.Fatal(err)
		}
		if p.Consent != tc.want {
			t.Errorf("card %s: %+v, want %+v", tc.token, p.Consent, tc.want)
		}
	}
	check, _ := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=query_only(ON)")
	defer check.Close()
	var n int
	check.QueryRow(`SELECT count(*) FROM consents WHERE card_id = 1 AND source = 'migrated' AND created_at = 77`).Scan(&n)
	if n != 1 {
		t.Errorf("the carried consent lost its time or source")
	}
	check.QueryRow(`SELECT count(*) FROM consents WHERE card_id = 3`).Scan(&n)
	if n != 0 {
		t.Errorf("an erased card's consent was carried over")
	}
}

// TestConsentKeepsTheOlderFlag: withdrawing and giving the e-mail marketing
// consent moves cards.consent_at with it, which the customer list and its
// export show; choosing what is chosen records nothing.
func TestConsentKeepsTheOlderFlag(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := dbtest.Open(t)
	shopID, _, card, _ := shop(t, s, "consent@example.com")
	set := func(granted bool) {
		t.Helper()
		if err := s.SetConsent(ctx, shopID, card.ID, db.ChannelEmail, db.PurposeMarketing, granted, db.ConsentOnCard, t0); err != nil {
			t.Fatal(err)
		}
	}
	raw, _ := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=query_only(ON)")
	defer raw.Close()
	state := func() (consent bool, rows int) {
		raw.QueryRow(`SELECT consent_at IS NOT NULL, (SELECT count(*) FROM consents) FROM cards WHERE id = ?`, card.ID).Scan(&consent, &rows)
		return
	}
	set(true)
	set(true)
	if c, n := state(); !c || n != 1 {
		t.Errorf("after giving it twice: consent_at set %v, %d records, want true and 1", c, n)
	}
	set(false)
	if c, n := state(); c || n != 2 {
		t.Errorf("after withdrawing: consent_at set %v, %d records, want false and 2", c, n)
	}
	if err := s.SetConsent(ctx, shopID+1, card.ID, db.ChannelEmail, db.PurposeMarketing, true, db.ConsentOnCard, t0); err == nil {
		t.Error("another shop changed the card's consent")
	}
}
