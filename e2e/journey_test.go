package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Viewports of the devices the app is used on.
var (
	desktop = browserOptions{Width: 1280, Height: 800}
	tablet  = browserOptions{Width: 1024, Height: 768}
	phone   = browserOptions{Width: 390, Height: 844, Mobile: true}
	// smallPhone is the small Android screen many customers still carry.
	smallPhone = browserOptions{Width: 360, Height: 740, Mobile: true}
)

// person is someone who signs in: the owner or a member of staff.
type person struct {
	Name, Email, Password string
}

var (
	owner   = person{Name: "Zeynep Kaya", Email: "zeynep@example.com", Password: "correct horse battery"}
	cashier = person{Name: "Ali Demir", Email: "ali@example.com", Password: "kasa-sifresi-2024"}
)

const shopName = "Çınar Kahve"

// TestOwnerSetsUpShop: a new owner creates the shop, adjusts the default
// program, adds a cashier with a password and invites another, who chooses
// their own password and lands on the counter.
func TestOwnerSetsUpShop(t *testing.T) {
	t.Parallel()
	srv, _ := startServer(t)
	ctx := newBrowser(t, desktop)

	// A fresh install sends visitors to sign-up.
	var url string
	run(t, ctx, chromedp.Navigate(srv.URL+"/"), chromedp.Location(&url))
	if url != srv.URL+"/signup" {
		t.Fatalf("fresh install: / led to %s, want %s/signup", url, srv.URL)
	}
	signUp(t, ctx, srv, owner)
	if got, want := location(t, ctx), srv.URL+"/setup"; got != want {
		t.Fatalf("after sign-up at %s, want %s", got, want)
	}
	// This owner skips the set-up (TestNewShopSetUp goes through it).
	run(t, ctx, chromedp.Navigate(srv.URL+"/dashboard"), chromedp.WaitVisible(`[data-testid=checklist]`, chromedp.ByQuery))
	rules := texts(t, ctx, `main ul.plain li`)
	if len(rules) != 1 || !strings.Contains(rules[0], "10 stamps → 1 free item") {
		t.Fatalf("dashboard programs = %q, want the default program %q", rules, "10 stamps → 1 free item")
	}
	// No customer yet: what the dashboard will show, not tiles of zeros.
	if count(t, ctx, `[data-testid=dashboard-empty]`) != 1 || count(t, ctx, `[data-testid=tile-customers]`) != 0 {
		t.Error("a new shop's dashboard shows tiles of zeros")
	}
	screenshot(t, ctx, "owner-dashboard")

	// Make the program 8 stamps for a free coffee.
	run(t, ctx,
		chromedp.Navigate(srv.URL+"/programs"),
		chromedp.WaitVisible(`[data-testid=program-row] a`, chromedp.ByQuery),
	)
	submit(t, ctx, `[data-testid=program-row] a`, `[data-testid=program-form]`)
	run(t, ctx,
		chromedp.SetValue(`#f-stamps_required`, "8", chromedp.ByQuery),
		chromedp.SetValue(`#f-reward_text`, "1 free coffee", chromedp.ByQuery),
	)
	submit(t, ctx, `[data-testid=program-form] button[type=submit]`, `[data-testid=program-row]`)
	if got, want := location(t, ctx), srv.URL+"/programs?saved=1"; got != want {
		t.Fatalf("after saving the program at %s, want %s", got, want)
	}
	if got := text(t, ctx, `[data-testid=saved]`); !strings.Contains(got, "saved") {
		t.Errorf("saving the program said %q, want that it is saved", got)
	}
	rows := texts(t, ctx, `[data-testid=program-row]`)
	if len(rows) != 1 || !strings.Contains(rows[0], "8 stamps → 1 free coffee") {
		t.Fatalf("program rows = %q, want one with %q", rows, "8 stamps → 1 free coffee")
	}
	screenshot(t, ctx, "owner-programs")

	// A cashier with a password the owner gives them.
	addStaff(t, ctx, srv, cashier, "cashier")
	rows = texts(t, ctx, `[data-testid=staff-row]`)
	if !containsAll(rows, cashier.Name, cashier.Email, "Cashier") {
		t.Fatalf("staff rows = %q, want a row with %s, %s, Cashier", rows, cashier.Name, cashier.Email)
	}
	screenshot(t, ctx, "owner-staff")

	// Another without one: the owner gets an invite link to pass on.
	invitee := person{Name: "Mehmet Yılmaz", Email: "mehmet@example.com", Password: "benim-sifrem-42"}
	addStaff(t, ctx, srv, person{Name: invitee.Name, Email: invitee.Email}, "cashier")
	var invite string
	run(t, ctx, chromedp.Value(`[data-testid=invite-url]`, &invite, chromedp.ByQuery))
	if !strings.HasPrefix(invite, srv.URL+"/invite/") {
		t.Fatalf("invite URL = %q, want it under %s/invite/", invite, srv.URL)
	}
	rows = texts(t, ctx, `[data-testid=staff-row]`)
	if !containsAll(rows, invitee.Name, "invite pending") {
		t.Errorf("staff rows = %q, want %s with a pending invite", rows, invitee.Name)
	}
	screenshot(t, ctx, "owner-staff-invite")

	// The invitee opens the link on their own device and picks a password.
	ictx := newBrowser(t, tablet)
	run(t, ictx,
		chromedp.Navigate(invite),
		chromedp.WaitVisible(`#f-password`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-password`, invitee.Password, chromedp.ByQuery),
	)
	screenshot(t, ictx, "invite-accept")
	submit(t, ictx, `main form button[type=submit]`, `#lookup-q`)
	if got, want := location(t, ictx), srv.URL+"/counter"; got != want {
		t.Fatalf("after accepting the invite at %s, want %s", got, want)
	}
	if got := text(t, ictx, `header .who`); got != invitee.Name {
		t.Errorf("signed in as %q, want %q", got, invitee.Name)
	}
	screenshot(t, ictx, "invitee-counter")
}

// TestCashierJourneyWithCamera: a cashier enrolls a customer, another till
// scans the customer's QR code with its camera, stamps the card to a reward
// and redeems it, and the customer sees it all on their phone.
func TestCashierJourneyWithCamera(t *testing.T) {
	t.Parallel()
	srv, _ := startServer(t)
	setUpShop(t, srv)

	till := newBrowser(t, tablet)
	logIn(t, till, srv, cashier, `#lookup-q`)
	if got, want := location(t, till), srv.URL+"/counter"; got != want {
		t.Fatalf("cashier landed on %s, want %s", got, want)
	}
	cardID, token := enroll(t, till, srv, "Ayşe")
	if got := text(t, till, `[data-testid=card-name]`); got != "Ayşe" {
		t.Errorf("new card's name = %q, want Ayşe", got)
	}
	if got := text(t, till, `[data-testid=result][data-result=enrolled]`); got != "New card created" {
		t.Errorf("enrol banner = %q, want %q", got, "New card created")
	}
	screenshot(t, till, "counter-new-card")
	cardURL := srv.URL + "/c/" + token

	// The customer opens the card on their phone.
	mobile := newBrowser(t, phone)
	openNewCard(t, mobile, cardURL, "Ayşe")
	screenshot(t, mobile, "customer-card-before")

	// Next visit, another till: the camera reads the QR code on the phone.
	cam := newBrowser(t, browserOptions{Width: tablet.Width, Height: tablet.Height, FakeVideo: writeQRY4M(t, cardURL)})
	logIn(t, cam, srv, cashier, `#lookup-q`)
	run(t, cam, chromedp.WaitVisible(`#scan-start`, chromedp.ByQuery)) // un-hidden by counter.js
	run(t, cam, chromedp.Click(`#scan-start`, chromedp.ByQuery))
	scanCtx, cancel := context.WithTimeout(cam, 15*time.Second)
	run(t, scanCtx, chromedp.WaitVisible(`[data-testid=card-name]`, chromedp.ByQuery), loaded)
	cancel()
	if got, want := location(t, cam), srv.URL+"/counter/cards/"+strconv.FormatInt(cardID, 10); got != want {
		t.Fatalf("after scanning at %s, want %s", got, want)
	}
	if got := text(t, cam, `[data-testid=stamp-count]`); got != "0 of 10" {
		t.Errorf("found card's stamp count = %q, want %q", got, "0 of 10")
	}
	screenshot(t, cam, "counter-card-found")

	stampToReward(t, cam)
	screenshot(t, cam, "counter-reward-earned")
	redeemReward(t, cam)
	screenshot(t, cam, "counter-redeemed")

	// The customer's phone shows the fresh state and the visits.
	checkCustomerAfterReward(t, mobile)
	screenshot(t, mobile, "customer-card-after")
}

// TestKeyboardWedgeLookup: the camera journey again, but a USB scanner
// "types" the card URL and Enter into the focused lookup field.
func TestKeyboardWedgeLookup(t *testing.T) {
	t.Parallel()
	srv, _ := startServer(t)
	setUpShop(t, srv)

	till := newBrowser(t, tablet)
	logIn(t, till, srv, cashier, `#lookup-q`)
	cardID, token := enroll(t, till, srv, "Deniz")
	cardURL := srv.URL + "/c/" + token

	mobile := newBrowser(t, phone)
	openNewCard(t, mobile, cardURL, "Deniz")

	wedgeScan(t, till, srv, cardURL)
	if got, want := location(t, till), srv.URL+"/counter/cards/"+strconv.FormatInt(cardID, 10); got != want {
		t.Fatalf("after the wedge scan at %s, want %s", got, want)
	}
	if got := text(t, till, `[data-testid=card-name]`); got != "Deniz" {
		t.Errorf("card name = %q, want Deniz", got)
	}
	if got := text(t, till, `[data-testid=stamp-count]`); got != "0 of 10" {
		t.Errorf("found card's stamp count = %q, want %q", got, "0 of 10")
	}

	stampToReward(t, till)
	screenshot(t, till, "wedge-reward-earned")
	redeemReward(t, till)

	checkCustomerAfterReward(t, mobile)
	screenshot(t, mobile, "wedge-customer-after")
}

// TestCouponJourney: the owner sends a coupon to new customers; a customer
// with one visit sees it on their phone, the cashier redeems it, it leaves
// the phone, and the owner's campaign page counts the redemption.
func TestCouponJourney(t *testing.T) {
	t.Parallel()
	srv, _ := startServer(t)
	octx := setUpShop(t, srv)

	// One visit makes the customer "new".
	till := newBrowser(t, tablet)
	logIn(t, till, srv, cashier, `#lookup-q`)
	cardID, token := enroll(t, till, srv, "Can")
	cardURL := srv.URL + "/c/" + token
	submit(t, till, `[data-testid=stamp-1]`, `[data-testid=result][data-result=stamped]`)
	if got := text(t, till, `[data-testid=stamp-count]`); got != "1 of 10" {
		t.Fatalf("count after one stamp = %q, want %q", got, "1 of 10")
	}

	// The owner creates a campaign for that group.
	run(t, octx,
		chromedp.Navigate(srv.URL+"/coupons"),
		chromedp.WaitVisible(`[data-testid=new-coupon]`, chromedp.ByQuery),
	)
	submit(t, octx, `[data-testid=new-coupon]`, `[data-testid=coupon-form]`)
	// The form shows the fields of what is chosen: a percentage, for everyone.
	visible := func(sel string) bool {
		var v bool
		run(t, octx, chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%q).checkVisibility()`, sel), &v))
		return v
	}
	for sel, want := range map[string]bool{"#f-value_number": true, "#f-value_text": false, "#f-segment": false, "#f-cards": false, "#f-code": false} {
		if got := visible(sel); got != want {
			t.Errorf("a new coupon's form shows %s: %v, want %v", sel, got, want)
		}
	}
	run(t, octx,
		chromedp.SendKeys(`#f-title`, "Welcome back", chromedp.ByQuery),
		choose(`select[name=value_kind]`, "item"),
		chromedp.SendKeys(`#f-value_text`, "a croissant", chromedp.ByQuery),
		choose(`select[name=audience]`, "segment"),
		choose(`select[name=segment]`, "new"),
	)
	for sel, want := range map[string]bool{"#f-value_number": false, "#f-value_text": true, "#f-segment": true, "#f-cards": false} {
		if got := visible(sel); got != want {
			t.Errorf("for an item to a segment, the form shows %s: %v, want %v", sel, got, want)
		}
	}
	submit(t, octx, `[data-testid=coupon-form] button[type=submit]`, `[data-testid=coupon-redeemed]`)
	couponURL := location(t, octx)
	if !couponPath.MatchString(couponURL) || !strings.HasPrefix(couponURL, srv.URL) {
		t.Fatalf("after creating the coupon at %s, want %s/coupons/{id}", couponURL, srv.URL)
	}
	if got := text(t, octx, `h1`); !strings.Contains(got, "Welcome back") {
		t.Errorf("coupon page heading = %q, want it to name %q", got, "Welcome back")
	}
	if got := text(t, octx, `[data-testid=coupon-issued] .tile-value`); got != "1" {
		t.Errorf("issued tile = %q, want 1 (the only new customer)", got)
	}
	screenshot(t, octx, "owner-coupon")

	// The customer sees it on their card.
	mobile := newBrowser(t, phone)
	run(t, mobile,
		chromedp.Navigate(cardURL),
		chromedp.WaitVisible(`[data-testid=coupon]`, chromedp.ByQuery),
	)
	coupons := texts(t, mobile, `[data-testid=coupon]`)
	if len(coupons) != 1 || !containsAll(coupons, "Welcome back", "Free: a croissant") {
		t.Fatalf("customer's coupons = %q, want one with %q and %q", coupons, "Welcome back", "Free: a croissant")
	}
	screenshot(t, mobile, "customer-coupon")

	// Next visit: the cashier scans the card and redeems the coupon.
	wedgeScan(t, till, srv, cardURL)
	if got, want := location(t, till), srv.URL+"/counter/cards/"+strconv.FormatInt(cardID, 10); got != want {
		t.Fatalf("after the wedge scan at %s, want %s", got, want)
	}
	const offered = `[data-testid=ready] [data-testid=coupon]`
	coupons = texts(t, till, offered)
	if len(coupons) != 1 {
		t.Fatalf("coupons at the counter = %q, want one", coupons)
	}
	if !containsAll(coupons, "Welcome back", "Free: a croissant") {
		t.Errorf("coupon at the counter = %q, want it to say %q and %q", coupons[0], "Welcome back", "Free: a croissant")
	}
	screenshot(t, till, "counter-coupon")
	submit(t, till, offered+` [data-testid=redeem-coupon]`, `[data-testid=result][data-result=coupon]`)
	if got := text(t, till, `[data-testid=result]`); !containsAll([]string{got}, "Coupon redeemed", "Welcome back") {
		t.Errorf("result banner = %q, want it to say %q and name %q", got, "Coupon redeemed", "Welcome back")
	}
	if n := count(t, till, offered); n != 0 {
		t.Errorf("%d coupons offered after redeeming the only one (one use per customer), want 0", n)
	}
	screenshot(t, till, "counter-coupon-redeemed")

	// Gone from the phone, which lists the redemption instead.
	reload(t, mobile, `[data-testid=visits]`)
	if n := count(t, mobile, `[data-testid=coupon]`); n != 0 {
		t.Errorf("customer still sees %d coupons after redeeming: %q", n, texts(t, mobile, `[data-testid=coupon]`))
	}
	visits := texts(t, mobile, `[data-testid=visits] li`)
	if len(visits) != 2 || !strings.Contains(visits[0], "Coupon redeemed") {
		t.Errorf("customer's visits = %q, want 2 with the coupon redemption first", visits)
	}

	// The owner's campaign page counts it.
	reload(t, octx, `[data-testid=coupon-redeemed]`)
	if got := text(t, octx, `[data-testid=coupon-redeemed] .tile-value`); got != "1" {
		t.Errorf("redeemed tile = %q, want 1", got)
	}
	if got := text(t, octx, `[data-testid=coupon-viewed] .tile-value`); got != "1" {
		t.Errorf("viewed tile = %q, want 1 (the customer opened their card)", got)
	}
}

// TestCustomerCardWorksOffline: a card opened once, right after joining,
// still shows, QR code and all, when the phone has no signal. Without signal
// the buttons that need the server (the free raffle entry, the question about
// the visit) are hidden instead of leading to the browser's error page.
func TestCustomerCardWorksOffline(t *testing.T) {
	t.Parallel()
	cafe := openCardCafe(t)
	needsNetwork := []string{`[data-testid=raffle-enter]`, `[data-testid=feedback]`}
	for _, ph := range cardPhones {
		t.Run(ph.String(), func(t *testing.T) {
			card := cafe.newCard(t, "Elif")
			cafe.stamp(t, card, cafe.coffee, 1) // a visit today, to rate
			cardPath := "/c/" + card.Token

			// One visit: the worker keeps the page and everything it loads
			// (styles, scripts, icon, the shop's logo).
			mobile := openCardOn(t, cafe.srv, ph, card.Token)
			waitJS(t, mobile, `(async () => {
				const page = await (await caches.open("regulars-cards-v1")).match(location.href);
				const files = Array.from(document.querySelectorAll("link[href^='/static/'], script[src^='/static/'], img[src^='/shops/']"), el => el.href || el.src);
				const kept = await Promise.all(files.map(async f => !!(await (await caches.open("regulars-static-v1")).match(f))));
				return !!page && files.length >= 5 && kept.every(Boolean);
			})()`, 10*time.Second)
			if n := visible(t, mobile, `#offline-note`); n != 0 {
				t.Errorf("offline note shown while online")
			}
			for _, sel := range needsNetwork {
				if n := visible(t, mobile, sel); n != 1 {
					t.Errorf("online: %d of %s shown, want 1", n, sel)
				}
			}

			// The signal goes while the card is open: the note shows, the buttons go.
			cafe.srv.Unplug(true)
			run(t, mobile,
				network.Enable(),
				network.EmulateNetworkConditions(true, 0, -1, -1),
				chromedp.WaitVisible(`#offline-note`, chromedp.ByQuery),
			)
			for _, sel := range needsNetwork {
				if n := visible(t, mobile, sel); n != 0 {
					t.Errorf("offline: %s still shown", sel)
				}
			}

			// Opened again without signal, once the browser's own cache let go
			// of the files (phones evict it, pictures expire): from the
			// worker's copies, nothing from the server.
			before := cafe.srv.Hits(cardPath)
			run(t, mobile,
				network.ClearBrowserCache(),
				chromedp.Navigate(cafe.srv.URL+cardPath),
				chromedp.WaitVisible(`[data-testid=stamp-count]`, chromedp.ByQuery),
				chromedp.WaitVisible(`.qr-panel svg`, chromedp.ByQuery),
				chromedp.WaitVisible(`#offline-note`, chromedp.ByQuery),
			)
			if hits := cafe.srv.Hits(cardPath) - before; hits != 0 {
				t.Errorf("the offline card page made %d requests to the server, want it served from the cache", hits)
			}
			var logo bool
			run(t, mobile, chromedp.Evaluate(`document.querySelector(".shopbar img").naturalWidth > 0`, &logo))
			if !logo {
				t.Error("the offline card shows no logo")
			}
			if got := attr(t, mobile, `html`, "lang"); got != ph.lang {
				t.Errorf("the offline card is in %q, want %q", got, ph.lang)
			}
			for _, sel := range needsNetwork {
				if n := visible(t, mobile, sel); n != 0 {
					t.Errorf("offline copy: %s shown", sel)
				}
			}
			if ph.lang == "en" {
				if got := text(t, mobile, `[data-testid=stamp-count]`); got != "2 of 10" {
					t.Errorf("offline stamp count = %q, want %q", got, "2 of 10")
				}
				if got := text(t, mobile, `#offline-note`); !strings.Contains(got, "offline") {
					t.Errorf("offline note = %q, want it to say the phone is offline", got)
				}
			}
			screenshot(t, mobile, "card-offline-"+ph.String())

			// The signal is back: so are the buttons.
			cafe.srv.Unplug(false)
			run(t, mobile, network.EmulateNetworkConditions(false, 0, -1, -1))
			for _, sel := range needsNetwork {
				waitJS(t, mobile, fmt.Sprintf(`document.querySelector(%q).checkVisibility()`, sel), 5*time.Second)
			}
		})
	}
}

// --- Journeys shared by the tests --------------------------------------------

// setUpShop has the owner sign up and add the cashier, in a browser of their
// own, which it returns still signed in.
func setUpShop(t *testing.T, srv *testServer) context.Context {
	t.Helper()
	ctx := newBrowser(t, desktop)
	signUp(t, ctx, srv, owner)
	addStaff(t, ctx, srv, cashier, "cashier")
	return ctx
}

// signUp creates the shop with p as its owner and waits for the set-up.
func signUp(t *testing.T, ctx context.Context, srv *testServer, p person) {
	t.Helper()
	run(t, ctx,
		chromedp.Navigate(srv.URL+"/signup"),
		chromedp.WaitVisible(`#f-shop_name`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-shop_name`, shopName, chromedp.ByQuery),
		chromedp.SendKeys(`#f-name`, p.Name, chromedp.ByQuery),
		chromedp.SendKeys(`#f-email`, p.Email, chromedp.ByQuery),
		chromedp.SendKeys(`#f-password`, p.Password, chromedp.ByQuery),
	)
	submit(t, ctx, `main form[action="/signup"] button[type=submit]`, `[data-testid=setup-form]`)
}

// addStaff adds a member on /staff; without a password the page shows an invite link.
func addStaff(t *testing.T, ctx context.Context, srv *testServer, p person, role string) {
	t.Helper()
	run(t, ctx,
		chromedp.Navigate(srv.URL+"/staff"),
		chromedp.WaitVisible(`#f-name`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-name`, p.Name, chromedp.ByQuery),
		chromedp.SendKeys(`#f-email`, p.Email, chromedp.ByQuery),
		chromedp.SetValue(`#f-role`, role, chromedp.ByQuery),
	)
	if p.Password != "" {
		run(t, ctx, chromedp.SendKeys(`#f-password`, p.Password, chromedp.ByQuery))
	}
	wait := `[data-testid=staff-row]`
	if p.Password == "" {
		wait = `[data-testid=invite-url]`
	}
	submit(t, ctx, `main form[action="/staff"] button[type=submit]`, wait)
	if p.Password != "" {
		if got, want := location(t, ctx), srv.URL+"/staff"; got != want {
			t.Fatalf("after adding %s at %s, want %s", p.Name, got, want)
		}
	}
	if n := count(t, ctx, `[data-testid=form-error]`); n != 0 {
		t.Fatalf("adding %s was refused: %q", p.Name, texts(t, ctx, `.field-error`))
	}
}

// logIn signs p in and waits for waitSel on the page they land on.
func logIn(t *testing.T, ctx context.Context, srv *testServer, p person, waitSel string) {
	t.Helper()
	run(t, ctx,
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(`#f-email`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-email`, p.Email, chromedp.ByQuery),
		chromedp.SendKeys(`#f-password`, p.Password, chromedp.ByQuery),
	)
	submit(t, ctx, `main form button[type=submit]`, waitSel)
}

var newCardPath = regexp.MustCompile(`/counter/cards/(\d+)\?new=1$`)

// enroll taps "new card" on the counter (which must be open) and returns the
// card's id, from the URL, and its token, which only the QR code carries.
func enroll(t *testing.T, ctx context.Context, srv *testServer, firstName string) (int64, string) {
	t.Helper()
	run(t, ctx, chromedp.SendKeys(`#f-first_name`, firstName, chromedp.ByQuery))
	submit(t, ctx, `[data-testid=enroll]`, `[data-testid=new-card-qr] svg`)
	loc := location(t, ctx)
	m := newCardPath.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("after enrolling at %s, want /counter/cards/{id}?new=1", loc)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	const shopID = 1 // the only shop of a fresh database
	card, err := srv.Store.Card(context.Background(), shopID, id)
	if err != nil {
		t.Fatalf("reading card %d: %v", id, err)
	}
	return id, card.Token
}

var couponPath = regexp.MustCompile(`/coupons/\d+$`)

// openNewCard opens a fresh card on the customer's phone and checks that it
// greets them by name and has no stamps yet.
func openNewCard(t *testing.T, ctx context.Context, cardURL, firstName string) {
	t.Helper()
	run(t, ctx,
		chromedp.Navigate(cardURL),
		chromedp.WaitVisible(`[data-testid=stamp-count]`, chromedp.ByQuery),
	)
	if got := text(t, ctx, `[data-testid=stamp-count]`); got != "0 of 10" {
		t.Fatalf("customer's stamp count = %q, want %q", got, "0 of 10")
	}
	if got := text(t, ctx, `.greeting`); !strings.Contains(got, firstName) {
		t.Errorf("greeting = %q, want it to name %s", got, firstName)
	}
}

// wedgeScan does what a USB keyboard-wedge scanner does on the counter: it
// types the card URL and Enter into the focused lookup field. It waits for
// the card the lookup leads to.
func wedgeScan(t *testing.T, ctx context.Context, srv *testServer, cardURL string) {
	t.Helper()
	run(t, ctx,
		chromedp.Navigate(srv.URL+"/counter"),
		chromedp.WaitVisible(`#lookup-q`, chromedp.ByQuery),
		chromedp.Focus(`#lookup-q`, chromedp.ByQuery),
		chromedp.Evaluate(staleMark, nil),
		chromedp.SendKeys(`#lookup-q`, cardURL+"\n", chromedp.ByQuery),
		chromedp.WaitVisible(fresh(`[data-testid=card-name]`), chromedp.ByQuery),
		loaded,
	)
}

// stampToReward taps "+1 stamp" ten times on an open card of the default
// program, with no stamps yet, and checks that the tenth earns the reward.
func stampToReward(t *testing.T, ctx context.Context) {
	t.Helper()
	// Ten visits' worth of stamps (the default program has no cooldown).
	for i := 1; i <= 10; i++ {
		submit(t, ctx, `[data-testid=stamp-1]`, `[data-testid=result][data-result=stamped]`)
		want := fmt.Sprintf("%d of 10", i%10) // the 10th stamp turns into a reward
		if got := text(t, ctx, `[data-testid=stamp-count]`); got != want {
			t.Fatalf("after stamp %d: count = %q, want %q", i, got, want)
		}
	}
	if got := text(t, ctx, `[data-testid=result]`); !strings.Contains(got, "Reward earned: 1 free item") {
		t.Errorf("result after the 10th stamp = %q, want it to say %q", got, "Reward earned: 1 free item")
	}
	run(t, ctx, chromedp.WaitVisible(`[data-testid=redeem]`, chromedp.ByQuery))
	if got := text(t, ctx, `[data-testid=reward]`); !strings.Contains(got, "1 free item") {
		t.Errorf("reward = %q, want it to name %q", got, "1 free item")
	}
}

// redeemReward redeems the open card's only reward.
func redeemReward(t *testing.T, ctx context.Context) {
	t.Helper()
	submit(t, ctx, `[data-testid=redeem]`, `[data-testid=result][data-result=redeemed]`)
	if n := count(t, ctx, `[data-testid=redeem]`); n != 0 {
		t.Errorf("%d redeem buttons after redeeming the only reward, want 0", n)
	}
	if got := text(t, ctx, `[data-testid=stamp-count]`); got != "0 of 10" {
		t.Errorf("count after redeeming = %q, want %q", got, "0 of 10")
	}
}

// checkCustomerAfterReward reloads the customer's card after stampToReward
// and redeemReward: back to no stamps, with the eleven visits listed.
func checkCustomerAfterReward(t *testing.T, ctx context.Context) {
	t.Helper()
	reload(t, ctx, `[data-testid=visits]`)
	if got := text(t, ctx, `[data-testid=stamp-count]`); got != "0 of 10" {
		t.Errorf("customer's count after redeeming = %q, want %q", got, "0 of 10")
	}
	visits := texts(t, ctx, `[data-testid=visits] li`)
	if len(visits) != 11 {
		t.Errorf("customer sees %d visits, want 11 (10 stamps, 1 redemption): %q", len(visits), visits)
	}
	if len(visits) > 0 && !strings.Contains(visits[0], "Reward redeemed") {
		t.Errorf("latest visit = %q, want the redemption", visits[0])
	}
}

// --- Browser helpers ---------------------------------------------------------

// choose picks value in the select sel as a person does: the page hears it.
func choose(sel, value string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.SetValue(sel, value, chromedp.ByQuery),
		chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%q).dispatchEvent(new Event('change', {bubbles: true}))`, sel), nil),
	}
}

// staleMark tags the current document; fresh(sel) matches only in a later one.
// Together they wait for the page a click leads to, even when it looks the
// same as the current one (a card after a stamp).
const staleMark = `document.documentElement.setAttribute("data-e2e-stale", "")`

func fresh(sel string) string { return "html:not([data-e2e-stale]) " + sel }

// settled matches sel once the counter takes taps again: for half a second
// after a result it ignores them, as the finger that caused the result.
func settled(sel string) string { return "html:not([data-settling]) " + sel }

// loaded waits for the current document to finish loading, as
// chromedp.Navigate and Reload do by themselves. It follows every wait for a
// page that a click, a scan or a script navigated to: such a wait can match
// while the page still runs its deferred scripts, and when DOMContentLoaded
// fires Chromium renumbers the document's nodes for DevTools. An element
// found before then and clicked or read after fails the test with "No node
// with given id found"; a parallel run on a busy machine widens that window
// enough to hit it. Once the document is complete no renumbering follows,
// and a lookup made with an old number fails and is retried by chromedp.
var loaded = chromedp.Evaluate(`document.readyState === "complete" ||
	new Promise(resolve => addEventListener("load", () => resolve(true), {once: true}))`,
	nil, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) })

// submit clicks clickSel and waits for the next page to show waitSel.
func submit(t *testing.T, ctx context.Context, clickSel, waitSel string) {
	t.Helper()
	run(t, ctx,
		chromedp.WaitVisible(settled(clickSel), chromedp.ByQuery),
		chromedp.Evaluate(staleMark, nil),
		chromedp.Click(clickSel, chromedp.ByQuery),
		chromedp.WaitVisible(fresh(waitSel), chromedp.ByQuery),
		loaded,
	)
}

// reload reloads the page and waits for waitSel on the new copy.
func reload(t *testing.T, ctx context.Context, waitSel string) {
	t.Helper()
	run(t, ctx,
		chromedp.Evaluate(staleMark, nil),
		chromedp.Reload(),
		chromedp.WaitVisible(fresh(waitSel), chromedp.ByQuery),
	)
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	var url string
	run(t, ctx, chromedp.Location(&url))
	return url
}

// text is the trimmed visible text of the first element matching sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var s string
	run(t, ctx, chromedp.Text(sel, &s, chromedp.ByQuery))
	return strings.TrimSpace(s)
}

// texts is the visible text of every element matching sel, without waiting.
func texts(t *testing.T, ctx context.Context, sel string) []string {
	t.Helper()
	var out []string
	run(t, ctx, chromedp.Evaluate(fmt.Sprintf(
		`Array.from(document.querySelectorAll(%q), el => el.innerText.trim())`, sel), &out))
	return out
}

// count is how many elements match sel, without waiting.
func count(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	var n int
	run(t, ctx, chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll(%q).length`, sel), &n))
	return n
}

// waitJS evaluates expr (which may return a promise) until it yields true.
func waitJS(t *testing.T, ctx context.Context, expr string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var ok bool
		err := chromedp.Run(ctx, chromedp.Evaluate(expr, &ok, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
			return p.WithAwaitPromise(true)
		}))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			// Through run, for the page's URL and a screenshot.
			run(t, ctx, chromedp.ActionFunc(func(context.Context) error {
				return fmt.Errorf("waited %s for %s (last error: %v)", timeout, expr, err)
			}))
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// containsAll reports whether one of rows contains every one of subs, in any
// letter case (innerText follows CSS text-transform).
func containsAll(rows []string, subs ...string) bool {
	for _, r := range rows {
		all := true
		for _, s := range subs {
			all = all && strings.Contains(strings.ToLower(r), strings.ToLower(s))
		}
		if all {
			return true
		}
	}
	return false
}
