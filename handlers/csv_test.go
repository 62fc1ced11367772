package handlers_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"regulars/db"
	"regulars/loyalty"
)

// uploadCSV posts content as the import form's file, with the given CSRF token.
func (c *client) uploadCSV(csrf string, content []byte) response {
	c.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", csrf)
	if content != nil {
		fw, _ := w.CreateFormFile("file", "customers.csv")
		fw.Write(content)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.env.srv.URL+"/customers/import", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// importCSV uploads content and confirms the preview; it returns how many
// customers the result page says were imported.
func (c *client) importCSV(content []byte) {
	c.t.Helper()
	preview := c.uploadCSV(c.csrf(), content)
	if preview.status != http.StatusOK {
		c.t.Fatalf("preview: %d\n%s", preview.status, snippet(preview.body))
	}
	res := c.submit(preview, `[data-testid="csv-confirm"]`, nil)
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/customers/import?imported=") {
		c.t.Fatalf("confirm: %d %q\n%s", res.status, res.location, snippet(res.body))
	}
	if done := c.get(res.location); text(done, `[data-testid="csv-imported"]`) == "" {
		c.t.Errorf("no result banner:\n%s", snippet(done.body))
	}
}

// csrf reads the token the import page's upload form carries.
func (c *client) csrf() string {
	c.t.Helper()
	_, v := formValues(c.t, c.get("/customers/import"), `[data-testid="csv-upload"]`)
	return v.Get("_csrf")
}

func exported(t *testing.T, e *env, shopID int64) []db.ExportedCustomer {
	t.Helper()
	ctx := context.Background()
	ps, err := e.store.Programs(ctx, shopID, false)
	if err != nil {
		t.Fatal(err)
	}
	var out []db.ExportedCustomer
	if err := e.store.ExportCustomers(ctx, shopID, ps, e.clock.Now(), func(c db.ExportedCustomer) error { out = append(out, c); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCSVRoundTrip moves a shop's customers to a fresh shop through the
// export and the import: names in Turkish and Persian, phones with a + (which
// the export guards against spreadsheet formulas), emails, birthdays and stamps
// arrive as they were.
func TestCSVRoundTrip(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve Evi", "a@example.com")
	ctx := context.Background()
	if _, err := e.store.SaveProgram(ctx, db.Program{ShopID: 1, Name: "Çay", RewardText: "çay", StampsRequired: 5, MaxPerVisit: 1}, 0, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	owner.importCSV([]byte("\uFEFFAd;Telefon;E-posta;Doğum günü;Damga\r\n" +
		"Çağrı İşıl;+90 532 123 45 67;cagri@example.com;14.03.1990;4\r\n" +
		"ğüşıöç İ;+98 912 000 1122;;02-29;0\r\n" +
		"مریم;;maryam@example.ir;;13\r\n" +
		"=Ayşe;0532 999 88 77;;;1\r\n"))
	// A visit in the default program, and stamps in the second program.
	now := e.clock.Now()
	if _, err := e.store.Stamp(ctx, db.Action{ShopID: 1, CardID: 1, ProgramID: 1, UserID: 1, Key: "visit", Now: now}, 1, false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Stamp(ctx, db.Action{ShopID: 1, CardID: 2, ProgramID: 2, UserID: 1, Key: "tea", Now: now}, 1, false); err != nil {
		t.Fatal(err)
	}

	// In Turkish the export is separated by semicolons, as Excel in Turkish expects.
	if res := owner.submit(owner.get("/customers/import"), `form.lang-switch`, map[string]string{"lang": "tr"}); res.status != http.StatusSeeOther {
		t.Fatalf("switch to Turkish: %d", res.status)
	}
	res := owner.get("/customers/export.csv")
	if res.status != http.StatusOK {
		t.Fatalf("export: %d\n%s", res.status, snippet(res.body))
	}
	file := res.body
	if !strings.HasPrefix(file, "\uFEFF") {
		t.Error("the export does not start with a byte-order mark")
	}
	lines := strings.Split(strings.TrimSuffix(file, "\r\n"), "\r\n")
	if len(lines) != 5 || strings.Contains(strings.Join(lines, ""), "\n") {
		t.Fatalf("want a header and 4 rows ending in CRLF:\n%q", file)
	}
	if want := "\uFEFFshort code;first name;phone;email;birthday;joined;segment;visits;last visit;marketing consent;stamps: "; !strings.HasPrefix(lines[0], want) || !strings.HasSuffix(lines[0], ";stamps: Çay") {
		t.Errorf("header %q", lines[0])
	}
	// Cells that a spreadsheet would run as formulas start with an apostrophe.
	if !strings.Contains(lines[1], ";Çağrı İşıl;'+905321234567;cagri@example.com;03-14;2026-03-02;new;1;2026-03-02;;5;0") {
		t.Errorf("row 1: %q", lines[1])
	}
	if !strings.Contains(lines[4], ";'=Ayşe;05329998877;") {
		t.Errorf("row 4: %q", lines[4])
	}
	if n := e.count(`SELECT count(*) FROM audit WHERE action = 'customers_export' AND subject LIKE 'kahve-evi-customers-2026-03-02.csv'`); n != 1 {
		t.Errorf("%d audit rows for the export", n)
	}

	fresh := e.signup("Fresh Shop", "b@example.com")
	preview := fresh.uploadCSV(fresh.csrf(), []byte(file))
	if got := text(preview, `[data-testid="csv-ignored"]`); !strings.Contains(got, "segment") || !strings.Contains(got, "stamps: Çay") {
		t.Errorf("ignored columns: %q", got)
	}
	fresh.importCSV([]byte(file))
	from, to := exported(t, e, 1), exported(t, e, 2)
	if len(from) != 4 || len(to) != 4 {
		t.Fatalf("%d customers exported, %d imported", len(from), len(to))
	}
	for i := range from {
		a, b := from[i], to[i]
		if a.FirstName != b.FirstName || a.Phone != b.Phone || a.Email != b.Email || a.Birthday != b.Birthday || a.Stamps[0] != b.Stamps[0] {
			t.Errorf("customer %d changed on the way:\n%+v\n%+v", i, a, b)
		}
	}
	if from[2].FirstName != "مریم" || from[2].Stamps[0] != 3 || from[0].Phone != "+905321234567" || from[1].Birthday != "02-29" {
		t.Errorf("the source shop is not what was imported: %+v", from)
	}
}

func TestLedgerExport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve Evi", "a@example.com")
	owner.importCSV([]byte("name,stamps\n@Ali,2\n"))
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/ledger/export.csv", nil)
	raw, err := owner.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw.Body.Close()
	if h := raw.Header; raw.StatusCode != http.StatusOK || h.Get("Content-Type") != "text/csv; charset=utf-8" ||
		h.Get("Content-Disposition") != `attachment; filename="kahve-evi-ledger-2026-03-02.csv"` {
		t.Errorf("%d, headers %v", raw.StatusCode, h)
	}
	res := owner.get("/ledger/export.csv")
	lines := strings.Split(strings.TrimSuffix(res.body, "\r\n"), "\r\n")
	if len(lines) != 2 || lines[0] != "\uFEFFid,time,card,kind,program,stamps,reward,voided,void of,override,note,staff" {
		t.Fatalf("ledger:\n%q", res.body)
	}
	if !strings.HasPrefix(lines[1], "1,2026-03-02 10:00:00,") || !strings.HasSuffix(lines[1], ",adjust,Loyalty card,2,0,no,,no,import,Owner of Kahve Evi") {
		t.Errorf("row %q", lines[1])
	}
	// HEAD shows what a download would be without recording one.
	before := e.count(`SELECT count(*) FROM audit WHERE action = 'customers_export'`)
	req, _ = http.NewRequest(http.MethodHead, e.srv.URL+"/ledger/export.csv", nil)
	if res := owner.do(req); res.status != http.StatusOK || res.body != "" {
		t.Errorf("HEAD: %d %q", res.status, res.body)
	}
	if after := e.count(`SELECT count(*) FROM audit WHERE action = 'customers_export'`); after != before {
		t.Errorf("HEAD recorded an export")
	}
}

// TestCSVImportRefusals sends broken and oversized files and forged
// confirmations: each gets a 4xx with a message, and nothing is written.
func TestCSVImportRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	csrf := owner.csrf()
	huge := "name\n" + strings.Repeat("Ali\n", loyalty.MaxCSVBytes/4)
	files := []struct {
		name    string
		content []byte
		csrf    string
		status  int
		msg     string
	}{
		{"no file", nil, csrf, 422, `[data-testid="csv-error"]`},
		{"not UTF-8 (Windows-1254)", []byte("name\n\xc7a\xf0r\xfd\n"), csrf, 422, `[data-testid="csv-error"]`},
		{"no header", []byte("Ali,05321234567\n"), csrf, 422, `[data-testid="csv-error"]`},
		{"header only", []byte("name,phone\n"), csrf, 422, `[data-testid="csv-error"]`},
		{"wrong column count", []byte("name,phone\nAli,0532,extra\n"), csrf, 422, `[data-testid="csv-problems"]`},
		{"stamps not a number", []byte("name,stamps\nAli,ten\n"), csrf, 422, `[data-testid="csv-problems"]`},
		{"negative stamps", []byte("name,stamps\nAli,-1\n"), csrf, 422, `[data-testid="csv-problems"]`},
		{"unterminated quote", []byte("name,stamps\n\"Ali,1\n"), csrf, 422, `[data-testid="csv-problems"]`},
		{"one bad row among good ones", []byte("name,email\nAli,a@example.com\nBora,not an email\nCan,\n"), csrf, 422, `[data-testid="csv-problems"]`},
		{"over 10000 rows", []byte("name\n" + strings.Repeat("Ali\n", loyalty.MaxCSVRows+1)), csrf, 422, `[data-testid="csv-error"]`},
		{"over 2 MB", []byte(huge + "Ali\n"), csrf, 413, `[data-testid="csv-error"]`},
		{"far over 2 MB", []byte(huge + huge), csrf, 413, `[data-testid="error-message"]`},
		{"no CSRF token", []byte("name\nAli\n"), "", 403, `[data-testid="error-message"]`},
	}
	// One case at a time: each compares snapshots of the whole shared database,
	// which a sibling case's requests would change in between.
	for _, tt := range files {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot()
			res := owner.uploadCSV(tt.csrf, tt.content)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", res.status, tt.status, snippet(res.body))
			}
			if text(res, tt.msg) == "" {
				t.Errorf("no message in %s:\n%s", tt.msg, snippet(res.body))
			}
			if res.doc.Find(`[data-testid="csv-confirm"]`).Length() != 0 {
				t.Error("a refused file can be confirmed")
			}
			if after := e.snapshot(); after != before {
				t.Errorf("database changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	// The preview names the rows to fix, by their number in the file.
	res := owner.uploadCSV(csrf, []byte("name,email\nAli,a@example.com\nBora,not an email\nCan,\n"))
	if rows := res.doc.Find(`[data-testid="csv-row"]`); rows.Length() != 3 || !strings.Contains(rows.Eq(1).Text(), "3") || text(res, `[data-testid="csv-counts"]`) == "" {
		t.Errorf("preview rows:\n%s", snippet(res.body))
	}

	good := owner.uploadCSV(csrf, []byte("name,stamps\nAli,3\nBora,0\n"))
	_, confirm := formValues(t, good, `[data-testid="csv-confirm"]`)
	forged := func(change func(v url.Values)) url.Values {
		v := url.Values{}
		for k, vals := range confirm {
			v[k] = slices.Clone(vals)
		}
		change(v)
		return v
	}
	confirms := []struct {
		name   string
		values url.Values
		status int
		msg    string
	}{
		{"confirm without key", forged(func(v url.Values) { v.Del("key") }), 400, `[data-testid="error-message"]`},
		{"confirm with malformed key", forged(func(v url.Values) { v.Set("key", "../../x") }), 400, `[data-testid="error-message"]`},
		{"confirm with malformed content", forged(func(v url.Values) { v.Set("content", "%%%") }), 400, `[data-testid="error-message"]`},
		{"confirm with a row edited to be bad", forged(func(v url.Values) { v.Set("content", b64("name,stamps\nAli,ten\n")) }), 422, `[data-testid="csv-problems"]`},
		{"confirm with content emptied", forged(func(v url.Values) { v.Set("content", "") }), 422, `[data-testid="csv-error"]`},
		{"confirm without CSRF token", forged(func(v url.Values) { v.Del("_csrf") }), 403, `[data-testid="error-message"]`},
	}
	// One case at a time: each compares snapshots of the whole shared database,
	// which a sibling case's requests would change in between.
	for _, tt := range confirms {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot()
			res := owner.postRaw("/customers/import/confirm", tt.values)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", res.status, tt.status, snippet(res.body))
			}
			if text(res, tt.msg) == "" {
				t.Errorf("no message in %s:\n%s", tt.msg, snippet(res.body))
			}
			if after := e.snapshot(); after != before {
				t.Errorf("database changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}

	// A replayed confirmation (a double click, a reload) imports once.
	if res := owner.postRaw("/customers/import/confirm", confirm); res.status != http.StatusSeeOther || res.location != "/customers/import?imported=2" {
		t.Fatalf("confirm: %d %q", res.status, res.location)
	}
	before := e.snapshot()
	res = owner.postRaw("/customers/import/confirm", confirm)
	if res.status != http.StatusConflict || text(res, `[data-testid="csv-error"]`) == "" {
		t.Errorf("replayed confirm: %d\n%s", res.status, snippet(res.body))
	}
	if after := e.snapshot(); after != before {
		t.Errorf("replay changed the database:\nbefore %s\nafter  %s", before, after)
	}
	if n := e.count(`SELECT count(*) FROM cards`); n != 2 {
		t.Errorf("%d cards, want 2", n)
	}
	if n := e.count(`SELECT count(*) FROM audit WHERE action = 'customers_import' AND subject = '2'`); n != 1 {
		t.Errorf("%d import audit rows, want 1", n)
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// TestCSVOwnerOnly: the customers' data leave the shop only by the owner's hand.
func TestCSVOwnerOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	res := owner.submit(owner.get("/staff"), `form[action="/staff"]`, map[string]string{"name": "M", "email": "m@example.com", "role": "manager", "password": "manager password"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("add manager: %d", res.status)
	}
	manager := e.login("m@example.com", "manager password")
	good := owner.uploadCSV(owner.csrf(), []byte("name\nAli\n"))
	_, confirm := formValues(t, good, `[data-testid="csv-confirm"]`)
	before := e.snapshot()
	for name, c := range map[string]*client{"cashier": cashier, "manager": manager} {
		for _, path := range []string{"/customers/export.csv", "/ledger/export.csv", "/customers/import"} {
			if res := c.get(path); res.status != http.StatusForbidden || strings.Contains(res.body, "Ali") {
				t.Errorf("%s GET %s: %d, want 403", name, path, res.status)
			}
		}
		// Their own CSRF token, from a page they may see.
		_, v := formValues(t, c.get("/counter"), `form[action="/logout"]`)
		if res := c.uploadCSV(v.Get("_csrf"), []byte("name\nAli\n")); res.status != http.StatusForbidden {
			t.Errorf("%s upload: %d, want 403", name, res.status)
		}
		confirm.Set("_csrf", v.Get("_csrf"))
		if res := c.postRaw("/customers/import/confirm", confirm); res.status != http.StatusForbidden {
			t.Errorf("%s confirm: %d, want 403", name, res.status)
		}
	}
	if res := e.client().get("/customers/export.csv"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/login") {
		t.Errorf("anonymous export: %d %q", res.status, res.location)
	}
	if after := e.snapshot(); after != before {
		t.Errorf("database changed:\nbefore %s\nafter  %s", before, after)
	}
	if nav := owner.get("/dashboard").doc.Find(`nav a[href="/customers/import"]`); nav.Length() != 1 {
		t.Error("no import & export link in the owner's menu")
	}
	if nav := manager.get("/dashboard").doc.Find(`nav a[href="/customers/import"]`); nav.Length() != 0 {
		t.Error("the manager's menu links to import & export")
	}
}
