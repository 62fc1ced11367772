package loyalty

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
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
)

// Problems with a whole customers file: nothing in it can be imported.
var (
	ErrCSVTooLarge    = errors.New("customers file over 2 MB")
	ErrCSVNotUTF8     = errors.New("customers file is not UTF-8 text")
	ErrCSVNoHeader    = errors.New("customers file has no header naming a name, phone or email column")
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
)

// CustomerRow is one customer read from a file. Row is its number as a
// spreadsheet shows it: the header is row 1, the first customer row 2.
type CustomerRow struct {
	Row            int
	FirstName      string
	Phone          string // normalized, see NormalizePhone
	Email          string // lower case
	Birthday       string // "MM-DD" or empty
	StartingStamps int
	Problems       []error // empty when the row can be imported
}

// CustomerFile is a parsed customers file.
type CustomerFile struct {
	Rows []CustomerRow
	// Ignored names the header's columns that are not imported (a short code,
	// a segment, a second stamps column), so the preview can say so.
	Ignored []string
	// Invalid counts the rows with problems.
	Invalid int
}

// The columns a customers file may have.
type csvColumn int

const (
	colNone csvColumn = iota
	colName
	colPhone
	colEmail
	colBirthday
	colStamps
)

// csvHeaders maps header names, compared in lower case without surrounding
// spaces, to columns: English, a few Turkish, Persian and Romanian ones owners
// type, and those the export writes. A header "stamps: <program>" is a stamps
// column too.
var csvHeaders = map[string]csvColumn{
	"first name": colName, "first_name": colName, "firstname": colName, "name": colName, "customer": colName,
	"ad": colName, "adı": colName, "isim": colName,
	"نام": colName, "نام کوچک": colName, "nume": colName, "prenume": colName,
	"phone": colPhone, "phone number": colPhone, "mobile": colPhone, "telephone": colPhone, "tel": colPhone,
	"telefon": colPhone, "تلفن": colPhone, "موبایل": colPhone, "mobil": colPhone,
	"email": colEmail, "e-mail": colEmail, "email address": colEmail, "e-posta": colEmail, "eposta": colEmail,
	"ایمیل":    colEmail,
	"birthday": colBirthday, "birth date": colBirthday, "date of birth": colBirthday, "birthdate": colBirthday,
	"doğum günü": colBirthday, "doğum tarihi": colBirthday, "تولد": colBirthday, "تاریخ تولد": colBirthday,
	"zi de naștere": colBirthday, "data nașterii": colBirthday,
	"stamps": colStamps, "starting stamps": colStamps, "starting_stamps": colStamps, "damga": colStamps,
	"مهر": colStamps, "مهرها": colStamps, "ștampile": colStamps,
}

// StampsHeaderPrefix starts the header of an export's per-program stamps column.
const StampsHeaderPrefix = "stamps: "

func headerColumn(h string) csvColumn {
	h = strings.ToLower(strings.TrimSpace(h))
	if c, ok := csvHeaders[h]; ok {
		return c
	}
	if strings.HasPrefix(h, strings.TrimSpace(StampsHeaderPrefix)) {
		return colStamps
	}
	return colNone
}

// ParseCustomerCSV reads a customers file: UTF-8 (with or without a byte-order
// mark), comma- or semicolon-separated (spreadsheets in Turkish and many
// European locales write semicolons), with a header row naming the columns in
// any order. Rows with problems are returned with them; an error means the
// file as a whole is unusable.
func ParseCustomerCSV(data []byte) (CustomerFile, error) {
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
	if err != nil {
		return out, ErrCSVNoHeader
	}
	columns := make([]csvColumn, len(header))
	seen := map[csvColumn]bool{}
	for i, h := range header {
		c := headerColumn(h)
		if c != colNone && seen[c] {
			c = colNone // the first of two stamps columns is the default program's
		}
		if c == colNone {
			if name := strings.TrimSpace(h); name != "" {
				out.Ignored = append(out.Ignored, name)
			}
		}
		seen[c] = true
		columns[i] = c
	}
	if !seen[colName] && !seen[colPhone] && !seen[colEmail] {
		return CustomerFile{}, ErrCSVNoHeader
	}
	for {
		record, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil && blank(record) {
			continue // spreadsheets leave rows of empty cells behind
		}
		if len(out.Rows) == MaxCSVRows {
			return CustomerFile{}, ErrCSVTooManyRows
		}
		// A row is numbered by the line it starts on, as a spreadsheet numbers it.
		var row CustomerRow
		var perr *csv.ParseError
		switch {
		case errors.As(err, &perr):
			row = CustomerRow{Row: perr.StartLine, Problems: []error{ErrCSVMalformed}}
		case err != nil:
			return CustomerFile{}, fmt.Errorf("read customers file: %w", err)
		case len(record) != len(columns):
			line, _ := r.FieldPos(0)
			row = CustomerRow{Row: line, Problems: []error{ErrCSVColumnCount}}
		default:
			line, _ := r.FieldPos(0)
			row = parseCustomerRow(line, columns, record)
		}
		if len(row.Problems) > 0 {
			out.Invalid++
		}
		out.Rows = append(out.Rows, row)
	}
	if len(out.Rows) == 0 {
		return CustomerFile{}, ErrCSVNoRows
	}
	return out, nil
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

func parseCustomerRow(number int, columns []csvColumn, record []string) CustomerRow {
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
		if c == colNone {
			continue
		}
		v := unescapeCell(strings.TrimSpace(record[i]))
		if strings.IndexFunc(v, unicode.IsControl) >= 0 {
			fail(ErrCSVControlChar)
			continue
		}
		switch c {
		case colName:
			row.FirstName = v
			if utf8.RuneCountInString(v) > MaxCSVNameRunes {
				fail(ErrCSVNameTooLong)
			}
		case colPhone:
			row.Phone = NormalizePhone(v)
			if v != "" && (len(row.Phone) < 4 || len(row.Phone) > 20) {
				fail(ErrCSVPhone)
			}
		case colEmail:
			row.Email = strings.ToLower(v)
			if v != "" && !plainEmail(v) {
				fail(ErrCSVEmail)
			}
		case colBirthday:
			if v == "" {
				break
			}
			var ok bool
			if row.Birthday, ok = parseCSVBirthday(v); !ok {
				fail(ErrCSVBirthday)
			}
		case colStamps:
			if v == "" {
				break
			}
			n, err := strconv.Atoi(v)
			switch {
			case err != nil && !isInteger(v):
				fail(ErrCSVStampsInvalid)
			case err != nil || n < 0 || n > MaxStartingStamps:
				fail(ErrCSVStampsRange)
			default:
				row.StartingStamps = n
			}
		}
	}
	if row.FirstName == "" && row.Phone == "" && row.Email == "" && len(row.Problems) == 0 {
		fail(ErrCSVNoContact)
	}
	return row
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
