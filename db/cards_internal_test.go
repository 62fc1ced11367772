package db

import (
	"strings"
	"testing"
)

// TestCounterSearchReadsIndexes: the end of a phone number and the start of
// a name are ranges of the cards' search keys, never a walk of the shop's
// cards (issue 14: the last four digits of a phone read every card, 21
// lookups a second on a shop of 100,000).
func TestCounterSearchReadsIndexes(t *testing.T) {
	t.Parallel()
	s := planStore(t)
	plan := strings.Join(queryPlan(t, s, cardsWhereQuery([]string{phoneRange, nameRange}, "first_name COLLATE NOCASE, id"),
		[]any{1, "7654", "7654" + maxRune, 1, "ays", "ays" + maxRune}), "\n")
	for _, index := range []string{"cards_phone_key (shop_id=? AND phone_key>? AND phone_key<?)", "cards_name_key (shop_id=? AND name_key>? AND name_key<?)"} {
		if !strings.Contains(plan, index) {
			t.Errorf("the search does not read %s:\n%s", index, plan)
		}
	}
}
