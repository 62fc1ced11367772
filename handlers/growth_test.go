package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/skip2/go-qrcode"

	"regulars/db"
)

func TestGrowthOwnerSaves(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve Evi", "owner@example.com")
	page := owner.get("/growth")
	if page.status != http.StatusOK {
		t.Fatalf("growth page: %d", page.status)
	}
	if page.doc.Find(`nav a[href="/growth"]`).Length() != 1 {
		t.Error("no Grow entry in the owner's menu")
	}
	for _, href := range []string{"/poster?size=a4", "/poster?size=a5", "/cards/print", "/referrals", "/news"} {
		if page.doc.Find(`a[href="`+href+`"]`).Length() == 0 {
			t.Errorf("growth page does not link to %s", href)
		}
	}
	welcome := strings.TrimPrefix(newCoupon(t, owner, map[string]string{"title": "Welcome", "value_kind": "text", "value_text": "a cookie", "audience": "code", "code": "HELLO"}), "/coupons/")
	setGrowth(t, owner, map[string]string{
		"pitch": "  Tenth coffee on us  ", "welcome_stamps": "2", "welcome_campaign": welcome, "referral_stamps": "1", "referral_cap": "3",
		"birthday_gift": "A slice of cake", "birthday_days": "5",
	})
	g, err := e.store.Growth(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	want := db.Growth{Pitch: "Tenth coffee on us", WelcomeStamps: 2, WelcomeCampaignID: 1, ReferralStamps: 1, ReferralCap: 3, BirthdayGift: "A slice of cake", BirthdayDays: 5}
	if welcome != "1" || g != want {
		t.Errorf("saved %+v, want %+v (campaign %s)", g, want, welcome)
	}
	page = owner.get("/growth?saved=1")
	if text(page, `[data-testid="saved"]`) == "" || page.doc.Find(`#f-welcome_campaign option[selected]`).AttrOr("value", "") != welcome {
		t.Error("the page after saving does not show the save and the chosen coupon")
	}
	// Everything off again.
	setGrowth(t, owner, map[string]string{"pitch": "", "welcome_stamps": "0", "welcome_campaign": "", "referral_stamps": "0", "birthday_gift": ""})
	if g, _ := e.store.Growth(context.Background(), 1); g != (db.Growth{ReferralCap: 3, BirthdayDays: 5}) {
		t.Errorf("turned off: %+v", g)
	}
	if n := e.count(`SELECT count(*) FROM audit WHERE action = 'growth'`); n != 2 {
		t.Errorf("audit rows: %d, want one per save", n)
	}
}

func TestGrowthOnlyForOwners(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve Evi", "owner@example.com")
	page := owner.get("/growth")
	_, values := formValues(t, page, `[data-testid="growth-form"]`)
	cashier := e.addCashier(owner, "cashier@example.com")
	manager := e.addManager(owner, "manager@example.com")
	staff := map[string]*client{"cashier": cashier, "manager": manager}
	tokens := map[string]string{}
	for name, c := range staff {
		_, theirs := formValues(t, c.get("/counter"), "form.lang-switch")
		tokens[name] = theirs.Get("_csrf")
	}
	before := e.snapshot()
	for name, c := range staff {
		if res := c.get("/growth"); res.status != http.StatusForbidden {
			t.Errorf("%s GET /growth: %d, want 403", name, res.status)
		}
		values.Set("_csrf", tokens[name])
		values.Set("welcome_stamps", "50")
		if res := c.postRaw("/growth", values); res.status != http.StatusForbidden {
			t.Errorf("%s POST /growth: %d, want 403", name, res.status)
		}
	}
	if after := e.snapshot(); after != before {
		t.Error("refused saves changed the database")
	}
	if manager.get("/dashboard").doc.Find(`nav a[href="/growth"]`).Length() != 0 {
		t.Error("the manager's menu offers Grow")
	}
	if res := manager.get("/poster?size=a5"); res.status != http.StatusOK {
		t.Errorf("manager's poster: %d, want 200", res.status)
	}
	if res := cashier.get("/poster?size=a4"); res.status != http.StatusForbidden {
		t.Errorf("cashier's poster: %d, want 403", res.status)
	}
	if res := e.client().get("/poster"); res.status != http.StatusSeeOther {
		t.Errorf("poster signed out: %d, want a redirect to log in", res.status)
	}
}

func TestGrowthBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve Evi", "owner@example.com")
	tests := []struct {
		name, field, value, message string
	}{
		{"pitch too long", "pitch", strings.Repeat("ş", 121), "at most 120 characters"},
		{"pitch of two lines", "pitch", "Coffee\ncake", "one line"},
		{"welcome over 50", "welcome_stamps", "51", "from 0 to 50"},
		{"welcome negative", "welcome_stamps", "-1", "whole number"},
		{"welcome not a number", "welcome_stamps", "two", "whole number"},
		{"welcome empty", "welcome_stamps", "", "whole number"},
		{"referral over 50", "referral_stamps", "99", "from 0 to 50"},
		{"cap of zero", "referral_cap", "0", "from 1 to 100"},
		{"cap huge", "referral_cap", "9999999999", "whole number"},
		{"gift too long", "birthday_gift", strings.Repeat("x", 121), "at most 120 characters"},
		{"window over a month", "birthday_days", "32", "from 0 to 31"},
	}
	// One case at a time: each compares snapshots of the whole shared database,
	// which a sibling case's requests would change in between.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot()
			fill := map[string]string{"pitch": "Kept as typed"}
			fill[tt.field] = tt.value
			res := owner.submit(owner.get("/growth"), `[data-testid="growth-form"]`, fill)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.status)
			}
			if got := text(res, "#e-"+tt.field); !strings.Contains(got, tt.message) {
				t.Errorf("message %q, want %q", got, tt.message)
			}
			if tt.field != "pitch" && res.doc.Find("#f-pitch").AttrOr("value", "") != "Kept as typed" {
				t.Error("the refused form lost what was typed")
			}
			if after := e.snapshot(); after != before {
				t.Errorf("refused save changed the database")
			}
		})
	}
}

func TestGrowthWelcomeCampaignChoice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve Evi", "owner@example.com")
	other := e.signup("Berber", "other@example.com")
	theirs := strings.TrimPrefix(newCoupon(t, other, map[string]string{"title": "Theirs", "value_kind": "text", "value_text": "x", "audience": "code", "code": "THEIRS"}), "/coupons/")
	ended := strings.TrimPrefix(newCoupon(t, owner, map[string]string{"title": "Ended", "value_kind": "text", "value_text": "x", "audience": "code", "code": "ENDED"}), "/coupons/")
	if res := owner.submit(owner.get("/coupons/"+ended), `form[action$="/end"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("end campaign: %d", res.status)
	}
	page := owner.get("/growth")
	if page.doc.Find(`#f-welcome_campaign option[value="`+ended+`"]`).Length() != 0 {
		t.Error("an ended campaign is offered as the welcome coupon")
	}
	before := e.snapshot()
	for _, tt := range []struct {
		campaign string
		status   int
	}{
		{theirs, http.StatusNotFound},
		{"999", http.StatusNotFound},
		{"abc", http.StatusNotFound},
		{"-1", http.StatusNotFound},
		{ended, http.StatusUnprocessableEntity},
	} {
		res := owner.submit(page, `[data-testid="growth-form"]`, map[string]string{"welcome_campaign": tt.campaign, "welcome_stamps": "1"})
		if res.status != tt.status {
			t.Errorf("welcome campaign %q: %d, want %d", tt.campaign, res.status, tt.status)
		}
		if tt.status == http.StatusUnprocessableEntity && text(res, "#e-welcome_campaign") == "" {
			t.Errorf("welcome campaign %q: no message", tt.campaign)
		}
	}
	if after := e.snapshot(); after != before {
		t.Error("refused saves changed the database")
	}
}

// TestPosterQRCodeOpensTheJoinPage reads the poster's QR code module by module
// and compares it with a QR code made for the join address.
func TestPosterQRCodeOpensTheJoinPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve Evi", "owner@example.com")
	setGrowth(t, owner, map[string]string{"pitch": "Tenth coffee on us"})
	want := e.srv.URL + "/join/" + e.slug(1)
	for _, size := range []string{"a4", "a5"} {
		res := owner.get("/poster?size=" + size)
		if res.status != http.StatusOK || !res.doc.Find("body").HasClass("poster-"+size) {
			t.Fatalf("poster %s: %d", size, res.status)
		}
		if got := text(res, `[data-testid="join-url"]`); got != want {
			t.Errorf("poster %s prints %q, want %q", size, got, want)
		}
		if got := text(res, `[data-testid="poster-pitch"]`); got != "Tenth coffee on us" {
			t.Errorf("poster %s pitch %q", size, got)
		}
		if res.doc.Find("nav, .topbar").Length() != 0 {
			t.Errorf("poster %s has the site's navigation", size)
		}
		d, _ := res.doc.Find(`[data-testid="poster-qr"] svg path`).Attr("d")
		q, err := qrcode.New(want, qrcode.Medium)
		if err != nil {
			t.Fatal(err)
		}
		if got, wantBits := svgModules(d, len(q.Bitmap())), bitmapString(q.Bitmap()); got != wantBits {
			t.Errorf("poster %s QR code is not the join address's:\n%s\nwant\n%s", size, got, wantBits)
		}
	}
	if owner.get("/poster").doc.Find("img.poster-logo").Length() != 0 {
		t.Error("a shop without a logo has a logo on its poster")
	}
	_, v := formValues(t, owner.get("/settings"), `form[action="/settings/logo"]`)
	if res := owner.upload("/settings/logo", v.Get("_csrf"), "logo.png", pngOf(8, 8)); res.status != http.StatusSeeOther {
		t.Fatalf("logo upload: %d", res.status)
	}
	if src := owner.get("/poster").doc.Find("img.poster-logo").AttrOr("src", ""); !strings.HasPrefix(src, "/shops/1/logo?v=") {
		t.Errorf("poster logo %q, want the shop's logo", src)
	}
	if res := owner.get("/poster?size=letter"); res.status != http.StatusNotFound {
		t.Errorf("unknown paper size: %d, want 404", res.status)
	}
	if res := owner.get("/poster"); res.status != http.StatusOK || !res.doc.Find("body").HasClass("poster-a4") {
		t.Errorf("poster without a size: %d, want A4", res.status)
	}
}

// svgModules draws the dark runs of a QR code's SVG path on an n×n grid: a
// row's first run is "Mx y.5hN", a stroke one module wide along the row's
// middle, and each next run "mG 0hN", G modules after the end of the one
// before.
func svgModules(d string, n int) string {
	grid := make([][]bool, n)
	for i := range grid {
		grid[i] = make([]bool, n)
	}
	x, y := 0, 0
	for _, cmd := range strings.FieldsFunc(d, func(r rune) bool { return r == 'M' || r == 'm' }) {
		var a, row, w int
		if _, err := fmt.Sscanf(cmd, "%d %d.5h%d", &a, &row, &w); err == nil && strings.Contains(cmd, ".5h") {
			x, y = a, row
		} else if _, err := fmt.Sscanf(cmd, "%d 0h%d", &a, &w); err == nil {
			x += a
		} else {
			continue
		}
		for i := x; i < x+w && i < n && y < n; i++ {
			grid[y][i] = true
		}
		x += w
	}
	return bitmapString(grid)
}

func bitmapString(bits [][]bool) string {
	var b strings.Builder
	for _, row := range bits {
		for _, on := range row {
			if on {
				b.WriteByte('#')
			} else {
				b.WriteByte('.')
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// TestBirthdayCampaignIsNoWelcome: the year's birthday gifts appear in the
// coupon list as such, and cannot become the welcome coupon.
func TestBirthdayCampaignIsNoWelcome(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	owner := e.signup("Kahve Evi", "owner@example.com")
	now := e.clock.Now()
	if err := e.store.SaveGrowth(ctx, 1, db.Growth{ReferralCap: 5, BirthdayGift: "A slice of cake", BirthdayDays: 7}, 1, now); err != nil {
		t.Fatal(err)
	}
	card, err := e.store.EnrollCard(ctx, 1, db.NewCard{FirstName: "Ada", Birthday: now.Format("01-02"), Key: "join-ada"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.IssueBirthdayCoupon(ctx, 1, card.ID, now); err != nil {
		t.Fatal(err)
	}
	cs, err := e.store.Campaigns(ctx, 1)
	if err != nil || len(cs) != 1 || cs[0].BirthdayYear == 0 {
		t.Fatalf("campaigns: %+v, %v", cs, err)
	}
	if got := text(owner.get("/coupons"), `[data-testid="coupon-row"]`); !strings.Contains(got, "Customers with a birthday") {
		t.Errorf("coupon list row %q does not say it is the birthday gift", got)
	}
	page := owner.get("/growth")
	if page.doc.Find(fmt.Sprintf(`#f-welcome_campaign option[value="%d"]`, cs[0].ID)).Length() != 0 {
		t.Error("the birthday campaign is offered as the welcome coupon")
	}
	before := e.snapshot()
	res := owner.submit(page, `[data-testid="growth-form"]`, map[string]string{"welcome_campaign": fmt.Sprint(cs[0].ID)})
	if res.status != http.StatusUnprocessableEntity {
		t.Errorf("birthday campaign as welcome coupon: %d, want 422", res.status)
	}
	if after := e.snapshot(); after != before {
		t.Errorf("changed: %s → %s", before, after)
	}
}
