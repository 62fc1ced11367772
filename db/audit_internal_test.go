package db

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"regulars/migrations"
)

// TestAuditQueriesUseTheirIndex proves each filter of the audit log reads an
// index in the order it lists, so LIMIT ends the scan however long the
// ledger: no temporary sort, no full scan.
func TestAuditQueriesUseTheirIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"), migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() }) // after the parallel subtests, which a defer would not wait for
	cursor := AuditCursor{At: 1_772_445_600, Ledger: true, ID: 9}
	tests := []struct {
		name  string
		query func() (string, []any)
		index string
	}{
		{"ledger, everyone", func() (string, []any) { return ledgerQuery(1, AuditQuery{}, 0, 1<<40, 51) }, "events_shop_time"},
		{"ledger, a person", func() (string, []any) { return ledgerQuery(1, AuditQuery{UserID: 2}, 0, 1<<40, 51) }, "events_user"},
		{"ledger, a person's kind", func() (string, []any) {
			return ledgerQuery(1, AuditQuery{UserID: 2, Kind: "void", Before: cursor}, 100, 1<<40, 51)
		}, "events_user_kind"},
		{"ledger, a person's plain stamps", func() (string, []any) {
			return ledgerQuery(1, AuditQuery{UserID: 2, Kind: "stamp", Before: cursor}, 100, 1<<40, 51)
		}, "events_user"},
		{"ledger, overrides", func() (string, []any) { return ledgerQuery(1, AuditQuery{UserID: 2, Kind: KindOverride}, 0, 1<<40, 51) }, "events_user_kind"},
		{"audit, everyone", func() (string, []any) { return auditQuery(1, AuditQuery{Kind: "login", Before: cursor}, 0, 1<<40, 51) }, "audit_shop"},
		{"audit, a person", func() (string, []any) { return auditQuery(1, AuditQuery{UserID: 2}, 0, 1<<40, 51) }, "audit_user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			query, args := tt.query()
			plan := queryPlan(t, s, query, args)
			all := strings.Join(plan, "\n")
			if !strings.Contains(plan[0], "USING INDEX "+tt.index+" ") || strings.Contains(all, "TEMP B-TREE") {
				t.Errorf("plan:\n%s", all)
			}
			for _, step := range plan {
				if strings.HasPrefix(step, "SCAN") && !strings.Contains(step, "INDEX") {
					t.Errorf("full scan in plan:\n%s", all)
				}
			}
		})
	}
}

// planStore is a fresh, migrated store for reading query plans, closed when
// the test ends.
func planStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "plan.db"), migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// planShop opens a shop in English in UTC on s, with its default program
// of stamps, and returns it and its owner.
func planShop(t *testing.T, s *Store, email string, now time.Time) (shopID, ownerID int64) {
	t.Helper()
	shopID, ownerID, err := s.CreateShop(context.Background(), NewShop{Name: "Shop", OwnerName: "O", Email: email, PasswordHash: "x",
		Language: "en", TimeZone: "UTC", ProgramName: "Card", RewardText: "coffee"}, now)
	if err != nil {
		t.Fatal(err)
	}
	return shopID, ownerID
}

// queryPlan is the steps of SQLite's plan for query, one line each.
func queryPlan(t *testing.T, s *Store, query string, args []any) []string {
	t.Helper()
	rows, err := s.r.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}
