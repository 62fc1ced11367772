package db

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// ClubReturn is one line of the dashboard's clubs: how many customers a
// club has now (cards not erased) and how many of them visited in the
// dashboard's period. The line of ClubID 0 is the customers in no club,
// to compare with.
type ClubReturn struct {
	ClubID   int64
	Name     string
	Members  int
	Returned int
}

// readClubReturns reads, in one query, each club that takes members with
// its members and those who visited since day start (card_stats.last_day),
// and the same for the customers in none of them, last; nothing when the
// shop has no such club. A member of two clubs counts in both. The clubs
// come in the alphabetical order of the shop's language, which bytes are
// not: Turkish puts Ç between C and D, Persian پ between ب and ت.
func readClubReturns(ctx context.Context, tx *sql.Tx, shopID int64, start int) ([]ClubReturn, error) {
	list, err := collect(ctx, tx, func(r scanner) (ClubReturn, error) {
		var c ClubReturn
		return c, r.Scan(&c.ClubID, &c.Name, &c.Members, &c.Returned)
	}, `SELECT cl.id, cl.name, count(c.id), count(c.id) FILTER (WHERE s.last_day >= ?2)
		FROM clubs cl LEFT JOIN club_members m ON m.club_id = cl.id AND m.left_at IS NULL
			LEFT JOIN cards c ON c.id = m.card_id AND c.erased_at IS NULL
			LEFT JOIN card_stats s ON s.card_id = c.id
		WHERE cl.shop_id = ?1 AND cl.archived_at IS NULL GROUP BY cl.id
		UNION ALL
		SELECT 0, '', count(*), count(*) FILTER (WHERE s.last_day >= ?2)
		FROM cards c JOIN card_stats s ON s.card_id = c.id
		WHERE c.shop_id = ?1 AND c.erased_at IS NULL AND EXISTS (SELECT 1 FROM clubs WHERE shop_id = ?1 AND archived_at IS NULL)
			AND NOT EXISTS (SELECT 1 FROM club_members m JOIN clubs cl ON cl.id = m.club_id AND cl.archived_at IS NULL
				WHERE m.card_id = c.id AND m.left_at IS NULL)`, shopID, start)
	if err != nil {
		return nil, fmt.Errorf("club returns: %w", err)
	}
	if len(list) == 1 {
		return nil, nil // the shop has no club: only the empty line of the others
	}
	var lang string
	if err := tx.QueryRowContext(ctx, `SELECT language FROM shops WHERE id = ?`, shopID).Scan(&lang); err != nil {
		return nil, fmt.Errorf("language of shop %d: %w", shopID, err)
	}
	// A collator keeps buffers between comparisons: one per call, never shared.
	names := collate.New(language.Make(lang))
	slices.SortFunc(list, func(a, b ClubReturn) int {
		if (a.ClubID == 0) != (b.ClubID == 0) {
			return cmp.Compare(b.ClubID, a.ClubID) // the customers in no club last
		}
		return cmp.Or(names.CompareString(a.Name, b.Name), cmp.Compare(a.ClubID, b.ClubID))
	})
	return list, nil
}
