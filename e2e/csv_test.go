package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"regulars/db"
)

// TestCSVImportMapping: a Turkish café owner on a laptop moves off paper
// cards with a spreadsheet whose columns are named their way. After the
// upload the mapping step shows each column with its first value and what it
// is read as: "Puan" (points) as stamps, the phone as a phone, and "Kişi"
// (person), which no guess knows, for the owner to choose. The imported
// customers arrive with their points as stamps (they arrived with none).
func TestCSVImportMapping(t *testing.T) {
	t.Parallel()
	srv, clock := startServer(t)
	ctx := newBrowser(t, browserOptions{Width: 1366, Height: 800})
	run(t, ctx,
		network.Enable(),
		network.SetExtraHTTPHeaders(network.Headers{"Accept-Language": "tr-TR,tr;q=0.9"}),
	)
	signUp(t, ctx, srv, owner)
	file := filepath.Join(t.TempDir(), "müşteriler.csv")
	if err := os.WriteFile(file, []byte("Kişi;Cep Telefonu;Puan;Not\r\nAyşe Yılmaz;0532 111 22 33;12;her sabah\r\nBora;0544 222 33 44;3;\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, ctx,
		chromedp.Navigate(srv.URL+"/customers/import"),
		chromedp.WaitVisible(`#f-file`, chromedp.ByQuery),
		chromedp.SetUploadFiles(`#f-file`, []string{file}, chromedp.ByQuery),
	)
	submit(t, ctx, `[data-testid=csv-upload] button[type=submit]`, `[data-testid=csv-mapping]`)
	if got := attr(t, ctx, "html", "lang"); got != "tr" {
		t.Fatalf("the import page is in %q, want tr", got)
	}
	if got := texts(t, ctx, `[data-testid=csv-column] label`); strings.Join(got, "|") != "Kişi|Cep Telefonu|Puan|Not" {
		t.Errorf("columns %q", got)
	}
	if got := texts(t, ctx, `[data-testid=csv-column] .sample`); strings.Join(got, "|") != "Ayşe Yılmaz|0532 111 22 33|12|her sabah" {
		t.Errorf("first values %q", got)
	}
	var chosen []string
	run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll('[data-testid=csv-column] select'), s => s.options[s.selectedIndex].text)`, &chosen))
	if strings.Join(chosen, "|") != "Yok say|Telefon|Damga|Yok say" {
		t.Errorf("guessed %q, want the phone and the points (Damga) recognised", chosen)
	}
	// The mapping fits the laptop's width: nothing to scroll sideways.
	var fits bool
	run(t, ctx, chromedp.Evaluate(`document.documentElement.scrollWidth <= window.innerWidth`, &fits))
	if !fits {
		t.Error("the mapping step is wider than a 1366 px screen")
	}
	screenshot(t, ctx, "csv-mapping-tr-1366")

	// The names would be lost as guessed: the owner says the first column is the name.
	run(t, ctx, choose(`#col-0`, "name"))
	submit(t, ctx, `[data-testid=csv-recheck]`, `[data-testid=csv-confirm]`)
	if got := texts(t, ctx, `[data-testid=csv-row] td:nth-child(2)`); strings.Join(got, "|") != "Ayşe Yılmaz|Bora" {
		t.Errorf("preview names %q", got)
	}
	screenshot(t, ctx, "csv-preview-tr-1366")
	submit(t, ctx, `[data-testid=csv-confirm]`, `[data-testid=csv-imported]`)
	if got := text(t, ctx, `[data-testid=csv-created]`); !strings.Contains(got, "2 müşteri") {
		t.Errorf("result %q", got)
	}

	ps, err := srv.Store.Programs(context.Background(), 1, false)
	if err != nil {
		t.Fatal(err)
	}
	var got []db.ExportedCustomer
	if err := srv.Store.ExportCustomers(context.Background(), 1, ps, db.CustomerQuery{}, clock.Now(), func(c db.ExportedCustomer) error {
		got = append(got, c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// 12 points on the new shop's 10-stamp card: a reward and 2 stamps.
	if len(got) != 2 || got[0].FirstName != "Ayşe Yılmaz" || got[0].Stamps[0] != 2 || got[0].Rewards[0] != 1 || got[1].Stamps[0] != 3 {
		t.Errorf("imported %+v", got)
	}
}
