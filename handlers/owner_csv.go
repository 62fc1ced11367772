package handlers

import (
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/loyalty"
	"regulars/views"
)

// Body limits of the import: the upload (the file with its multipart
// envelope, or the mapping step's "check again", which carries the file back
// in base64: 4 bytes for 3), and the confirmation, which carries it too.
// A file a little over loyalty.MaxCSVBytes still reaches the handler, which
// answers with the form and a message rather than a bare error page.
const (
	maxImportRequest  = "2800K"
	maxConfirmRequest = "2800K"
)

// maxCSVColumns bounds the mapping form's col-N fields read: more columns
// than a customers file has, fewer than a request could send.
const maxCSVColumns = 100

// previewRows is how many rows the preview shows besides those with problems.
const previewRows = 100

// csvRefusals says in plain words what is wrong with a file or one of its rows.
var csvRefusals = []refusal{
	{loyalty.ErrCSVTooLarge, "CSVFileTooLarge"},
	{loyalty.ErrCSVNotUTF8, "CSVFileNotUTF8"},
	{loyalty.ErrCSVNoHeader, "CSVFileNoHeader"},
	{loyalty.ErrCSVNoRows, "CSVFileNoRows"},
	{loyalty.ErrCSVTooManyRows, "CSVFileTooManyRows"},
	{loyalty.ErrCSVMalformed, "CSVRowMalformed"},
	{loyalty.ErrCSVColumnCount, "CSVRowColumnCount"},
	{loyalty.ErrCSVNoContact, "CSVRowNoContact"},
	{loyalty.ErrCSVControlChar, "CSVRowControlChar"},
	{loyalty.ErrCSVNameTooLong, "CSVRowNameTooLong"},
	{loyalty.ErrCSVPhone, "CSVRowPhone"},
	{loyalty.ErrCSVEmail, "CSVRowEmail"},
	{loyalty.ErrCSVBirthday, "CSVRowBirthday"},
	{loyalty.ErrCSVStampsInvalid, "CSVRowStampsInvalid"},
	{loyalty.ErrCSVStampsRange, "CSVRowStampsRange"},
	{loyalty.ErrCSVPointsRange, "CSVRowPointsRange"},
	{loyalty.ErrCSVCreditInvalid, "CSVRowCreditInvalid"},
	{loyalty.ErrCSVCreditNegative, "CSVRowCreditNegative"},
	{loyalty.ErrCSVCreditRange, "CSVRowCreditRange"},
	{loyalty.ErrCSVNoContactColumn, "CSVNoContactColumn"},
}

// csvMessage names the message for a parser's error.
func csvMessage(err error) string {
	msg := "CSVFileUnreadable"
	for _, r := range csvRefusals {
		if errors.Is(err, r.err) {
			msg = r.msgID
		}
	}
	return msg
}

// csvProblem says what is wrong with a row, naming the club it asks for
// when the shop has none of that name.
func csvProblem(p views.Page, problem error) string {
	var club *loyalty.CSVUnknownClubError
	if errors.As(problem, &club) {
		return p.T.T("CSVRowClubUnknown", "Name", club.Name)
	}
	return p.T.T(csvMessage(problem))
}

// The exports' columns. They are the same in every language, like the codes
// and dates in the rows, so a file means one thing wherever it is opened and
// imports back (loyalty.ParseCustomerCSV knows the customers' headers).
var (
	customerColumns = []string{"short code", "first name", "phone", "email", "birthday", "joined", "segment", "visits", "last visit", "marketing consent"}
	// clubsColumn heads the clubs each card is a member of, separated by
	// loyalty.ClubSeparator, which the import reads back.
	clubsColumn   = "clubs"
	ledgerColumns = []string{"id", "time", "card", "kind", "program", "stamps", "reward", "voided", "void of", "override", "note", "staff"}
)

// exportCustomers writes the customers the list's search and segment select
// (?q=, ?segment=, as on /customers; none: every customer), with each card's
// stamps and unredeemed rewards in every active program.
func (a *App) exportCustomers(c echo.Context) error {
	ctx := c.Request().Context()
	_, shop := staff(c)
	q, err := customerQuery(c)
	if err != nil {
		return err
	}
	programs, err := a.store.Programs(ctx, shop.ID, false)
	if err != nil {
		return err
	}
	now := a.now()
	w, err := a.startCSV(c, "customers", now)
	if err != nil || w == nil {
		return err
	}
	header := slices.Clone(customerColumns)
	for _, p := range programs {
		if p.IsPoints() { // one column: its points (the import reads it back)
			header = append(header, loyalty.EscapeCell(loyalty.PointsHeaderPrefix+p.Name))
			continue
		}
		header = append(header, loyalty.EscapeCell(loyalty.StampsHeaderPrefix+p.Name), loyalty.EscapeCell(loyalty.RewardsHeaderPrefix+p.Name))
	}
	header = append(header, creditColumn, clubsColumn)
	w.Write(header)
	err = a.store.ExportCustomers(ctx, shop.ID, programs, q, now, func(r db.ExportedCustomer) error {
		last := ""
		if !r.LastVisit.IsZero() {
			last = r.LastVisit.Format(time.DateOnly)
		}
		record := []string{loyalty.FormatShortCode(r.ShortCode), loyalty.EscapeCell(r.FirstName), loyalty.EscapeCell(r.Phone),
			loyalty.EscapeCell(r.Email), r.Birthday, r.Joined.Format(time.DateOnly), string(r.Segment), strconv.Itoa(r.Visits), last, consentCell(r.Consent)}
		for i, n := range r.Stamps {
			if programs[i].IsPoints() {
				record = append(record, strconv.Itoa(n))
				continue
			}
			record = append(record, strconv.Itoa(n), strconv.Itoa(r.Rewards[i]))
		}
		record = append(record, hundredths(r.Credit), loyalty.EscapeCell(strings.Join(r.Clubs, loyalty.ClubSeparator)))
		return w.Write(record)
	})
	return a.endCSV(c, w, err)
}

func (a *App) exportLedger(c echo.Context) error {
	ctx := c.Request().Context()
	_, shop := staff(c)
	now := a.now()
	w, err := a.startCSV(c, "ledger", now)
	if err != nil || w == nil {
		return err
	}
	zone := a.page(c, &shop, "").T.Zone()
	w.Write(ledgerColumns)
	err = a.store.ExportLedger(ctx, shop.ID, func(e db.ExportedEvent) error {
		voidOf := ""
		if e.VoidOf != 0 {
			voidOf = strconv.FormatInt(e.VoidOf, 10)
		}
		return w.Write([]string{strconv.FormatInt(e.ID, 10), e.At.In(zone).Format(time.DateTime), loyalty.FormatShortCode(e.CardShortCode),
			string(e.Kind), loyalty.EscapeCell(e.ProgramName), strconv.Itoa(e.Stamps), strconv.Itoa(e.RewardSeq), yesNo(e.Voided), voidOf,
			yesNo(e.Override), loyalty.EscapeCell(e.Note), loyalty.EscapeCell(e.UserName)})
	})
	return a.endCSV(c, w, err)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// startCSV records the export and starts a download named after the shop, what
// it holds and the day: a UTF-8 byte-order mark first, which is how Excel
// knows to read Turkish and Persian names as UTF-8, CRLF line ends, and the
// separator the reader's language expects. A HEAD request gets the headers
// only, and records nothing (w is nil).
func (a *App) startCSV(c echo.Context, what string, now time.Time) (*csv.Writer, error) {
	u, shop := staff(c)
	tr := a.page(c, &shop, "").T
	day := now.In(tr.Zone()).Format(time.DateOnly)
	name := fmt.Sprintf("%s-%s-%s.csv", shop.Slug, what, day)
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", name))
	h.Set("Cache-Control", "no-store")
	if c.Request().Method == http.MethodHead {
		return nil, c.NoContent(http.StatusOK)
	}
	if err := a.store.Audit(c.Request().Context(), shop.ID, u.ID, db.AuditCustomersExport, name, now); err != nil {
		return nil, err
	}
	c.Response().WriteHeader(http.StatusOK)
	if _, err := io.WriteString(c.Response(), "\uFEFF"); err != nil {
		return nil, err
	}
	w := csv.NewWriter(c.Response())
	w.UseCRLF = true
	if semicolonLanguages[tr.Lang] {
		w.Comma = ';'
	}
	return w, nil
}

// semicolonLanguages write numbers with a decimal comma, so spreadsheets set to
// them (Excel in Turkish or Romanian) split a CSV file's rows on semicolons:
// with commas every row would land in one cell. The import reads either.
var semicolonLanguages = map[string]bool{"tr": true, "ro": true}

// endCSV finishes a download. Once rows were sent, an error can no longer
// become an error page: the connection is cut, so the browser reports a
// failed download instead of saving a file that silently lacks rows.
func (a *App) endCSV(c echo.Context, w *csv.Writer, err error) error {
	w.Flush()
	if err == nil {
		err = w.Error()
	}
	if err != nil {
		a.log.Error("export cut short", "path", c.Request().URL.Path, "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

// importForm offers the exports and the import; ?created=, ?updated=,
// ?skipped= and ?kept= tell what the import just did.
func (a *App) importForm(c echo.Context) error {
	_, shop := staff(c)
	p := a.page(c, &shop, "CSVTitle")
	v := views.CSVImport{}
	var r views.CSVResult
	for name, n := range map[string]*int{"created": &r.Created, "updated": &r.Updated, "skipped": &r.Skipped, "kept": &r.Kept} {
		if i, err := strconv.Atoi(c.QueryParam(name)); err == nil && i > 0 {
			*n = i
		}
	}
	if r != (views.CSVResult{}) {
		v.Result = &r
	}
	return render(c, http.StatusOK, views.CSVImportPage(p, v))
}

// importPreview reads an uploaded file, or the file the mapping step sends
// back with the owner's choices ("check again"), and shows its columns with
// what each is read as and what an import would do. It writes nothing.
func (a *App) importPreview(c echo.Context) error {
	_, shop := staff(c)
	p := a.page(c, &shop, "CSVTitle")
	if content := c.FormValue("content"); content != "" {
		raw, err := base64.RawURLEncoding.DecodeString(content)
		if err != nil {
			return echo.ErrBadRequest
		}
		return a.preview(c, p, raw)
	}
	refuse := func(status int, message string) error {
		return render(c, status, views.CSVImportPage(p, views.CSVImport{Error: message}))
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return refuse(http.StatusUnprocessableEntity, p.T.T("CSVFileMissing"))
	}
	if fh.Size > loyalty.MaxCSVBytes {
		return refuse(http.StatusRequestEntityTooLarge, p.T.T("CSVFileTooLarge"))
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, loyalty.MaxCSVBytes+1))
	if err != nil {
		return err
	}
	return a.preview(c, p, raw)
}

// importChoices reads the mapping step's choices: what each column holds
// (col-0, col-1, …; none: guessed from the header) and what to do with
// customers already in the shop.
func importChoices(c echo.Context) ([]loyalty.CSVField, db.ImportExisting, error) {
	var columns []loyalty.CSVField
	for i := range maxCSVColumns {
		v, ok := c.Request().Form["col-"+strconv.Itoa(i)]
		if !ok {
			break
		}
		columns = append(columns, loyalty.CSVField(v[0]))
	}
	existing := db.ImportExisting(c.FormValue("existing"))
	if existing == "" {
		existing = db.ImportSkip
	}
	if !existing.Valid() {
		return nil, "", echo.ErrBadRequest
	}
	return columns, existing, nil
}

// preview parses raw with the owner's choices and shows the result: 422 when
// anything is wrong, else the rows with the button that imports them. The
// file itself goes along in the form, so that "check again" and the import
// need no upload and keep nothing on the server.
func (a *App) preview(c echo.Context, p views.Page, raw []byte) error {
	_, shop := staff(c)
	columns, existing, err := importChoices(c)
	if err != nil {
		return err
	}
	program, err := a.importProgram(c, shop.ID)
	if err != nil {
		return err
	}
	file, err := loyalty.ParseCustomerCSV(raw, columns, program.IsPoints())
	var same *loyalty.CSVSameFieldError
	switch {
	case errors.Is(err, loyalty.ErrCSVColumns):
		return echo.ErrBadRequest
	case errors.Is(err, loyalty.ErrCSVTooLarge):
		return render(c, http.StatusRequestEntityTooLarge, views.CSVImportPage(p, views.CSVImport{Error: p.T.T(csvMessage(err))}))
	case errors.As(err, &same):
		msg := p.T.T("CSVSameField", "Field", views.CSVFieldLabel(p, string(same.Field)))
		return render(c, http.StatusUnprocessableEntity, views.CSVImportPage(p, views.CSVImport{Error: msg, Preview: mapping(file, raw, existing)}))
	case errors.Is(err, loyalty.ErrCSVNoContactColumn):
		msg := p.T.T(csvMessage(err))
		return render(c, http.StatusUnprocessableEntity, views.CSVImportPage(p, views.CSVImport{Error: msg, Preview: mapping(file, raw, existing)}))
	case err != nil:
		return render(c, http.StatusUnprocessableEntity, views.CSVImportPage(p, views.CSVImport{Error: p.T.T(csvMessage(err))}))
	}
	if err := a.checkClubs(c, shop.ID, &file); err != nil {
		return err
	}
	pv := mapping(file, raw, existing)
	pv.Total, pv.Invalid, pv.Ignored, pv.Program, pv.Points = len(file.Rows), file.Invalid, file.Ignored, program.Name, program.IsPoints()
	pv.Credit, pv.Clubs, pv.Currency = slices.Contains(file.Columns, loyalty.FieldCredit), slices.Contains(file.Columns, loyalty.FieldClubs), shop.Currency
	for i, r := range file.Rows {
		if i >= previewRows && len(r.Problems) == 0 {
			pv.Hidden++
			continue
		}
		row := views.CSVRow{Row: r.Row, FirstName: r.FirstName, Phone: r.Phone, Email: r.Email, Birthday: r.Birthday, Stamps: r.StartingStamps,
			Credit: r.StartingCredit, Clubs: r.Clubs}
		for _, problem := range r.Problems {
			row.Problems = append(row.Problems, csvProblem(p, problem))
		}
		pv.Rows = append(pv.Rows, row)
	}
	if file.Invalid > 0 {
		return render(c, http.StatusUnprocessableEntity, views.CSVImportPage(p, views.CSVImport{Preview: pv}))
	}
	pv.Ready = true
	pv.Key = newKey() + "-import"
	return render(c, http.StatusOK, views.CSVImportPage(p, views.CSVImport{Preview: pv}))
}

// checkClubs marks the file's rows naming a club the shop does not have (or
// has archived), when a column holds clubs.
func (a *App) checkClubs(c echo.Context, shopID int64, file *loyalty.CustomerFile) error {
	if !slices.Contains(file.Columns, loyalty.FieldClubs) {
		return nil
	}
	clubs, err := a.store.ImportClubs(c.Request().Context(), shopID)
	if err != nil {
		return err
	}
	file.CheckClubs(clubs)
	return nil
}

// mapping is the mapping step of file: each column with its first value and
// what it is read as, and the file to send back.
func mapping(file loyalty.CustomerFile, raw []byte, existing db.ImportExisting) *views.CSVPreview {
	pv := &views.CSVPreview{Content: base64.RawURLEncoding.EncodeToString(raw), Existing: string(existing), Checked: checkedColumns(file.Columns)}
	for _, f := range loyalty.CSVFields {
		pv.Fields = append(pv.Fields, string(f))
	}
	for i, h := range file.Header {
		pv.Columns = append(pv.Columns, views.CSVColumn{Header: h, Sample: file.Samples[i], Field: string(file.Columns[i])})
	}
	return pv
}

// checkedColumns names a mapping, so that the import can tell it is the one
// whose preview the owner saw: a choice changed since goes back to the
// preview instead of importing unseen.
func checkedColumns(columns []loyalty.CSVField) string {
	names := make([]string, len(columns))
	for i, f := range columns {
		names[i] = string(f)
	}
	return strings.Join(names, ",")
}

// importProgram is the program starting stamps go to: the shop's default.
func (a *App) importProgram(c echo.Context, shopID int64) (db.Program, error) {
	ps, err := a.store.Programs(c.Request().Context(), shopID, false)
	if err != nil {
		return db.Program{}, err
	}
	for _, pr := range ps {
		if pr.IsDefault {
			return pr, nil
		}
	}
	return db.Program{}, fmt.Errorf("shop %d has no default program", shopID)
}

// importConfirm imports the file the preview carried, parsed again with the
// choices of the form: what the browser sends back is input like any other.
func (a *App) importConfirm(c echo.Context) error {
	u, shop := staff(c)
	p := a.page(c, &shop, "CSVTitle")
	key, err := formKey(c)
	if err != nil {
		return err
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.FormValue("content"))
	if err != nil {
		return echo.ErrBadRequest
	}
	columns, existing, err := importChoices(c)
	if err != nil {
		return err
	}
	program, err := a.importProgram(c, shop.ID)
	if err != nil {
		return err
	}
	file, err := loyalty.ParseCustomerCSV(raw, columns, program.IsPoints())
	if err == nil {
		err = a.checkClubs(c, shop.ID, &file)
	}
	if err != nil || file.Invalid > 0 || c.FormValue("checked") != checkedColumns(file.Columns) {
		return a.preview(c, p, raw)
	}
	res, err := a.store.ImportCustomers(c.Request().Context(), shop.ID, u.ID, file.Rows, program.ID, key, existing, a.now())
	var replay *db.ReplayedError
	switch {
	case errors.As(err, &replay):
		return render(c, http.StatusConflict, views.CSVImportPage(p, views.CSVImport{Error: p.T.T("CSVAlreadyImported")}))
	case errors.Is(err, loyalty.ErrCSVClubUnknown):
		return a.preview(c, p, raw) // a club renamed or archived since the check: the preview says which
	case err != nil:
		return err
	}
	q := url.Values{}
	for name, n := range map[string]int{"created": res.Created, "updated": res.Updated, "skipped": res.Skipped, "kept": res.Kept} {
		q.Set(name, strconv.Itoa(n))
	}
	return c.Redirect(http.StatusSeeOther, "/customers/import?"+q.Encode())
}

// consentCell is "yes" for a customer who agreed to hear from the shop; the
// export's values, like its headers, are the same in every language.
func consentCell(consent bool) string {
	if consent {
		return "yes"
	}
	return ""
}
