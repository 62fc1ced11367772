package e2e

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"regulars/db"
)

// TestReferralJourney: the shop gives 1 stamp to both sides of a referral. A
// customer reads the invite link on their card page and copies it; a friend
// joins by it; the friend's first stamp at the counter gives the friend and
// the customer each their bonus, both card pages show it, and the owner sees
// who referred whom. The invite section is looked at on a phone in English
// and in Persian.
func TestReferralJourney(t *testing.T) {
	t.Parallel()
	srv, clk := startServer(t)
	octx := setUpShop(t, srv)
	ctx := context.Background()
	const shopID, ownerID = 1, 1 // the first shop and user of a fresh database
	if err := srv.Store.SaveGrowth(ctx, shopID, db.Growth{ReferralStamps: 1, ReferralCap: 5, BirthdayDays: 7}, ownerID, clk.Now()); err != nil {
		t.Fatal(err)
	}

	till := newBrowser(t, tablet)
	logIn(t, till, srv, cashier, `#lookup-q`)
	_, tokenA := enroll(t, till, srv, "Ayla")

	// Ayla's phone: the card page offers an invite link naming the card by its
	// invite code, never by its token.
	phoneA := newBrowser(t, phone)
	// The grant goes to the tab's own browser context: without one it would
	// go to the browser's default context, where the tab does not live.
	grant := browser.GrantPermissions([]browser.PermissionType{browser.PermissionTypeClipboardReadWrite, browser.PermissionTypeClipboardSanitizedWrite}).
		WithOrigin(srv.URL).WithBrowserContextID(chromedp.FromContext(phoneA).BrowserContextID)
	if err := chromedp.Run(phoneA, grant); err != nil {
		t.Fatalf("granting the clipboard: %v", err)
	}
	run(t, phoneA, chromedp.Navigate(srv.URL+"/c/"+tokenA), chromedp.WaitVisible(`[data-testid=invite-link]`, chromedp.ByQuery))
	link := value(t, phoneA, `[data-testid=invite-link]`)
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(link, srv.URL+"/join/") || u.Query().Get("ref") == "" || strings.Contains(link, tokenA) {
		t.Fatalf("invite link %q, want %s/join/{slug}?ref={invite code}, without the card's token", link, srv.URL)
	}
	if got, want := text(t, phoneA, `[data-testid=invite-bonus]`), "You both get 1 stamp when your friend gets their first stamp."; got != want {
		t.Errorf("invite bonus = %q, want %q", got, want)
	}
	// A desktop-class headless browser has no share sheet: the copy button it is.
	var canShare bool
	run(t, phoneA, chromedp.Evaluate(`'share' in navigator`, &canShare))
	shown := `[data-testid=invite-copy]:not([hidden])`
	if canShare {
		shown = `[data-testid=invite-share]:not([hidden])`
	}
	if n := count(t, phoneA, `.invite-actions button:not([hidden])`); n != 1 || count(t, phoneA, shown) != 1 {
		t.Fatalf("invite buttons shown: %d, want only %s", n, shown)
	}
	if !canShare {
		run(t, phoneA, chromedp.Click(shown, chromedp.ByQuery), chromedp.WaitVisible(`#invite-status`, chromedp.ByQuery))
		if got := text(t, phoneA, `#invite-status`); got != "Link copied. Paste it into a message to your friend." {
			t.Errorf("after copying: %q", got)
		}
		var copied string
		run(t, phoneA, chromedp.Evaluate(`navigator.clipboard.readText()`, &copied, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
		if copied != link {
			t.Errorf("clipboard holds %q, want the invite link %q", copied, link)
		}
	}
	checkNoSidewaysScroll(t, phoneA, "card")
	inviteScreenshot(t, phoneA, "referral-invite-en-phone")

	// The friend's phone follows the link and joins in one tap.
	phoneB := newBrowser(t, phone)
	run(t, phoneB, chromedp.Navigate(link), chromedp.WaitVisible(`[data-testid=join-submit]`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-first_name`, "Deniz", chromedp.ByQuery))
	submit(t, phoneB, `[data-testid=join-submit]`, `[data-testid=stamp-count]`)
	friendURL := location(t, phoneB)
	friend, err := srv.Store.CardByToken(ctx, strings.TrimPrefix(friendURL, srv.URL+"/c/"))
	if err != nil {
		t.Fatalf("the friend's card at %s: %v", friendURL, err)
	}
	openNewCard(t, phoneB, friendURL, "Deniz")

	// Deniz's first visit: the cashier stamps once.
	run(t, till,
		chromedp.Navigate(srv.URL+"/counter/cards/"+strconv.FormatInt(friend.ID, 10)),
		chromedp.WaitVisible(`[data-testid=stamp-1]`, chromedp.ByQuery),
	)
	submit(t, till, `[data-testid=stamp-1]`, `[data-testid=result][data-result=stamped]`)
	if got, want := text(t, till, `[data-testid=stamp-count]`), "2 of 10"; got != want {
		t.Errorf("counter after the friend's first stamp = %q, want %q (1 stamp + 1 bonus)", got, want)
	}

	for _, c := range []struct {
		name string
		ctx  context.Context
		want string
	}{{"friend", phoneB, "2 of 10"}, {"referrer", phoneA, "1 of 10"}} {
		reload(t, c.ctx, `[data-testid=stamp-count]`)
		if got := text(t, c.ctx, `[data-testid=stamp-count]`); got != c.want {
			t.Errorf("%s's card = %q, want %q", c.name, got, c.want)
		}
		if got := text(t, c.ctx, `[data-testid=visits]`); !strings.Contains(got, "referral bonus") {
			t.Errorf("%s's visits = %q, want the referral bonus", c.name, got)
		}
	}
	screenshot(t, phoneB, "referral-friend-card-phone")

	run(t, octx, chromedp.Navigate(srv.URL+"/referrals"), chromedp.WaitVisible(`[data-testid=referral]`, chromedp.ByQuery))
	if got := attr(t, octx, `[data-testid=referral]`, "data-state"); got != "paid" {
		t.Errorf("owner's referral state = %q, want paid", got)
	}
	if got := text(t, octx, `[data-testid=referral]`); !strings.Contains(got, "Ayla") || !strings.Contains(got, "Deniz") {
		t.Errorf("owner's referral row = %q, want Ayla and Deniz", got)
	}
	screenshot(t, octx, "referrals-owner")

	// Ayla reads Persian: the invite section reads right to left; the link stays Latin.
	submit(t, phoneA, `form.lang-switch button[value=fa]`, `[data-testid=invite-link]`)
	if got := attr(t, phoneA, `html`, "dir"); got != "rtl" {
		t.Errorf("Persian card page dir = %q, want rtl", got)
	}
	if got := value(t, phoneA, `[data-testid=invite-link]`); got != link {
		t.Errorf("Persian invite link = %q, want %q", got, link)
	}
	if got := text(t, phoneA, `[data-testid=invite] h2`); got != "دعوت از یک دوست" {
		t.Errorf("Persian invite heading = %q", got)
	}
	checkNoSidewaysScroll(t, phoneA, "Persian card")
	inviteScreenshot(t, phoneA, "referral-invite-fa-phone")
}

// inviteScreenshot saves the card page's invite section, and the page around it.
func inviteScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var buf []byte
	run(t, ctx, chromedp.ScrollIntoView(`[data-testid=invite]`, chromedp.ByQuery), chromedp.Screenshot(`[data-testid=invite]`, &buf, chromedp.ByQuery))
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), name+"-section.png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, name)
}
