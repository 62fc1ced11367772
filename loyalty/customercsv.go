package loyalty

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of a customers file: a shop moving off paper cards has hundreds or a
// few thousand customers; the limits keep one upload's work bounded.
const (
	MaxCSVBytes       = 2 << 20
	MaxCSVRows        = 10000
	MaxCSVNameRunes   = 100
	MaxCSVEmailBytes  = 254
	MaxStartingStamps = 1000
	// MaxStartingPoints bounds a starting balance imported into a points
	// program: points come by the amount spent (a point per lira, per
	// rial), so balances of tens of thousands are ordinary; a million is
	// still a typo's size, not a customer's.
	MaxStartingPoints = 1_000_000
)

// Problems with a whole customers file: nothing in it can be imported.
var (
	ErrCSVTooLarge    = errors.New("customers file over 2 MB")
	ErrCSVNotUTF8     = errors.New("customers file is not UTF-8 text")
	ErrCSVNoHeader    = errors.New("customers file has no header row")
	ErrCSVNoRows      = errors.New("customers file has no customers")
	ErrCSVTooManyRows = errors.New("customers file has over 10000 rows")
)

// Problems with one row of a customers file.
var (
	ErrCSVMalformed     = errors.New("row is not well-formed CSV")
	ErrCSVColumnCount   = errors.New("row has a different number of columns than the header")
	ErrCSVNoContact     = errors.New("row has no name, phone or email")
	ErrCSVControlChar   = errors.New("cell holds a line break or control character")
	ErrCSVNameTooLong   = errors.New("name over 100 characters")
	ErrCSVPhone         = errors.New("phone number not valid")
	ErrCSVEmail         = errors.New("email address not valid")
	ErrCSVBirthday      = errors.New("birthday not a date")
	ErrCSVStampsInvalid = errors.New("starting stamps not a whole number")
	ErrCSVStampsRange   = errors.New("starting stamps outside 0-1000")
	ErrCSVPointsRange   = errors.New("starting points outside 0-1000000")
	// The starting store credit (FieldCredit): an amount of the shop's
	// money, never below zero, at most MaxAmount.
	ErrCSVCreditInvalid  = errors.New("store credit not an amount")
	ErrCSVCreditNegative = errors.New("store credit below zero")
	ErrCSVCreditRange    = errors.New("store credit over the largest amount")
	// ErrCSVClubUnknown: a row names a club the shop does not have, or an
	// archived one; see CSVUnknownClubError.
	ErrCSVClubUnknown = errors.New("no such club")
)

// CSVUnknownClubError names the club a row asks for that the shop does not have.
type CSVUnknownClubError struct{ Name string }

func (e *CSVUnknownClubError) Error() string { return fmt.Sprintf("no club named %q", e.Name) }
func (e *CSVUnknownClubError) Unwrap() error { return ErrCSVClubUnknown }

// CustomerRow is one customer read from a file. Row is its number as a
// spreadsheet shows it: the header is row 1, the first customer row 2.
type CustomerRow struct {
	Row            int
	FirstName      string
	Phone          string // normalized, see NormalizePhone
	Email          string // lower case
	Birthday       string // "MM-DD" or empty
	StartingStamps int
	// HasStamps: the row's stamps cell is filled in, so a customer already in
	// the shop can be compared with it (an empty cell says nothing).
	HasStamps bool
	// StartingCredit is the store credit the card starts with, in minor
	// units; HasCredit: the row's credit cell is filled in.
	StartingCredit int
	HasCredit      bool
	// Clubs names the clubs the customer is to be a member of.
	Clubs    []string
	Problems []error // empty when the row can be imported
}

// CustomerFile is a parsed customers file.
type CustomerFile struct {
	Rows []CustomerRow
	// Header is the file's header row; Samples the first value below each
	// column, so the mapping step shows what a column holds; Columns what
	// each column was read as.
	Header, Samples []string
	Columns         []CSVField
	// Ignored names the header's columns that are not imported (a short code,
	// a segment, a second stamps column), so the preview can say so.
	Ignored []string
	// Invalid counts the rows with problems.
	Invalid int
}

// CSVField is what a column of a customers file holds, as the owner maps it.
type CSVField string

const (
	FieldIgnore   CSVField = "ignore"
	FieldName     CSVField = "name"
	FieldPhone    CSVField = "phone"
	FieldEmail    CSVField = "email"
	FieldBirthday CSVField = "birthday"
	FieldStamps   CSVField = "stamps"
	FieldCredit   CSVField = "credit"
	FieldClubs    CSVField = "clubs"
)

// CSVFields are the choices of the mapping step, in the order it offers them.
var CSVFields = []CSVField{FieldName, FieldPhone, FieldEmail, FieldBirthday, FieldStamps, FieldCredit, FieldClubs, FieldIgnore}

// Valid reports whether f is one of CSVFields.
func (f CSVField) Valid() bool {
	return slices.Contains(CSVFields, f)
}

// csvHeaders maps header names, compared in lower case without surrounding
// spaces, to fields: English, Turkish, Persian and Romanian ones owners type
// (with and without diacritics: "adı" lower-cases from "ADI" as "adi"), and
// those the export writes. Loyalty apps call their balance points as often as
// stamps, so a points column is a stamps column. A header "stamps: <program>"
// is one too.
var csvHeaders = map[string]CSVField{
	"first name": FieldName, "first_name": FieldName, "firstname": FieldName, "name": FieldName, "customer": FieldName,
	"full name": FieldName, "customer name": FieldName,
	"ad": FieldName, "adı": FieldName, "adi": FieldName, "isim": FieldName, "ad soyad": FieldName, "adı soyadı": FieldName,
	"müşteri": FieldName, "müşteri adı": FieldName,
	"نام": FieldName, "نام کوچک": FieldName, "نام و نام خانوادگی": FieldName, "مشتری": FieldName,
	"nume": FieldName, "prenume": FieldName, "nume și prenume": FieldName, "client": FieldName,
	"phone": FieldPhone, "phone number": FieldPhone, "mobile": FieldPhone, "telephone": FieldPhone, "tel": FieldPhone, "cell": FieldPhone,
	"telefon": FieldPhone, "telefon numarası": FieldPhone, "cep": FieldPhone, "cep telefonu": FieldPhone, "gsm": FieldPhone,
	"تلفن": FieldPhone, "موبایل": FieldPhone, "شماره تلفن": FieldPhone, "شماره موبایل": FieldPhone, "تلفن همراه": FieldPhone,
	"mobil": FieldPhone, "număr de telefon": FieldPhone, "numar de telefon": FieldPhone,
	"email": FieldEmail, "e-mail": FieldEmail, "email address": FieldEmail, "mail": FieldEmail,
	"e-posta": FieldEmail, "eposta": FieldEmail, "ایمیل": FieldEmail, "پست الکترونیک": FieldEmail,
	"birthday": FieldBirthday, "birth date": FieldBirthday, "date of birth": FieldBirthday, "birthdate": FieldBirthday,
	"doğum günü": FieldBirthday, "doğum tarihi": FieldBirthday, "تولد": FieldBirthday, "تاریخ تولد": FieldBirthday,
	"zi de naștere": FieldBirthday, "ziua de naștere": FieldBirthday, "data nașterii": FieldBirthday, "data nasterii": FieldBirthday,
	"stamps": FieldStamps, "starting stamps": FieldStamps, "starting_stamps": FieldStamps, "points": FieldStamps, "balance": FieldStamps,
	"damga": FieldStamps, "damgalar": FieldStamps, "puan": FieldStamps, "puanlar": FieldStamps, "pul": FieldStamps,
	"مهر": FieldStamps, "مهرها": FieldStamps, "امتیاز": FieldStamps, "امتیازها": FieldStamps,
	"ștampile": FieldStamps, "stampile": FieldStamps, "puncte": FieldStamps,
	"store credit": FieldCredit, "store_credit": FieldCredit, "credit": FieldCredit, "cashback": FieldCredit,
	"mağaza kredisi": FieldCredit, "kredi": FieldCredit, "اعتبار": FieldCredit, "اعتبار فروشگاه": FieldCredit, "اعتبار خرید": FieldCredit,
	"credit magazin": FieldCredit, "credit în magazin": FieldCredit, "credit in magazin": FieldCredit,
	"clubs": FieldClubs, "club": FieldClubs, "kulüpler": FieldClubs, "kulüp": FieldClubs, "kulupler": FieldClubs,
	"باشگاه\u200cها": FieldClubs, "باشگاه": FieldClubs, "cluburi": FieldClubs,
}

// ClubSeparator separates the clubs in a cell of the clubs column; the
// import also takes the Persian semicolon "؛". A club whose name holds one
// cannot be named in a file.
const ClubSeparator = "; "

// StampsHeaderPrefix starts the header of an export's per-program stamps column.
const StampsHeaderPrefix = "stamps: "

// PointsHeaderPrefix starts the header of an export's column of the points
// held in a points program: a stamps column to an import.
const PointsHeaderPrefix = "points: "

// RewardsHeaderPrefix starts the header of an export's per-program column of
// rewards earned and not yet redeemed. An import leaves it alone: a reward is
// earned at the counter, not typed into a file.
const RewardsHeaderPrefix = "rewards: "

func guessField(h string) CSVField {
	h = strings.ToLower(strings.TrimSpace(h))
	if f, ok := csvHeaders[h]; ok {
		return f
	}
	if strings.HasPrefix(h, strings.TrimSpace(StampsHeaderPrefix)) || strings.HasPrefix(h, strings.TrimSpace(PointsHeaderPrefix)) {
		return FieldStamps
	}
	return FieldIgnore
}

// GuessColumns proposes what each column of header holds. A field guessed
// twice is proposed for its first column only: the first of an export's
// stamps columns is the default program's.
func GuessColumns(header []string) []CSVField {
	out := make([]CSVField, len(header))
	seen := map[CSVField]bool{}
	for i, h := range header {
		f := guessField(h)
		if seen[f] {
			f = FieldIgnore
		}
		seen[f] = true
		out[i] = f
	}
	return out
}

// Problems with the owner's mapping of the columns.
var (
	// ErrCSVColumns: the mapping does not fit the file (one choice per
	// column, each one of CSVFields). The mapping step cannot send that.
	ErrCSVColumns = errors.New("column mapping does not fit the customers file")
	// ErrCSVNoContactColumn: no column is a name, phone or email.
	ErrCSVNoContactColumn = errors.New("no column holds a name, phone or email")
	// ErrCSVSameField: two columns hold one field; see CSVSameFieldError.
	ErrCSVSameField = errors.New("two columns mapped to one field")
)

// CSVSameFieldError names the field two columns were mapped to.
type CSVSameFieldError struct{ Field CSVField }

func (e *CSVSameFieldError) Error() string { return fmt.Sprintf("two columns mapped to %s", e.Field) }
func (e *CSVSameFieldError) Unwrap() error { return ErrCSVSameField }

// ParseCustomerCSV reads a customers file: UTF-8 (with or without a byte-order
// mark), comma- or semicolon-separated (spreadsheets in Turkish and many
// European locales write semicolons), with a header row. columns says what
// each column holds; nil: guessed from the header (GuessColumns). points:
// starting balances go to a points program, capped at MaxStartingPoints
// rather than MaxStartingStamps. Rows with
// problems are returned with them. An error means nothing can be imported:
// the file as a whole is unusable, or (ErrCSVNoContactColumn,
// ErrCSVSameField) the mapping is, and then the file still has its Header,
// Columns and Samples, so the owner can map it again.
func ParseCustomerCSV(data []byte, columns []CSVField, points bool) (CustomerFile, error) {
	var out CustomerFile
	if len(data) > MaxCSVBytes {
		return out, ErrCSVTooLarge
	}
	if !utf8.Valid(data) {
		return out, ErrCSVNotUTF8
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = separator(data)
	r.FieldsPerRecord = -1 // counted here, so a short row is reported, not fatal
	header, err := r.Read()
	if err != nil || blank(header) {
		return out, ErrCSVNoHeader
	}
	type record struct {
		line  int
		cells []string
		err   error
	}
	var records []record
	for {
		cells, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil && blank(cells) {
			continue // spreadsheets leave rows of empty cells behind
		}
		if len(records) == MaxCSVRows {
			return CustomerFile{}, ErrCSVTooManyRows
		}
		// A row is numbered by the line it starts on, as a spreadsheet numbers it.
		var perr *csv.ParseError
		switch {
		case errors.As(err, &perr):
			records = append(records, record{line: perr.StartLine, err: ErrCSVMalformed})
		case err != nil:
			return CustomerFile{}, fmt.Errorf("read customers file: %w", err)
		default:
			line, _ := r.FieldPos(0)
			records = append(records, record{line: line, cells: cells})
		}
	}
	if len(records) == 0 {
		return CustomerFile{}, ErrCSVNoRows
	}
	out.Header = make([]string, len(header))
	out.Samples = make([]string, len(header))
	for i, h := range header {
		out.Header[i] = strings.TrimSpace(h)
		for _, rec := range records {
			if i < len(rec.cells) {
				if v := unescapeCell(strings.TrimSpace(rec.cells[i])); v != "" {
					out.Samples[i] = v
					break
				}
			}
		}
	}
	if columns == nil {
		columns = GuessColumns(header)
	}
	if len(columns) != len(header) {
		return CustomerFile{}, ErrCSVColumns
	}
	out.Columns = columns
	if err := checkColumns(columns); err != nil {
		return out, err
	}
	for i, f := range columns {
		if f == FieldIgnore && out.Header[i] != "" {
			out.Ignored = append(out.Ignored, out.Header[i])
		}
	}
	for _, rec := range records {
		var row CustomerRow
		switch {
		case rec.err != nil:
			row = CustomerRow{Row: rec.line, Problems: []error{rec.err}}
		case len(rec.cells) != len(columns):
			row = CustomerRow{Row: rec.line, Problems: []error{ErrCSVColumnCount}}
		default:
			row = parseCustomerRow(rec.line, columns, rec.cells, points)
		}
		if len(row.Problems) > 0 {
			out.Invalid++
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

// checkColumns refuses a mapping that could not import a customer: no way to
// tell who a row is, or two columns for one field (which stamps count?).
func checkColumns(columns []CSVField) error {
	seen := map[CSVField]bool{}
	for _, f := range columns {
		if !f.Valid() {
			return ErrCSVColumns
		}
		if f != FieldIgnore && seen[f] {
			return &CSVSameFieldError{Field: f}
		}
		seen[f] = true
	}
	if !seen[FieldName] && !seen[FieldPhone] && !seen[FieldEmail] {
		return ErrCSVNoContactColumn
	}
	return nil
}

func blank(record []string) bool {
	for _, v := range record {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// separator is ';' when the header row has more semicolons than commas
// outside quoted cells (a program's name may hold either).
func separator(data []byte) rune {
	commas, semicolons, quoted := 0, 0, false
header:
	for _, b := range data {
		switch {
		case b == '"':
			quoted = !quoted
		case quoted:
		case b == '\n' || b == '\r':
			break header
		case b == ',':
			commas++
		case b == ';':
			semicolons++
		}
	}
	if semicolons > commas {
		return ';'
	}
	return ','
}

func parseCustomerRow(number int, columns []CSVField, record []string, points bool) CustomerRow {
	row := CustomerRow{Row: number}
	fail := func(err error) {
		for _, e := range row.Problems {
			if e == err {
				return
			}
		}
		row.Problems = append(row.Problems, err)
	}
	for i, c := range columns {
		if c == FieldIgnore {
			continue
		}
		v := unescapeCell(strings.TrimSpace(record[i]))
		if strings.IndexFunc(v, unicode.IsControl) >= 0 {
			fail(ErrCSVControlChar)
			continue
		}
		switch c {
		case FieldName:
			row.FirstName = v
			if utf8.RuneCountInString(v) > MaxCSVNameRunes {
				fail(ErrCSVNameTooLong)
			}
		case FieldPhone:
			row.Phone = NormalizePhone(v)
			if v != "" && (len(row.Phone) < 4 || len(row.Phone) > 20) {
				fail(ErrCSVPhone)
			}
		case FieldEmail:
			row.Email = strings.ToLower(v)
			if v != "" && !plainEmail(v) {
				fail(ErrCSVEmail)
			}
		case FieldBirthday:
			if v == "" {
				break
			}
			var ok bool
			if row.Birthday, ok = parseCSVBirthday(v); !ok {
				fail(ErrCSVBirthday)
			}
		case FieldStamps:
			if v == "" {
				break
			}
			row.HasStamps = true
			v = LatinDigits(v)
			n, err := strconv.Atoi(v)
			switch {
			case err != nil && !isInteger(v):
				fail(ErrCSVStampsInvalid)
			case points && (err != nil || n < 0 || n > MaxStartingPoints):
				fail(ErrCSVPointsRange)
			case !points && (err != nil || n < 0 || n > MaxStartingStamps):
				fail(ErrCSVStampsRange)
			default:
				row.StartingStamps = n
			}
		case FieldCredit:
			if v == "" {
				break
			}
			row.HasCredit = true
			n, err := parseCSVCredit(v)
			if err != nil {
				fail(err)
			}
			row.StartingCredit = n
		case FieldClubs:
			row.Clubs = splitClubs(v)
		}
	}
	if row.FirstName == "" && row.Phone == "" && row.Email == "" && len(row.Problems) == 0 {
		fail(ErrCSVNoContact)
	}
	return row
}

// parseCSVCredit reads a starting store credit as the export writes it
// ("12.50") and as owners type it in their language: a decimal comma, the
// Persian separator and digits, a currency beside it ("12,50 TL"); zero
// too. More than two decimals or a thousands separator is refused, as at
// the counter (ParseAmount).
func parseCSVCredit(s string) (int, error) {
	s = trimCurrency(strings.ReplaceAll(LatinDigits(s), "٫", "."))
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−") {
		return 0, ErrCSVCreditNegative
	}
	whole, frac, hasFrac := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	digits := func(p string) bool { return strings.Trim(p, "0123456789") == "" }
	if whole == "" || !digits(whole) || hasFrac && (frac == "" || len(frac) > 2 || !digits(frac)) {
		return 0, ErrCSVCreditInvalid
	}
	if whole = strings.TrimLeft(whole, "0"); len(whole) > 7 {
		return 0, ErrCSVCreditRange
	}
	n, _ := strconv.Atoi("0" + whole + (frac + "00")[:2])
	if n > MaxAmount {
		return 0, ErrCSVCreditRange
	}
	return n, nil
}

// splitClubs reads a cell of the clubs column: names separated by
// semicolons (ClubSeparator, or the Persian "؛"), each once.
func splitClubs(v string) []string {
	var out []string
	for _, name := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '؛' }) {
		if name = strings.TrimSpace(name); name != "" && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, name) }) {
			out = append(out, name)
		}
	}
	return out
}

// FindClub is the id of the club a file names, among a shop's clubs (name →
// id): the one of that exact name, else the only one of that name in another
// case; 0 when none, or when two differ from it only in case ("Coffee" and
// "coffee" may both exist, and a file's "COFFEE" names neither).
func FindClub(clubs map[string]int64, name string) int64 {
	if id, ok := clubs[name]; ok {
		return id
	}
	found := int64(0)
	for n, id := range clubs {
		if strings.EqualFold(n, name) {
			if found != 0 {
				return 0
			}
			found = id
		}
	}
	return found
}

// CheckClubs adds a CSVUnknownClubError to each row naming a club that is
// not among clubs (name → id), counting the row in Invalid.
func (f *CustomerFile) CheckClubs(clubs map[string]int64) {
	for i := range f.Rows {
		r := &f.Rows[i]
		had := len(r.Problems) > 0
		for _, name := range r.Clubs {
			if FindClub(clubs, name) == 0 {
				r.Problems = append(r.Problems, &CSVUnknownClubError{Name: name})
			}
		}
		if !had && len(r.Problems) > 0 {
			f.Invalid++
		}
	}
}

// isInteger reports an optionally signed run of ASCII digits: a number too big
// for an int is out of range, not malformed.
func isInteger(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// plainEmail accepts an address without a display name and with a dot in its domain.
func plainEmail(s string) bool {
	if len(s) > MaxCSVEmailBytes {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndex(s, "@"):], ".")
}

// FormulaPrefixes start a cell that a spreadsheet would run as a formula.
const FormulaPrefixes = "=+-@\t\r"

// EscapeCell makes text safe to open in a spreadsheet: a cell starting like a
// formula gets a leading apostrophe, so "+90 532…" or "=HYPERLINK(…)" stays text.
func EscapeCell(s string) string {
	if s != "" && strings.IndexByte(FormulaPrefixes, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// unescapeCell undoes EscapeCell, so an exported file imports as it was.
func unescapeCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.IndexByte(FormulaPrefixes, s[1]) >= 0 {
		return s[1:]
	}
	return s
}

// parseCSVBirthday reads a birthday as owners write it and keeps the month
// and day, "MM-DD": "03-14", "1990-03-14", "14.03" and "14.03.1990". A
// slash is refused: "03/04" means March or April depending on who wrote it.
func parseCSVBirthday(s string) (string, bool) {
	var month, day string
	dashes, dots := strings.Split(s, "-"), strings.Split(s, ".")
	switch {
	case len(dashes) == 2:
		month, day = dashes[0], dashes[1]
	case len(dashes) == 3 && isYear(dashes[0]):
		month, day = dashes[1], dashes[2]
	case len(dots) == 2:
		day, month = dots[0], dots[1]
	case len(dots) == 3 && isYear(dots[2]):
		day, month = dots[0], dots[1]
	default:
		return "", false
	}
	b, err := ParseBirthday(month + "-" + day)
	if err != nil {
		return "", false
	}
	return b.String(), true
}

func isYear(s string) bool {
	return len(s) == 4 && strings.Trim(s, "0123456789") == ""
}
