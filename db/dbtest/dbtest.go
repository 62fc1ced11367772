// Package dbtest holds checks of a database file that tests of several
// packages share (the store's own tests and the crash test of the binary).
package dbtest

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// Rollups reads every rollup of the database at path as sorted lines,
// leaving out the sums that came back to zero (an undo leaves them; a
// rebuild never writes them), so that kept and rebuilt rollups compare equal.
func Rollups(t testing.TB, path string) []string {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(ON)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	queries := []string{
		`SELECT 'day', card_id, day, hour, visited, coalesce(gap, 0), stamps, rewards, redeems FROM card_days`,
		`SELECT 'stats', card_id, visits, first_day, last_day, prev_day, median_gap, stamps, rewards, redeems, segment FROM card_stats`,
		`SELECT 'shop', shop_id, day, hour, visits, first_visits, gap_sum, gaps, stamps, rewards, redeems FROM shop_days
			WHERE visits OR first_visits OR gap_sum OR gaps OR stamps OR rewards OR redeems`,
		`SELECT 'cohort', shop_id, cohort, offset, customers FROM shop_cohorts WHERE customers`,
		`SELECT 'staff', shop_id, day, user_id, stamps, redeems, voids, overrides, adjusts FROM staff_days`,
	}
	var lines []string
	for _, q := range queries {
		rows, err := conn.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, strings.TrimSpace(fmt.Sprintln(vals...)))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(lines)
	return lines
}
