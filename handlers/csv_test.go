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

// importCSV uploads content and confirms the preview with the columns as guessed.
func (c *client) importCSV(content []byte) {
	c.t.Helper()
	c.importCSVWith(content, nil)
}

// importCSVWith uploads content and confirms the preview with the columns as
// guessed and fill's choices; it returns the result page.
func (c *client) importCSVWith(content []byte, fill map[string]string) response {
	c.t.Helper()
	preview := c.uploadCSV(c.csrf(), content)
	if preview.status != http.StatusOK {
		c.t.Fatalf("preview: %d\n%s", preview.status, snippet(preview.body))
	}
	res := c.submit(preview, `[data-testid="csv-confirm"]`, fill)
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/customers/import?") {
		c.t.Fatalf("confirm: %d %q\n%s", res.status, res.location, snippet(res.body))
	}
	done := c.get(res.location)
	if text(done, `[data-testid="csv-imported"]`) == "" {
		c.t.Errorf("no result banner:\n%s", snippet(done.body))
	}
	return done
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
	if err := e.store.ExportCustomers(ctx, shopID, ps, db.CustomerQuery{}, e.clock.Now(), func(c db.ExportedCustomer) error { out = append(out, c); return nil }); err != nil {
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
	if want := "\uFEFFshort code;first name;phone;email;birthday;joined;segment;visits;last visit;marketing consent;stamps: "; !strings.HasPrefix(lines[0], want) || !strings.HasSuffix(lines[0], ";rewards: Loyalty card;stamps: Çay;rewards: Çay;store credit;clubs") {
		t.Errorf("header %q", lines[0])
	}
	// Cells that a spreadsheet would run as formulas start with an apostrophe.
	if !strings.Contains(lines[1], ";Çağrı İşıl;'+905321234567;cagri@example.com;03-14;2026-03-02;new;1;2026-03-02;;5;0;0;0") {
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
	if res := owner.postRaw("/customers/import/confirm", confirm); res.status != http.StatusSeeOther || res.location != "/customers/import?created=2&kept=0&skipped=0&updated=0" {
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

// TestCSVImportSameFileTwice imports one file twice, as an owner who is not
// sure the first import went through does: the second import makes no card
// (it made a second card of every customer), and skips or updates the
// customers it finds by phone or email as the owner chose, never lowering
// stamps.
func TestCSVImportSameFileTwice(t *testing.T) {
	t.Parallel()
	const file = "name,phone,email,points\nAli,0532 111 22 33,,3\nBora,,bora@example.com,5\n"
	tests := []struct {
		existing string
		// the second file: Ali's number written with the country code, Bora
		// with fewer points than the card holds
		second string
		banner string // data-testid of the result line
		names  []string
		stamps []int
		ledger int // stamps imported in the ledger
	}{
		{"skip", "name,phone,email,points\nAli Veli,+90 532 111 22 33,,7\nBora,,BORA@example.com,2\n", "csv-skipped",
			[]string{"Ali", "Bora"}, []int{3, 5}, 8},
		{"update", "name,phone,email,points\nAli Veli,+90 532 111 22 33,,7\nBora,,BORA@example.com,2\n", "csv-kept",
			[]string{"Ali Veli", "Bora"}, []int{7, 5}, 12},
	}
	for _, tt := range tests {
		t.Run(tt.existing, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			owner := e.signup("Kahve", "a@example.com")
			owner.importCSV([]byte(file))
			// The very same file again: nobody new, whatever the choice.
			res := owner.importCSVWith([]byte(file), map[string]string{"existing": tt.existing})
			if n := e.count(`SELECT count(*) FROM cards`); n != 2 {
				t.Fatalf("%d cards after importing the same file twice, want 2", n)
			}
			if text(res, `[data-testid="csv-created"]`) != "" {
				t.Errorf("the second import says it created customers:\n%s", text(res, `[data-testid="csv-imported"]`))
			}
			res = owner.importCSVWith([]byte(tt.second), map[string]string{"existing": tt.existing})
			if text(res, `[data-testid="`+tt.banner+`"]`) == "" {
				t.Errorf("no %s line:\n%s", tt.banner, snippet(res.body))
			}
			got := exported(t, e, 1)
			if len(got) != 2 {
				t.Fatalf("%d customers after three imports, want 2", len(got))
			}
			for i, c := range got {
				if c.FirstName != tt.names[i] || c.Stamps[0] != tt.stamps[i] {
					t.Errorf("customer %d: %q with %d stamps, want %q with %d", i, c.FirstName, c.Stamps[0], tt.names[i], tt.stamps[i])
				}
			}
			if n := e.count(`SELECT coalesce(sum(stamps), 0) FROM events WHERE kind = 'adjust' AND note = 'import'`); n != tt.ledger {
				t.Errorf("%d stamps imported in the ledger, want %d", n, tt.ledger)
			}
		})
	}
}

// TestCSVImportPoints: a "points" column (it was dropped without a word, and
// customers arrived with 0 stamps) lands as stamps in the default program, an
// adjustment noted as imported, with a reward for a full card.
func TestCSVImportPoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve", "a@example.com")
	preview := owner.uploadCSV(owner.csrf(), []byte("Name;Points\nAli;12\nBora;4\n"))
	if got := preview.doc.Find(`[data-testid="csv-column-field"]`).Eq(1).Find("option[selected]").AttrOr("value", ""); got != "stamps" {
		t.Errorf("the points column is proposed as %q, want stamps", got)
	}
	owner.importCSV([]byte("Name;Points\nAli;12\nBora;4\n"))
	got := exported(t, e, 1)
	if len(got) != 2 || got[0].Stamps[0] != 2 || got[0].Rewards[0] != 1 || got[1].Stamps[0] != 4 || got[1].Rewards[0] != 0 {
		t.Fatalf("balances %+v", got)
	}
	if n := e.count(`SELECT count(*) FROM events WHERE kind = 'adjust' AND note = 'import' AND program_id = 1`); n != 2 {
		t.Errorf("%d import adjustments, want 2", n)
	}
}

// TestCSVImportMapping walks the mapping step in Turkish: the header's
// Turkish names are guessed, a column it cannot guess is chosen by the
// owner, and the import takes the owner's choices.
func TestCSVImportMapping(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve", "a@example.com")
	if res := owner.submit(owner.get("/customers/import"), `form.lang-switch`, map[string]string{"lang": "tr"}); res.status != http.StatusSeeOther {
		t.Fatalf("switch to Turkish: %d", res.status)
	}
	const file = "Kişi;Cep Telefonu;Puan;Not\nAyşe;0532 111 22 33;6;VIP\nBora;;2;\n"
	// "Kişi" (person) is no name the guess knows: Bora's row, without a
	// phone, is nobody until the owner says which column holds the name.
	res := owner.uploadCSV(owner.csrf(), []byte(file))
	if res.status != http.StatusUnprocessableEntity || res.doc.Find(`tr.bad[data-testid="csv-row"]`).Length() != 1 {
		t.Fatalf("preview: %d\n%s", res.status, snippet(res.body))
	}
	cols := res.doc.Find(`[data-testid="csv-column"]`)
	if cols.Length() != 4 {
		t.Fatalf("%d columns in the mapping step, want 4", cols.Length())
	}
	want := []struct{ header, sample, field, label string }{
		{"Kişi", "Ayşe", "ignore", "Yok say"},
		{"Cep Telefonu", "0532 111 22 33", "phone", "Telefon"},
		{"Puan", "6", "stamps", "Damga"},
		{"Not", "VIP", "ignore", "Yok say"},
	}
	for i, w := range want {
		col := cols.Eq(i)
		selected := col.Find("option[selected]")
		if h := strings.TrimSpace(col.Find("label").Text()); h != w.header || strings.TrimSpace(col.Find(".sample").Text()) != w.sample ||
			selected.AttrOr("value", "") != w.field || strings.TrimSpace(selected.Text()) != w.label {
			t.Errorf("column %d: %q %q %q %q, want %+v", i, h, col.Find(".sample").Text(), selected.AttrOr("value", ""), selected.Text(), w)
		}
	}
	// The owner says column 1 is the name, and checks again.
	_, v := formValues(t, res, `[data-testid="csv-mapping"]`)
	v.Set("col-0", "name")
	res = owner.postRaw("/customers/import", v)
	if res.status != http.StatusOK {
		t.Fatalf("check again: %d\n%s", res.status, snippet(res.body))
	}
	if rows := res.doc.Find(`[data-testid="csv-row"]`); rows.Length() != 2 || !strings.Contains(rows.Eq(0).Text(), "Ayşe") {
		t.Errorf("preview rows:\n%s", snippet(res.body))
	}
	// A choice changed after the preview and imported at once: the preview
	// of the new choice comes back first, nothing imported unseen.
	_, changed := formValues(t, res, `[data-testid="csv-mapping"]`)
	changed.Set("col-2", "ignore")
	before := e.snapshot()
	if res := owner.postRaw("/customers/import/confirm", changed); res.status != http.StatusOK || res.doc.Find(`[data-testid="csv-confirm"]`).Length() != 1 {
		t.Fatalf("unchecked mapping: %d\n%s", res.status, snippet(res.body))
	}
	if e.snapshot() != before {
		t.Error("a mapping the owner never saw the preview of was imported")
	}
	done := owner.submit(res, `[data-testid="csv-confirm"]`, nil)
	if done.status != http.StatusSeeOther {
		t.Fatalf("import: %d\n%s", done.status, snippet(done.body))
	}
	got := exported(t, e, 1)
	if len(got) != 2 || got[0].FirstName != "Ayşe" || got[0].Phone != "05321112233" || got[0].Stamps[0] != 6 || got[1].FirstName != "Bora" || got[1].Stamps[0] != 2 {
		t.Errorf("imported %+v", got)
	}
}

// TestCSVImportMappingRefusals: mappings that cannot import say why on the
// page (422) and forged ones are refused (400); none writes anything. A
// stamps value that is not a number names its row.
func TestCSVImportMappingRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	page := owner.uploadCSV(owner.csrf(), []byte("name,phone,stamps,extra\nAli,05321112233,3,4\nBora,,ten,x\n"))
	if page.status != http.StatusUnprocessableEntity {
		t.Fatalf("a stamps value not a number: %d", page.status)
	}
	if rows := page.doc.Find(`tr.bad[data-testid="csv-row"]`); rows.Length() != 1 || !strings.HasPrefix(strings.TrimSpace(rows.Text()), "3") ||
		!strings.Contains(rows.Text(), "whole number") {
		t.Errorf("the bad row is not named:\n%s", snippet(page.body))
	}
	_, base := formValues(t, page, `[data-testid="csv-mapping"]`)
	with := func(change map[string]string, del ...string) url.Values {
		v := url.Values{}
		for k, vals := range base {
			v[k] = slices.Clone(vals)
		}
		for k, x := range change {
			v.Set(k, x)
		}
		for _, k := range del {
			v.Del(k)
		}
		return v
	}
	tests := []struct {
		name   string
		path   string
		values url.Values
		status int
		msg    string
	}{
		{"no column for a name, phone or email", "/customers/import", with(map[string]string{"col-0": "ignore", "col-1": "ignore"}), 422, "name, the phone or the email"},
		{"two columns mapped to stamps", "/customers/import", with(map[string]string{"col-3": "stamps"}), 422, "“Stamps”"},
		{"stamps still not a number", "/customers/import", with(nil), 422, ""},
		{"a choice that is not offered", "/customers/import", with(map[string]string{"col-2": "points"}), 400, ""},
		{"a column missing", "/customers/import", with(nil, "col-3"), 400, ""},
		{"an unknown choice for existing customers", "/customers/import", with(map[string]string{"existing": "merge"}), 400, ""},
		{"import with two stamps columns", "/customers/import/confirm", with(map[string]string{"col-3": "stamps", "key": "k-1234567890123456"}), 422, "“Stamps”"},
		{"import with stamps not a number", "/customers/import/confirm", with(map[string]string{"key": "k-1234567890123456"}), 422, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot()
			res := owner.postRaw(tt.path, tt.values)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", res.status, tt.status, snippet(res.body))
			}
			if tt.msg != "" && !strings.Contains(text(res, `[data-testid="csv-error"]`), tt.msg) {
				t.Errorf("message %q, want %q", text(res, `[data-testid="csv-error"]`), tt.msg)
			}
			if res.doc.Find(`[data-testid="csv-confirm"]`).Length() != 0 {
				t.Error("a refused mapping can be imported")
			}
			if e.snapshot() != before {
				t.Error("the database changed")
			}
		})
	}
}

// TestCSVExportFiltered: the customers page's export link carries its
// search and segment, and the file holds what the list shows, with each
// card's stamps and unredeemed rewards.
func TestCSVExportFiltered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kahve", "a@example.com")
	owner.importCSV([]byte("name,stamps\nAyşe,12\nAyten,3\nBora,1\n"))
	list := owner.get("/customers?q=Ay")
	link := list.doc.Find(`[data-testid="export-list"]`).AttrOr("href", "")
	if link != "/customers/export.csv?q=Ay" {
		t.Fatalf("export link %q", link)
	}
	if all := owner.get("/customers").doc.Find(`[data-testid="export-list"]`).AttrOr("href", ""); all != "/customers/export.csv" {
		t.Errorf("unfiltered export link %q", all)
	}
	res := owner.get(link)
	lines := strings.Split(strings.TrimSuffix(res.body, "\r\n"), "\r\n")
	if res.status != http.StatusOK || len(lines) != 3 {
		t.Fatalf("filtered export: %d\n%q", res.status, res.body)
	}
	if !strings.HasSuffix(lines[0], ",stamps: Loyalty card,rewards: Loyalty card,store credit,clubs") {
		t.Errorf("header %q", lines[0])
	}
	if !strings.Contains(lines[1], ",Ayşe,") || !strings.HasSuffix(lines[1], ",2,1,0.00,") || !strings.Contains(lines[2], ",Ayten,") || !strings.HasSuffix(lines[2], ",3,0,0.00,") {
		t.Errorf("rows %q", lines[1:])
	}
	if res := owner.get("/customers/export.csv?segment=nonsense"); res.status != http.StatusBadRequest {
		t.Errorf("unknown segment: %d", res.status)
	}
}
