package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"regulars/db"
	"regulars/demo"
)

// The two ways a counter tablet is held (issue 14).
var tabletPortrait = browserOptions{Width: 768, Height: 1024}

// counterShop is the demo café (two programs, raffles, coupons) with its
// cashier signed in on a tablet in lang, and two of its cards.
type counterShop struct {
	srv          *testServer
	clk          *testClock
	l            demo.Logins
	till         context.Context
	first, other db.Card
}

func openCounterShop(t *testing.T, device browserOptions, lang string) counterShop {
	t.Helper()
	s := seedCounterShop(t)
	s.signIn(t, device, lang)
	return s
}

// seedCounterShop is the demo café and two of its cards, no browser yet.
func seedCounterShop(t *testing.T) counterShop {
	t.Helper()
	srv, clk := startServer(t)
	l, err := demo.Seed(context.Background(), srv.Store, 20, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	cards, err := srv.Store.SearchCards(context.Background(), l.ShopID, db.CardQuery{Name: "a"})
	if err != nil || len(cards) < 2 {
		t.Fatalf("demo cards: %v (%d)", err, len(cards))
	}
	return counterShop{srv: srv, clk: clk, l: l, first: cards[0], other: cards[1]}
}

// signIn signs the cashier in on a tablet of device in lang.
func (s *counterShop) signIn(t *testing.T, device browserOptions, lang string) {
	t.Helper()
	s.till = newBrowser(t, device)
	logIn(t, s.till, s.srv, person{Email: s.l.CashierEmail, Password: s.l.CashierPassword}, `#lookup-q`)
	if lang != "en" {
		submit(t, s.till, `form.lang-switch button[value=`+lang+`]`, `#lookup-q`)
	}
}

func (s counterShop) cardURL(c db.Card) string { return s.srv.URL + "/c/" + c.Token }

func (s counterShop) counterPath(c db.Card) string {
	return s.srv.URL + "/counter/cards/" + strconv.FormatInt(c.ID, 10)
}

// wedgeKeys types text and Enter as a keyboard-wedge scanner does: keystrokes
// into whatever has the focus, not into a chosen field.
func wedgeKeys(t *testing.T, ctx context.Context, text, waitSel string) {
	t.Helper()
	run(t, ctx,
		chromedp.Evaluate(staleMark, nil),
		chromedp.KeyEvent(text+"\r"),
		chromedp.WaitVisible(fresh(waitSel), chromedp.ByQuery),
		loaded,
	)
}

// TestScannerSurvivesAFailedLookup: after "No card found" (and after a list
// of names), the next scan opens its card, in English on a landscape tablet
// and in Persian on a portrait one. The old query used to stay in the field
// with the caret before it, so the scan was typed in front of it and every
// later card was "not found".
func TestScannerSurvivesAFailedLookup(t *testing.T) {
	t.Parallel()
	inEnglishAndPersian(t, func(t *testing.T, lang string, device browserOptions) {
		s := openCounterShop(t, device, lang)
		// A person types a name nobody has; then a list of names.
		run(t, s.till, chromedp.Focus(`#lookup-q`, chromedp.ByQuery))
		wedgeKeys(t, s.till, "Zzyzx", `[data-testid=lookup-message]`)
		wedgeKeys(t, s.till, s.cardURL(s.first), `[data-testid=card-name]`)
		if got := location(t, s.till); got != s.counterPath(s.first) {
			t.Fatalf("scan after a failed lookup opened %s, want %s", got, s.counterPath(s.first))
		}
		run(t, s.till, chromedp.Navigate(s.srv.URL+"/counter/find?q=a"), chromedp.WaitVisible(`[data-testid=results]`, chromedp.ByQuery))
		wedgeKeys(t, s.till, s.cardURL(s.other), `[data-testid=card-name]`)
		if got := location(t, s.till); got != s.counterPath(s.other) {
			t.Fatalf("scan after a list of names opened %s, want %s", got, s.counterPath(s.other))
		}
	})
}

// TestCardScreenTakesAScan: with one customer's card on screen, right after
// stamping it, the scanner opens the next customer's card: no "Next
// customer" tap between two customers.
func TestCardScreenTakesAScan(t *testing.T) {
	t.Parallel()
	inEnglishAndPersian(t, func(t *testing.T, lang string, device browserOptions) {
		s := openCounterShop(t, device, lang)
		run(t, s.till, chromedp.Navigate(s.counterPath(s.first)), chromedp.WaitVisible(`[data-testid=stamp-1]`, chromedp.ByQuery))
		submit(t, s.till, `[data-testid=stamp-1]`, `[data-testid=result]`)
		run(t, s.till, chromedp.WaitVisible(settled(`[data-testid=card-name]`), chromedp.ByQuery))
		wedgeKeys(t, s.till, s.cardURL(s.other), `[data-testid=card-name]`)
		if got := location(t, s.till); got != s.counterPath(s.other) {
			t.Fatalf("scan on a card screen opened %s, want %s", got, s.counterPath(s.other))
		}
		screenshot(t, s.till, "counter-scanned-from-card-"+lang)
	})
}

// TestSlowDoubleTapOnRedeem: the cashier taps Redeem and, a moment later,
// taps again where the finger is. The new page has moved other buttons around
// (the result banner pushed "+1 stamp" under the finger, and with rewards
// first the next reward's Redeem slides up): a tap in the first half second
// of a result must do nothing, and one after it works as usual.
func TestSlowDoubleTapOnRedeem(t *testing.T) {
	t.Parallel()
	inEnglishAndPersian(t, func(t *testing.T, lang string, device browserOptions) {
		slowDoubleTap(t, openCounterShop(t, device, lang))
	})
}

func slowDoubleTap(t *testing.T, s counterShop) {
	// The counter ignores taps for half a second after a result; a test
	// browser on a busy machine may take longer than that to let the test tap
	// at all. Here every half-second timer of the page lasts five seconds, so
	// the second tap surely falls within the guard, however slow the machine.
	run(t, s.till, chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(`{ const set = setTimeout;
			window.setTimeout = (f, ms, ...args) => set(f, ms === 500 ? 5000 : ms, ...args); }`).Do(ctx)
		return err
	}))
	ps, err := s.srv.Store.Programs(context.Background(), s.l.ShopID, false)
	if err != nil {
		t.Fatal(err)
	}
	stampTo(t, s, s.first, ps[0], ps[0].StampsRequired)
	stampTo(t, s, s.first, ps[1], ps[1].StampsRequired)
	run(t, s.till, chromedp.Navigate(s.counterPath(s.first)), chromedp.WaitVisible(`[data-testid=redeem]`, chromedp.ByQuery))
	before := ledgerSize(t, s, s.first)
	x, y := centre(t, s.till, `[data-testid=redeem]`)
	run(t, s.till,
		chromedp.Evaluate(staleMark, nil),
		chromedp.MouseClickXY(x, y),
		chromedp.WaitVisible(fresh(`[data-testid=result][data-result=redeemed]`), chromedp.ByQuery),
		loaded,
	)
	// The finger comes down again, on the croissant's Redeem that moved up.
	x, y = centre(t, s.till, `[data-testid=redeem]`)
	var settling bool
	run(t, s.till,
		chromedp.Evaluate(`'settling' in document.documentElement.dataset`, &settling),
		chromedp.MouseClickXY(x, y),
	)
	if !settling {
		t.Fatal("the second tap came after the guard: it tests nothing")
	}
	time.Sleep(time.Second)
	if got := ledgerSize(t, s, s.first); got != before+1 {
		t.Fatalf("a redeem and a tap right after it wrote %d ledger events, want 1 (the redemption)", got-before)
	}
	// Once the page has settled, the same tap is a new decision.
	run(t, s.till,
		chromedp.WaitVisible(settled(`[data-testid=redeem]`), chromedp.ByQuery),
		chromedp.Evaluate(staleMark, nil),
		chromedp.MouseClickXY(x, y),
		chromedp.WaitVisible(fresh(`[data-testid=result][data-result=redeemed]`), chromedp.ByQuery),
	)
	if got := ledgerSize(t, s, s.first); got != before+2 {
		t.Errorf("a tap on a settled page wrote %d events, want 1", got-before-1)
	}
}

// centre is the middle of the first element matching sel, in CSS pixels.
func centre(t *testing.T, ctx context.Context, sel string) (x, y float64) {
	t.Helper()
	var xy []float64
	run(t, ctx, chromedp.WaitVisible(sel, chromedp.ByQuery), chromedp.Evaluate(fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect();
		return [r.x + r.width / 2, r.y + r.height / 2]; })()`, sel), &xy))
	return xy[0], xy[1]
}

// stampTo gives the card n stamps in the program, as past visits.
func stampTo(t *testing.T, s counterShop, c db.Card, p db.Program, n int) {
	t.Helper()
	for i := range n {
		a := db.Action{ShopID: s.l.ShopID, CardID: c.ID, ProgramID: p.ID, Key: fmt.Sprintf("e2e-stamp-%d-%d-%d", c.ID, p.ID, i), Now: time.Now()}
		if _, err := s.srv.Store.Stamp(context.Background(), a, 1, true); err != nil {
			t.Fatal(err)
		}
	}
}

// ledgerSize counts the card's ledger events.
func ledgerSize(t *testing.T, s counterShop, c db.Card) int {
	t.Helper()
	st, err := s.srv.Store.CardState(context.Background(), s.l.ShopID, c.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return len(st.Ledger)
}

// TestResultSaysWhatHappened: a stamp that earns a reward names the program
// and the reward, its Undo is beside it, and every reward and prize the
// customer can take is on the first screen, at both tablet sizes, in English
// and in Persian.
func TestResultSaysWhatHappened(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, lang     string
		device         browserOptions
		program, award string
	}{
		{"en-landscape", "en", tablet, "Pastry card", "a free croissant"},
		{"fa-portrait", "fa", tabletPortrait, "Pastry card", "a free croissant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := openCounterShop(t, tc.device, tc.lang)
			ps, err := s.srv.Store.Programs(context.Background(), s.l.ShopID, false)
			if err != nil || len(ps) < 2 {
				t.Fatalf("demo programs: %v %d", err, len(ps))
			}
			// A coffee reward is ready already; the pastry card is one stamp short.
			stampTo(t, s, s.first, ps[0], ps[0].StampsRequired)
			stampTo(t, s, s.first, ps[1], ps[1].StampsRequired-1)
			run(t, s.till, chromedp.Navigate(s.counterPath(s.first)), chromedp.WaitVisible(`[data-testid=program]`, chromedp.ByQuery))
			pastry := fmt.Sprintf(`form:has(input[name=program][value="%d"]) [data-testid=stamp-1]`, ps[1].ID)
			submit(t, s.till, pastry, `[data-testid=result][data-result=stamped]`)
			result := text(t, s.till, `[data-testid=result]`)
			for _, want := range []string{tc.program, tc.award} {
				if !strings.Contains(result, want) {
					t.Errorf("result %q does not name %q", result, want)
				}
			}
			if n := count(t, s.till, `[data-testid=result] [data-testid=undo]`); n != 1 {
				t.Errorf("%d undo buttons in the result banner, want 1", n)
			}
			var hidden []string
			run(t, s.till, chromedp.Evaluate(`Array.from(document.querySelectorAll('[data-testid=reward], [data-testid=prize], [data-testid=result]'))
				.filter(el => el.getBoundingClientRect().bottom > innerHeight).map(el => el.innerText.trim())`, &hidden))
			if len(hidden) > 0 {
				t.Errorf("below the first screen at %dx%d: %q", tc.device.Width, tc.device.Height, hidden)
			}
			if n := count(t, s.till, `[data-testid=reward]`); n != 2 {
				t.Errorf("%d rewards ready, want 2 (a coffee and a croissant)", n)
			}
			screenshot(t, s.till, "counter-result-"+tc.name)
		})
	}
}

// TestCameraSaysAQRIsNotACard: the camera reads a QR code that is not a
// card (a menu's link). The counter says so and keeps looking; it used to
// look the text up, come back to the camera and read it again, reloading the
// page several times a second.
func TestCameraSaysAQRIsNotACard(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang, says string
		device     browserOptions
	}{{"en", "not one of our loyalty cards", tablet}, {"fa", "وفاداری ما نیست", tabletPortrait}} {
		t.Run(tc.lang, func(t *testing.T) {
			t.Parallel()
			notACard(t, tc.lang, tc.says, tc.device)
		})
	}
}

func notACard(t *testing.T, lang, says string, device browserOptions) {
	srv, _ := startServer(t)
	setUpShop(t, srv)
	cam := newBrowser(t, browserOptions{Width: device.Width, Height: device.Height, FakeVideo: writeQRY4M(t, "https://example.com/menu")})
	logIn(t, cam, srv, cashier, `#lookup-q`)
	if lang != "en" {
		submit(t, cam, `form.lang-switch button[value=`+lang+`]`, `#lookup-q`)
	}
	run(t, cam, chromedp.Click(`#scan-start`, chromedp.ByQuery))
	waitJS(t, cam, fmt.Sprintf(`document.getElementById('scan-status').textContent.includes(%q)`, says), 15*time.Second)
	time.Sleep(2 * time.Second)
	if n := srv.Hits("/counter/find"); n != 0 {
		t.Errorf("a menu's QR code was looked up %d times", n)
	}
	screenshot(t, cam, "counter-not-a-card-"+lang)
	if got := location(t, cam); got != srv.URL+"/counter" {
		t.Errorf("the counter left for %s", got)
	}
}

// TestStampOnScanNeedsNoTap: the owner ticks "Stamp on scan"; at the
// counter each scanned card then opens with its stamp and its Undo, and the
// next customer's scan does the same from that screen: no tap per customer.
func TestStampOnScanNeedsNoTap(t *testing.T) {
	t.Parallel()
	inEnglishAndPersian(t, func(t *testing.T, lang string, device browserOptions) {
		s := openCounterShop(t, device, lang)
		// Cooldowns stop a second stamp within the hour, not the first.
		owner := newBrowser(t, desktop)
		logIn(t, owner, s.srv, person{Email: s.l.OwnerEmail, Password: s.l.OwnerPassword}, `[data-testid=tile-customers]`)
		run(t, owner, chromedp.Navigate(s.srv.URL+"/settings"), chromedp.WaitVisible(`[data-testid=stamp-on-scan]`, chromedp.ByQuery),
			chromedp.Click(`[data-testid=stamp-on-scan]`, chromedp.ByQuery))
		submit(t, owner, `form[action="/settings"] button[type=submit]`, `[data-testid=stamp-on-scan]:checked`)

		// The demo's last visits are minutes old: come back after the cooldown.
		s.clk.Advance(time.Hour)
		run(t, s.till, chromedp.Navigate(s.srv.URL+"/counter"), chromedp.WaitVisible(`#lookup-q`, chromedp.ByQuery), loaded)
		for _, c := range []db.Card{s.first, s.other} {
			before := ledgerSize(t, s, c)
			run(t, s.till, chromedp.WaitVisible(settled(`#lookup-q`), chromedp.ByQuery))
			wedgeKeys(t, s.till, s.cardURL(c), `[data-testid=result][data-result=stamped]`)
			if got := location(t, s.till); !strings.HasPrefix(got, s.counterPath(c)+"?done=") {
				t.Fatalf("scan opened %s, want %s with its stamp", got, s.counterPath(c))
			}
			if n := count(t, s.till, `[data-testid=result] [data-testid=undo]`); n != 1 {
				t.Errorf("%d Undo buttons with the scan's stamp, want 1", n)
			}
			if got := ledgerSize(t, s, c); got != before+1 {
				t.Errorf("one scan wrote %d events, want 1 stamp", got-before)
			}
		}
		screenshot(t, s.till, "counter-stamp-on-scan-"+lang)
	})
}

// TestCounterFindsPeopleAsTyped: a cashier types names and numbers the way
// people do (no Turkish letters, Persian letters for Arabic ones, the end of
// a number), finds nobody and enrols with what was typed, and is offered the
// card a phone number already has. Issue 14, points 5 to 7.
func TestCounterFindsPeopleAsTyped(t *testing.T) {
	t.Parallel()
	inEnglishAndPersian(t, func(t *testing.T, lang string, device browserOptions) {
		s := openCounterShop(t, device, lang)
		ctx := context.Background()
		people := map[string]db.Card{}
		for name, phone := range map[string]string{"Ayşe Test": "+905321112233", "علي": "09123456789"} {
			c, err := s.srv.Store.EnrollCard(ctx, s.l.ShopID, db.NewCard{FirstName: name, Phone: phone, Key: "e2e-typed-" + phone}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			people[name] = c
		}
		typed := func(q, waitSel string) {
			t.Helper()
			run(t, s.till, chromedp.Navigate(s.srv.URL+"/counter"), chromedp.WaitVisible(`#lookup-q`, chromedp.ByQuery))
			run(t, s.till, chromedp.Evaluate(staleMark, nil), chromedp.SendKeys(`#lookup-q`, q+"\n", chromedp.ByQuery),
				chromedp.WaitVisible(fresh(waitSel), chromedp.ByQuery), loaded)
		}
		for q, name := range map[string]string{"ayse t": "Ayşe Test", "AYŞE T": "Ayşe Test", "2233": "Ayşe Test", "علی": "علي", "6789": "علي"} {
			typed(q, `[data-testid=card-name]`)
			if got := location(t, s.till); got != s.counterPath(people[name]) {
				t.Errorf("%q opened %s, want %s's card", q, got, name)
			}
		}
		// A list says what tells people apart.
		typed("a", `[data-testid=results]`)
		for _, row := range texts(t, s.till, `[data-testid=result-card] .facts`) {
			if row == "" {
				t.Errorf("a row of the list tells nothing about its customer")
			}
		}
		screenshot(t, s.till, "counter-list-"+lang)
		typed("Zeynep Yok", `[data-testid=lookup-message]`)
		if got := value(t, s.till, `#f-first_name`); got != "Zeynep Yok" {
			t.Errorf("the enrolment form after a failed search has the name %q", got)
		}
		run(t, s.till, chromedp.SendKeys(`#f-phone`, "0532 111 22 33", chromedp.ByQuery))
		submit(t, s.till, `[data-testid=enroll]`, `[data-testid=enroll-anyway]`)
		if got := text(t, s.till, `[data-testid=result-card]`); !strings.Contains(got, "Ayşe Test") {
			t.Errorf("the card offered for the phone is %q", got)
		}
		screenshot(t, s.till, "counter-same-phone-"+lang)
	})
}

// TestStampAfterSignOutIsReported: the tablet's session ended (the owner
// signed it out) and the cashier taps "+1 stamp". The sign-in page says
// the stamp was not recorded, and after signing in the cashier is back on
// the card to tap again. Issue 14, point 8: the stamp was dropped silently.
func TestStampAfterSignOutIsReported(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang   string
		device browserOptions
		says   string
	}{{"en", tablet, "NOT recorded"}, {"fa", tabletPortrait, "ثبت نشد"}} {
		t.Run(tc.lang, func(t *testing.T) {
			t.Parallel()
			s := openCounterShop(t, tc.device, tc.lang)
			s.clk.Advance(time.Hour) // past the demo's cooldowns
			run(t, s.till, chromedp.Navigate(s.counterPath(s.first)), chromedp.WaitVisible(`[data-testid=stamp-1]`, chromedp.ByQuery), loaded)
			cashier, err := s.srv.Store.UserByEmail(context.Background(), s.l.CashierEmail)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.srv.Store.EndStaffSessions(context.Background(), s.l.ShopID, cashier.ID, cashier.ID, time.Now()); err != nil {
				t.Fatal(err)
			}
			before := ledgerSize(t, s, s.first)
			submit(t, s.till, `[data-testid=stamp-1]`, `[data-testid=form-error]`)
			if got := text(t, s.till, `[data-testid=form-error]`); !strings.Contains(got, tc.says) {
				t.Errorf("the sign-in page says %q, want it to say the stamp was not recorded (%q)", got, tc.says)
			}
			if got := ledgerSize(t, s, s.first); got != before {
				t.Fatalf("%d events written without a session", got-before)
			}
			run(t, s.till, chromedp.SendKeys(`#f-email`, s.l.CashierEmail, chromedp.ByQuery), chromedp.SendKeys(`#f-password`, s.l.CashierPassword, chromedp.ByQuery))
			submit(t, s.till, `form[action^="/login"] button[type=submit]`, `[data-testid=stamp-1]`)
			if got := location(t, s.till); got != s.counterPath(s.first) {
				t.Errorf("after signing in again the counter is at %s, want the card", got)
			}
			submit(t, s.till, `[data-testid=stamp-1]`, `[data-testid=result][data-result=stamped]`)
		})
	}
}

// TestCameraScansFromACardScreen: with a customer's card on screen, the
// camera button there reads the next customer's card and opens it.
func TestCameraScansFromACardScreen(t *testing.T) {
	t.Parallel()
	inEnglishAndPersian(t, func(t *testing.T, lang string, device browserOptions) {
		s := seedCounterShop(t)
		s.signIn(t, browserOptions{Width: device.Width, Height: device.Height, FakeVideo: writeQRY4M(t, s.cardURL(s.other))}, lang)
		run(t, s.till, chromedp.Navigate(s.counterPath(s.first)), chromedp.WaitVisible(`[data-testid=card-name]`, chromedp.ByQuery), loaded)
		run(t, s.till, chromedp.Evaluate(staleMark, nil), chromedp.Click(`#scan-start`, chromedp.ByQuery))
		scan, cancel := context.WithTimeout(s.till, 15*time.Second)
		run(t, scan, chromedp.WaitVisible(fresh(`[data-testid=card-name]`), chromedp.ByQuery), loaded)
		cancel()
		if got := location(t, s.till); got != s.counterPath(s.other) {
			t.Errorf("the camera on a card screen opened %s, want %s", got, s.counterPath(s.other))
		}
	})
}

// TestCounterSaysWhyTheCameraCannotWork: over plain http on a shop's network
// the browser gives no camera; the counter says why and where the owner
// reads how to fix it, instead of a button that silently is not there. The
// page is a plain-http one for the script (isSecureContext false), as on a
// LAN address.
func TestCounterSaysWhyTheCameraCannotWork(t *testing.T) {
	t.Parallel()
	srv, _ := startServer(t)
	setUpShop(t, srv)
	inEnglishAndPersian(t, func(t *testing.T, lang string, device browserOptions) {
		till := newBrowser(t, device)
		run(t, till, chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := page.AddScriptToEvaluateOnNewDocument(`Object.defineProperty(window, 'isSecureContext', {value: false})`).Do(ctx)
			return err
		}))
		logIn(t, till, srv, cashier, `#lookup-q`)
		if lang != "en" {
			submit(t, till, `form.lang-switch button[value=`+lang+`]`, `#lookup-q`)
		}
		waitJS(t, till, `document.getElementById('scan-status').textContent.includes('https://')`, 5*time.Second)
		if got := text(t, till, `#scan-status`); !strings.Contains(got, "Behind HTTPS") {
			t.Errorf("the camera's message %q does not point to the README's HTTPS section", got)
		}
		screenshot(t, till, "counter-camera-needs-https-"+lang)
	})
}

// TestCounterHasAHeadingAndDoesNotJump: the counter's page has its h1, and
// the camera button appearing moves nothing: the page is laid out the same
// before its script runs as after.
func TestCounterHasAHeadingAndDoesNotJump(t *testing.T) {
	t.Parallel()
	srv, _ := startServer(t)
	setUpShop(t, srv)
	inEnglishAndPersian(t, func(t *testing.T, lang string, device browserOptions) {
		till := newBrowser(t, device)
		logIn(t, till, srv, cashier, `#lookup-q`)
		if lang != "en" {
			submit(t, till, `form.lang-switch button[value=`+lang+`]`, `#lookup-q`)
		}
		headingAndNoJump(t, till)
	})
}

func headingAndNoJump(t *testing.T, till context.Context) {
	if n := count(t, till, `h1`); n != 1 {
		t.Errorf("%d h1 on the counter, want 1", n)
	}
	const where = `JSON.stringify(['#lookup-q', '.enroll'].map(s => Math.round(document.querySelector(s).getBoundingClientRect().top)))`
	var withScript, without string
	run(t, till, chromedp.Evaluate(where, &withScript))
	run(t, till, emulation.SetScriptExecutionDisabled(true), chromedp.Reload(), chromedp.WaitVisible(`#lookup-q`, chromedp.ByQuery),
		chromedp.Evaluate(where, &without), emulation.SetScriptExecutionDisabled(false))
	if withScript != without {
		t.Errorf("the counter moves when its script runs: %s with it, %s without", withScript, without)
	}
}

// inEnglishAndPersian runs a counter journey twice, side by side: in English
// on a landscape tablet and in Persian (right to left) on a portrait one.
func inEnglishAndPersian(t *testing.T, journey func(t *testing.T, lang string, device browserOptions)) {
	for _, tc := range []struct {
		lang   string
		device browserOptions
	}{{"en", tablet}, {"fa", tabletPortrait}} {
		t.Run(tc.lang, func(t *testing.T) {
			t.Parallel()
			journey(t, tc.lang, tc.device)
		})
	}
}
