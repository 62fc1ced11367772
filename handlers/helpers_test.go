package handlers_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/handlers"
	"regulars/migrations"
	"regulars/static"
)

// clock is a test clock the server reads and tests move.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// env is a running server on a fresh migrated database.
type env struct {
	t     *testing.T
	app   *echo.Echo // its routes are the security suite's inventory
	srv   *httptest.Server
	store *db.Store
	clock *clock
	raw   *sql.DB // a second connection, to check what tests must not change

	mu    sync.Mutex
	stmts map[string]*sql.Stmt // snapshot's queries, prepared once
}

// newEnv starts a server on a fresh migrated database of the test's own,
// hashing new passwords at bcrypt's cheapest cost.
func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvAt(t, dbtest.Path(t), bcrypt.MinCost)
}

// newEnvAt starts a server on the database file at path, which the test owns,
// hashing new passwords at cost; cost 0 is the server's default, the
// production cost.
func newEnvAt(t *testing.T, path string, cost int) *env {
	t.Helper()
	return newEnvConfig(t, path, cost, nil)
}

// newEnvWith starts a server like newEnv's with its configuration changed
// by set: a public URL, trusted proxies.
func newEnvWith(t *testing.T, set func(*handlers.Config)) *env {
	t.Helper()
	return newEnvConfig(t, dbtest.Path(t), bcrypt.MinCost, set)
}

func newEnvConfig(t *testing.T, path string, cost int, set func(*handlers.Config)) *env {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, path, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=query_only(ON)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	clk := &clock{t: envStart}
	cfg := handlers.Config{
		Store: store, Static: static.FS, Now: clk.Now,
		Log:          slog.New(slog.NewTextHandler(io.Discard, nil)),
		PasswordCost: cost,
	}
	if set != nil {
		set(&cfg)
	}
	e, err := handlers.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &env{t: t, app: e, srv: srv, store: store, clock: clk, raw: raw, stmts: map[string]*sql.Stmt{}}
}

// envStart is where every env's clock starts.
var envStart = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// count runs a counting query on the database.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.raw.QueryRow(query, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// prepared is query as a statement of the raw connection, prepared once: a
// suite that snapshots the database hundreds of times spent half of it
// parsing the same SQL. Closing raw closes the statements.
func (e *env) prepared(query string) *sql.Stmt {
	e.t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if st, ok := e.stmts[query]; ok {
		return st
	}
	st, err := e.raw.Prepare(query)
	if err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	e.stmts[query] = st
	return st
}

// snapshot hashes every row of every table, to show a refused request changed nothing.
func (e *env) snapshot() string {
	e.t.Helper()
	tables, err := e.prepared(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).Query()
	if err != nil {
		e.t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	var b strings.Builder
	for _, table := range names {
		rows, err := e.prepared("SELECT * FROM " + table).Query()
		if err != nil {
			e.t.Fatal(err)
		}
		cols, _ := rows.Columns()
		h, n := sha256.New(), 0
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				e.t.Fatal(err)
			}
			fmt.Fprintf(h, "%v\n", vals)
			n++
		}
		rows.Close()
		fmt.Fprintf(&b, "%s=%d/%x ", table, n, h.Sum(nil)[:4])
	}
	return b.String()
}

// client is one browser: its own cookies, no automatic redirects.
type client struct {
	t    *testing.T
	env  *env
	http *http.Client
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: e.t, env: e, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is a finished request with its parsed page.
type response struct {
	status   int
	header   http.Header
	location string
	body     string
	doc      *goquery.Document
}

// clone is a second browser holding a copy of c's cookies, as a thief of
// the cookie would.
func (c *client) clone() *client {
	d := c.env.client()
	u, _ := url.Parse(c.env.srv.URL)
	d.http.Jar.SetCookies(u, c.http.Jar.Cookies(u))
	return d
}

// cookie returns the value of c's cookie name, or "".
func (c *client) cookie(name string) string {
	u, _ := url.Parse(c.env.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	return response{status: res.StatusCode, header: res.Header, location: res.Header.Get("Location"), body: string(b), doc: doc}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.env.srv.URL+path, nil)
	return c.do(req)
}

// postRaw posts exactly the given values: for forged and malformed requests.
func (c *client) postRaw(path string, values url.Values) response {
	c.t.Helper()
	return c.postWith(path, values, nil)
}

// postWith posts values with extra headers, as a browser (Sec-Fetch-Site,
// Origin) or a proxy (X-Forwarded-For) adds them. A Cookie header goes
// before the browser's own cookies, as a cookie planted for a longer path would.
func (c *client) postWith(path string, values url.Values, header http.Header) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.env.srv.URL+path, strings.NewReader(values.Encode()))
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// formValues returns the fields of the form on page whose selector matches,
// as the browser would send them (hidden inputs included).
func formValues(t *testing.T, page response, selector string) (action string, values url.Values) {
	t.Helper()
	form := page.doc.Find(selector).First()
	if form.Length() == 0 {
		t.Fatalf("no form %q on page:\n%s", selector, snippet(page.body))
	}
	if !form.Is("form") {
		form = form.Closest("form")
	}
	action, _ = form.Attr("action")
	values = url.Values{}
	form.Find("input[name], select[name]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		if s.Is("select") {
			v, _ := s.Find("option[selected]").Attr("value")
			values.Set(name, v)
			return
		}
		v, _ := s.Attr("value")
		values.Set(name, v)
	})
	return action, values
}

// submit fills and posts the form matched by selector on page.
func (c *client) submit(page response, selector string, fill map[string]string) response {
	c.t.Helper()
	action, values := formValues(c.t, page, selector)
	for k, v := range fill {
		values.Set(k, v)
	}
	return c.postRaw(action, values)
}

// signup creates a shop and returns its owner's signed-in client.
func (e *env) signup(shop, email string) *client {
	e.t.Helper()
	c := e.client()
	res := c.submit(c.get("/signup"), `form[action="/signup"]`, map[string]string{
		"shop_name": shop, "name": "Owner of " + shop, "email": email, "password": "correct horse battery",
	})
	if res.status != http.StatusSeeOther || res.location != "/setup" {
		e.t.Fatalf("signup %s: status %d location %q\n%s", shop, res.status, res.location, snippet(res.body))
	}
	return c
}

// addCashier adds a cashier with a password through the owner's staff page and
// returns the cashier's signed-in client.
func (e *env) addCashier(owner *client, email string) *client {
	e.t.Helper()
	res := owner.submit(owner.get("/staff"), `form[action="/staff"]`, map[string]string{
		"name": "Cashier " + email, "email": email, "role": "cashier", "password": "cashier password 1",
	})
	if res.status != http.StatusSeeOther {
		e.t.Fatalf("add cashier: status %d\n%s", res.status, snippet(res.body))
	}
	return e.login(email, "cashier password 1")
}

func (e *env) login(email, password string) *client {
	e.t.Helper()
	c := e.client()
	res := c.submit(c.get("/login"), `form[action^="/login"]`, map[string]string{"email": email, "password": password})
	if res.status != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d\n%s", email, res.status, snippet(res.body))
	}
	return c
}

// enroll creates a card at the counter and returns its counter page path.
func (c *client) enroll(name string) string {
	c.t.Helper()
	res := c.submit(c.get("/counter"), `form[action="/counter/enroll"]`, map[string]string{"first_name": name})
	if res.status != http.StatusSeeOther {
		c.t.Fatalf("enroll: status %d\n%s", res.status, snippet(res.body))
	}
	return strings.TrimSuffix(res.location, "?new=1")
}

func snippet(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}

func text(r response, selector string) string {
	return strings.TrimSpace(r.doc.Find(selector).First().Text())
}
