package e2e

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// bytesMeter adds up what the network delivered to a tab, compressed, as
// DevTools counts it.
type bytesMeter struct {
	mu    sync.Mutex
	total float64
}

func meterBytes(ctx context.Context) *bytesMeter {
	m := &bytesMeter{}
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*network.EventLoadingFinished); ok {
			m.mu.Lock()
			m.total += e.EncodedDataLength
			m.mu.Unlock()
		}
	})
	return m
}

// take returns the bytes counted since the last take.
func (m *bytesMeter) take() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.total
	m.total = 0
	return n
}

// TestCounterNavigationsAreSmall: after the first screen, each step of a
// customer at the counter (the scanned card, the stamp's result, the next
// customer) costs the tablet at most 8 KB: pages come compressed and the
// styles and scripts from the browser's cache. A slow shop connection waited
// for about 48 KB per step.
func TestCounterNavigationsAreSmall(t *testing.T) {
	t.Parallel()
	inEnglishAndPersian(t, func(t *testing.T, lang string, device browserOptions) {
		navigationBytes(t, openCounterShop(t, device, lang))
	})
}

func navigationBytes(t *testing.T, s counterShop) {
	run(t, s.till, network.Enable())
	meter := meterBytes(s.till)
	run(t, s.till, chromedp.Navigate(s.srv.URL+"/counter"), chromedp.WaitVisible(`#lookup-q`, chromedp.ByQuery), loaded)
	t.Logf("the counter, styles and scripts cached from signing in: %.1f KB", meter.take()/1024)
	steps := []struct {
		name string
		do   func()
	}{
		{"scan a card", func() { wedgeKeys(t, s.till, s.cardURL(s.first), `[data-testid=card-name]`) }},
		{"stamp", func() { submit(t, s.till, `[data-testid=stamp-1]`, `[data-testid=result][data-result=stamped]`) }},
		{"next customer", func() { submit(t, s.till, `[data-testid=next-customer]`, `#lookup-q`) }},
	}
	for _, step := range steps {
		step.do()
		run(t, s.till, loaded)
		if kb := meter.take() / 1024; kb > 8 {
			t.Errorf("%s: %.1f KB over the network, want at most 8", step.name, kb)
		} else {
			t.Logf("%s: %.1f KB", step.name, kb)
		}
	}
}

// TestBackAfterSignOutShowsNoCustomer: a cashier signs out, and the next
// person at the tablet taps Back. The browser used to show the last
// customer's card from its cache; it must ask the server, which asks for a
// sign-in.
func TestBackAfterSignOutShowsNoCustomer(t *testing.T) {
	t.Parallel()
	s := openCounterShop(t, tablet, "en")
	run(t, s.till, chromedp.Navigate(s.counterPath(s.first)), chromedp.WaitVisible(`[data-testid=card-name]`, chromedp.ByQuery), loaded)
	submit(t, s.till, `form[action="/logout"] button`, `#f-email`)
	run(t, s.till, chromedp.Evaluate(`history.back()`, nil))
	// The browser either shows the card it kept (no request, no load event)
	// or asks the server and lands on the sign-in page that returns to it.
	var shown string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		err := chromedp.Run(s.till, chromedp.Evaluate(`location.pathname.startsWith('/counter/cards/') && document.querySelector('[data-testid=card-name]') ? 'card'
			: location.search.includes('next=') && document.readyState === 'complete' && document.querySelector('#f-email') ? 'login' : ''`, &shown))
		if err == nil && shown != "" {
			break
		}
	}
	if shown != "login" {
		t.Errorf("Back after signing out shows %q, want the sign-in page", shown)
	}
}

// TestCounterOnASlowLink times a customer at the counter on a shop's slow
// link (400 ms round trips, 400 kbit/s each way): open the counter, scan the
// card, tap "+1 stamp", see the result. It logs the time for the closing
// note and docs/performance.md (timed goals are measured, never asserted),
// and checks the stamp was recorded once.
func TestCounterOnASlowLink(t *testing.T) {
	t.Parallel()
	s := openCounterShop(t, tablet, "en")
	s.clk.Advance(time.Hour) // past the demo's cooldowns
	before := ledgerSize(t, s, s.first)
	run(t, s.till, network.Enable(), network.EmulateNetworkConditions(false, 400, 400*1024/8, 400*1024/8))
	// Each step is timed from the action to what it shows; the half second
	// the counter ignores taps after the card appears is a person's
	// reaction, not the link's, and is left out.
	var took [3]time.Duration
	start := time.Now()
	run(t, s.till, chromedp.Navigate(s.srv.URL+"/counter"), chromedp.WaitVisible(`#lookup-q`, chromedp.ByQuery))
	took[0] = time.Since(start)
	// The scanner's keys are typed first and untimed: a scanner types a card
	// in a fifth of a second, the test's browser in more than a second.
	run(t, s.till, chromedp.KeyEvent(s.cardURL(s.first)))
	start = time.Now()
	wedgeKeys(t, s.till, "", `[data-testid=stamp-1]`)
	took[1] = time.Since(start)
	run(t, s.till, chromedp.WaitVisible(settled(`[data-testid=stamp-1]`), chromedp.ByQuery))
	start = time.Now()
	submit(t, s.till, `[data-testid=stamp-1]`, `[data-testid=result][data-result=stamped]`)
	took[2] = time.Since(start)
	t.Logf("open counter → confirmed stamp on a 400 ms, 400 kbit/s link: %.1f s (open %.1f s, scan %.1f s, stamp %.1f s)",
		(took[0] + took[1] + took[2]).Seconds(), took[0].Seconds(), took[1].Seconds(), took[2].Seconds())
	if got := ledgerSize(t, s, s.first); got != before+1 {
		t.Errorf("%d events for one stamp", got-before)
	}
}
