package db

import (
	"strings"
	"testing"
)

// TestCustomerPagesReadAnIndex proves each order of the customer list reads
// the shop's cards in an index's order, so LIMIT ends the scan: on a shop of
// 100,000 cards a page by name took 160 ms with a sort of the whole shop and
// 3 ms in the order of cards_name_order (migration 0020). The order of a
// group (segment) reads the group's index for the orders of card_stats.
func TestCustomerPagesReadAnIndex(t *testing.T) {
	t.Parallel()
	s := planStore(t)
	tests := []struct {
		q     CustomerQuery
		index string
	}{
		{CustomerQuery{}, "card_stats_last"},
		{CustomerQuery{Sort: SortLastVisit, Page: 40}, "card_stats_last"},
		{CustomerQuery{Sort: SortVisits}, "card_stats_visits"},
		{CustomerQuery{Sort: SortRewards}, "card_stats_rewards"},
		{CustomerQuery{Sort: SortName, Page: 3}, "cards_name_order"},
		{CustomerQuery{Sort: SortJoined}, "cards_created"},
		{CustomerQuery{Sort: SortLastVisit, Segment: "regular"}, "card_stats_segment"},
	}
	for _, tt := range tests {
		t.Run(string(tt.q.Sort)+"/"+string(tt.q.Segment), func(t *testing.T) {
			t.Parallel()
			query, args := customerPage(1, tt.q)
			plan := queryPlan(t, s, query, args)
			all := strings.Join(plan, "\n")
			if !strings.Contains(plan[0], "INDEX "+tt.index+" ") || strings.Contains(all, "TEMP B-TREE") {
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
