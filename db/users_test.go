package db_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/migrations"
)

// TestUpgradeFreesWaitingAddresses opens a database written when every staff
// row held its address for the whole server: an invitation never accepted
// and a removed member held theirs (issue 15). After the upgrade they hold
// nothing, and the lists and the audit log show the same addresses.
func TestUpgradeFreesWaitingAddresses(t *testing.T) {
	t.Parallel()
	path := dbtest.PathBefore(t, "0011")
	ctx := context.Background()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`INSERT INTO shops (id, slug, name, created_at) VALUES (1, 'old', 'Old', 0);
		INSERT INTO users (id, shop_id, name, email, password_hash, role, invite_hash, invite_expires_at, disabled_at, created_at) VALUES
			(1, 1, 'Owner', 'owner@example.com', 'hash', 'owner', NULL, NULL, NULL, 0),
			(2, 1, 'Invited', 'invited@example.com', '', 'cashier', 'invite', 9999999999, NULL, 0),
			(3, 1, 'Removed', 'removed@example.com', 'hash', 'cashier', NULL, NULL, 5, 0)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	s, err := db.Open(ctx, path, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Unix(1_772_445_600, 0)
	staff, err := s.Staff(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(staff) != 2 || staff[0].Email != "owner@example.com" || staff[1].Email != "invited@example.com" || !staff[1].InvitePending {
		t.Errorf("staff after the upgrade: %+v", staff)
	}
	if u, err := s.UserByInvite(ctx, "invite", now); err != nil || u.Email != "invited@example.com" {
		t.Errorf("the invitation: %+v, %v", u, err)
	}
	// Both addresses open a shop of their own.
	for _, email := range []string{"invited@example.com", "removed@example.com"} {
		if _, _, err := s.CreateShop(ctx, db.NewShop{Name: "New " + email, OwnerName: "N", Email: email, PasswordHash: "h", Language: "en", TimeZone: "UTC",
			ProgramName: "P", RewardText: "r"}, now); err != nil {
			t.Errorf("sign-up with %s: %v", email, err)
		}
	}
	if _, _, err := s.CreateShop(ctx, db.NewShop{Name: "Again", OwnerName: "N", Email: "OWNER@example.com", PasswordHash: "h", Language: "en", TimeZone: "UTC",
		ProgramName: "P", RewardText: "r"}, now); !errors.Is(err, db.ErrDuplicate) {
		t.Errorf("sign-up with an address that signs in: %v, want ErrDuplicate", err)
	}
	// The invitation, accepted now, finds its address signing in elsewhere.
	if _, err := s.AcceptInvite(ctx, "invite", "new hash", now); !errors.Is(err, db.ErrDuplicate) {
		t.Errorf("accepting the invitation: %v, want ErrDuplicate", err)
	}
	if u, err := s.UserByEmail(ctx, "invited@example.com"); err != nil || u.ShopID == 1 {
		t.Errorf("invited@example.com signs in to %+v, %v; want the new shop", u, err)
	}
}
