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

// TestLastOwnerStaysOwner: an owner steps down only while another owner
// signs in; an owner invited who has not chosen a password yet runs
// nothing, and does not count (issue 16, item 8). A stamp from before a
// change is refused.
func TestLastOwnerStaysOwner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := dbtest.Open(t)
	now := time.Unix(1_772_445_600, 0)
	shopID, ownerID, err := s.CreateShop(ctx, db.NewShop{Name: "Kafe", OwnerName: "Ayla", Email: "ayla@example.com", PasswordHash: "h", Language: "en", TimeZone: "UTC",
		ProgramName: "P", RewardText: "r"}, now)
	if err != nil {
		t.Fatal(err)
	}
	invitedID, err := s.AddStaff(ctx, shopID, db.NewStaff{Name: "Bora", Email: "bora@example.com", Role: db.RoleOwner, InviteHash: "invite", InviteExpiresAt: now.Add(time.Hour)}, ownerID, now)
	if err != nil {
		t.Fatal(err)
	}
	stamps := func() map[int64]string {
		staff, err := s.Staff(ctx, shopID)
		if err != nil {
			t.Fatal(err)
		}
		m := map[int64]string{}
		for _, u := range staff {
			m[u.ID] = u.Stamp
		}
		return m
	}
	before := stamps()
	if err := s.SetStaffRole(ctx, shopID, ownerID, before[ownerID], db.RoleManager, ownerID, now); !errors.Is(err, db.ErrLastOwner) {
		t.Errorf("the only owner who signs in steps down: %v", err)
	}
	if _, err := s.AcceptInvite(ctx, "invite", "h2", now); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStaffRole(ctx, shopID, invitedID, before[invitedID], db.RoleOwner, ownerID, now); !errors.Is(err, db.ErrChanged) {
		t.Errorf("a stamp from before the invite was accepted: %v", err)
	}
	if err := s.SetStaffRole(ctx, shopID, ownerID, stamps()[ownerID], db.RoleManager, ownerID, now); err != nil {
		t.Errorf("stepping down beside another owner: %v", err)
	}
	if err := s.SetStaffRole(ctx, shopID, invitedID, stamps()[invitedID], db.RoleCashier, invitedID, now); !errors.Is(err, db.ErrLastOwner) {
		t.Errorf("the new only owner steps down: %v", err)
	}
}
