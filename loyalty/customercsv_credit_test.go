package loyalty

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// A starting store credit is read as the export writes it and as owners type
// it in their language; anything else is refused on its row.
func TestParseCustomerCSVCredit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cell string
		want int
		err  error
	}{
		{"12.50", 1250, nil},
		{"0.62", 62, nil},
		{"12,5", 1250, nil},
		{"۱۲٫۵۰", 1250, nil},
		{"۱۲,۵", 1250, nil},
		{"12,50 TL", 1250, nil},
		{"€ 3", 300, nil},
		{"0", 0, nil},
		{"0.00", 0, nil},
		{"1000000", MaxAmount, nil},
		{"0001000000.00", MaxAmount, nil},
		{"-1", 0, ErrCSVCreditNegative},
		{"−2,50", 0, ErrCSVCreditNegative},
		{"'-1.00", 0, ErrCSVCreditNegative}, // the export's escaped form of a minus
		{"1000000.01", 0, ErrCSVCreditRange},
		{"99999999999999999999999", 0, ErrCSVCreditRange},
		{"1.234", 0, ErrCSVCreditInvalid},
		{"1 500,00", 0, ErrCSVCreditInvalid},
		{"1,234.50", 0, ErrCSVCreditInvalid},
		{"12.", 0, ErrCSVCreditInvalid},
		{".5", 0, ErrCSVCreditInvalid},
		{"ten", 0, ErrCSVCreditInvalid},
		{"1e3", 0, ErrCSVCreditInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.cell, func(t *testing.T) {
			t.Parallel()
			in := "name;store credit\nAli;" + tt.cell + "\n"
			file, err := ParseCustomerCSV([]byte(in), nil, false)
			if err != nil {
				t.Fatal(err)
			}
			r := file.Rows[0]
			if tt.err != nil {
				if !slices.Contains(r.Problems, tt.err) || file.Invalid != 1 {
					t.Errorf("problems %v (%d invalid), want %v", r.Problems, file.Invalid, tt.err)
				}
				return
			}
			if len(r.Problems) > 0 || !r.HasCredit || r.StartingCredit != tt.want {
				t.Errorf("credit %d (has %v, problems %v), want %d", r.StartingCredit, r.HasCredit, r.Problems, tt.want)
			}
		})
	}
	// An empty cell says nothing, and the language's headers are credit columns.
	for _, header := range []string{"store credit", "Mağaza kredisi", "اعتبار", "Credit magazin"} {
		file, err := ParseCustomerCSV([]byte("name,"+header+"\nAli,\nBora,2\n"), nil, false)
		if err != nil {
			t.Fatal(err)
		}
		if file.Columns[1] != FieldCredit || file.Rows[0].HasCredit || file.Rows[1].StartingCredit != 200 {
			t.Errorf("%q: columns %q, rows %+v", header, file.Columns, file.Rows)
		}
	}
}

// The starting balance's cap is the program's: 1,000 stamps, a million points.
func TestParseCustomerCSVStartingCap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cell   string
		points bool
		want   int
		err    error
	}{
		{"1000", false, 1000, nil},
		{"1001", false, 0, ErrCSVStampsRange},
		{"25000", false, 0, ErrCSVStampsRange},
		{"25000", true, 25000, nil},
		{"۱۰۰۰۰۰۰", true, MaxStartingPoints, nil},
		{"1000001", true, 0, ErrCSVPointsRange},
		{"-1", true, 0, ErrCSVPointsRange},
		{"99999999999999999999999", true, 0, ErrCSVPointsRange},
		{"x", true, 0, ErrCSVStampsInvalid},
	}
	for _, tt := range tests {
		file, err := ParseCustomerCSV([]byte("name,points\nAli,"+tt.cell+"\n"), nil, tt.points)
		if err != nil {
			t.Fatal(err)
		}
		r := file.Rows[0]
		if tt.err != nil && !slices.Equal(r.Problems, []error{tt.err}) || tt.err == nil && (len(r.Problems) > 0 || r.StartingStamps != tt.want) {
			t.Errorf("%q (points %v): %d, problems %v; want %d, %v", tt.cell, tt.points, r.StartingStamps, r.Problems, tt.want, tt.err)
		}
	}
}

// The clubs column names clubs separated by semicolons; a name the shop has
// no club for is a problem on its row, naming it.
func TestParseCustomerCSVClubs(t *testing.T) {
	t.Parallel()
	in := "name,clubs\n" +
		"Ali,\"Coffee club; Kids' club\"\n" +
		"Bora,coffee CLUB;;coffee club ; \n" +
		"Cem,\n" +
		"مریم,کافه؛Coffee club\n" +
		"Dan,Chess club;Kids' club;Poker\n"
	file, err := ParseCustomerCSV([]byte(in), nil, false)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"Coffee club", "Kids' club"}, {"coffee CLUB"}, nil, {"کافه", "Coffee club"}, {"Chess club", "Kids' club", "Poker"}}
	for i, r := range file.Rows {
		if !slices.Equal(r.Clubs, want[i]) {
			t.Errorf("row %d clubs %q, want %q", r.Row, r.Clubs, want[i])
		}
	}
	file.CheckClubs(map[string]int64{"Coffee club": 1, "Kids' club": 2, "کافه": 3})
	if file.Invalid != 1 {
		t.Errorf("%d invalid rows, want 1", file.Invalid)
	}
	var names []string
	for _, p := range file.Rows[4].Problems {
		var unknown *CSVUnknownClubError
		if !errors.As(p, &unknown) || !errors.Is(p, ErrCSVClubUnknown) {
			t.Fatalf("problem %v", p)
		}
		names = append(names, unknown.Name)
	}
	if strings.Join(names, "|") != "Chess club|Poker" {
		t.Errorf("unknown clubs %q", names)
	}
	if FindClub(map[string]int64{"Coffee club": 1}, "COFFEE CLUB") != 1 || FindClub(map[string]int64{"Coffee club": 1}, "Tea") != 0 {
		t.Error("FindClub")
	}
}

// TestFindClubByCase: a file's club name matches its club exactly, else the
// only one in another case; two that differ only in case match neither.
func TestFindClubByCase(t *testing.T) {
	t.Parallel()
	clubs := map[string]int64{"Coffee": 1, "coffee": 2, "Kids' club": 3}
	for _, c := range []struct {
		name string
		want int64
	}{
		{"Coffee", 1}, {"coffee", 2}, {"COFFEE", 0}, {"KIDS' CLUB", 3}, {"Tea", 0},
	} {
		if got := FindClub(clubs, c.name); got != c.want {
			t.Errorf("FindClub(%q) = %d, want %d", c.name, got, c.want)
		}
	}
}
