package handlers

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"regulars/db"
	"regulars/locale"
	"regulars/loyalty"
	"regulars/views"
)

// renderHoldouts renders the dashboard of d in lang, as an owner sees it.
func renderHoldouts(t *testing.T, d db.Dashboard, lang string) *goquery.Document {
	t.Helper()
	tr := locale.New(lang, time.UTC, locale.DefaultDigits(lang))
	v := dashboardView(tr, d, "EUR", tr.Dir() == "rtl")
	var buf bytes.Buffer
	p := views.Page{T: tr, Title: "Dashboard", Shop: &views.Brand{Name: "Café", Color: "#6b4423"},
		User: &views.Staff{Name: "O", Role: "owner", CanManage: true, IsOwner: true}}
	if err := views.DashboardPage(p, v).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestHoldoutSection: each automation that chose anyone says, in words, its
// two return rates, the difference with its range, and what that means;
// the measured return beside the estimate sums the automations that have a
// verdict, and only those.
func TestHoldoutSection(t *testing.T) {
	t.Parallel()
	d := snapshot()
	d.AverageTicket, d.RewardCost = 500, 200
	d.Holdouts = []db.AutomationHoldout{
		// Newcombe's example: 80% against 60%, 5 to 33 points.
		{Kind: "we_miss_you", Holdout: loyalty.Holdout{Messaged: 70, MessagedReturned: 56, HeldOut: 80, HeldOutReturned: 48, Pending: 12},
			KeptBack: 3, Coupons: loyalty.Gifts{Coupons: 12, FreeItems: 12}},
		{Kind: "birthday", Holdout: loyalty.Holdout{Messaged: 40, MessagedReturned: 20, HeldOut: 4, HeldOutReturned: 1}},
		{Kind: "newsletter", Holdout: loyalty.Holdout{Messaged: 80, MessagedReturned: 48, HeldOut: 70, HeldOutReturned: 56}},
		{Kind: "coupon_expiring", Holdout: loyalty.Holdout{Messaged: 100, MessagedReturned: 60, HeldOut: 100, HeldOutReturned: 48}},
		{Kind: "one_visit_left", Holdout: loyalty.Holdout{Pending: 9}},
	}
	doc := renderHoldouts(t, d, "en")
	tests := []struct {
		kind, verdict string
		says          []string
	}{
		{"we_miss_you", "Brought people back", []string{
			"Of the 70 customers chosen for “We miss you”, 80% came back within 30 days; of the 80 held out, 60%.",
			"That is 5 to 33 points more: the message most likely brought about 14 customers back (4 to 23)",
			"used 12 coupons in those 30 days, worth 24.00 EUR.",
			"3 more customers were chosen but could not be written to",
			"12 customers chosen in the last 30 days are not counted yet.",
		}},
		{"birthday", "Too early to tell", []string{"at least 10 held-out customers whose 30 days are over, and there are 4 so far."}},
		{"newsletter", "Seems to keep people away", []string{"That is 5 to 33 points fewer"}},
		{"coupon_expiring", "No measurable effect", []string{"The difference, -2 to +25 points"}},
		{"one_visit_left", "Too early to tell", []string{"most of the customers chosen are still within their 30 days.", "9 customers chosen"}},
	}
	for _, tt := range tests {
		s := doc.Find(`[data-testid="holdout-` + tt.kind + `"]`)
		if got := strings.TrimSpace(s.Find(`[data-testid=holdout-verdict]`).Text()); got != tt.verdict {
			t.Errorf("%s: verdict %q, want %q", tt.kind, got, tt.verdict)
		}
		text := strings.Join(strings.Fields(s.Text()), " ")
		for _, want := range tt.says {
			if !strings.Contains(text, want) {
				t.Errorf("%s says %q\nwant it to say %q", tt.kind, text, want)
			}
		}
	}
	// 14 (we miss you) − 16 (the newsletter) + 12 (coupon expiring): about
	// 10 customers; the birthday's too-early figures are left out.
	measured := strings.Join(strings.Fields(doc.Find(`#economics [data-testid=economics-measured]`).Text()), " ")
	if !strings.Contains(measured, "customers came back who would not have within 30 days, most likely 10.") ||
		!strings.Contains(measured, "At your average ticket that is about 50.00 EUR, for 24.00 EUR of coupons they used.") {
		t.Errorf("measured return: %q", measured)
	}
}

// TestHoldoutSectionInPersian: the section's numbers follow the shop's
// digits, its sentences the catalogue's plural forms.
func TestHoldoutSectionInPersian(t *testing.T) {
	t.Parallel()
	d := snapshot()
	d.Holdouts = []db.AutomationHoldout{{Kind: "we_miss_you", Holdout: loyalty.Holdout{Messaged: 70, MessagedReturned: 56, HeldOut: 80, HeldOutReturned: 48}}}
	doc := renderHoldouts(t, d, "fa")
	text := strings.Join(strings.Fields(doc.Find(`[data-testid=holdout-we_miss_you]`).Text()), " ")
	for _, want := range []string{"از ۷۰ مشتریِ برگزیده برای «دلمان برایتان تنگ شده»، ۸۰٪ در ۳۰ روز برگشتند", "۵ تا ۳۳ واحد درصد بیشتر", "مشتریان را برگرداند"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Persian section says %q\nwant %q", text, want)
		}
	}
	if strings.ContainsAny(text, "0123456789") {
		t.Errorf("Latin digits on a Persian-digit page: %q", text)
	}
}

// TestNoHoldoutSectionWithoutAudience: a shop whose automations chose nobody
// sees neither the section nor a measured return.
func TestNoHoldoutSectionWithoutAudience(t *testing.T) {
	t.Parallel()
	doc := renderHoldouts(t, snapshot(), "en")
	if n := doc.Find(`[data-testid=holdouts], [data-testid=economics-measured]`).Length(); n != 0 {
		t.Errorf("%d hold-out elements without any audience", n)
	}
}
