package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"regulars/db"
	"regulars/loyalty"
)

// TestPrintedCardActivation: the owner prints a sheet of cards, which prints
// on one A4 page; the cashier's camera reads a card's QR code as printed on
// the sheet, the counter offers to activate the blank card, the cashier
// activates and stamps it, and the customer opens it on a phone.
func TestPrintedCardActivation(t *testing.T) {
	t.Parallel()
	srv, _ := startServer(t)
	octx := setUpShop(t, srv)
	cards := printCards(t, octx, srv)
	sheetURL := location(t, octx)

	// One A4 page: 595 × 842 points.
	var pdf []byte
	run(t, octx, chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		pdf, _, err = page.PrintToPDF().WithPreferCSSPageSize(true).WithPrintBackground(true).Do(ctx)
		return err
	}))
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), "printed-sheet.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	pages, boxes := pdfPages(pdf)
	if pages != 1 {
		t.Errorf("the sheet prints on %d pages, want 1", pages)
	}
	for _, b := range boxes {
		if b[0] < 594 || b[0] > 597 || b[1] < 841 || b[1] > 843 {
			t.Errorf("page size %.1f × %.1f pt, want A4 (595 × 842)", b[0], b[1])
		}
	}
	screenshot(t, octx, "printed-sheet-screen")
	run(t, octx, emulation.SetEmulatedMedia().WithMedia("print"))
	if n := count(t, octx, `[data-testid=printed-card]`); n != 10 {
		t.Errorf("%d cards on the sheet, want 10", n)
	}
	var toolbar bool
	run(t, octx, chromedp.Evaluate(`getComputedStyle(document.querySelector('.print-toolbar')).display !== 'none'`, &toolbar))
	if toolbar {
		t.Error("the toolbar prints")
	}
	// Each card is 85 × 55 mm: at 96 CSS pixels an inch, 321 × 208 pixels.
	var size []float64
	run(t, octx, chromedp.Evaluate(`(() => { const r = document.querySelector('[data-testid=printed-card]').getBoundingClientRect(); return [r.width, r.height]; })()`, &size))
	if len(size) != 2 || size[0] < 320.5 || size[0] > 321.5 || size[1] < 207.4 || size[1] > 208.4 {
		t.Errorf("a card measures %v CSS pixels, want 321 × 208 (85 × 55 mm)", size)
	}
	screenshot(t, octx, "printed-sheet-print")

	// The camera sees the third card's QR code as the sheet draws it.
	const pick = 2
	var qr []byte
	run(t, octx, chromedp.ScreenshotScale(fmt.Sprintf(`[data-testid=printed-card]:nth-child(%d) svg.qr`, pick+1), 3, &qr, chromedp.ByQuery))
	run(t, octx, emulation.SetEmulatedMedia().WithMedia(""))
	if got := text(t, octx, fmt.Sprintf(`[data-testid=printed-card]:nth-child(%d) [data-testid=printed-code]`, pick+1)); got != loyalty.FormatShortCode(cards[pick].ShortCode) {
		t.Fatalf("card %d's code = %q, want %q", pick+1, got, loyalty.FormatShortCode(cards[pick].ShortCode))
	}
	cardURL := srv.URL + "/c/" + cards[pick].Token

	// Before anyone activates it, the card's page says so.
	mobile := newBrowser(t, phone)
	run(t, mobile, chromedp.Navigate(cardURL), chromedp.WaitVisible(`[data-testid=card-not-active]`, chromedp.ByQuery))
	if got := text(t, mobile, `.shopbar h1`); got != shopName {
		t.Errorf("blank card's page names %q, want %q", got, shopName)
	}
	screenshot(t, mobile, "printed-card-not-active")

	qrImage, err := png.Decode(bytes.NewReader(qr))
	if err != nil {
		t.Fatalf("decoding the QR screenshot: %v", err)
	}
	cam := newBrowser(t, browserOptions{Width: tablet.Width, Height: tablet.Height, FakeVideo: writeImageY4M(t, qrImage)})
	logIn(t, cam, srv, cashier, `#lookup-q`)
	run(t, cam, chromedp.WaitVisible(`#scan-start`, chromedp.ByQuery))
	run(t, cam, chromedp.Click(`#scan-start`, chromedp.ByQuery))
	scanCtx, cancel := context.WithTimeout(cam, 15*time.Second)
	run(t, scanCtx, chromedp.WaitVisible(`[data-testid=activate-form]`, chromedp.ByQuery), loaded)
	cancel()
	if got := text(t, cam, `.activate [data-testid=printed-code]`); got != loyalty.FormatShortCode(cards[pick].ShortCode) {
		t.Errorf("activation screen shows %q, want %q", got, loyalty.FormatShortCode(cards[pick].ShortCode))
	}
	screenshot(t, cam, "counter-activate-printed")
	run(t, cam, chromedp.SendKeys(`#f-first_name`, "Nuri", chromedp.ByQuery))
	submit(t, cam, `[data-testid=activate]`, `[data-testid=result][data-result=activated]`)
	if got := text(t, cam, `[data-testid=card-name]`); got != "Nuri" {
		t.Errorf("activated card's name = %q, want Nuri", got)
	}
	if got := text(t, cam, `[data-testid=short-code]`); got != loyalty.FormatShortCode(cards[pick].ShortCode) {
		t.Errorf("activated card's code = %q, want the printed one", got)
	}
	submit(t, cam, `[data-testid=stamp-1]`, `[data-testid=result][data-result=stamped]`)
	if got := text(t, cam, `[data-testid=stamp-count]`); got != "1 of 10" {
		t.Errorf("after the first stamp: %q, want 1 of 10", got)
	}
	screenshot(t, cam, "counter-printed-stamped")

	// The customer scans the paper card with a phone.
	openCard(t, mobile, cardURL)
	if got := text(t, mobile, `[data-testid=stamp-count]`); got != "1 of 10" {
		t.Errorf("customer's count = %q, want 1 of 10", got)
	}
	if got := text(t, mobile, `.greeting`); !strings.Contains(got, "Nuri") {
		t.Errorf("greeting = %q, want it to name Nuri", got)
	}
	screenshot(t, mobile, "printed-card-customer")

	// The owner's list counts the card in use.
	run(t, octx, chromedp.Navigate(srv.URL+"/cards/print"), chromedp.WaitVisible(`[data-testid=print-run]`, chromedp.ByQuery))
	if row := text(t, octx, `[data-testid=print-run]`); !containsAll([]string{row}, "No. 1", "10", "1") {
		t.Errorf("print run row = %q", row)
	}
	screenshot(t, octx, "owner-print-runs")
	if !strings.HasSuffix(sheetURL, "/cards/print/1") {
		t.Errorf("sheet at %s, want /cards/print/1", sheetURL)
	}
}

// TestLostCardReplaced: a customer with stamps lost their card; the cashier
// gives them a printed card, which carries the balance, while the lost card's
// URL and a scan of it say it was replaced.
func TestLostCardReplaced(t *testing.T) {
	t.Parallel()
	srv, _ := startServer(t)
	octx := setUpShop(t, srv)
	cards := printCards(t, octx, srv)

	till := newBrowser(t, tablet)
	logIn(t, till, srv, cashier, `#lookup-q`)
	cardID, oldToken := enroll(t, till, srv, "Ece")
	for range 3 {
		submit(t, till, `[data-testid=stamp-1]`, `[data-testid=result][data-result=stamped]`)
	}
	oldURL := srv.URL + "/c/" + oldToken
	mobile := newBrowser(t, phone)
	openCard(t, mobile, oldURL)

	newCode := loyalty.FormatShortCode(cards[4].ShortCode)
	run(t, till,
		chromedp.Click(settled(`[data-testid=replace] summary`), chromedp.ByQuery),
		chromedp.WaitVisible(`#replace-code`, chromedp.ByQuery),
		chromedp.SendKeys(`#replace-code`, strings.ToLower(newCode), chromedp.ByQuery),
	)
	screenshot(t, till, "counter-replace-form")
	submit(t, till, `[data-testid=replace-submit]`, `[data-testid=result][data-result=replaced]`)
	if got, want := location(t, till), srv.URL+"/counter/cards/"+strconv.FormatInt(cardID, 10)+"?replaced=printed"; got != want {
		t.Errorf("after replacing at %s, want %s", got, want)
	}
	if got := text(t, till, `[data-testid=stamp-count]`); got != "3 of 10" {
		t.Errorf("balance after replacing = %q, want 3 of 10", got)
	}
	if got := text(t, till, `[data-testid=short-code]`); got != newCode {
		t.Errorf("code after replacing = %q, want %q", got, newCode)
	}
	screenshot(t, till, "counter-card-replaced")

	// The new card carries the balance; the lost one says it was replaced.
	openCard(t, mobile, srv.URL+"/c/"+cards[4].Token)
	if got := text(t, mobile, `[data-testid=stamp-count]`); got != "3 of 10" {
		t.Errorf("new card's count = %q, want 3 of 10", got)
	}
	screenshot(t, mobile, "replacement-card-customer")
	run(t, mobile, chromedp.Navigate(oldURL), chromedp.WaitVisible(`[data-testid=card-replaced]`, chromedp.ByQuery))
	if got := text(t, mobile, `[data-testid=card-replaced]`); !strings.Contains(got, "replaced") {
		t.Errorf("lost card's page = %q, want it to say it was replaced", got)
	}
	screenshot(t, mobile, "lost-card-page")

	run(t, till,
		chromedp.Navigate(srv.URL+"/counter"),
		chromedp.WaitVisible(`#lookup-q`, chromedp.ByQuery),
		chromedp.Focus(`#lookup-q`, chromedp.ByQuery),
		chromedp.Evaluate(staleMark, nil),
		chromedp.SendKeys(`#lookup-q`, oldURL+"\n", chromedp.ByQuery),
		chromedp.WaitVisible(fresh(`[data-testid=lookup-message]`), chromedp.ByQuery),
		loaded,
	)
	if got := text(t, till, `[data-testid=lookup-message]`); !strings.Contains(got, "replaced") {
		t.Errorf("scan of the lost card = %q, want it to say it was replaced", got)
	}
	screenshot(t, till, "counter-lost-card-scanned")
}

// printCards has the owner print one sheet, leaves their tab on it and
// returns its cards in print order.
func printCards(t *testing.T, ctx context.Context, srv *testServer) []db.PrintedCard {
	t.Helper()
	run(t, ctx,
		chromedp.Navigate(srv.URL+"/cards/print"),
		chromedp.WaitVisible(`#f-sheets`, chromedp.ByQuery),
		chromedp.SetValue(`#f-sheets`, "1", chromedp.ByQuery),
	)
	submit(t, ctx, `[data-testid=print-submit]`, `[data-testid=sheet]`)
	run(t, ctx, chromedp.WaitVisible(`[data-testid=print-button]`, chromedp.ByQuery)) // shown by print.js
	// The only shop of a fresh database, its first run.
	const shopID, batch = 1, 1
	cards, err := srv.Store.PrintedBatch(context.Background(), shopID, batch)
	if err != nil {
		t.Fatalf("reading the print run: %v", err)
	}
	return cards
}

// openCard opens a card's URL on a phone and waits for its stamps.
func openCard(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	run(t, ctx, chromedp.Navigate(url), chromedp.WaitVisible(`[data-testid=stamp-count]`, chromedp.ByQuery))
}
