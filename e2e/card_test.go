package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"regulars/db"
	"regulars/demo"
)

// The customer's card on a phone (issue 14): the QR code and the progress on
// the first screen, a stamp showing on the open page, the free raffle entry
// confirmed where the person is. Offline: TestCustomerCardWorksOffline.

// cardPhone is a phone and a language the card is checked in.
type cardPhone struct {
	lang   string
	device browserOptions
}

func (p cardPhone) String() string {
	return fmt.Sprintf("%s-%dx%d", p.lang, p.device.Width, p.device.Height)
}

// cardPhones are the small Android screen and the iPhone's, left to right
// (English) and right to left (Persian).
var cardPhones = []cardPhone{{"en", smallPhone}, {"en", phone}, {"fa", smallPhone}, {"fa", phone}}

// cardCafe is the demo café (two programs, news, raffles, coupons), whose
// cards the tests make and stamp through the store.
type cardCafe struct {
	srv              *testServer
	clk              *testClock
	shopID           int64
	coffee, pastry   db.Program
	cards, stampKeys int
}

func openCardCafe(t *testing.T) *cardCafe {
	t.Helper()
	srv, clk := startServer(t)
	l, err := demo.Seed(context.Background(), srv.Store, 20, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	ps, err := srv.Store.Programs(context.Background(), l.ShopID, false)
	if err != nil || len(ps) != 2 {
		t.Fatalf("demo programs: %v (%d)", err, len(ps))
	}
	// A logo, as most shops have: in the header of the card, offline too.
	owner, err := srv.Store.UserByEmail(context.Background(), l.OwnerEmail)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Store.SetLogo(context.Background(), l.ShopID, logoPNG(t), owner.ID, clk.Now()); err != nil {
		t.Fatal(err)
	}
	return &cardCafe{srv: srv, clk: clk, shopID: l.ShopID, coffee: ps[0], pastry: ps[1]}
}

// logoPNG is a café's logo: a brown cup on white.
func logoPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 96, 96))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(24, 30, 64, 78), image.NewUniform(color.RGBA{0x6f, 0x4e, 0x37, 0xff}), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(64, 40, 76, 62), image.NewUniform(color.RGBA{0x6f, 0x4e, 0x37, 0xff}), image.Point{}, draw.Src)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// newCard is a customer who joined yesterday: the welcome stamp, no visit yet.
func (c *cardCafe) newCard(t *testing.T, name string) db.Card {
	t.Helper()
	c.cards++
	n := db.NewCard{FirstName: name, Key: fmt.Sprint("e2e-card-", c.cards)}
	// Made before the demo's running raffle opened (a week ago), so that it
	// may take the raffle's free entry, which is for earlier cards only.
	card, err := c.srv.Store.EnrollCard(context.Background(), c.shopID, n, c.clk.Now().AddDate(0, 0, -8))
	if err != nil {
		t.Fatal(err)
	}
	return card
}

// stamp gives the card n stamps of the program as a cashier would, the last
// one now and the others 40 minutes apart before it: past the demo coffee
// card's cooldown.
func (c *cardCafe) stamp(t *testing.T, card db.Card, p db.Program, n int) {
	t.Helper()
	now := c.clk.Now()
	for i := range n {
		c.stampKeys++
		at := now.Add(-time.Duration(n-1-i) * 40 * time.Minute)
		a := db.Action{ShopID: c.shopID, CardID: card.ID, ProgramID: p.ID, Key: fmt.Sprint("e2e-stamp-", c.stampKeys), Now: at}
		if _, err := c.srv.Store.Stamp(context.Background(), a, 1, false); err != nil {
			t.Fatal(err)
		}
	}
}

// busyCard is a card with everything a card page can show at once: a reward
// ready and stamps toward the next in one program, stamps in the other, a
// visit today to rate, the shop's news, its raffles.
func (c *cardCafe) busyCard(t *testing.T, name string) db.Card {
	t.Helper()
	card := c.newCard(t, name)
	c.stamp(t, card, c.coffee, 12) // with the welcome stamp: a reward and 3 of 10
	c.stamp(t, card, c.pastry, 2)
	return card
}

// openCardOn opens the card on a phone in the customer's language, which they
// chose on an earlier visit (the language cookie).
func openCardOn(t *testing.T, srv *testServer, ph cardPhone, token string) context.Context {
	t.Helper()
	ctx := newBrowser(t, ph.device)
	run(t, ctx,
		network.SetCookie("lang", ph.lang).WithURL(srv.URL),
		chromedp.Navigate(srv.URL+"/c/"+token),
		chromedp.WaitVisible(`html[lang=`+ph.lang+`] [data-testid=stamp-count]`, chromedp.ByQuery),
	)
	return ctx
}

// box is where an element is on the page, in CSS pixels from the page's top.
type box struct{ Top, Bottom float64 }

// boxes measures the first element of each selector, and the screen's height.
func boxes(t *testing.T, ctx context.Context, sels ...string) (map[string]box, float64) {
	t.Helper()
	var out struct {
		Boxes  map[string]box
		Screen float64
	}
	list := `["` + strings.Join(sels, `","`) + `"]`
	run(t, ctx, chromedp.Evaluate(`(() => {
		const boxes = {};
		for (const sel of `+list+`) {
			const el = document.querySelector(sel);
			if (!el) continue;
			const r = el.getBoundingClientRect();
			boxes[sel] = {Top: r.top + scrollY, Bottom: r.bottom + scrollY};
		}
		return {Boxes: boxes, Screen: innerHeight};
	})()`, &out))
	return out.Boxes, out.Screen
}

// visible is how many elements matching sel are shown.
func visible(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	var n int
	run(t, ctx, chromedp.Evaluate(fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).filter(el => el.checkVisibility()).length`, sel), &n))
	return n
}

// TestCardFirstScreen: a customer with a busy card (a reward ready, two
// programs, news, a visit to rate, raffles) opens it at the counter. Without
// scrolling they see the QR code with its short code and their progress: the
// first program's stamps, count and reward. News, the question about the
// visit, raffles and coupons follow.
func TestCardFirstScreen(t *testing.T) {
	t.Parallel()
	cafe := openCardCafe(t)
	const (
		qr       = `.qr-panel svg.qr`
		code     = `[data-testid=short-code]`
		progress = `[data-testid=program]`
		stamps   = `[data-testid=program] ol.stamps`
		count    = `[data-testid=program] [data-testid=stamp-count]`
		reward   = `[data-testid=program] [data-testid=reward]`
	)
	later := []string{`[data-testid=card-news]`, `[data-testid=feedback]`, `[data-testid=raffle]`, `[data-testid=coupon]`, `[data-testid=invite]`, `[data-testid=visits]`}
	for _, ph := range cardPhones {
		t.Run(ph.String(), func(t *testing.T) {
			card := cafe.busyCard(t, map[string]string{"en": "Ayla", "fa": "آیلا"}[ph.lang])
			ctx := openCardOn(t, cafe.srv, ph, card.Token)
			screenshot(t, ctx, "card-"+ph.String())
			b, screen := boxes(t, ctx, append([]string{qr, code, progress, stamps, count, reward}, later...)...)
			t.Logf("%s: QR code from %.0f to %.0f px, first program to %.0f px, screen %.0f px", ph, b[qr].Top, b[qr].Bottom, b[progress].Bottom, screen)
			for _, sel := range []string{qr, code, stamps, count, reward} {
				if _, ok := b[sel]; !ok {
					t.Fatalf("the busy card has no %s", sel)
				}
				if b[sel].Bottom > screen {
					t.Errorf("%s ends %.0f px down, below the first screen (%.0f px)", sel, b[sel].Bottom, screen)
				}
			}
			for _, sel := range later {
				if at, ok := b[sel]; ok && at.Top < b[progress].Bottom {
					t.Errorf("%s starts at %.0f px, above the end of the progress (%.0f px)", sel, at.Top, b[progress].Bottom)
				}
			}
			if _, ok := b[`[data-testid=card-news]`]; !ok {
				t.Error("the demo's news is not on the card")
			}
			checkNoSidewaysScroll(t, ctx, "card")
		})
	}
}

// TestCardShowsNewStamps: the customer's card is open on their phone while
// the cashier stamps it. Within seconds the page shows the stamp, without a
// reload and where the person had scrolled to. A hidden page, or one without
// signal, asks the server nothing.
func TestCardShowsNewStamps(t *testing.T) {
	t.Parallel()
	cafe := openCardCafe(t)
	for _, ph := range cardPhones {
		t.Run(ph.String(), func(t *testing.T) {
			card := cafe.newCard(t, "Deniz")
			ctx := openCardOn(t, cafe.srv, ph, card.Token)
			countBefore := text(t, ctx, `[data-testid=stamp-count]`)
			const firstStamps = `document.querySelector("[data-testid=program]").querySelectorAll("ol.stamps li.on").length`
			var on int
			run(t, ctx, chromedp.Evaluate(firstStamps, &on))
			var scrolled float64
			run(t, ctx, chromedp.Evaluate(`scrollTo(0, 150), scrollY`, &scrolled), chromedp.Evaluate(staleMark, nil))

			start := time.Now()
			cafe.stamp(t, card, cafe.coffee, 1)
			waitJS(t, ctx, fmt.Sprintf("%s === %d", firstStamps, on+1), 12*time.Second)
			t.Logf("%s: the stamp showed after %s", ph, time.Since(start).Round(100*time.Millisecond))
			if got := text(t, ctx, `[data-testid=stamp-count]`); got == countBefore {
				t.Errorf("the count still says %q after the stamp", got)
			}
			if n := count(t, ctx, `html[data-e2e-stale]`); n != 1 {
				t.Error("the page was reloaded to show the stamp")
			}
			var y float64
			run(t, ctx, chromedp.Evaluate(`scrollY`, &y))
			if y != scrolled {
				t.Errorf("scrolled to %.0f px before the stamp, %.0f px after", scrolled, y)
			}
			screenshot(t, ctx, "card-live-"+ph.String())
		})
	}

	t.Run("quiet", func(t *testing.T) {
		card := cafe.newCard(t, "Can")
		ctx := openCardOn(t, cafe.srv, cardPhones[0], card.Token)
		// Counts the page's requests, whether or not they could leave the phone.
		run(t, ctx, chromedp.Evaluate(`window.e2eFetches = 0; { const f = fetch; window.fetch = (...a) => (e2eFetches++, f(...a)); }`, nil))
		waitJS(t, ctx, `e2eFetches > 0`, 8*time.Second)
		fetches := func() int {
			var n int
			run(t, ctx, chromedp.Evaluate(`e2eFetches`, &n))
			return n
		}
		quiet := func(what string) {
			t.Helper()
			before := fetches()
			cafe.stamp(t, card, cafe.pastry, 1)
			time.Sleep(7 * time.Second)
			if n := fetches() - before; n != 0 {
				t.Errorf("%s, the page asked the server %d times in 7 s", what, n)
			}
		}
		run(t, ctx, chromedp.Evaluate(`Object.defineProperty(document, "hidden", {configurable: true, get: () => true});
			Object.defineProperty(document, "visibilityState", {configurable: true, get: () => "hidden"});
			document.dispatchEvent(new Event("visibilitychange"))`, nil))
		quiet("hidden")
		// Shown again: it looks at once.
		run(t, ctx, chromedp.Evaluate(`delete document.hidden; delete document.visibilityState;
			document.dispatchEvent(new Event("visibilitychange"))`, nil))
		waitJS(t, ctx, `document.querySelectorAll("[data-testid=program]")[1].querySelectorAll("ol.stamps li.on").length === 1`, 3*time.Second)
		run(t, ctx, network.Enable(), network.EmulateNetworkConditions(true, 0, -1, -1))
		quiet("offline")
	})
}

var raffleEnterPath = regexp.MustCompile(`/raffles/(\d+)/enter$`)

// TestCardRaffleEntry: a customer enters the running raffle for free from
// their card. The answer brings them back to that raffle, which says they
// are in the draw, instead of to the top of the page.
func TestCardRaffleEntry(t *testing.T) {
	t.Parallel()
	cafe := openCardCafe(t)
	confirmation := map[string]string{"en": "You're in the draw", "fa": "در قرعه\u200cکشی هستید"}
	for _, ph := range cardPhones {
		t.Run(ph.String(), func(t *testing.T) {
			card := cafe.newCard(t, "Elif")
			ctx := openCardOn(t, cafe.srv, ph, card.Token)
			action := attr(t, ctx, `form:has([data-testid=raffle-enter])`, "action")
			m := raffleEnterPath.FindStringSubmatch(action)
			if m == nil {
				t.Fatalf("raffle entry form posts to %q", action)
			}
			submit(t, ctx, `[data-testid=raffle-enter]`, `[data-testid=raffle-tickets]`)
			if got, want := location(t, ctx), cafe.srv.URL+"/c/"+card.Token+"#raffle-"+m[1]; got != want {
				t.Errorf("after entering at %s, want %s", got, want)
			}
			entered := `#raffle-` + m[1] + ` [data-testid=raffle-entered]`
			if n := visible(t, ctx, entered); n != 1 {
				t.Fatalf("%d confirmations in the raffle entered, want 1", n)
			}
			if got := text(t, ctx, entered); !strings.Contains(got, confirmation[ph.lang]) {
				t.Errorf("confirmation %q, want it to say %q", got, confirmation[ph.lang])
			}
			var at struct{ Top, Bottom, Screen, ScrollY float64 }
			run(t, ctx, chromedp.Evaluate(fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect();
				return {Top: r.top, Bottom: r.bottom, Screen: innerHeight, ScrollY: scrollY}; })()`, entered), &at))
			if at.Top < 0 || at.Bottom > at.Screen || at.ScrollY == 0 {
				t.Errorf("the confirmation is at %.0f–%.0f px of a %.0f px screen, scrolled %.0f px: want it in view", at.Top, at.Bottom, at.Screen, at.ScrollY)
			}
			screenshot(t, ctx, "card-raffle-entered-"+ph.String())
		})
	}
}
