package db

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"regulars/migrations"
)

// TestCardVersionReadsOneEvent: the version an open card page asks for every
// few seconds is one step down the card's index, never a walk of its history.
func TestCardVersionReadsOneEvent(t *testing.T) {
	t.Parallel()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "plan.db"), migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	all := strings.Join(queryPlan(t, s, cardVersionQuery, []any{7, 1}), "\n")
	if !strings.Contains(all, "events_card_time (card_id=?)") || strings.Contains(all, "TEMP B-TREE") {
		t.Errorf("a card's version is not read off its index:\n%s", all)
	}
}
