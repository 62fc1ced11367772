package db

import (
	"strings"
	"testing"
)

// TestCardVersionReadsOneEvent: the version an open card page asks for every
// few seconds is one step down the card's index, never a walk of its history.
func TestCardVersionReadsOneEvent(t *testing.T) {
	t.Parallel()
	s := planStore(t)
	all := strings.Join(queryPlan(t, s, cardVersionQuery, []any{7, 1}), "\n")
	if !strings.Contains(all, "events_card_time (card_id=?)") || strings.Contains(all, "TEMP B-TREE") {
		t.Errorf("a card's version is not read off its index:\n%s", all)
	}
}
