package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"regulars/db"
)

// auditLines reads the audit table as "what | who | subject" lines.
func auditLines(r response) []string {
	var lines []string
	r.doc.Find(`[data-testid="audit-line"]`).Each(func(_ int, s *goquery.Selection) {
		lines = append(lines, s.AttrOr("data-kind", "")+" | "+strings.TrimSpace(s.Find(`[data-testid="audit-who"]`).Text())+" | "+
			strings.Join(strings.Fields(s.Find(`[data-testid="audit-subject"]`).Text()), " "))
	})
	return lines
}

// optionValue finds the value of the option of a select labelled label.
func optionValue(t *testing.T, r response, selectName, label string) string {
	t.Helper()
	v := ""
	r.doc.Find(`select[name="` + selectName + `"] option`).Each(func(_ int, s *goquery.Selection) {
		if strings.TrimSpace(s.Text()) == label {
			v = s.AttrOr("value", "")
		}
	})
	if v == "" {
		t.Fatalf("no option %q in %s", label, selectName)
	}
	return v
}

func TestAuditLog(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	e.clock.Advance(time.Minute)
	cashier := e.addCashier(owner, "cashier@example.com") // a staff change, then the cashier's login
	e.clock.Advance(time.Minute)
	cardPath := cashier.enroll("Ayla")
	if res := cashier.submit(cashier.get(cardPath), `[data-testid="stamp-1"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("stamp: %d", res.status)
	}
	e.clock.Advance(time.Minute)
	res := owner.submit(owner.get("/settings"), `form[action="/settings"]`, map[string]string{"name": "Kafe Ayla"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("settings: %d\n%s", res.status, snippet(res.body))
	}

	page := owner.get("/audit")
	if page.status != http.StatusOK {
		t.Fatalf("audit page: %d", page.status)
	}
	customer := strings.Replace(cardPath, "/counter/cards/", "/customers/", 1)
	cashierName := "Cashier cashier@example.com"
	want := []string{
		"settings | Owner of Kafe | Kafe Ayla",
		"stamp | " + cashierName + " | Ayla Loyalty card",
		"login | " + cashierName + " | cashier@example.com",
		"staff_add | Owner of Kafe | " + cashierName + " (cashier@example.com)",
	}
	if got := auditLines(page); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if href, _ := page.doc.Find(`[data-kind="stamp"] [data-testid="audit-subject"] a`).Attr("href"); href != customer {
		t.Errorf("the stamp links to %q, want %q", href, customer)
	}
	if what := text(page, `[data-kind="stamp"] [data-testid="audit-what"]`); !strings.Contains(what, "Stamp") || !strings.Contains(what, "1 stamp") {
		t.Errorf("stamp described as %q", what)
	}

	cashierID := optionValue(t, page, "user", cashierName)
	filters := []struct {
		query string
		want  []string
	}{
		{"?user=" + cashierID, []string{want[1], want[2]}},
		{"?kind=stamp", []string{want[1]}},
		{"?kind=settings", []string{want[0]}},
		{"?user=" + cashierID + "&kind=settings", nil},
		{"?from=2026-03-02&to=2026-03-02", want},
		{"?from=2026-03-03", nil},
		{"?to=2026-03-01", nil},
	}
	for _, f := range filters {
		res := owner.get("/audit" + f.query)
		if got := auditLines(res); res.status != http.StatusOK || strings.Join(got, "\n") != strings.Join(f.want, "\n") {
			t.Errorf("%s: %d\n%s\nwant\n%s", f.query, res.status, strings.Join(got, "\n"), strings.Join(f.want, "\n"))
		}
	}
	if res := owner.get("/audit?kind=stamp"); optionSelected(res, "kind") != "stamp" {
		t.Error("the filter form forgets the chosen kind")
	}

	// Malformed filters are refused with a message; a broken cursor was never typed.
	for query, status := range map[string]int{
		"?kind=drop":                           422,
		"?user=999":                            422,
		"?user=abc":                            422,
		"?from=yesterday":                      422,
		"?from=2026-03-05&to=2026-03-01":       422,
		"?before=1772445600-x1":                400,
		"?before=" + url.QueryEscape("1 OR 1"): 400,
	} {
		res := owner.get("/audit" + query)
		if res.status != status || (status == 422 && res.doc.Find(".field-error").Length() == 0) {
			t.Errorf("%s: %d, want %d\n%s", query, res.status, status, snippet(res.body))
		}
	}
}

func optionSelected(r response, name string) string {
	return r.doc.Find(`select[name="`+name+`"] option[selected]`).AttrOr("value", "")
}

func TestAuditLogPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	ctx := context.Background()
	start := e.clock.Now()
	for i := range 60 {
		if err := e.store.Audit(ctx, 1, 1, db.AuditProgramSave, "Program "+string(rune('A'+i%26)), start.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	first := owner.get("/audit?kind=program_save")
	if n := len(auditLines(first)); n != 50 || first.doc.Find(`[data-testid="audit-newest"]`).Length() != 0 {
		t.Fatalf("first page: %d lines", n)
	}
	older, ok := first.doc.Find(`[data-testid="audit-older"]`).Attr("href")
	if !ok || !strings.Contains(older, "kind=program_save") {
		t.Fatalf("older link %q", older)
	}
	second := owner.get(older)
	if n := len(auditLines(second)); n != 10 || second.doc.Find(`[data-testid="audit-older"]`).Length() != 0 {
		t.Errorf("second page: %d lines", n)
	}
	if newest, _ := second.doc.Find(`[data-testid="audit-newest"]`).Attr("href"); newest != "/audit?kind=program_save" {
		t.Errorf("newest link %q", newest)
	}
}

func TestAuditAndFeedbackRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	res := owner.submit(owner.get("/staff"), `form[action="/staff"]`, map[string]string{"name": "M", "email": "m@example.com", "role": "manager", "password": "manager password"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("add manager: %d", res.status)
	}
	manager := e.login("m@example.com", "manager password")
	tests := []struct {
		who         *client
		name        string
		audit, feed int
	}{
		{owner, "owner", 200, 200},
		{manager, "manager", 403, 200},
		{cashier, "cashier", 403, 403},
	}
	for _, tt := range tests {
		if res := tt.who.get("/audit"); res.status != tt.audit {
			t.Errorf("%s GET /audit: %d, want %d", tt.name, res.status, tt.audit)
		}
		if res := tt.who.get("/feedback"); res.status != tt.feed {
			t.Errorf("%s GET /feedback: %d, want %d", tt.name, res.status, tt.feed)
		}
	}
	if res := e.client().get("/audit"); res.status != http.StatusSeeOther {
		t.Errorf("anonymous GET /audit: %d", res.status)
	}
	// The menus mirror it.
	dash := manager.get("/dashboard")
	if dash.doc.Find(`nav a[href="/feedback"]`).Length() != 1 || dash.doc.Find(`nav a[href="/audit"]`).Length() != 0 {
		t.Error("manager's menu")
	}
	if owner.get("/dashboard").doc.Find(`nav a[href="/audit"]`).Length() != 1 {
		t.Error("owner's menu has no audit log")
	}
}

func TestAuditInviteAndLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	res := owner.submit(owner.get("/staff"), `form[action="/staff"]`, map[string]string{"name": "Invited", "email": "inv@example.com", "role": "cashier"})
	link, _ := res.doc.Find(`[data-testid="invite-url"]`).Attr("value")
	u, err := url.Parse(link)
	if res.status != http.StatusCreated || err != nil {
		t.Fatalf("invite: %d %q", res.status, link)
	}
	invited := e.client()
	if res := invited.submit(invited.get(u.Path), `form[method="post"][data-once]`, map[string]string{"password": "my own password"}); res.status != http.StatusSeeOther {
		t.Fatalf("accept invite: %d", res.status)
	}
	if res := invited.submit(invited.get("/logout"), `form[action="/logout"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.status)
	}
	// Signed out already: nobody to record.
	before := e.count(`SELECT count(*) FROM audit`)
	if res := invited.submit(invited.get("/logout"), `form[action="/logout"]`, nil); res.status != http.StatusSeeOther || e.count(`SELECT count(*) FROM audit`) != before {
		t.Errorf("second logout: %d", res.status)
	}
	want := []string{"logout | Invited | inv@example.com", "invite_accept | Invited | inv@example.com", "staff_add | Owner of Kafe | Invited (inv@example.com)"}
	if got := auditLines(owner.get("/audit")); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
