package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"regulars/db"
	"regulars/locale"
)

// Every route, in one place. Staff routes sit behind requireStaff; the owner's
// and manager's behind requireRole as well.
func (a *App) routes(e *echo.Echo, static fs.FS) {
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.Recover())
	e.Use(securityHeaders)
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit:   "64K",
		Skipper: func(c echo.Context) bool { return c.Path() == "/settings/logo" },
	}))
	e.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf,header:X-CSRF-Token",
		CookieName:     "_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   a.secure,
		CookieSameSite: http.SameSiteLaxMode,
		ErrorHandler:   func(error, echo.Context) error { return errCSRF },
	}))

	e.StaticFS("/static", static)
	e.GET("/c/sw.js", serviceWorker(static))
	e.GET("/healthz", a.healthz)
	e.GET("/", a.home)
	e.GET("/signup", a.signupForm)
	e.POST("/signup", a.signup)
	e.GET("/login", a.loginForm)
	e.POST("/login", a.login)
	e.GET("/logout", a.logoutForm)
	e.POST("/logout", a.logout)
	e.GET("/invite/:token", a.inviteForm)
	e.POST("/invite/:token", a.acceptInvite)
	e.POST("/lang", a.setLanguage)
	e.GET("/c/:token", a.cardPage)
	e.GET("/c/:token/manifest.webmanifest", a.cardManifest)
	e.GET("/shops/:id/logo", a.logo)

	s := e.Group("", a.requireStaff)
	s.GET("/counter", a.counter)
	s.GET("/counter/find", a.find)
	s.POST("/counter/enroll", a.enroll)
	s.GET("/counter/cards/:id", a.counterCard)
	s.POST("/counter/cards/:id/stamp", a.stamp)
	s.POST("/counter/cards/:id/redeem", a.redeem)
	s.POST("/counter/cards/:id/undo", a.undo)
	s.POST("/counter/cards/:id/coupon", a.redeemCoupon)
	s.POST("/counter/cards/:id/code", a.redeemCode)

	m := s.Group("", requireRole(db.RoleOwner, db.RoleManager))
	m.GET("/dashboard", a.dashboard)
	m.GET("/programs", a.programs)
	m.GET("/programs/new", a.newProgramForm)
	m.POST("/programs/new", a.saveProgram)
	m.GET("/programs/:id", a.programForm)
	m.POST("/programs/:id", a.saveProgram)
	m.POST("/programs/:id/archive", a.archiveProgram)
	m.POST("/programs/:id/default", a.defaultProgram)
	m.GET("/coupons", a.coupons)
	m.GET("/coupons/new", a.newCouponForm)
	m.POST("/coupons/new", a.createCoupon)
	m.GET("/coupons/:id", a.coupon)
	m.POST("/coupons/:id/:state", a.setCouponState)

	o := s.Group("", requireRole(db.RoleOwner))
	o.GET("/settings", a.settings)
	o.POST("/settings", a.saveSettings)
	o.POST("/settings/logo", a.uploadLogo, middleware.BodyLimit(maxLogoRequest))
	o.GET("/staff", a.staffPage)
	o.POST("/staff", a.addStaff)
	o.POST("/staff/:id/remove", a.removeStaff)
}

// securityHeaders: scripts only from our origin (no inline script anywhere);
// inline styles are allowed for the shop's brand colour; the QR scanner's
// worker starts from a blob: URL.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
		return next(c)
	}
}

// serviceWorker serves the card pages' worker from /c/ so that its scope covers them.
func serviceWorker(static fs.FS) echo.HandlerFunc {
	return func(c echo.Context) error {
		b, err := fs.ReadFile(static, "sw.js")
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "no-cache")
		return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", b)
	}
}

// assetVersion hashes the static files, so their URLs change when they do.
func assetVersion(static fs.FS) string {
	h := sha256.New()
	fs.WalkDir(static, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static, path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:10]
}

func (a *App) healthz(c echo.Context) error {
	if err := a.store.Ping(c.Request().Context()); err != nil {
		a.log.Error("health check", "err", err)
		return c.String(http.StatusServiceUnavailable, "database unavailable\n")
	}
	return c.String(http.StatusOK, "ok\n")
}

// setLanguage remembers a person's language choice for a year.
func (a *App) setLanguage(c echo.Context) error {
	lang := c.FormValue("lang")
	if !locale.Supported(lang) {
		return echo.ErrBadRequest
	}
	c.SetCookie(&http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode})
	next := c.FormValue("next")
	// Only paths of this site: "//evil" or "/\evil" would leave it.
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		next = "/"
	}
	return c.Redirect(http.StatusSeeOther, next)
}
