package handlers_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestBadInputChangesNothing sends every form missing, malformed, oversized,
// foreign-shop, replayed and forged submissions: each gets a 4xx with a
// message on the page, and the database is left as it was.
func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop A", "a@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	cardA := owner.enroll("Ali")
	page := owner.get(cardA)
	res := owner.submit(page, `[data-testid="stamp-1"]`, map[string]string{"count": "1"})
	owner.get(res.location)
	other := e.signup("Shop B", "b@example.com")
	cardB := other.enroll("Bora")
	owner.submit(owner.get("/programs/new"), `[data-testid="program-form"]`, map[string]string{"name": "Extra", "reward_text": "tea"})
	// program 1 and 3 are shop A's (default and Extra), program 2 is shop B's.

	type tc struct {
		name   string
		c      *client
		page   string            // where the form is rendered
		form   string            // selector of the form (or a button in it)
		set    map[string]string // fields to change
		del    []string          // fields to drop
		status int
		msg    string // selector of the message that must be on the page
	}
	long := strings.Repeat("x", 81)
	cases := []tc{
		// sign-up
		{"signup missing shop name", e.client(), "/signup", `form[action="/signup"]`, map[string]string{"name": "N", "email": "n@example.com", "password": "long enough pw"}, nil, 422, ".field-error"},
		{"signup malformed email", e.client(), "/signup", `form[action="/signup"]`, map[string]string{"shop_name": "S", "name": "N", "email": "not-an-email", "password": "long enough pw"}, nil, 422, ".field-error"},
		{"signup email with display name", e.client(), "/signup", `form[action="/signup"]`, map[string]string{"shop_name": "S", "name": "N", "email": "Eve <eve@example.com>", "password": "long enough pw"}, nil, 422, ".field-error"},
		{"signup oversized shop name", e.client(), "/signup", `form[action="/signup"]`, map[string]string{"shop_name": long, "name": "N", "email": "n@example.com", "password": "long enough pw"}, nil, 422, ".field-error"},
		{"signup short password", e.client(), "/signup", `form[action="/signup"]`, map[string]string{"shop_name": "S", "name": "N", "email": "n@example.com", "password": "short"}, nil, 422, ".field-error"},
		{"signup password over bcrypt's limit", e.client(), "/signup", `form[action="/signup"]`, map[string]string{"shop_name": "S", "name": "N", "email": "n@example.com", "password": strings.Repeat("p", 73)}, nil, 422, ".field-error"},
		{"signup replayed (email taken)", e.client(), "/signup", `form[action="/signup"]`, map[string]string{"shop_name": "S", "name": "N", "email": "A@example.com", "password": "long enough pw"}, nil, 422, ".field-error"},
		{"signup without CSRF token", e.client(), "/signup", `form[action="/signup"]`, map[string]string{"shop_name": "S", "name": "N", "email": "n@example.com", "password": "long enough pw"}, []string{"_csrf"}, 403, `[data-testid="error-message"]`},
		{"signup with forged CSRF token", e.client(), "/signup", `form[action="/signup"]`, map[string]string{"_csrf": "forged", "shop_name": "S", "name": "N", "email": "n@example.com", "password": "long enough pw"}, nil, 403, `[data-testid="error-message"]`},
		// login
		{"login wrong password", e.client(), "/login", `form[action^="/login"]`, map[string]string{"email": "a@example.com", "password": "wrong password"}, nil, 401, `[data-testid="form-error"]`},
		{"login missing password", e.client(), "/login", `form[action^="/login"]`, map[string]string{"email": "a@example.com"}, nil, 422, `[data-testid="form-error"]`},
		// programs
		{"program missing name", owner, "/programs/new", `[data-testid="program-form"]`, map[string]string{"name": "", "reward_text": "tea"}, nil, 422, ".field-error"},
		{"program malformed stamps", owner, "/programs/1", `[data-testid="program-form"]`, map[string]string{"stamps_required": "ten"}, nil, 422, ".field-error"},
		{"program negative cooldown", owner, "/programs/1", `[data-testid="program-form"]`, map[string]string{"cooldown_minutes": "-5"}, nil, 422, ".field-error"},
		{"program huge stamps", owner, "/programs/1", `[data-testid="program-form"]`, map[string]string{"stamps_required": "99999999999999999999"}, nil, 422, ".field-error"},
		{"program over the maximum", owner, "/programs/1", `[data-testid="program-form"]`, map[string]string{"stamps_required": "101"}, nil, 422, ".field-error"},
		{"program oversized reward", owner, "/programs/1", `[data-testid="program-form"]`, map[string]string{"reward_text": strings.Repeat("r", 121)}, nil, 422, ".field-error"},
		{"program of another shop", owner, "/programs/1", `[data-testid="program-form"]`, map[string]string{"_action": "/programs/2"}, nil, 404, `[data-testid="error-message"]`},
		{"archive the default program", owner, "/programs/3", `form[action="/programs/3/archive"]`, map[string]string{"_action": "/programs/1/archive"}, nil, 409, `[data-testid="error-message"]`},
		{"archive another shop's program", owner, "/programs/3", `form[action="/programs/3/archive"]`, map[string]string{"_action": "/programs/2/archive"}, nil, 404, `[data-testid="error-message"]`},
		{"default another shop's program", owner, "/programs/3", `form[action="/programs/3/default"]`, map[string]string{"_action": "/programs/2/default"}, nil, 404, `[data-testid="error-message"]`},
		{"program without CSRF token", owner, "/programs/1", `[data-testid="program-form"]`, map[string]string{"name": "Changed"}, []string{"_csrf"}, 403, `[data-testid="error-message"]`},
		{"program edit by a cashier", cashier, "/counter", `form[action="/logout"]`, map[string]string{"_action": "/programs/1", "name": "Hacked"}, nil, 403, `[data-testid="error-message"]`},
		// settings
		{"settings malformed colour", owner, "/settings", `form[action="/settings"]`, map[string]string{"brand_color": "red"}, nil, 422, ".field-error"},
		{"settings colour with CSS injection", owner, "/settings", `form[action="/settings"]`, map[string]string{"brand_color": "#fff;}"}, nil, 422, ".field-error"},
		{"settings unknown time zone", owner, "/settings", `form[action="/settings"]`, map[string]string{"timezone": "Mars/Olympus"}, nil, 422, ".field-error"},
		{"settings unknown language", owner, "/settings", `form[action="/settings"]`, map[string]string{"language": "xx"}, nil, 422, ".field-error"},
		{"settings unknown digit style", owner, "/settings", `form[action="/settings"]`, map[string]string{"digits": "roman"}, nil, 422, ".field-error"},
		{"settings missing name", owner, "/settings", `form[action="/settings"]`, map[string]string{"name": ""}, nil, 422, ".field-error"},
		{"settings by a cashier", cashier, "/counter", `form[action="/logout"]`, map[string]string{"_action": "/settings", "name": "Hacked"}, nil, 403, `[data-testid="error-message"]`},
		// staff
		{"staff malformed email", owner, "/staff", `form[action="/staff"]`, map[string]string{"name": "S", "email": "x@", "role": "cashier"}, nil, 422, ".field-error"},
		{"staff unknown role", owner, "/staff", `form[action="/staff"]`, map[string]string{"name": "S", "email": "s@example.com", "role": "admin"}, nil, 422, ".field-error"},
		{"staff replayed (email taken)", owner, "/staff", `form[action="/staff"]`, map[string]string{"name": "S", "email": "cashier@example.com", "role": "cashier", "password": "long enough pw"}, nil, 422, ".field-error"},
		{"staff short password", owner, "/staff", `form[action="/staff"]`, map[string]string{"name": "S", "email": "s@example.com", "role": "cashier", "password": "short"}, nil, 422, ".field-error"},
		{"remove another shop's staff", owner, "/staff", `form[action="/staff"]`, map[string]string{"_action": "/staff/3/remove"}, nil, 404, `[data-testid="error-message"]`},
		{"remove oneself", owner, "/staff", `form[action="/staff"]`, map[string]string{"_action": "/staff/1/remove"}, nil, 409, `[data-testid="error-message"]`},
		{"add staff as a cashier", cashier, "/counter", `form[action="/logout"]`, map[string]string{"_action": "/staff", "name": "S", "email": "s@example.com", "role": "owner", "password": "long enough pw"}, nil, 403, `[data-testid="error-message"]`},
		// enrol
		{"enrol oversized name", cashier, "/counter", `form[action="/counter/enroll"]`, map[string]string{"first_name": strings.Repeat("n", 51)}, nil, 422, ".field-error"},
		{"enrol malformed phone", cashier, "/counter", `form[action="/counter/enroll"]`, map[string]string{"phone": "call me"}, nil, 422, ".field-error"},
		{"enrol without key", cashier, "/counter", `form[action="/counter/enroll"]`, nil, []string{"key"}, 400, `[data-testid="error-message"]`},
		{"enrol with malformed key", cashier, "/counter", `form[action="/counter/enroll"]`, map[string]string{"key": "../../etc/passwd-xxxxxxxx"}, nil, 400, `[data-testid="error-message"]`},
		// stamp
		{"stamp without key", cashier, cardA, `[data-testid="stamp-1"]`, nil, []string{"key"}, 400, `[data-testid="error-message"]`},
		{"stamp malformed count", cashier, cardA, `[data-testid="stamp-1"]`, map[string]string{"count": "1e3"}, nil, 400, `[data-testid="error-message"]`},
		{"stamp zero", cashier, cardA, `[data-testid="stamp-1"]`, map[string]string{"count": "0"}, nil, 422, `[data-testid="result"]`},
		{"stamp over the per-visit maximum", cashier, cardA, `[data-testid="stamp-1"]`, map[string]string{"count": "2"}, nil, 422, `[data-testid="result"]`},
		{"stamp huge count", cashier, cardA, `[data-testid="stamp-1"]`, map[string]string{"count": "99999999999999999999"}, nil, 400, `[data-testid="error-message"]`},
		{"stamp malformed program", cashier, cardA, `[data-testid="stamp-1"]`, map[string]string{"program": "one"}, nil, 400, `[data-testid="error-message"]`},
		{"stamp another shop's program", cashier, cardA, `[data-testid="stamp-1"]`, map[string]string{"program": "2"}, nil, 404, `[data-testid="error-message"]`},
		{"stamp another shop's card", cashier, cardA, `[data-testid="stamp-1"]`, map[string]string{"_action": cardB + "/stamp"}, nil, 404, `[data-testid="error-message"]`},
		{"stamp unknown card", cashier, cardA, `[data-testid="stamp-1"]`, map[string]string{"_action": "/counter/cards/999/stamp"}, nil, 404, `[data-testid="error-message"]`},
		{"stamp malformed card id", cashier, cardA, `[data-testid="stamp-1"]`, map[string]string{"_action": "/counter/cards/x1/stamp"}, nil, 404, `[data-testid="error-message"]`},
		{"stamp replayed", owner, "", "", nil, nil, 409, `[data-testid="result"]`},
		{"stamp without CSRF token", cashier, cardA, `[data-testid="stamp-1"]`, nil, []string{"_csrf"}, 403, `[data-testid="error-message"]`},
		// redeem (the card has no reward)
		{"redeem a reward the card lacks", cashier, cardA, `[data-testid="stamp-1"]`, map[string]string{"_action": cardA + "/redeem", "reward": "1"}, nil, 409, `[data-testid="result"]`},
		{"redeem malformed reward", cashier, cardA, `[data-testid="stamp-1"]`, map[string]string{"_action": cardA + "/redeem", "reward": "-1"}, nil, 400, `[data-testid="error-message"]`},
		{"redeem on another shop's card", cashier, cardA, `[data-testid="stamp-1"]`, map[string]string{"_action": cardB + "/redeem", "reward": "1"}, nil, 404, `[data-testid="error-message"]`},
		// undo
		{"undo an event that is not the last", cashier, cardA, `[data-testid="undo"]`, map[string]string{"event": "999"}, nil, 409, `[data-testid="result"]`},
		{"undo malformed event", cashier, cardA, `[data-testid="undo"]`, map[string]string{"event": "last"}, nil, 400, `[data-testid="error-message"]`},
		{"undo on another shop's card", cashier, cardA, `[data-testid="undo"]`, map[string]string{"_action": cardB + "/undo"}, nil, 404, `[data-testid="error-message"]`},
		// language
		{"unknown language", owner, "/dashboard", `form.lang-switch`, map[string]string{"lang": "xx"}, nil, 400, `[data-testid="error-message"]`},
	}
	// One case at a time: each compares snapshots of the whole shared database,
	// which a sibling case's requests would change in between.
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			var form response
			if tt.page != "" {
				// Fetched first: a page may do its daily upkeep (segments) on the
				// first view of the day, which is not the submission's doing.
				form = tt.c.get(tt.page)
			}
			before := e.snapshot()
			var res response
			if tt.page == "" {
				// replay: the exact form already submitted once
				_, v := formValues(t, page, `[data-testid="stamp-1"]`)
				v.Set("count", "1")
				res = tt.c.postRaw(cardA+"/stamp", v)
			} else {
				action, v := formValues(t, form, tt.form)
				for k, val := range tt.set {
					if k == "_action" {
						action = val
						continue
					}
					v.Set(k, val)
				}
				for _, k := range tt.del {
					v.Del(k)
				}
				res = tt.c.postRaw(action, v)
			}
			if res.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", res.status, tt.status, snippet(res.body))
			}
			if msg := text(res, tt.msg); msg == "" {
				t.Errorf("no message in %s:\n%s", tt.msg, snippet(res.body))
			}
			if after := e.snapshot(); after != before {
				t.Errorf("database changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func TestRolesAndSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	anon := e.client()
	for _, path := range []string{"/dashboard", "/programs", "/programs/1", "/programs/new", "/settings", "/staff"} {
		if res := cashier.get(path); res.status != http.StatusForbidden {
			t.Errorf("cashier GET %s: %d, want 403", path, res.status)
		}
		if res := owner.get(path); res.status != http.StatusOK {
			t.Errorf("owner GET %s: %d, want 200", path, res.status)
		}
	}
	for _, path := range []string{"/counter", "/counter/cards/1", "/dashboard", "/staff"} {
		if res := anon.get(path); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/login?next=") {
			t.Errorf("anonymous GET %s: %d %q, want redirect to login", path, res.status, res.location)
		}
	}
	if res := cashier.get("/counter"); res.status != http.StatusOK {
		t.Errorf("cashier counter: %d", res.status)
	}
	// A manager runs programs but not the shop's settings or staff.
	res := owner.submit(owner.get("/staff"), `form[action="/staff"]`, map[string]string{"name": "M", "email": "m@example.com", "role": "manager", "password": "manager password"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("add manager: %d", res.status)
	}
	manager := e.login("m@example.com", "manager password")
	for path, want := range map[string]int{"/dashboard": 200, "/programs": 200, "/settings": 403, "/staff": 403} {
		if res := manager.get(path); res.status != want {
			t.Errorf("manager GET %s: %d, want %d", path, res.status, want)
		}
	}
	// Removing the cashier ends their session.
	staff := owner.get("/staff")
	res = owner.submit(staff, `form[action="/staff/2/remove"]`, nil)
	if res.status != http.StatusSeeOther {
		t.Fatalf("remove cashier: %d", res.status)
	}
	if res := cashier.get("/counter"); res.status != http.StatusSeeOther {
		t.Errorf("removed cashier still signed in: %d", res.status)
	}
}

// TestLoginRateLimit: a brute-force loop on one account gets five tries,
// then only 429s however long it goes on and however it spells the address;
// the right password is refused too until the budget refills.
func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signup("Shop", "owner@example.com")
	c := e.client()
	page := c.get("/login")
	spellings := []string{"owner@example.com", "OWNER@example.com", " owner@example.com ", "Owner@Example.COM"}
	var statuses []int
	for i := range 200 {
		res := c.submit(page, `form[action^="/login"]`, map[string]string{"email": spellings[i%len(spellings)], "password": fmt.Sprintf("guess number %d", i)})
		statuses = append(statuses, res.status)
	}
	for i, got := range statuses {
		want := http.StatusTooManyRequests
		if i < 5 {
			want = http.StatusUnauthorized
		}
		if got != want {
			t.Fatalf("try %d: %d, want %d (statuses %v)", i+1, got, want, statuses)
		}
	}
	if n := e.count(`SELECT count(*) FROM audit WHERE action = 'login'`); n != 0 {
		t.Errorf("%d logins recorded during the loop", n)
	}
	// The right password is refused too until the account's budget refills.
	if res := c.submit(page, `form[action^="/login"]`, map[string]string{"email": "owner@example.com", "password": "correct horse battery"}); res.status != http.StatusTooManyRequests {
		t.Errorf("right password while limited: %d, want 429", res.status)
	}
	e.clock.Advance(2 * 60e9)
	if res := c.submit(page, `form[action^="/login"]`, map[string]string{"email": "owner@example.com", "password": "correct horse battery"}); res.status != http.StatusSeeOther {
		t.Errorf("right password after waiting: %d, want 303", res.status)
	}
}

func TestInvite(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	res := owner.submit(owner.get("/staff"), `form[action="/staff"]`, map[string]string{"name": "Invited", "email": "inv@example.com", "role": "cashier"})
	if res.status != http.StatusCreated {
		t.Fatalf("invite: %d", res.status)
	}
	link, _ := res.doc.Find(`[data-testid="invite-url"]`).Attr("value")
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, "/invite/") {
		t.Fatalf("invite link %q", link)
	}
	// Before accepting, the invited person cannot log in.
	c := e.client()
	if res := c.submit(c.get("/login"), `form[action^="/login"]`, map[string]string{"email": "inv@example.com", "password": ""}); res.status == http.StatusSeeOther {
		t.Fatal("an invited user without password signed in")
	}
	form := c.get(u.Path)
	if res := c.submit(form, `form[method="post"][data-once]`, map[string]string{"password": "short"}); res.status != 422 {
		t.Errorf("short password: %d", res.status)
	}
	res = c.submit(form, `form[method="post"][data-once]`, map[string]string{"password": "my own password"})
	if res.status != http.StatusSeeOther || res.location != "/counter" {
		t.Fatalf("accept invite: %d %q", res.status, res.location)
	}
	if res := e.client().get(u.Path); res.status != http.StatusNotFound {
		t.Errorf("invite link works twice: %d", res.status)
	}
	if res := e.client().get("/invite/" + strings.Repeat("A", 32)); res.status != http.StatusNotFound {
		t.Errorf("forged invite: %d", res.status)
	}
	e.login("inv@example.com", "my own password")
}

func pngOf(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// bombPNG is a valid PNG header claiming 100000×100000 pixels.
func bombPNG() []byte {
	b := pngOf(1, 1)
	// IHDR width and height live at bytes 16..24; the CRC is not checked by DecodeConfig.
	copy(b[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0})
	return b
}

func (c *client) upload(path, csrf, name string, content []byte) response {
	c.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", csrf)
	if content != nil {
		fw, _ := w.CreateFormFile("logo", name)
		fw.Write(content)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.env.srv.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

func TestLogoUpload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	_, v := formValues(t, owner.get("/settings"), `form[action="/settings/logo"]`)
	csrf := v.Get("_csrf")
	html := []byte("<html><script>alert(1)</script></html>")
	polyglot := append(pngOf(4, 4), html...) // a PNG with a page glued on: re-encoding drops it
	cases := []struct {
		name    string
		file    string
		content []byte
		status  int
	}{
		{"missing file", "", nil, 422},
		{"text named .png", "logo.png", []byte("hello, I am not an image"), 422},
		{"html", "logo.html", html, 422},
		{"svg", "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), 422},
		{"truncated png", "logo.png", pngOf(50, 50)[:60], 422},
		{"decompression bomb", "bomb.png", bombPNG(), 422},
		{"oversized", "big.png", append(pngOf(10, 10), make([]byte, 12<<20)...), 413},
	}
	// One case at a time: each compares snapshots of the whole shared database,
	// which a sibling case's requests would change in between.
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot()
			res := owner.upload("/settings/logo", csrf, tt.file, tt.content)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d", res.status, tt.status)
			}
			if tt.status == 422 && text(res, `[data-testid="logo-error"]`) == "" {
				t.Error("no message")
			}
			if after := e.snapshot(); after != before {
				t.Errorf("changed: %s → %s", before, after)
			}
		})
	}
	if res := owner.upload("/settings/logo", "", "logo.png", pngOf(8, 8)); res.status != http.StatusForbidden {
		t.Errorf("upload without CSRF: %d", res.status)
	}
	res := owner.upload("/settings/logo", csrf, "logo.png", polyglot)
	if res.status != http.StatusSeeOther {
		t.Fatalf("polyglot png: %d", res.status)
	}
	res = owner.upload("/settings/logo", csrf, "logo.png", pngOf(1000, 500))
	if res.status != http.StatusSeeOther {
		t.Fatalf("valid png: %d\n%s", res.status, snippet(res.body))
	}
	src, _ := owner.get("/settings").doc.Find("img.logo-preview").Attr("src")
	logo := e.client().get(src)
	if logo.status != 200 || bytes.Contains([]byte(logo.body), []byte("<script")) {
		t.Fatalf("logo: %d", logo.status)
	}
	img, format, err := image.Decode(strings.NewReader(logo.body))
	if err != nil || format != "png" || img.Bounds().Dx() != 256 || img.Bounds().Dy() != 128 {
		t.Errorf("served logo: %v %s %v, want a 256×128 png", err, format, img.Bounds())
	}
}
