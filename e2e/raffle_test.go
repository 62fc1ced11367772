package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

var rafflePath = regexp.MustCompile(`/raffles/(\d+)$`)

// TestRaffleJourney: the owner runs a raffle in which stamps earn tickets; one
// customer earns two by stamps, another enters for free on their phone. After
// the entry window closes the owner draws, anyone can check the draw on the
// public page, the winner and the loser see the result on their phones, and
// the cashier hands the prize over once.
func TestRaffleJourney(t *testing.T) {
	t.Parallel()
	srv, clk := startServer(t)
	octx := setUpShop(t, srv)

	till := newBrowser(t, tablet)
	logIn(t, till, srv, cashier, `#lookup-q`)
	idA, tokenA := enroll(t, till, srv, "Ayla")
	run(t, till, chromedp.Navigate(srv.URL+"/counter"), chromedp.WaitVisible(`#lookup-q`, chromedp.ByQuery))
	idB, tokenB := enroll(t, till, srv, "Burak")

	// The owner creates a raffle that is open now and closes tomorrow.
	run(t, octx,
		chromedp.Navigate(srv.URL+"/raffles"),
		chromedp.WaitVisible(`[data-testid=new-raffle]`, chromedp.ByQuery),
	)
	submit(t, octx, `[data-testid=new-raffle]`, `[data-testid=raffle-form]`)
	// The form suggests the next full hour in the shop's time zone, which
	// is UTC for a shop signed up from a headless browser.
	now := clk.Now().UTC()
	var suggested string
	run(t, octx, chromedp.Value(`#f-opens_at`, &suggested, chromedp.ByQuery))
	if want := now.Truncate(time.Hour).Add(time.Hour).Format("2006-01-02T15:04"); suggested != want {
		t.Fatalf("suggested opening = %q, want %q (the next full hour in UTC): is the shop's time zone UTC?", suggested, want)
	}
	opens := now.Truncate(time.Minute).Add(-time.Minute)
	run(t, octx,
		chromedp.SendKeys(`#f-title`, "Spring raffle", chromedp.ByQuery),
		chromedp.SendKeys(`#f-prize`, "A coffee machine", chromedp.ByQuery),
		chromedp.SetValue(`#f-winners`, "1", chromedp.ByQuery),
		chromedp.SetValue(`#f-opens_at`, opens.Format("2006-01-02T15:04"), chromedp.ByQuery),
		chromedp.SetValue(`#f-closes_at`, opens.AddDate(0, 0, 1).Format("2006-01-02T15:04"), chromedp.ByQuery),
		chromedp.SetValue(`select[name=entry_rule]`, "stamps", chromedp.ByQuery),
	)
	submit(t, octx, `[data-testid=raffle-form] button[type=submit]`, `[data-testid=raffle-entrants]`)
	raffleURL := location(t, octx)
	if !rafflePath.MatchString(raffleURL) || !strings.HasPrefix(raffleURL, srv.URL) {
		t.Fatalf("after creating the raffle at %s, want %s/raffles/{id}", raffleURL, srv.URL)
	}
	raffleID := rafflePath.FindStringSubmatch(raffleURL)[1]
	if got := text(t, octx, `h1`); !strings.Contains(got, "Spring raffle") {
		t.Errorf("raffle heading = %q, want it to name %q", got, "Spring raffle")
	}
	if got := text(t, octx, `h1 .tag`); got != "taking entries" {
		t.Errorf("raffle state = %q, want %q", got, "taking entries")
	}
	if n := count(t, octx, `[data-testid=draw]`); n != 0 {
		t.Errorf("draw button offered while entries are open")
	}
	screenshot(t, octx, "owner-raffle-open")

	// Two visits for A: two stamps, two tickets.
	run(t, till,
		chromedp.Navigate(srv.URL+"/counter/cards/"+strconv.FormatInt(idA, 10)),
		chromedp.WaitVisible(`[data-testid=stamp-1]`, chromedp.ByQuery),
	)
	for i := 1; i <= 2; i++ {
		submit(t, till, `[data-testid=stamp-1]`, `[data-testid=result][data-result=stamped]`)
		if got, want := text(t, till, `[data-testid=stamp-count]`), strconv.Itoa(i)+" of 10"; got != want {
			t.Fatalf("after stamp %d: count = %q, want %q", i, got, want)
		}
	}

	// B has no stamps and enters for free on their phone.
	phoneB := newBrowser(t, phone)
	run(t, phoneB,
		chromedp.Navigate(srv.URL+"/c/"+tokenB),
		chromedp.WaitVisible(`[data-testid=raffle]`, chromedp.ByQuery),
	)
	if got := text(t, phoneB, `[data-testid=raffle]`); !containsAll([]string{got}, "Spring raffle", "A coffee machine") {
		t.Errorf("customer's raffle block = %q, want it to name the raffle and the prize", got)
	}
	submit(t, phoneB, `[data-testid=raffle-enter]`, `[data-testid=raffle-tickets]`)
	if got, want := text(t, phoneB, `[data-testid=raffle-tickets]`), "You have 1 ticket."; got != want {
		t.Errorf("B's tickets = %q, want %q", got, want)
	}
	if n := count(t, phoneB, `[data-testid=raffle-enter]`); n != 0 {
		t.Errorf("enter button still offered after entering")
	}
	screenshot(t, phoneB, "customer-raffle-entered")

	phoneA := newBrowser(t, phone)
	run(t, phoneA,
		chromedp.Navigate(srv.URL+"/c/"+tokenA),
		chromedp.WaitVisible(`[data-testid=raffle-tickets]`, chromedp.ByQuery),
	)
	if got, want := text(t, phoneA, `[data-testid=raffle-tickets]`), "You have 2 tickets."; got != want {
		t.Errorf("A's tickets = %q, want %q", got, want)
	}

	// Entries close; the owner draws, confirming the browser's dialog.
	clk.Advance(48 * time.Hour)
	reload(t, octx, `[data-testid=draw]`)
	if got := text(t, octx, `h1 .tag`); got != "waiting for the draw" {
		t.Errorf("raffle state after closing = %q, want %q", got, "waiting for the draw")
	}
	if got := text(t, octx, `[data-testid=raffle-entrants] .tile-value`); got != "2" {
		t.Errorf("entrants tile = %q, want 2", got)
	}
	if got := text(t, octx, `[data-testid=raffle-tickets] .tile-value`); got != "3" {
		t.Errorf("tickets tile = %q, want 3", got)
	}
	dialogs := make(chan string, 1)
	chromedp.ListenTarget(octx, func(ev any) {
		if ev, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			select {
			case dialogs <- ev.Message:
			default:
			}
			go func() {
				if err := chromedp.Run(octx, page.HandleJavaScriptDialog(true)); err != nil {
					t.Logf("accepting the dialog: %v", err)
				}
			}()
		}
	})
	submit(t, octx, `[data-testid=draw]`, `[data-testid=winners]`)
	select {
	case msg := <-dialogs:
		if msg == "" {
			t.Errorf("draw confirmation dialog has no message")
		}
	default:
		t.Errorf("the draw did not ask for confirmation")
	}
	winners := texts(t, octx, `[data-testid=winners] li`)
	if len(winners) != 1 {
		t.Fatalf("winners = %q, want 1", winners)
	}
	screenshot(t, octx, "owner-raffle-drawn")

	// Anyone can check the draw.
	run(t, phoneB,
		chromedp.Navigate(srv.URL+"/r/"+raffleID),
		chromedp.WaitVisible(`[data-testid=verified]`, chromedp.ByQuery),
	)
	if seed := text(t, phoneB, `[data-testid=seed]`); !regexp.MustCompile(`^[0-9a-f]{16,}$`).MatchString(seed) {
		t.Errorf("revealed seed = %q, want hex", seed)
	}
	screenshot(t, phoneB, "public-raffle-verified")

	winnerCtx, loserCtx := phoneA, phoneB
	winnerID, winnerToken := idA, tokenA
	switch {
	case strings.Contains(winners[0], "Ayla"):
	case strings.Contains(winners[0], "Burak"):
		winnerCtx, loserCtx = phoneB, phoneA
		winnerID, winnerToken = idB, tokenB
	default:
		t.Fatalf("winner %q is neither Ayla nor Burak", winners[0])
	}
	run(t, winnerCtx,
		chromedp.Navigate(srv.URL+"/c/"+winnerToken),
		chromedp.WaitVisible(`[data-testid=raffle-won]`, chromedp.ByQuery),
	)
	screenshot(t, winnerCtx, "customer-raffle-won")
	loserToken := tokenA
	if winnerToken == tokenA {
		loserToken = tokenB
	}
	run(t, loserCtx,
		chromedp.Navigate(srv.URL+"/c/"+loserToken),
		chromedp.WaitVisible(`[data-testid=raffle-lost]`, chromedp.ByQuery),
	)
	if n := count(t, loserCtx, `[data-testid=raffle-won]`); n != 0 {
		t.Errorf("the loser's phone says they won")
	}

	// The winner comes to the counter for the prize, once.
	run(t, till,
		chromedp.Navigate(srv.URL+"/counter/cards/"+strconv.FormatInt(winnerID, 10)),
		chromedp.WaitVisible(`[data-testid=prize]`, chromedp.ByQuery),
	)
	if got := text(t, till, `[data-testid=prize]`); !strings.Contains(got, "A coffee machine") {
		t.Errorf("prize at the counter = %q, want it to name %q", got, "A coffee machine")
	}
	submit(t, till, `[data-testid=redeem-prize]`, `[data-testid=result][data-result=prize]`)
	screenshot(t, till, "counter-prize")
	if n := count(t, till, `[data-testid=prize]`); n != 0 {
		t.Errorf("%d prizes offered after handing the only one over, want 0", n)
	}
}
