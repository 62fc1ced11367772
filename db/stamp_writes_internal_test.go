package db

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestEventInsertBuildsOneTemporaryTable: SQLite runs the WHERE of each
// partial index for a new row, and builds a temporary table for an IN list of
// more than two values, on every insert. The insert of a ledger row builds
// one, for the CHECK of its kind; the partial indexes build none.
func TestEventInsertBuildsOneTemporaryTable(t *testing.T) {
	t.Parallel()
	s := planStore(t)
	rows, err := s.r.QueryContext(context.Background(), "EXPLAIN "+eventRow, make([]any, 19)...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var temporary []string
	for rows.Next() {
		step := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range step {
			ptrs[i] = &step[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprintf("%s", step[1]) == "OpenEphemeral" {
			temporary = append(temporary, fmt.Sprint(step[0]))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(temporary) != 1 {
		t.Errorf("the insert of an event builds %d temporary tables (at steps %v), want 1", len(temporary), temporary)
	}
}

// TestGiftsReadTheirIndex: the dashboard's gifts repeat the partial index's
// condition, so the index serves them.
func TestGiftsReadTheirIndex(t *testing.T) {
	t.Parallel()
	s := planStore(t)
	plan := queryPlan(t, s, giftsQuery, []any{1, 0})
	if len(plan) == 0 || !strings.Contains(plan[0], "USING INDEX events_gifts ") {
		t.Errorf("plan:\n%s", strings.Join(plan, "\n"))
	}
}

// TestNoIndexHoldsWhatAStampChanges: SQLite moves an index entry for every
// column an UPDATE sets; a stamp sets a balance's stamps, ready rewards and
// state, so no index of the balances holds them.
func TestNoIndexHoldsWhatAStampChanges(t *testing.T) {
	t.Parallel()
	s := planStore(t)
	rows, err := s.r.QueryContext(context.Background(), `SELECT il.name, ii.name FROM pragma_index_list('card_balances') il
		JOIN pragma_index_info(il.name) ii WHERE ii.name IN ('stamps', 'ready', 'state')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var index, column string
		if err := rows.Scan(&index, &column); err != nil {
			t.Fatal(err)
		}
		t.Errorf("index %s holds the balance's %s, which every stamp changes", index, column)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
