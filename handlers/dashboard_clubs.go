package handlers

import (
	"regulars/db"
	"regulars/locale"
	"regulars/loyalty"
	"regulars/views"
)

// clubReturnRows formats the dashboard's clubs: members now, and how many
// of them came in the period with their share ("18 (43%)"; a dash for a
// club without members).
func clubReturnRows(t *locale.Tr, clubs []db.ClubReturn) []views.ClubReturnRow {
	var rows []views.ClubReturnRow
	for _, c := range clubs {
		row := views.ClubReturnRow{ID: c.ClubID, Name: c.Name, NoClub: c.ClubID == 0, Members: c.Members}
		share, ok := loyalty.Ratio(c.Returned, c.Members)
		row.Returned = orDash(ok, t.T("DashboardClubsReturnedValue", "Count", t.Num(c.Returned),
			"Share", t.T("Percent", "Percent", t.Decimal(share*100, 0))))
		rows = append(rows, row)
	}
	return rows
}
