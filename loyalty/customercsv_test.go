package loyalty

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseCustomerCSV(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    []CustomerRow
		ignored []string
	}{
		{
			name: "comma separated, English header",
			in:   "First name,Phone,Email,Birthday,Stamps\nAli,0532 123 45 67,Ali@Example.com,03-14,4\n",
			want: []CustomerRow{{Row: 2, FirstName: "Ali", Phone: "05321234567", Email: "ali@example.com", Birthday: "03-14", StartingStamps: 4}},
		},
		{
			name: "semicolons, BOM, CRLF, columns in another order, Turkish and Persian names",
			in:   "\uFEFFstamps;EMAIL;name;phone\r\n2;;Çağrı İşıl;+90 532 000 11 22\r\n0;m@example.ir;مریم;\r\n",
			want: []CustomerRow{
				{Row: 2, FirstName: "Çağrı İşıl", Phone: "+905320001122", StartingStamps: 2},
				{Row: 3, FirstName: "مریم", Email: "m@example.ir"},
			},
		},
		{
			name: "the export's own header and escaped cells",
			in: "short code,first name,phone,email,birthday,joined,segment,visits,last visit,stamps: Coffee,stamps: Tea\r\n" +
				"K7M2-Q9XD,'=Ayşe,'+905321112233,a@b.co,02-29,2026-01-05,regular,4,2026-02-01,7,3\r\n",
			want:    []CustomerRow{{Row: 2, FirstName: "=Ayşe", Phone: "+905321112233", Email: "a@b.co", Birthday: "02-29", StartingStamps: 7}},
			ignored: []string{"short code", "joined", "segment", "visits", "last visit", "stamps: Tea"},
		},
		{
			name: "separators inside quoted header cells do not count",
			in:   "name,\"stamps: Tea; cake; pie\"\nAli,2\n",
			want: []CustomerRow{{Row: 2, FirstName: "Ali", StartingStamps: 2}},
		},
		{
			name: "Turkish header an owner typed",
			in:   "Ad;Telefon;E-posta;Doğum günü;Damga\r\nÇağrı;0532 123 45 67;;14.03.1990;3\r\n",
			want: []CustomerRow{{Row: 2, FirstName: "Çağrı", Phone: "05321234567", Birthday: "03-14", StartingStamps: 3}},
		},
		{
			name: "Persian header and a phone in Persian digits",
			in:   "نام,تلفن,ایمیل,تاریخ تولد,مهر\nسارا,۰۹۱۲ ۳۴۵ ۶۷۸۹,,1990-03-14,2\n",
			want: []CustomerRow{{Row: 2, FirstName: "سارا", Phone: "09123456789", Birthday: "03-14", StartingStamps: 2}},
		},
		{
			name: "Romanian header an owner typed",
			in:   "Prenume;Telefon;E-mail;Data nașterii;Ștampile\r\nȘtefan;0722 123 456;;14.03;4\r\n",
			want: []CustomerRow{{Row: 2, FirstName: "Ștefan", Phone: "0722123456", Birthday: "03-14", StartingStamps: 4}},
		},
		{
			name: "points, puan, امتیاز and puncte are stamps; Persian digits count",
			in:   "name,points\nAli,7\n",
			want: []CustomerRow{{Row: 2, FirstName: "Ali", StartingStamps: 7}},
		},
		{
			name: "Turkish points column",
			in:   "ADI;Puan\nÇağrı;12\n",
			want: []CustomerRow{{Row: 2, FirstName: "Çağrı", StartingStamps: 12}},
		},
		{
			name: "Persian points column in Persian digits",
			in:   "نام,امتیاز\nسارا,۱۲\n",
			want: []CustomerRow{{Row: 2, FirstName: "سارا", StartingStamps: 12}},
		},
		{
			name: "Romanian points column",
			in:   "Nume;Puncte\nȘtefan;5\n",
			want: []CustomerRow{{Row: 2, FirstName: "Ștefan", StartingStamps: 5}},
		},
		{
			name: "birthdays as people write them",
			in:   "name,birthday\nA,14.03\nB,1990-03-14\nC,14.03.1990\nD,3-4\nE,\n",
			want: []CustomerRow{
				{Row: 2, FirstName: "A", Birthday: "03-14"},
				{Row: 3, FirstName: "B", Birthday: "03-14"},
				{Row: 4, FirstName: "C", Birthday: "03-14"},
				{Row: 5, FirstName: "D", Birthday: "03-04"},
				{Row: 6, FirstName: "E"},
			},
		},
		{
			name: "blank rows are skipped, numbers keep counting",
			in:   "name;phone\n;\n\nBora;5551234\n",
			want: []CustomerRow{{Row: 4, FirstName: "Bora", Phone: "5551234"}},
		},
		{
			name: "quoted cells with separators and quotes",
			in:   "name,email\n\"Ali, \"\"the barber\"\"\",ali@example.com\n",
			want: []CustomerRow{{Row: 2, FirstName: `Ali, "the barber"`, Email: "ali@example.com"}},
		},
		{
			name: "rows with problems",
			in: "name,phone,email,birthday,stamps\n" +
				"A,call me,,,\n" +
				"B,,not-an-email,,\n" +
				"C,,,13-01,\n" +
				"D,,,14/03,\n" +
				"E,,,,ten\n" +
				"F,,,,-1\n" +
				"G,,,,1001\n" +
				"H,,,,99999999999999999999\n" +
				",,,,5\n" +
				"I,12,Eve <eve@example.com>,31.04,2.5\n" +
				strings.Repeat("n", 101) + ",,,,\n" +
				"\"two\nlines\",,,,\n" +
				"J,1234\n" +
				"K,1234,\"x\"y,,\n",
			want: []CustomerRow{
				{Row: 2, FirstName: "A", Problems: []error{ErrCSVPhone}},
				{Row: 3, FirstName: "B", Email: "not-an-email", Problems: []error{ErrCSVEmail}},
				{Row: 4, FirstName: "C", Problems: []error{ErrCSVBirthday}},
				{Row: 5, FirstName: "D", Problems: []error{ErrCSVBirthday}},
				{Row: 6, FirstName: "E", Problems: []error{ErrCSVStampsInvalid}},
				{Row: 7, FirstName: "F", Problems: []error{ErrCSVStampsRange}},
				{Row: 8, FirstName: "G", Problems: []error{ErrCSVStampsRange}},
				{Row: 9, FirstName: "H", Problems: []error{ErrCSVStampsRange}},
				{Row: 10, StartingStamps: 5, Problems: []error{ErrCSVNoContact}},
				{Row: 11, FirstName: "I", Phone: "12", Email: "eve <eve@example.com>", Problems: []error{ErrCSVPhone, ErrCSVEmail, ErrCSVBirthday, ErrCSVStampsInvalid}},
				{Row: 12, FirstName: strings.Repeat("n", 101), Problems: []error{ErrCSVNameTooLong}},
				{Row: 13, Problems: []error{ErrCSVControlChar}},
				// the two-line cell took lines 13 and 14
				{Row: 15, Problems: []error{ErrCSVColumnCount}},
				{Row: 16, Problems: []error{ErrCSVMalformed}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCustomerCSV([]byte(tt.in), nil, false)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got.Rows, tt.want, sameRow) {
				t.Errorf("rows\n got %+v\nwant %+v", got.Rows, tt.want)
			}
			invalid := 0
			for _, r := range tt.want {
				if len(r.Problems) > 0 {
					invalid++
				}
			}
			if got.Invalid != invalid {
				t.Errorf("invalid = %d, want %d", got.Invalid, invalid)
			}
			if !slices.Equal(got.Ignored, tt.ignored) {
				t.Errorf("ignored %q, want %q", got.Ignored, tt.ignored)
			}
		})
	}
}

func sameRow(a, b CustomerRow) bool {
	return a.Row == b.Row && a.FirstName == b.FirstName && a.Phone == b.Phone && a.Email == b.Email &&
		a.Birthday == b.Birthday && a.StartingStamps == b.StartingStamps && slices.Equal(a.Problems, b.Problems)
}

func TestParseCustomerCSVRefusesFile(t *testing.T) {
	t.Parallel()
	tooMany := "name\n" + strings.Repeat("Ali\n", MaxCSVRows+1)
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrCSVNoHeader},
		{"only a BOM", "\uFEFF", ErrCSVNoHeader},
		{"no header, data first", "Ali,05321234567,ali@example.com\nVeli,05321234568,veli@example.com\n", ErrCSVNoContactColumn},
		{"header of unknown columns", "foo,bar\n1,2\n", ErrCSVNoContactColumn},
		{"a header of empty cells", ",,\nAli,1,2\n", ErrCSVNoHeader},
		{"Windows-1254 (not UTF-8)", "name\n\xc7a\xf0r\xfd\n", ErrCSVNotUTF8},
		{"header only", "name,phone\r\n", ErrCSVNoRows},
		{"over 2 MB", "name\n" + strings.Repeat("x", MaxCSVBytes), ErrCSVTooLarge},
		{"over 10000 rows", tooMany, ErrCSVTooManyRows},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCustomerCSV([]byte(tt.in), nil, false)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if len(got.Rows) != 0 {
				t.Errorf("rows returned with a refused file: %d", len(got.Rows))
			}
		})
	}
	exactly := "name\n" + strings.Repeat("Ali\n", MaxCSVRows)
	if got, err := ParseCustomerCSV([]byte(exactly), nil, false); err != nil || len(got.Rows) != MaxCSVRows {
		t.Errorf("%d rows: %d, %v", MaxCSVRows, len(got.Rows), err)
	}
}

func TestEscapeCellRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"+905321234567", "=1+2", "-3", "@SUM(A1)", "\tx", "Ali", "", "'quoted", "'", "Çağrı"} {
		e := EscapeCell(s)
		if strings.ContainsAny(e[:min(1, len(e))], FormulaPrefixes) {
			t.Errorf("EscapeCell(%q) = %q starts like a formula", s, e)
		}
		if got := unescapeCell(e); got != s {
			t.Errorf("unescapeCell(EscapeCell(%q)) = %q", s, got)
		}
	}
}

func TestParseCSVBirthday(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{"03-14", "03-14"}, {"3-4", "03-04"}, {"02-29", "02-29"}, {"1990-12-31", "12-31"},
		{"14.03", "03-14"}, {"1.2", "02-01"}, {"31.12.1999", "12-31"},
		{"02-30", ""}, {"13-01", ""}, {"00-10", ""}, {"04-31", ""}, {"14/03", ""}, {"1990-14-03", ""},
		{"14.03.90", ""}, {"-03-14", ""}, {"03-14-1990", ""}, {"٠٣-١٤", ""}, {"", ""}, {"March 14", ""},
	}
	for _, tt := range tests {
		got, ok := parseCSVBirthday(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("parseCSVBirthday(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func FuzzParseCustomerCSV(f *testing.F) {
	for _, s := range []string{
		"name,phone,email,birthday,stamps\nAli,+90 532,a@b.co,03-14,3\n",
		"\uFEFFname;phone\r\nÇağrı;'+905321234567\r\n",
		"name\n\"unterminated\n",
		"name,stamps\nA,ten\nB\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ParseCustomerCSV(data, nil, false)
		if err != nil {
			if len(file.Rows) != 0 {
				t.Fatalf("refused file returned %d rows", len(file.Rows))
			}
			return
		}
		if len(file.Rows) == 0 || len(file.Rows) > MaxCSVRows {
			t.Fatalf("%d rows accepted", len(file.Rows))
		}
		invalid, last := 0, 1
		for _, r := range file.Rows {
			if r.Row <= last {
				t.Fatalf("row numbers not increasing: %d after %d", r.Row, last)
			}
			last = r.Row
			if len(r.Problems) > 0 {
				invalid++
				continue
			}
			if !utf8.ValidString(r.FirstName) || utf8.RuneCountInString(r.FirstName) > MaxCSVNameRunes || strings.ContainsAny(r.FirstName, "\x00\r\n") {
				t.Fatalf("row %d: name %q accepted", r.Row, r.FirstName)
			}
			if r.Phone != "" && (NormalizePhone(r.Phone) != r.Phone || len(r.Phone) < 4 || len(r.Phone) > 20) {
				t.Fatalf("row %d: phone %q accepted", r.Row, r.Phone)
			}
			if len(r.Email) > MaxCSVEmailBytes || r.Email != strings.ToLower(r.Email) {
				t.Fatalf("row %d: email %q accepted", r.Row, r.Email)
			}
			if b, ok := parseCSVBirthday(r.Birthday); r.Birthday != "" && (!ok || b != r.Birthday) {
				t.Fatalf("row %d: birthday %q accepted", r.Row, r.Birthday)
			}
			if r.StartingStamps < 0 || r.StartingStamps > MaxStartingStamps {
				t.Fatalf("row %d: %d stamps accepted", r.Row, r.StartingStamps)
			}
			if r.FirstName == "" && r.Phone == "" && r.Email == "" {
				t.Fatalf("row %d: nobody accepted", r.Row)
			}
		}
		if invalid != file.Invalid {
			t.Fatalf("Invalid = %d, counted %d", file.Invalid, invalid)
		}
	})
}

func TestGuessColumns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header []string
		want   []CSVField
	}{
		{[]string{"Name", "Points", "e-mail"}, []CSVField{FieldName, FieldStamps, FieldEmail}},
		{[]string{"Adı Soyadı", "Cep Telefonu", "Puan", "Doğum tarihi"}, []CSVField{FieldName, FieldPhone, FieldStamps, FieldBirthday}},
		{[]string{"نام", "شماره موبایل", "امتیاز"}, []CSVField{FieldName, FieldPhone, FieldStamps}},
		{[]string{"Nume", "Telefon", "Puncte", "Data nasterii"}, []CSVField{FieldName, FieldPhone, FieldStamps, FieldBirthday}},
		// the export's own header: the first program's stamps, rewards never
		{[]string{"short code", "first name", "stamps: Coffee", "rewards: Coffee", "stamps: Tea"},
			[]CSVField{FieldIgnore, FieldName, FieldStamps, FieldIgnore, FieldIgnore}},
		{[]string{"", "notes"}, []CSVField{FieldIgnore, FieldIgnore}},
	}
	for _, tt := range tests {
		if got := GuessColumns(tt.header); !slices.Equal(got, tt.want) {
			t.Errorf("GuessColumns(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

// The owner's mapping wins over the header, and one that cannot import is
// refused with the file's columns and samples kept for the next try.
func TestParseCustomerCSVMapping(t *testing.T) {
	t.Parallel()
	const in = "Kişi;Numara;Kart\n;;\nAyşe;0532 111 22 33;4\nBora;;x\n"
	tests := []struct {
		name    string
		columns []CSVField
		err     error
		want    []CustomerRow
	}{
		{"guessed: nothing fits", nil, ErrCSVNoContactColumn, nil},
		{"mapped", []CSVField{FieldName, FieldPhone, FieldStamps}, nil, []CustomerRow{
			{Row: 3, FirstName: "Ayşe", Phone: "05321112233", StartingStamps: 4},
			{Row: 4, FirstName: "Bora", Problems: []error{ErrCSVStampsInvalid}},
		}},
		{"stamps ignored", []CSVField{FieldName, FieldPhone, FieldIgnore}, nil, []CustomerRow{
			{Row: 3, FirstName: "Ayşe", Phone: "05321112233"},
			{Row: 4, FirstName: "Bora"},
		}},
		{"no name, phone or email", []CSVField{FieldIgnore, FieldIgnore, FieldStamps}, ErrCSVNoContactColumn, nil},
		{"two stamps columns", []CSVField{FieldName, FieldStamps, FieldStamps}, ErrCSVSameField, nil},
		{"too few choices", []CSVField{FieldName}, ErrCSVColumns, nil},
		{"unknown choice", []CSVField{FieldName, "points", FieldIgnore}, ErrCSVColumns, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCustomerCSV([]byte(in), tt.columns, false)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if !slices.EqualFunc(got.Rows, tt.want, sameRow) {
				t.Errorf("rows\n got %+v\nwant %+v", got.Rows, tt.want)
			}
			if errors.Is(tt.err, ErrCSVColumns) {
				return
			}
			if !slices.Equal(got.Header, []string{"Kişi", "Numara", "Kart"}) || !slices.Equal(got.Samples, []string{"Ayşe", "0532 111 22 33", "4"}) {
				t.Errorf("header %q, samples %q", got.Header, got.Samples)
			}
		})
	}
	var same *CSVSameFieldError
	if _, err := ParseCustomerCSV([]byte(in), []CSVField{FieldName, FieldStamps, FieldStamps}, false); !errors.As(err, &same) || same.Field != FieldStamps {
		t.Errorf("two stamps columns: %v", err)
	}
}

// FuzzCustomerCSVMapping maps any file's columns by the fuzzer's choices: the
// parser refuses or returns rows, never panics, and a refused mapping keeps
// no rows.
func FuzzCustomerCSVMapping(f *testing.F) {
	f.Add([]byte("Puan;Ad\n3;Ali\n"), []byte{4, 0})
	f.Add([]byte("a,b,c\n1,2,3\n"), []byte{0, 4, 4})
	f.Add([]byte("امتیاز,نام\n۱۲,سارا\n"), []byte{4, 0, 9})
	f.Fuzz(func(t *testing.T, data, choices []byte) {
		guessed, err := ParseCustomerCSV(data, nil, false)
		if err != nil && !errors.Is(err, ErrCSVNoContactColumn) && !errors.Is(err, ErrCSVSameField) {
			return
		}
		if len(guessed.Columns) != len(guessed.Header) || len(guessed.Samples) != len(guessed.Header) {
			t.Fatalf("%d columns, %d samples for %d headers", len(guessed.Columns), len(guessed.Samples), len(guessed.Header))
		}
		columns := make([]CSVField, len(guessed.Header))
		for i := range columns {
			columns[i] = FieldIgnore
			if i < len(choices) {
				columns[i] = CSVFields[int(choices[i])%len(CSVFields)]
			}
		}
		file, err := ParseCustomerCSV(data, columns, false)
		if err != nil {
			if len(file.Rows) != 0 {
				t.Fatalf("refused mapping returned %d rows", len(file.Rows))
			}
			return
		}
		if checkColumns(columns) != nil || !slices.Equal(file.Columns, columns) {
			t.Fatalf("mapping %q accepted as %q", columns, file.Columns)
		}
		for _, r := range file.Rows {
			if len(r.Problems) == 0 && r.StartingStamps != 0 && !slices.Contains(columns, FieldStamps) {
				t.Fatalf("row %d has stamps without a stamps column", r.Row)
			}
		}
	})
}
