package handlers_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io/fs"
	"math/bits"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/crypto/bcrypt"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/demo"
	"regulars/migrations"
)

func TestRedirectsStayOnSite(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signup("Shop", "owner@example.com")
	for _, next := range []string{"/\t/evil.example", "//evil.example", "/\\evil.example", "/\n/evil.example", "https://evil.example", "javascript:alert(1)"} {
		e.clock.Advance(2 * time.Minute) // under the login rate limit
		c := e.client()
		res := c.submit(c.get("/login?next="+url.QueryEscape(next)), `form[action^="/login"]`, map[string]string{"email": "owner@example.com", "password": "correct horse battery"})
		if res.status != http.StatusSeeOther || res.location != "/dashboard" {
			t.Errorf("login with next=%q went to %q", next, res.location)
		}
		res = c.submit(c.get("/dashboard"), `form.lang-switch`, map[string]string{"lang": "en", "next": next})
		if res.location != "/" {
			t.Errorf("language switch with next=%q went to %q", next, res.location)
		}
	}
	c := e.client()
	res := c.submit(c.get("/login?next=/programs"), `form[action^="/login"]`, map[string]string{"email": "owner@example.com", "password": "correct horse battery"})
	if res.location != "/programs" {
		t.Errorf("a path of the site is kept: %q", res.location)
	}
}

// TestLoginLimitIgnoresForwardedFor: a brute-force loop across many accounts
// from one address, with forged forwarding headers, gets the address's
// twenty tries and then only 429s, for a real account's right password too,
// until the address's budget refills.
func TestLoginLimitIgnoresForwardedFor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signup("Shop", "owner@example.com")
	e.clock.Advance(2 * time.Minute) // the sign-up's try refills
	c := e.client()
	page := c.get("/login")
	_, v := formValues(t, page, `form[action^="/login"]`)
	try := func(email, password string, i int) int {
		v.Set("email", email)
		v.Set("password", password)
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/login", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.0.%d.%d", i/250, i%250+1))
		req.Header.Set("X-Real-IP", fmt.Sprintf("10.1.%d.%d", i/250, i%250+1))
		return c.do(req).status
	}
	for i := range 200 {
		want := http.StatusTooManyRequests
		if i < 20 {
			want = http.StatusUnauthorized
		}
		if got := try(fmt.Sprintf("user%d@example.com", i), "guess guess", i); got != want {
			t.Fatalf("try %d on another account: %d, want %d", i+1, got, want)
		}
	}
	if got := try("owner@example.com", "correct horse battery", 999); got != http.StatusTooManyRequests {
		t.Errorf("right password from the limited address: %d, want 429", got)
	}
	e.clock.Advance(2 * time.Minute)
	if got := try("owner@example.com", "correct horse battery", 1000); got != http.StatusSeeOther {
		t.Errorf("right password after the refill: %d, want 303", got)
	}
}

func TestHeadUnknownAndOversized(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	token := cardToken(t, e, 1, owner.enroll("A"))
	anon := e.client()
	for path, want := range map[string]int{"/healthz": 200, "/c/" + token: 200, "/nope": 404, "/c/abc/def": 404, "/counter/nope": 404} {
		req, _ := http.NewRequest(http.MethodHead, e.srv.URL+path, nil)
		if got := anon.do(req).status; got != want {
			t.Errorf("HEAD %s: %d, want %d", path, got, want)
		}
		if got := anon.get(path).status; got != want {
			t.Errorf("GET %s: %d, want %d", path, got, want)
		}
	}
	// A signed-out upload far over the limit is cut off unread: sent to sign in.
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("logo", "big.png")
	fw.Write(make([]byte, 14<<20))
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/settings/logo", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if res := anon.do(req); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/login") {
		t.Errorf("signed-out 14 MB upload: %d %q, want 303 to /login", res.status, res.location)
	}
	big := url.Values{"_csrf": {"x"}, "email": {strings.Repeat("a", 100<<10)}}
	if got := anon.postRaw("/login", big).status; got != http.StatusRequestEntityTooLarge {
		t.Errorf("100 KB login form: %d, want 413", got)
	}
}

// TestExpiredSessionPostGoesToLogin: a stamp tapped after the session ended
// is not recorded, and the sign-in page says so plainly, then returns to
// the card it was tapped on (issue 14: it was dropped without a word).
func TestExpiredSessionPostGoesToLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	path := owner.enroll("A")
	page := owner.get(path)
	owner.submit(page, `form[action="/logout"]`, nil)
	action, values := formValues(t, page, `[data-testid="stamp-1"]`)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+action, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", e.srv.URL+path)
	res := owner.do(req)
	want := "/login?" + url.Values{"next": {path}, "unsaved": {"1"}}.Encode()
	if res.status != http.StatusSeeOther || res.location != want {
		t.Fatalf("stamp after logout: %d %q, want 303 to %q", res.status, res.location, want)
	}
	if got := text(owner.get(res.location), `[data-testid="form-error"]`); !strings.Contains(got, "NOT recorded") {
		t.Errorf("the sign-in page says %q, want it to say the stamp was not recorded", got)
	}
	if n := e.count(`SELECT count(*) FROM events WHERE kind = 'stamp'`); n != 0 {
		t.Errorf("%d stamps recorded after logout", n)
	}
}

// access is who may use a route.
type access int

const (
	public   access = iota
	staff           // any signed-in staff member
	managers        // owners and managers
	owners
)

func (a access) String() string { return [...]string{"public", "staff", "managers", "owners"}[a] }

// routeClass classifies one route: who may use it, and the kind of id it
// takes ("" for none), which the suite fills with real ids of a shop.
type routeClass struct {
	access access
	id     string
}

// inventory classifies every route of the server, GET standing for its HEAD
// too. TestRouteInventory fails when a route is added without a line here.
var inventory = map[string]routeClass{
	"GET /":                              {public, ""},
	"GET /static*":                       {public, ""},
	"GET /c/sw.js":                       {public, ""},
	"GET /healthz":                       {public, ""},
	"GET /signup":                        {public, ""},
	"POST /signup":                       {public, ""},
	"GET /login":                         {public, ""},
	"POST /login":                        {public, ""},
	"GET /logout":                        {public, ""},
	"POST /logout":                       {public, ""},
	"POST /lang":                         {public, ""},
	"GET /invite/:token":                 {public, "invite"},
	"POST /invite/:token":                {public, "invite"},
	"GET /forgot":                        {public, ""},
	"POST /forgot":                       {public, ""},
	"GET /reset/:token":                  {public, ""}, // a capability: its secret, not a shop, is its scope
	"POST /reset/:token":                 {public, ""},
	"GET /c/:token":                      {public, "token"},
	"GET /c/:token/manifest.webmanifest": {public, "token"},
	"GET /c/:token/version":              {public, "token"},
	"POST /c/:token/raffles/:id/enter":   {public, "raffle"},
	"POST /c/:token/feedback":            {public, "token"},
	"POST /c/:token/consent":             {public, "token"},
	"POST /c/:token/push":                {public, "token"},
	"POST /c/:token/push/off":            {public, "token"},
	"POST /c/:token/clubs/:id":           {public, "club"},
	"GET /push/key":                      {public, ""}, // the server's public key, the same for every shop
	"GET /u/:id/:mac":                    {public, ""}, // a capability: its MAC, not a shop, is its scope
	"POST /u/:id/:mac":                   {public, ""},
	"GET /r/:id":                         {public, "raffle"},
	"GET /shops/:id/logo":                {public, "shop"},
	"GET /shops/:id/news/:news":          {public, "shop"},
	"GET /join/:slug":                    {public, "slug"},
	"POST /join/:slug":                   {public, "slug"},
	"GET /join/:slug/lost":               {public, "slug"},
	"POST /join/:slug/lost":              {public, "slug"},
	"GET /counter":                       {staff, ""},
	"GET /counter/find":                  {staff, ""},
	"POST /counter/scan":                 {staff, ""},
	"POST /counter/enroll":               {staff, ""},
	"GET /counter/cards/:id":             {staff, "card"},
	"POST /counter/cards/:id/stamp":      {staff, "card"},
	"POST /counter/cards/:id/redeem":     {staff, "card"},
	"POST /counter/cards/:id/points":     {staff, "card"},
	"POST /counter/cards/:id/spend":      {staff, "card"},
	"POST /counter/cards/:id/credit":     {staff, "card"},
	"POST /counter/cards/:id/usecredit":  {staff, "card"},
	"POST /counter/cards/:id/undo":       {staff, "card"},
	"POST /counter/cards/:id/coupon":     {staff, "card"},
	"POST /counter/cards/:id/code":       {staff, "card"},
	"POST /counter/cards/:id/prize":      {staff, "card"},
	"POST /counter/cards/:id/gifts":      {staff, "card"},
	"POST /c/:token/gifts/:id":           {public, "gift"},
	"GET /shops/:id/gifts/:gift":         {public, "shop"},
	"GET /catalogue":                     {managers, ""},
	"POST /catalogue":                    {managers, ""},
	"GET /catalogue/orders":              {managers, ""},
	"POST /catalogue/orders/:id":         {managers, "order"},
	"GET /catalogue/:id":                 {managers, "gift"},
	"POST /catalogue/:id":                {managers, "gift"},
	"POST /catalogue/:id/archive":        {managers, "gift"},
	"POST /counter/cards/:id/replace":    {staff, "card"},
	"POST /counter/activate":             {staff, ""},
	"GET /account":                       {staff, ""},
	"POST /account/password":             {staff, ""},
	"GET /dashboard":                     {managers, ""},
	"GET /customers":                     {managers, ""},
	"GET /customers/:id":                 {managers, "card"},
	"GET /programs":                      {managers, ""},
	"GET /programs/new":                  {managers, ""},
	"POST /programs/new":                 {managers, ""},
	"GET /programs/:id":                  {managers, "program"},
	"POST /programs/:id":                 {managers, "program"},
	"POST /programs/:id/archive":         {managers, "program"},
	"POST /programs/:id/default":         {managers, "program"},
	"GET /coupons":                       {managers, ""},
	"GET /coupons/new":                   {managers, ""},
	"GET /coupons/audience":              {managers, ""},
	"POST /coupons/new":                  {managers, ""},
	"GET /coupons/:id":                   {managers, "campaign"},
	"POST /coupons/:id/:state":           {managers, "campaign"},
	"GET /raffles":                       {managers, ""},
	"GET /raffles/new":                   {managers, ""},
	"POST /raffles/new":                  {managers, ""},
	"GET /raffles/:id":                   {managers, "raffle"},
	"POST /raffles/:id":                  {managers, "raffle"},
	"POST /raffles/:id/draw":             {managers, "raffle"},
	"GET /feedback":                      {managers, ""},
	"GET /news":                          {managers, ""},
	"POST /news":                         {managers, ""},
	"POST /news/:id/remove":              {managers, "news"},
	"GET /cards/print":                   {managers, ""},
	"POST /cards/print":                  {managers, ""},
	"GET /cards/print/:batch":            {managers, "batch"},
	"GET /poster":                        {managers, ""},
	"GET /referrals":                     {managers, ""},
	"GET /clubs":                         {managers, ""},
	"POST /clubs":                        {managers, ""},
	"GET /clubs/:id":                     {managers, "club"},
	"POST /clubs/:id":                    {managers, "club"},
	"POST /clubs/:id/members":            {managers, "club"},
	"POST /clubs/:id/remove/:card":       {managers, "club"},
	"POST /customers/:id/clubs":          {managers, "card"},
	"POST /dashboard/economics":          {owners, ""},
	"POST /dashboard/checklist/dismiss":  {owners, ""},
	"POST /customers/:id/adjust":         {owners, "card"},
	"POST /customers/:id/profile":        {owners, "card"},
	"POST /customers/:id/erase":          {owners, "card"},
	"GET /settings":                      {owners, ""},
	"POST /settings":                     {owners, ""},
	"POST /settings/logo":                {owners, ""},
	"GET /cashback":                      {owners, ""},
	"POST /cashback":                     {owners, ""},
	"GET /tiers":                         {owners, ""},
	"POST /tiers":                        {owners, ""},
	"GET /setup":                         {owners, ""},
	"POST /setup/reward":                 {owners, ""},
	"POST /setup/place":                  {owners, ""},
	"POST /setup/look":                   {owners, ""},
	"GET /customers/export.csv":          {owners, ""},
	"GET /ledger/export.csv":             {owners, ""},
	"GET /customers/import":              {owners, ""},
	"POST /customers/import":             {owners, ""},
	"POST /customers/import/confirm":     {owners, ""},
	"GET /staff":                         {owners, ""},
	"POST /staff":                        {owners, ""},
	"POST /staff/:id/remove":             {owners, "member"},
	"POST /staff/:id/signout":            {owners, "member"},
	"POST /staff/:id/role":               {owners, "member"},
	"POST /staff/:id/password":           {owners, "member"},
	"POST /staff/:id/invite":             {owners, "member"},
	"GET /audit":                         {owners, ""},
	"GET /growth":                        {owners, ""},
	"POST /growth":                       {owners, ""},
	"GET /automations":                   {owners, ""},
	"POST /automations":                  {owners, ""},
	"POST /automations/limits":           {owners, ""},
	"GET /automations/:kind":             {owners, ""},
	"POST /automations/:kind":            {owners, ""},

	// A redemption waiting for pickup, of the shop's default card.
	"POST /counter/cards/:id/gifts/:order/handover": {staff, "order"},
}

// routes lists the inventory's routes, sorted so failures read in order.
func routes(filter func(method string, rc routeClass) bool) []string {
	var list []string
	for key, rc := range inventory {
		if filter(strings.Fields(key)[0], rc) {
			list = append(list, key)
		}
	}
	sort.Strings(list)
	return list
}

func TestRouteInventory(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	served := map[string]bool{}
	for _, r := range e.app.Routes() {
		served[r.Method+" "+r.Path] = true
	}
	for key := range served {
		method, path, _ := strings.Cut(key, " ")
		switch {
		case method == http.MethodHead:
			// HEAD answers as GET does: classified with it. A HEAD of its own would need a class.
			if !served[http.MethodGet+" "+path] {
				t.Errorf("%s has no GET: classify it", key)
			}
		case !slices.Contains([]string{http.MethodGet, http.MethodPost}, method):
			t.Errorf("%s: the suite knows GET, HEAD and POST only; teach it this method", key)
		default:
			if _, ok := inventory[key]; !ok {
				t.Errorf("route %s is not classified in the security inventory: add it with who may use it and the id it takes", key)
			}
		}
	}
	for key := range inventory {
		if !served[key] {
			t.Errorf("the inventory classifies %s, which the server no longer has", key)
		}
	}
}

// shopData is one shop with data of every kind a route takes an id of.
type shopData struct {
	id                      int64
	owner, manager, cashier *client
	ids                     map[string][]string // kind → ids, the first the default
}

func (s shopData) first(kind string) string { return s.ids[kind][0] }

// path fills route's parameters: the one its id kind names with id, the
// others with the shop's defaults.
func (s shopData) path(route, kind, id string) string {
	own := map[string]string{"batch": ":batch", "token": ":token", "invite": ":token", "slug": ":slug"}[kind]
	if kind == "order" && strings.Contains(route, ":order") {
		own = ":order" // the redemption of a card: the card is the shop's default
	}
	if own == "" {
		own = ":id"
	}
	parts := strings.Split(strings.Fields(route)[1], "/")
	for i, p := range parts {
		switch {
		case p == own:
			parts[i] = id
		case p == ":token":
			parts[i] = s.first("token")
		case p == ":news":
			parts[i] = s.first("news")
		case p == ":gift":
			parts[i] = s.first("gift")
		case p == ":order" && own == ":order":
			parts[i] = id
		case p == ":order":
			parts[i] = s.first("order")
		case p == ":id" && own == ":order":
			parts[i] = s.first("card")
		case p == ":card":
			parts[i] = s.first("card")
		case p == ":state":
			parts[i] = "pause"
		case p == ":kind":
			parts[i] = "we_miss_you"
		case p == "static*":
			parts[i] = "static/css/app.css"
		}
	}
	path := strings.Join(parts, "/")
	if route == "GET /counter/find" {
		path += "?q=" + s.first("printed") // a blank printed card: the page that activates it
	}
	return path
}

// formSeq numbers the suite's forms, for idempotency keys of their own; the
// suite's tests run in parallel, so it is atomic.
var formSeq atomic.Int64

// form is a plausible submission of any of the shop's forms: every field a
// form of the app reads, with values that pass its checks and ids of the shop.
func (s shopData) form(csrf string) url.Values {
	seq := formSeq.Add(1)
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	return url.Values{
		"_csrf": {csrf}, "key": {fmt.Sprintf("security-suite-%06d", seq)},
		"program": {s.first("program")}, "count": {"1"}, "reward": {"1"}, "event": {s.first("event")},
		"campaign": {s.first("campaign")}, "code": {"WELCOME10"}, "raffle": {s.first("raffle")},
		"token": {s.first("printed")}, "digital": {"1"}, "from": {s.first("token")}, "gift": {s.first("gift")},
		"first_name": {"Mallory"}, "phone": {"+90 555 000 0000"}, "email": {"mallory@example.com"},
		"name": {"Mallory"}, "reward_text": {"a coffee"}, "stamps_required": {"8"}, "max_per_visit": {"1"},
		"title": {"Taken over"}, "description": {"x"}, "value_kind": {"percent"}, "value_number": {"50"},
		"audience": {"all"}, "valid_from": {day.Format(time.DateOnly)}, "valid_until": {day.AddDate(0, 1, 0).Format(time.DateOnly)},
		"prize": {"a car"}, "winners": {"1"}, "entry_rule": {"optin"},
		"opens_at": {day.Format("2006-01-02T15:04")}, "closes_at": {day.AddDate(0, 0, 7).Format("2006-01-02T15:04")},
		"reason": {"security suite"}, "stamps": {"5"}, "understand": {"1"}, "body": {"Announcement"},
		"batch": {"9"}, "sheets": {"1"}, "role": {"cashier"}, "password": {"a long enough password"},
		"current_password": {"a long enough password"}, "lang": {"en"}, "rating": {"5"}, "day": {"1"},
		"club": {s.first("club")}, "action": {"join"},
	}
}

// twoShops starts a server on a database of shops A and B, each with an
// owner, a manager, a cashier, cards with history, programs, coupon
// campaigns, a running and a drawn raffle, news with an image, a printed run,
// a logo and a pending invite; A's staff are signed in.
func twoShops(t *testing.T) (e *env, a, b shopData) {
	t.Helper()
	tpl := &twoShopsTemplate
	tpl.once.Do(func() { seedTwoShops(t) })
	if tpl.db == nil {
		t.Fatal("the two shops were not seeded: see the test that seeded them")
	}
	path := filepath.Join(t.TempDir(), "test.db")
	if err := os.WriteFile(path, tpl.db, 0o600); err != nil {
		t.Fatal(err)
	}
	e = newEnvAt(t, path, bcrypt.MinCost)
	a, b = tpl.a, tpl.b
	a.owner = e.login(tpl.owner[0], tpl.owner[1])
	a.manager = e.login(tpl.manager[0], tpl.manager[1])
	a.cashier = e.login(tpl.cashier[0], tpl.cashier[1])
	return e, a, b
}

// twoShopsTemplate is the database of twoShops, seeded once per test binary
// (demo.Seed hashes its people's passwords at bcrypt's production cost, which
// under the race detector takes seconds), with the shops' ids and the emails
// and passwords of A's staff. Each test starts from a copy of it.
var twoShopsTemplate struct {
	once                    sync.Once
	db                      []byte
	a, b                    shopData // ids only: each test signs A's staff in
	owner, manager, cashier [2]string
}

// twoShopsCustomers is how many customers each shop's demo history has:
// enough for cards with stamps, a regular and a one-time visitor, feedback
// with a comment, a referral and a raffle winner on the pages, and no more,
// since the suite snapshots the whole database around each of its hundreds of
// requests (the demo's 12 customers made each snapshot about four times as
// long).
const twoShopsCustomers = 6

// seedTwoShops fills twoShopsTemplate, failing t if it cannot.
func seedTwoShops(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	tpl := &twoShopsTemplate
	path := dbtest.Path(t)
	store, err := db.Open(ctx, path, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=query_only(ON)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	e := &env{t: t, store: store, raw: raw, clock: &clock{t: envStart}, stmts: map[string]*sql.Stmt{}}
	now := e.clock.Now()
	build := func(name string, runs int) (shopData, demo.Logins) {
		l, err := demo.Seed(ctx, e.store, twoShopsCustomers, now)
		if err != nil {
			t.Fatal(err)
		}
		s := shopData{id: l.ShopID, ids: map[string][]string{}}
		ownerID := int64(e.count(`SELECT id FROM users WHERE shop_id = ? AND role = 'owner'`, s.id))
		hash, _ := bcrypt.GenerateFromPassword([]byte("manager password"), bcrypt.MinCost)
		managerEmail := "manager@" + name + ".example.com"
		if _, err := e.store.AddStaff(ctx, s.id, db.NewStaff{Name: "M", Email: managerEmail, Role: db.RoleManager, PasswordHash: string(hash)}, ownerID, now); err != nil {
			t.Fatal(err)
		}
		invite := "invite-token-of-" + name + "-0123456789"
		h := sha256.Sum256([]byte(invite))
		if _, err := e.store.AddStaff(ctx, s.id, db.NewStaff{Name: "I", Email: "invited@" + name + ".example.com", Role: db.RoleCashier,
			InviteHash: hex.EncodeToString(h[:]), InviteExpiresAt: now.Add(24 * time.Hour)}, ownerID, now); err != nil {
			t.Fatal(err)
		}
		if err := e.store.SetLogo(ctx, s.id, pngOf(8, 8), ownerID, now); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.PostNews(ctx, s.id, db.NewNews{Body: "Pictured", Image: pngOf(8, 8), Key: "news-with-image-" + name}, ownerID, now); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.SaveClub(ctx, s.id, db.Club{Name: "Coffee club", Open: true}, ownerID, now); err != nil {
			t.Fatal(err)
		}
		seedGift(t, e, s.id, ownerID, now, name)
		for range runs {
			batch, _ := e.store.NextBatch(ctx, s.id)
			if err := e.store.PrintCards(ctx, s.id, batch, 1, ownerID, now); err != nil {
				t.Fatal(err)
			}
		}
		ids := func(kind, query string, args ...any) {
			rows, err := e.raw.Query(query, append([]any{s.id}, args...)...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var v string
				rows.Scan(&v)
				s.ids[kind] = append(s.ids[kind], v)
			}
			if len(s.ids[kind]) == 0 {
				t.Fatalf("shop %s has no %s", name, kind)
			}
		}
		// The card is one with stamps, so its undo, redeem and erase have something to act on.
		ids("card", `SELECT card_id FROM events WHERE shop_id = ? AND kind = 'stamp' ORDER BY id DESC LIMIT 1`)
		ids("token", `SELECT token FROM cards WHERE shop_id = ? AND id = ?`, s.first("card"))
		ids("event", `SELECT max(id) FROM events WHERE shop_id = ? AND kind = 'stamp'`)
		ids("program", `SELECT id FROM programs WHERE shop_id = ? ORDER BY is_default DESC, id`)
		ids("campaign", `SELECT id FROM campaigns WHERE shop_id = ? ORDER BY id`)
		ids("raffle", `SELECT id FROM raffles WHERE shop_id = ? ORDER BY drawn_at IS NOT NULL, id`) // running, then drawn
		ids("news", `SELECT id FROM news WHERE shop_id = ? ORDER BY image IS NULL, id`)
		ids("batch", `SELECT DISTINCT batch FROM printed_cards WHERE shop_id = ?`)
		ids("printed", `SELECT token FROM printed_cards WHERE shop_id = ? LIMIT 1`)
		ids("member", `SELECT id FROM users WHERE shop_id = ? AND role != 'owner' AND invite_hash IS NULL ORDER BY id`)
		ids("slug", `SELECT slug FROM shops WHERE id = ?`)
		ids("club", `SELECT id FROM clubs WHERE shop_id = ?`)
		ids("gift", `SELECT id FROM gifts WHERE shop_id = ?`)
		ids("order", `SELECT id FROM gift_orders WHERE shop_id = ?`)
		s.ids["shop"] = []string{strconv.FormatInt(s.id, 10)}
		s.ids["invite"] = []string{invite}
		return s, l
	}
	// B prints more runs than A: run numbers count per shop, and B's last is
	// a number A has not used.
	a, l := build("a", 1)
	b, _ := build("b", 2)
	// A's owner and cashier sign in in every test: their passwords, hashed
	// again at the cheapest cost, through the store as a password change.
	for _, who := range [][2]string{{l.OwnerEmail, l.OwnerPassword}, {l.CashierEmail, l.CashierPassword}} {
		u, err := store.UserByEmail(ctx, who[0])
		if err != nil {
			t.Fatal(err)
		}
		hash, _ := bcrypt.GenerateFromPassword([]byte(who[1]), bcrypt.MinCost)
		if _, err := store.ChangePassword(ctx, u, string(hash), now); err != nil {
			t.Fatal(err)
		}
	}
	// Closed, the store checkpoints its write-ahead log: the file alone is the database.
	raw.Close()
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the write-ahead log outlived the store (%v): the file alone is not the database", err)
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tpl.a, tpl.b = a, b
	tpl.owner = [2]string{l.OwnerEmail, l.OwnerPassword}
	tpl.manager = [2]string{"manager@a.example.com", "manager password"}
	tpl.cashier = [2]string{l.CashierEmail, l.CashierPassword}
	tpl.db = file
}

// token returns the CSRF token of c's browser, from a page it can see.
func (c *client) token() string {
	c.t.Helper()
	for _, path := range []string{"/account", "/login"} {
		if page := c.get(path); page.status == http.StatusOK {
			_, v := formValues(c.t, page, `input[name="_csrf"]`)
			return v.Get("_csrf")
		}
	}
	c.t.Fatal("no page with a CSRF token")
	return ""
}

// call sends method to path: a GET, or a POST of form.
func (c *client) call(method, path string, form url.Values) response {
	c.t.Helper()
	if method == http.MethodGet {
		return c.get(path)
	}
	return c.postRaw(path, form)
}

// defaultPath is route with shop s's first id of its kind.
func (s shopData) defaultPath(route string) string {
	rc := inventory[route]
	if rc.id == "" {
		return s.path(route, "", "")
	}
	return s.path(route, rc.id, s.first(rc.id))
}

func method(route string) string { return strings.Fields(route)[0] }

// TestCSRFOnEveryPost: every state-changing route refuses a form without
// the browser's CSRF token, signed in as the owner who may do anything, and
// changes nothing.
func TestCSRFOnEveryPost(t *testing.T) {
	t.Parallel()
	e, a, _ := twoShops(t)
	foreign := e.client().token()
	posts := routes(func(m string, _ routeClass) bool { return m == http.MethodPost })
	for _, route := range posts {
		path := a.defaultPath(route)
		// The one route without the form checks (a mail program's one-click
		// unsubscribe) refuses a path without its MAC as not found instead.
		want := http.StatusForbidden
		if route == "POST /u/:id/:mac" {
			want = http.StatusNotFound
		}
		for name, token := range map[string]string{"no token": "", "another browser's token": foreign} {
			before := e.snapshot()
			if res := a.owner.postRaw(path, a.form(token)); res.status != want {
				t.Errorf("%s (%s) with %s: %d, want %d", route, path, name, res.status, want)
			}
			if after := e.snapshot(); after != before {
				t.Errorf("%s with %s changed the database:\n%s\n%s", route, name, before, after)
			}
		}
	}
	// The same forms with the token are not refused: the 403s above are the token's.
	if res := a.owner.postRaw("/counter/enroll", a.form(a.owner.token())); res.status != http.StatusSeeOther {
		t.Errorf("enrol with the token: %d, want 303", res.status)
	}
}

// TestRolesOnEveryRoute: cashiers reach no manager's or owner's route, and
// managers no owner's, with their CSRF token and the shop's own ids, and
// nothing changes; every staff page opens for those it is for.
func TestRolesOnEveryRoute(t *testing.T) {
	t.Parallel()
	e, a, _ := twoShops(t)
	refused := []struct {
		who    string
		c      *client
		routes []string
	}{
		{"cashier", a.cashier, routes(func(_ string, rc routeClass) bool { return rc.access == managers || rc.access == owners })},
		{"manager", a.manager, routes(func(_ string, rc routeClass) bool { return rc.access == owners })},
	}
	for _, r := range refused {
		token := r.c.token()
		for _, route := range r.routes {
			before := e.snapshot()
			if res := r.c.call(method(route), a.defaultPath(route), a.form(token)); res.status != http.StatusForbidden {
				t.Errorf("%s %s: %d, want 403", r.who, route, res.status)
			}
			if after := e.snapshot(); after != before {
				t.Errorf("%s %s changed the database", r.who, route)
			}
		}
	}
	allowed := map[string][]access{"owner": {staff, managers, owners}, "manager": {staff, managers}, "cashier": {staff}}
	clients := map[string]*client{"owner": a.owner, "manager": a.manager, "cashier": a.cashier}
	for who, levels := range allowed {
		for _, route := range routes(func(m string, rc routeClass) bool { return m == http.MethodGet && slices.Contains(levels, rc.access) }) {
			if res := clients[who].get(a.defaultPath(route)); res.status != http.StatusOK {
				t.Errorf("%s GET %s: %d, want 200", who, a.defaultPath(route), res.status)
			}
		}
	}
}

// TestSignedOutGoesToLogin: every staff route sends a visitor without a
// session to the login page, a GET with the way back; nothing changes.
func TestSignedOutGoesToLogin(t *testing.T) {
	t.Parallel()
	e, a, _ := twoShops(t)
	anon := e.client()
	token := anon.token()
	before := e.snapshot()
	for _, route := range routes(func(_ string, rc routeClass) bool { return rc.access != public }) {
		path := a.defaultPath(route)
		want := "/login?unsaved=1" // no Referer: nothing to come back to
		if method(route) == http.MethodGet {
			want = "/login?next=" + url.QueryEscape(path)
		}
		if res := anon.call(method(route), path, a.form(token)); res.status != http.StatusSeeOther || res.location != want {
			t.Errorf("signed out %s: %d %q, want 303 to %s", route, res.status, res.location, want)
		}
	}
	if after := e.snapshot(); after != before {
		t.Errorf("signed-out requests changed the database:\n%s\n%s", before, after)
	}
}

// TestTenantIsolationOnEveryRoute: shop A's owner, and its cashier where a
// cashier may go, call every route that takes an id with each of shop B's
// ids of that kind, with plausible forms naming B's things: every answer is
// a 404, and the database is byte for byte the same.
func TestTenantIsolationOnEveryRoute(t *testing.T) {
	t.Parallel()
	e, a, b := twoShops(t)
	callers := []struct {
		who    string
		c      *client
		levels []access
	}{
		{"owner", a.owner, []access{staff, managers, owners}},
		{"cashier", a.cashier, []access{staff}},
	}
	before := e.snapshot()
	for _, caller := range callers {
		token := caller.c.token()
		for _, route := range routes(func(_ string, rc routeClass) bool { return rc.id != "" && slices.Contains(caller.levels, rc.access) }) {
			rc := inventory[route]
			for _, id := range b.ids[rc.id] {
				if slices.Contains(a.ids[rc.id], id) {
					continue // a number both shops use, such as a print run's: it names A's own
				}
				path := b.path(route, rc.id, id)
				res := caller.c.call(method(route), path, b.form(token))
				if res.status != http.StatusNotFound {
					t.Errorf("A's %s %s %s (B's %s): %d, want 404\n%s", caller.who, method(route), path, rc.id, res.status, snippet(res.body))
				}
				if after := e.snapshot(); after != before {
					t.Fatalf("A's %s %s %s changed the database:\n%s\n%s", caller.who, method(route), path, before, after)
				}
			}
		}
	}
	// The same calls with A's own ids reach A's things: the 404s are the shop's.
	if res := a.owner.get(a.defaultPath("GET /counter/cards/:id")); res.status != http.StatusOK {
		t.Errorf("A's own card: %d", res.status)
	}
}

// checkHeaders asserts the headers every response carries: a CSP that runs
// no inline script and lets no other site frame the page, a referrer policy
// that keeps card URLs (whose token is the key to the card) on the site, and
// no content sniffing.
func checkHeaders(t *testing.T, what string, res response) {
	t.Helper()
	csp := map[string][]string{}
	for _, d := range strings.Split(res.header.Get("Content-Security-Policy"), ";") {
		if f := strings.Fields(d); len(f) > 0 {
			csp[f[0]] = f[1:]
		}
	}
	scripts, ok := csp["script-src"]
	if !ok {
		scripts = csp["default-src"]
	}
	switch {
	case len(scripts) == 0:
		t.Errorf("%s: no script-src in the CSP %q", what, res.header.Get("Content-Security-Policy"))
	case slices.ContainsFunc(scripts, func(s string) bool {
		return s == "'unsafe-inline'" || s == "'unsafe-eval'" || s == "*" || s == "data:" || s == "http:" || s == "https:"
	}):
		t.Errorf("%s: the CSP lets other scripts run: script-src %v", what, scripts)
	}
	if fa := csp["frame-ancestors"]; !slices.Equal(fa, []string{"'none'"}) {
		t.Errorf("%s: frame-ancestors %v, want 'none'", what, fa)
	}
	if rp := res.header.Get("Referrer-Policy"); !slices.Contains([]string{"no-referrer", "same-origin"}, rp) {
		t.Errorf("%s: Referrer-Policy %q, want no-referrer or same-origin", what, rp)
	}
	if n := res.header.Get("X-Content-Type-Options"); n != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q, want nosniff", what, n)
	}
	// What the CSP forbids, the pages must not need: no inline script or handler.
	if strings.HasPrefix(res.header.Get("Content-Type"), "text/html") && res.doc != nil {
		if n := res.doc.Find("script:not([src])").Length(); n > 0 {
			t.Errorf("%s: %d inline scripts", what, n)
		}
		res.doc.Find("*").Each(func(_ int, el *goquery.Selection) {
			for _, attr := range el.Nodes[0].Attr {
				if strings.HasPrefix(attr.Key, "on") {
					t.Errorf("%s: inline handler %s=%q", what, attr.Key, attr.Val)
				}
			}
		})
	}
}

// TestSecurityHeadersEverywhere: every GET route of the inventory, signed in
// and signed out, error pages, redirects and static files carry the headers.
func TestSecurityHeadersEverywhere(t *testing.T) {
	t.Parallel()
	e, a, _ := twoShops(t)
	anon := e.client()
	for _, route := range routes(func(m string, _ routeClass) bool { return m == http.MethodGet }) {
		path := a.defaultPath(route)
		if inventory[route].access != public {
			if res := a.owner.get(path); res.status != http.StatusOK {
				t.Errorf("owner GET %s: %d, want 200", path, res.status)
			} else {
				checkHeaders(t, "owner GET "+path, res)
			}
		}
		checkHeaders(t, "anonymous GET "+path, anon.get(path))
	}
	for what, res := range map[string]response{
		"404 page":             a.owner.get("/no/such/page"),
		"404 of a foreign id":  a.owner.get("/programs/999999"),
		"403 page":             a.cashier.get("/settings"),
		"CSRF 403":             a.owner.postRaw("/counter/enroll", url.Values{"first_name": {"X"}}),
		"413":                  anon.postRaw("/login", url.Values{"email": {strings.Repeat("a", 100<<10)}}),
		"trailing-slash":       a.owner.get("/dashboard/"),
		"static file":          anon.get("/static/css/app.css"),
		"static file, missing": anon.get("/static/nope.js"),
		"service worker":       anon.get("/c/sw.js"),
		"health":               anon.get("/healthz"),
	} {
		checkHeaders(t, what, res)
	}
}

// signedIn reports whether c's session opens a staff page.
func signedIn(t *testing.T, c *client) bool {
	t.Helper()
	res := c.get("/account")
	switch {
	case res.status == http.StatusOK:
		return true
	case res.status == http.StatusSeeOther && strings.HasPrefix(res.location, "/login"):
		return false
	}
	t.Fatalf("GET /account: %d %q", res.status, res.location)
	return false
}

// TestSessionRotatesAtLogin: a session cookie planted in a browser before
// its owner signs in (here, the attacker's own) is replaced at sign-in and
// ends, so the attacker's copy opens nothing, and a second sign-in replaces
// the first one's cookie too.
func TestSessionRotatesAtLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	attacker := e.addCashier(owner, "cashier@example.com")
	planted := attacker.cookie("regulars")
	victim := attacker.clone() // the attacker's cookie, planted in the victim's browser
	res := victim.submit(victim.get("/login"), `form[action^="/login"]`, map[string]string{"email": "owner@example.com", "password": "correct horse battery"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("login: %d", res.status)
	}
	if got := victim.cookie("regulars"); got == "" || got == planted {
		t.Fatalf("the session cookie was not replaced at login")
	}
	if signedIn(t, attacker) {
		t.Error("the planted session still works after the victim signed in over it")
	}
	if res := victim.get("/settings"); res.status != http.StatusOK {
		t.Errorf("the victim is not signed in as themself: %d", res.status)
	}
	first := victim.clone()
	before := victim.cookie("regulars")
	victim.submit(victim.get("/login"), `form[action^="/login"]`, map[string]string{"email": "owner@example.com", "password": "correct horse battery"})
	if victim.cookie("regulars") == before || signedIn(t, first) || !signedIn(t, victim) {
		t.Error("signing in again does not replace the session")
	}
}

// TestLogoutEndsEveryCopy: logging out ends the session on the server, so a
// copy of the cookie taken before is signed out too, for GETs and forms.
func TestLogoutEndsEveryCopy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	other := e.login("owner@example.com", "correct horse battery") // another device
	page := owner.get("/counter")
	stolen := owner.clone()
	if !signedIn(t, stolen) {
		t.Fatal("a copied cookie does not work before logout: the test proves nothing")
	}
	if res := owner.submit(owner.get("/dashboard"), `form[action="/logout"]`, nil); res.status != http.StatusSeeOther || res.location != "/login" {
		t.Fatalf("logout: %d %q", res.status, res.location)
	}
	if res := stolen.get("/dashboard"); res.status != http.StatusSeeOther || res.location != "/login?next=%2Fdashboard" {
		t.Errorf("copied cookie after logout: %d %q, want 303 to /login?next=%%2Fdashboard", res.status, res.location)
	}
	before := e.snapshot()
	if res := stolen.submit(page, `form[action="/counter/enroll"]`, map[string]string{"first_name": "Mallory"}); res.status != http.StatusSeeOther || res.location != "/login?unsaved=1" {
		t.Errorf("copied cookie posting after logout: %d %q, want 303 to /login?unsaved=1", res.status, res.location)
	}
	if after := e.snapshot(); after != before {
		t.Error("a form posted with a logged-out cookie changed the database")
	}
	if !signedIn(t, other) {
		t.Error("logging out on one device signed out another")
	}
}

// TestPasswordChangeEndsOtherSessions: after a password change only the
// changer's browser stays signed in, on a new session; every other device
// and every copy of the old cookie is signed out.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	phone := e.login("owner@example.com", "correct horse battery")
	stolen := owner.clone()
	cashier := e.addCashier(owner, "cashier@example.com")
	old := owner.cookie("regulars")
	res := owner.submit(owner.get("/account"), `form[action="/account/password"]`, map[string]string{"current_password": "correct horse battery", "password": "a brand new password"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("change password: %d\n%s", res.status, snippet(res.body))
	}
	if owner.cookie("regulars") == old || !signedIn(t, owner) {
		t.Error("the changer's session was not replaced by a working one")
	}
	if signedIn(t, phone) || signedIn(t, stolen) {
		t.Error("another device or a copied cookie is still signed in after the password change")
	}
	if !signedIn(t, cashier) {
		t.Error("someone else's session ended")
	}
	anon := e.client()
	if res := anon.submit(anon.get("/login"), `form[action^="/login"]`, map[string]string{"email": "owner@example.com", "password": "correct horse battery"}); res.status != http.StatusUnauthorized {
		t.Errorf("old password: %d, want 401", res.status)
	}
	e.login("owner@example.com", "a brand new password")
}

// TestStaffRemovalEndsSessions: a removed person's every browser is signed
// out at once, and they cannot sign in again.
func TestStaffRemovalEndsSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	tablet := e.addCashier(owner, "cashier@example.com")
	phone := e.login("cashier@example.com", "cashier password 1")
	if res := owner.submit(owner.get("/staff"), `form[action="/staff/2/remove"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("remove: %d", res.status)
	}
	if signedIn(t, tablet) || signedIn(t, phone) {
		t.Error("a removed cashier is still signed in")
	}
	anon := e.client()
	if res := anon.submit(anon.get("/login"), `form[action^="/login"]`, map[string]string{"email": "cashier@example.com", "password": "cashier password 1"}); res.status != http.StatusUnauthorized {
		t.Errorf("removed cashier signs in: %d, want 401", res.status)
	}
	if n := e.count(`SELECT count(*) FROM sessions WHERE user_id = 2`); n != 0 {
		t.Errorf("%d sessions of the removed cashier left", n)
	}
}

// pngChunk is one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	binary.Write(&b, binary.BigEndian, crc.Sum32())
	return b.Bytes()
}

// trueBombPNG is a valid, fully decodable PNG of w×h pixels of 16-bit RGBA,
// all black: 8 bytes a pixel decoded, about a thousandth of that in the file.
func trueBombPNG(w, h int) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 16, 6 // 16 bits per sample, RGBA
	b := []byte("\x89PNG\r\n\x1a\n")
	b = append(b, pngChunk("IHDR", ihdr)...)
	// Each row is its filter type, 0, and its pixels: every byte zero.
	b = append(b, pngChunk("IDAT", zeroZlib(h*(1+w*8)))...)
	return append(b, pngChunk("IEND", nil)...)
}

// zeroZlib is a zlib stream of n > 0 zero bytes, deflated by hand much as
// compress/flate does it (a zero, then copies of the 258 bytes 1 back, the
// longest copy there is, in 2 bits each) but without reading the n bytes:
// under the race detector compress/flate took seconds over a bomb's 128 MB.
// The format is RFC 1950's and 1951's; TestUploadsRefused decodes a small one.
func zeroZlib(n int) []byte {
	out := []byte{0x78, 0x01} // deflate, 32 KB window; the header's check bits
	var acc uint64            // bits not yet written, first bit lowest
	var nacc uint
	put := func(v uint64, k uint) { // a k-bit number, least significant bit first
		acc |= v << nacc
		for nacc += k; nacc >= 8; nacc -= 8 {
			out = append(out, byte(acc))
			acc >>= 8
		}
	}
	code := func(c uint64, k uint) { // a k-bit Huffman code, most significant bit first
		put(uint64(bits.Reverse16(uint16(c))>>(16-k)), k)
	}
	// One final block with its own codes: literal/length codes for the byte
	// 0 (10), the block's end (11) and a length of 258 (0); one distance code,
	// for 1 back (0).
	put(1, 1)  // final block
	put(2, 2)  // Huffman codes of its own
	put(29, 5) // 257+29 literal/length code lengths: up to 285, length 258
	put(0, 5)  // 1 distance code length
	put(14, 4) // 4+14 code length code lengths, in the order below
	// Code length codes: 18, a run of 11 to 138 zeros (0); lengths 1 (10) and 2 (11).
	for _, sym := range []int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1} {
		put(uint64(map[int]int{18: 1, 1: 2, 2: 2}[sym]), 3)
	}
	// The code lengths, in those codes.
	code(0b11, 2) // 0, the byte 0: 2
	code(0, 1)    // 1–138: none, a run of 138
	put(138-11, 7)
	code(0, 1) // 139–255: none, a run of 117
	put(117-11, 7)
	code(0b11, 2) // 256, the end: 2
	code(0, 1)    // 257–284: none, a run of 28
	put(28-11, 7)
	code(0b10, 2) // 285, a length of 258: 1
	code(0b10, 2) // the distance 1: 1
	// The data.
	code(0b10, 2) // the first zero, a literal
	for left := n - 1; left >= 258; left -= 258 {
		code(0, 1) // 258 bytes…
		code(0, 1) // …from 1 back
	}
	for range (n - 1) % 258 {
		code(0b10, 2)
	}
	code(0b11, 2) // the end
	if nacc > 0 {
		out = append(out, byte(acc))
	}
	// Adler-32 of n zeros: its sum stays 1, and the sum of sums grows by 1 a byte.
	return binary.BigEndian.AppendUint32(out, uint32(n%65521)<<16|1)
}

// TestUploadsRefused: the two image uploads refuse what they cannot use
// safely, with a message and a 4xx, changing nothing; polyglots are kept
// only as re-encoded images that carry none of their payload. (Text, SVG,
// truncated and oversized files and forged dimensions are in
// TestLogoUpload and TestNewsBadInputChangesNothing.)
func TestUploadsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	var gifImage, jpegImage bytes.Buffer
	gif.Encode(&gifImage, image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.White, color.Black}), nil)
	jpeg.Encode(&jpegImage, image.NewRGBA(image.Rect(0, 0, 16, 16)), nil)
	// The bomb is made as its small sibling is, which decodes to every pixel.
	small, err := png.Decode(bytes.NewReader(trueBombPNG(300, 3)))
	if err != nil || small.Bounds() != image.Rect(0, 0, 300, 3) || small.At(299, 2) != (color.NRGBA64{}) {
		t.Fatalf("a small true bomb decodes to %v, %v", small, err)
	}
	bomb := trueBombPNG(4000, 4000)
	if len(bomb) > 1<<20 {
		t.Fatalf("the bomb is %d bytes: over the size limit, it would test that instead", len(bomb))
	}
	html := []byte("<html><script>alert(document.cookie)</script></html>")
	zip := []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00payload.html<script>alert(1)</script>")
	base := pngOf(8, 8)
	withText := append(append(append([]byte{}, base[:33]...), pngChunk("tEXt", append([]byte("Comment\x00"), html...))...), base[33:]...)

	uploads := []struct {
		name  string
		post  func(content []byte) response
		error string // where the refusal's message shows
	}{
		{"logo", func(content []byte) response {
			_, v := formValues(t, owner.get("/settings"), `form[action="/settings/logo"]`)
			return owner.upload("/settings/logo", v.Get("_csrf"), "logo.png", content)
		}, `[data-testid="logo-error"]`},
		{"news", func(content []byte) response {
			fields := owner.newsForm()
			fields["body"] = "With a picture"
			return owner.postNews(fields, content)
		}, `[data-testid="image-error"]`},
	}
	// One case at a time: the refused ones compare snapshots of the whole
	// shared database, and the kept ones change it and read back its newest
	// image.
	for _, up := range uploads {
		for _, tt := range []struct {
			name    string
			content []byte
		}{
			{"gif", gifImage.Bytes()},
			{"html before a png", append(append([]byte{}, html...), base...)},
			{"decompression bomb of real pixels", bomb},
		} {
			t.Run(up.name+" "+tt.name, func(t *testing.T) {
				before := e.snapshot()
				res := up.post(tt.content)
				if res.status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422", res.status)
				}
				if text(res, up.error) == "" {
					t.Error("no message")
				}
				if after := e.snapshot(); after != before {
					t.Errorf("changed: %s → %s", before, after)
				}
			})
		}
		for _, tt := range []struct {
			name    string
			content []byte
			payload []byte
		}{
			{"png with a zip after it", append(append([]byte{}, base...), zip...), []byte("PK\x03\x04")},
			{"jpeg with a page after it", append(append([]byte{}, jpegImage.Bytes()...), html...), []byte("<script")},
			{"png with a page in a text chunk", withText, []byte("<script")},
		} {
			t.Run(up.name+" "+tt.name, func(t *testing.T) {
				if res := up.post(tt.content); res.status != http.StatusSeeOther {
					t.Fatalf("status %d, want 303 (kept re-encoded)", res.status)
				}
				path := "/shops/1/logo"
				if up.name == "news" {
					path = fmt.Sprintf("/shops/1/news/%d", e.count(`SELECT max(id) FROM news`))
				}
				served := e.client().get(path)
				if served.status != http.StatusOK || !strings.HasPrefix(served.header.Get("Content-Type"), "image/") {
					t.Fatalf("served %d %q", served.status, served.header.Get("Content-Type"))
				}
				if bytes.Contains([]byte(served.body), tt.payload) || bytes.Contains([]byte(served.body), []byte("alert(")) {
					t.Error("the served image carries the payload")
				}
				if _, _, err := image.Decode(strings.NewReader(served.body)); err != nil {
					t.Errorf("the served image does not decode: %v", err)
				}
			})
		}
	}
}
