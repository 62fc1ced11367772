package views

import (
	"net/url"

	"github.com/a-h/templ"
)

// CSVImport is the import and export page: a result, a refusal, or a preview.
type CSVImport struct {
	Result  *CSVResult // what the last import did; nil: none just now
	Error   string     // why the file, its mapping or the confirmation was refused
	Preview *CSVPreview
}

// CSVResult counts what an import did (db.ImportResult).
type CSVResult struct {
	Created, Updated, Skipped, Kept int
}

// csvStartingColumn names the starting balance's column: stamps, or points
// when the program the balances go to counts points.
func csvStartingColumn(p Page, v CSVPreview) string {
	if v.Points {
		return p.T.T("CSVPoints")
	}
	return p.T.T("CSVStamps")
}

// csvStartingProgram says which program the starting balances go to.
func csvStartingProgram(p Page, v CSVPreview) string {
	if v.Points {
		return p.T.T("CSVPointsProgram", "Program", v.Program)
	}
	return p.T.T("CSVStampsProgram", "Program", v.Program)
}

// CSVPreview is the mapping step of an uploaded file and what it would import.
type CSVPreview struct {
	// Columns are the file's columns as the mapping step shows them, and
	// Fields the choices of what a column holds (loyalty.CSVFields).
	Columns []CSVColumn
	Fields  []string
	// Existing is the choice for customers already in the shop: "skip" or "update".
	Existing string
	Total    int // rows in the file
	Invalid  int // rows with problems: while any has one, nothing can be imported
	Rows     []CSVRow
	Hidden   int      // rows without problems not shown
	Ignored  []string // the file's columns that are not imported
	Program  string   // the program starting stamps go to
	Points   bool     // it counts points: the starting balance is points
	// Credit and Clubs: a column holds starting store credit (in Currency),
	// or clubs; the rows show them then.
	Credit, Clubs bool
	Currency      string
	// Content is the file in base64url, sent back by "check again" and the
	// import; Checked names the mapping this preview was made with.
	Content string
	Checked string
	// Ready: the file can be imported, with the confirmation's idempotency key.
	Ready bool
	Key   string
}

// CSVColumn is one column of the file in the mapping step.
type CSVColumn struct {
	Header string // as the file names it; may be empty
	Sample string // the first value below it
	Field  string // what it is read as
}

// CSVRow is one row of the preview, its problems translated.
type CSVRow struct {
	Row                               int
	FirstName, Phone, Email, Birthday string
	Stamps                            int
	Credit                            int // minor units
	Clubs                             []string
	Problems                          []string
}

// CSVFieldLabel names what a column holds ("stamps") in the page's language.
func CSVFieldLabel(p Page, field string) string {
	switch field {
	case "name":
		return p.T.T("CSVFieldName")
	case "phone":
		return p.T.T("CSVFieldPhone")
	case "email":
		return p.T.T("CSVFieldEmail")
	case "birthday":
		return p.T.T("CSVFieldBirthday")
	case "stamps":
		return p.T.T("CSVFieldStamps")
	case "credit":
		return p.T.T("CSVFieldCredit")
	case "clubs":
		return p.T.T("CSVFieldClubs")
	}
	return p.T.T("CSVFieldIgnore")
}

// customersExportURL is the customers export of the list as filtered: the
// same search and segment, so "export this list" gives what the page shows.
func customersExportURL(search, segment string) templ.SafeURL {
	q := url.Values{}
	if search != "" {
		q.Set("q", search)
	}
	if segment != "" {
		q.Set("segment", segment)
	}
	if len(q) == 0 {
		return "/customers/export.csv"
	}
	return templ.SafeURL("/customers/export.csv?" + q.Encode())
}

// csvExtraColumns counts the preview's columns shown only for some files:
// the starting store credit and the clubs.
func csvExtraColumns(v CSVPreview) int {
	n := 0
	if v.Credit {
		n++
	}
	if v.Clubs {
		n++
	}
	return n
}
