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

// TestUpgradeSetupSteps opens a database of shops from before the
// getting-started list: a shop with visiting customers is past its first
// hour and gets no list; a shop whose owner saved a program has its reward
// ticked; a shop with neither starts the list from the beginning.
func TestUpgradeSetupSteps(t *testing.T) {
	t.Parallel()
	path := dbtest.PathBefore(t, "0015")
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`INSERT INTO shops (id, slug, name, created_at) VALUES (1, 'busy', 'Busy', 0), (2, 'saved', 'Saved', 0), (3, 'new', 'New', 0);
		INSERT INTO users (id, shop_id, name, email, password_hash, role, created_at) VALUES (1, 2, 'Owner', 'o@example.com', 'h', 'owner', 0);
		INSERT INTO cards (id, shop_id, token, short_code, created_at) VALUES (1, 1, 't1', 'AAAA1111', 0);
		UPDATE card_stats SET visits = 3 WHERE card_id = 1;
		INSERT INTO audit (shop_id, user_id, action, subject, created_at) VALUES (2, 1, 'program_save', 'Coffee', 5)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	ctx := context.Background()
	s, err := db.Open(ctx, path, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := map[int64]db.Setup{1: {Dismissed: true}, 2: {RewardSet: true, Staff: 1}, 3: {}}
	for shop, w := range want {
		st, err := s.Setup(ctx, shop)
		if err != nil {
			t.Fatal(err)
		}
		if st.Dismissed != w.Dismissed || st.RewardSet != w.RewardSet || st.PosterOpened {
			t.Errorf("shop %d after the upgrade: %+v", shop, st)
		}
	}
	// A step marked twice is marked once.
	now := time.Unix(1_772_445_600, 0)
	for range 2 {
		if err := s.MarkSetupStep(ctx, 3, db.StepPoster, now); err != nil {
			t.Fatal(err)
		}
	}
	if st, err := s.Setup(ctx, 3); err != nil || !st.PosterOpened || st.RewardSet {
		t.Errorf("shop 3 after opening the poster: %+v, %v", st, err)
	}
}
