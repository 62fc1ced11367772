// Package handlers is the HTTP surface: it parses and validates input, calls
// the store, and renders views. Routes are listed in routes.go.
package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"regulars/db"
	"regulars/locale"
	"regulars/outbox"
	"regulars/views"
)

// Config is what the HTTP surface needs from main.
type Config struct {
	Store *db.Store
	// BaseURL is the public address put into QR codes; "" uses the request's host.
	BaseURL string
	Static  fs.FS
	Log     *slog.Logger
	// Now is the clock; tests move it. Since is the monotonic time passed
	// since New, which tests set to make the clock jump (wallClock); nil:
	// time.Now's monotonic reading, or, with Now set, Now's own.
	Now   func() time.Time
	Since func() time.Duration
	// PasswordCost is bcrypt's cost for new password hashes; 0 means
	// bcrypt.DefaultCost, the production cost. Tests set bcrypt.MinCost,
	// which is as correct and a hundred times cheaper.
	PasswordCost int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For,
	// X-Real-IP and X-Forwarded-Proto are believed (ParseTrustedProxies);
	// none: the connection's address is the client's.
	TrustedProxies []netip.Prefix
	// EmailFrom is the sender address of the e-mail the outbox sends; "":
	// no mail server is configured and the e-mail features say they are off.
	EmailFrom string
}

// App holds the handlers' dependencies.
type App struct {
	store    *db.Store
	baseURL  string
	secure   bool
	log      *slog.Logger
	now      func() time.Time
	clock    wallClock
	sessions *sessions.CookieStore
	// cookieTokens spares decoding a session cookie on every request.
	cookieTokens cookieMemory
	logins       *loginLimiter
	joins        *addrLimiter
	// recovery limits the requests for a link by e-mail (recovery.go)
	recovery recoveryLimiter
	// passwordCost is bcrypt's cost for new hashes; dummyHash is a hash of
	// that cost to compare against when an email is unknown, so that a wrong
	// email takes as long as a wrong password.
	passwordCost int
	dummyHash    []byte
	assetVersion string // a hash of the static files, in their URLs
	// origins refuses requests from other origins; macKey makes and checks
	// form tokens and device cookies (csrf.go, device.go).
	origins *http.CrossOriginProtection
	macKey  macKey
	proxies []netip.Prefix // Config.TrustedProxies
	// emailFrom is Config.EmailFrom; unsubscribeKey signs the unsubscribe
	// links of messages (package outbox makes them with the same secret).
	emailFrom      string
	unsubscribeKey []byte
	// vapidKey is the server's public key for web push (push.go).
	vapidKey string
}

// New builds the Echo server with every route and middleware.
func New(ctx context.Context, cfg Config) (*echo.Echo, error) {
	hashKey, err := cfg.Store.Secret(ctx, "session_hash_key", 64)
	if err != nil {
		return nil, err
	}
	blockKey, err := cfg.Store.Secret(ctx, "session_block_key", 32)
	if err != nil {
		return nil, err
	}
	key, err := cfg.Store.Secret(ctx, "mac_key", 32)
	if err != nil {
		return nil, err
	}
	unsubscribeKey, err := cfg.Store.Secret(ctx, outbox.UnsubscribeKey, 32)
	if err != nil {
		return nil, err
	}
	vapid, err := outbox.LoadVAPID(ctx, cfg.Store)
	if err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		start := time.Now()
		cfg.Now, cfg.Since = time.Now, func() time.Duration { return time.Since(start) }
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.PasswordCost == 0 {
		cfg.PasswordCost = bcrypt.DefaultCost
	}
	dummyHash, err := bcrypt.GenerateFromPassword([]byte("not a password of anyone"), cfg.PasswordCost)
	if err != nil {
		return nil, fmt.Errorf("password cost %d: %w", cfg.PasswordCost, err)
	}
	a := &App{
		store:    cfg.Store,
		baseURL:  strings.TrimRight(cfg.BaseURL, "/"),
		secure:   strings.HasPrefix(cfg.BaseURL, "https://"),
		log:      cfg.Log,
		now:      cfg.Now,
		clock:    newWallClock(cfg.Now, cfg.Since),
		sessions: sessions.NewCookieStore(hashKey, blockKey),
		origins:  http.NewCrossOriginProtection(),
		macKey:   key,
		proxies:  cfg.TrustedProxies,
		logins:   newLoginLimiter(cfg.Now),
		joins:    newAddrLimiter(cfg.Now, joinBurst, joinRefill),
		recovery: recoveryLimiter{newLoginLimiter(cfg.Now)},

		emailFrom:      cfg.EmailFrom,
		unsubscribeKey: unsubscribeKey,
		vapidKey:       vapid.Public,

		passwordCost: cfg.PasswordCost,
		dummyHash:    dummyHash,
	}
	// A proxy that rewrites the Host header makes pages of the public URL
	// look like another origin to browsers without fetch metadata.
	if origin := publicOrigin(cfg.BaseURL); origin != "" {
		if err := a.origins.AddTrustedOrigin(origin); err != nil {
			return nil, fmt.Errorf("public URL %q: %w", cfg.BaseURL, err)
		}
	}
	a.sessions.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int(db.SessionLifetime.Seconds()),
		HttpOnly: true,
		Secure:   a.secure,
		SameSite: http.SameSiteLaxMode,
	}
	a.assetVersion = assetVersion(cfg.Static)
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = a.handleError
	a.routes(e, cfg.Static)
	return e, nil
}

// hashPassword hashes a new password at the server's cost.
func (a *App) hashPassword(password string) (string, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), a.passwordCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(hash), nil
}

// render writes a component with a status. It renders into a buffer first so
// that a failing component becomes a clean error page, not half a page.
func render(c echo.Context, status int, comp templ.Component) error {
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxKeptRenderBuffer {
			buf.Reset()
			renderBuffers.Put(buf)
		}
	}()
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	// With its length known, the page goes out whole instead of in chunks:
	// two writes to the socket for a card page instead of three. (Compression,
	// when asked for, drops the header: its length differs.)
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
	return c.HTMLBlob(status, buf.Bytes())
}

// renderBuffers keep the buffers pages are rendered into, each big enough for
// a card page (16 KB): grown from nothing for every page, they were a tenth
// of a card page's allocations. HTMLBlob has copied a page out of its buffer
// when it returns. A buffer grown by a long owner's page beyond
// maxKeptRenderBuffer is left to the collector.
var renderBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 32<<10)) }}

const maxKeptRenderBuffer = 512 << 10

// page builds the common view model. shop may be nil on pages of no shop.
func (a *App) page(c echo.Context, shop *db.Shop, title string, kv ...any) views.Page {
	p := views.Page{CSRF: a.csrfToken(c), Path: c.Request().URL.RequestURI(), AssetVersion: a.assetVersion}
	lang := ""
	if ck, err := c.Cookie(langCookie); err == nil && locale.Supported(ck.Value) {
		lang = ck.Value
	}
	var zone *time.Location
	if shop != nil {
		if lang == "" {
			lang = shop.Language
		}
		zone, _ = db.Location(shop.TimeZone)
		p.Shop = &views.Brand{Name: shop.Name, Color: shop.BrandColor, LogoURL: logoURL(shop)}
	}
	if lang == "" {
		lang = locale.Match(c.Request().Header.Get("Accept-Language"))
	}
	// A shop's pages write numbers as it chose; pages of no shop as the language does.
	digits := locale.DefaultDigits(lang)
	if shop != nil {
		digits = locale.Digits(shop.Digits)
	}
	p.T = locale.New(lang, zone, digits)
	if shop != nil {
		p.T = p.T.WithCalendar(locale.Calendar(shop.Calendar))
	}
	if u, ok := c.Get(ctxUser).(db.User); ok {
		p.User = &views.Staff{
			Name:      u.Name,
			Role:      string(u.Role),
			CanManage: u.Role == db.RoleOwner || u.Role == db.RoleManager,
			IsOwner:   u.Role == db.RoleOwner,
		}
		if shop != nil && shop.StampOnScan {
			p.User.ScanKey = newKey()
		}
	}
	if title != "" {
		p.Title = p.T.T(title, kv...)
	}
	return p
}

func logoURL(shop *db.Shop) string {
	if shop.LogoVersion == 0 {
		return ""
	}
	return fmt.Sprintf("/shops/%d/logo?v=%d", shop.ID, shop.LogoVersion)
}

// absURL makes an absolute URL for QR codes and links people copy.
func (a *App) absURL(c echo.Context, path string) string {
	if a.baseURL != "" {
		return a.baseURL + path
	}
	return c.Scheme() + "://" + c.Request().Host + path
}

// handleError is the one place errors become pages: sentinels and echo errors
// map to their status, everything else is logged once and shown as a 500.
func (a *App) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, msg := http.StatusInternalServerError, "ErrorServer"
	var he *echo.HTTPError
	switch {
	case errors.Is(err, db.ErrNotFound):
		status, msg = http.StatusNotFound, "ErrorNotFound"
	case db.Unavailable(err), errors.Is(err, context.DeadlineExceeded):
		// A full disk, a read-only file, a lock held elsewhere, a request
		// queued past its deadline behind other writes: nothing was written,
		// and the same request succeeds once the cause is gone.
		status, msg = http.StatusServiceUnavailable, "ErrorUnavailable"
		c.Response().Header().Set("Retry-After", "30")
	case errors.As(err, &he):
		status = he.Code
		switch status {
		case http.StatusBadRequest:
			msg = "ErrorBadRequest"
		case http.StatusForbidden:
			msg = "ErrorForbidden"
			if he.Message == errCSRF.Message {
				msg = "ErrorCSRF"
			}
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			msg = "ErrorNotFound"
		case http.StatusConflict:
			msg = "ErrorConflict"
		case http.StatusRequestEntityTooLarge:
			msg = "ErrorTooLarge"
		case http.StatusTooManyRequests:
			msg = "ErrorTooMany"
		}
	}
	if status >= 500 {
		a.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if c.Request().Method == http.MethodHead {
		c.NoContent(status)
		return
	}
	// The page speaks the shop's language, also on routes that did not load it.
	var shop *db.Shop
	if s, ok := c.Get(ctxShop).(db.Shop); ok {
		shop = &s
	} else if u, s, err := a.currentUser(c); err == nil {
		shop = &s
		c.Set(ctxUser, u)
	}
	p := a.page(c, shop, "ErrorTitle")
	page := views.ErrorPage(p, status, p.T.T(msg))
	if p.User != nil && p.Shop != nil {
		// Signed-in staff stay in their frame, with its menu: a missing
		// customer or a mistyped address is a step off their path.
		page = views.StaffErrorPage(p, p.T.T(msg), strings.HasPrefix(c.Request().URL.Path, "/counter"))
	}
	if err := render(c, status, page); err != nil {
		a.log.Error("render error page", "err", err)
	}
}

// errCSRF refuses a form from another origin or without its page's token
// (csrf.go).
var errCSRF = echo.NewHTTPError(http.StatusForbidden, "csrf")
