package handlers

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"regulars/db"
	"regulars/locale"
	"regulars/views"
)

// Every route, in one place. Staff routes carry requireStaff; the owner's and
// manager's requireRole as well. Middleware is given per route, not through a
// group, so that an unknown path stays a 404 for everyone.
func (a *App) routes(e *echo.Echo, static fs.FS) {
	// Forwarding headers are believed only from the trusted proxies (proxy.go).
	e.IPExtractor, e.SchemeExtractor = forwarding(a.proxies)
	// The headers come first, so that the redirects made before routing carry them too.
	e.Pre(securityHeaders)
	if a.secure {
		e.Pre(hsts)
	}
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.Recover())
	// Pages, styles and scripts travel compressed: a counter on a slow link
	// waits for bytes, not for the server. The fastest level: text shrinks
	// almost as much as at the default, for a third of the work. Images are
	// compressed already.
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{Level: gzip.BestSpeed, MinLength: 1024, Skipper: func(c echo.Context) bool {
		switch c.Path() {
		case "/shops/:id/logo", "/shops/:id/news/:news", "/shops/:id/gifts/:gift":
			return true
		}
		return false
	}}))
	// Bodies are limited before anything reads them (the CSRF check parses
	// forms): 64K, or more for the routes that take a file.
	uploads := map[string]string{
		"/customers/import":         maxImportRequest,
		"/customers/import/confirm": maxConfirmRequest,
	}
	// An image too large comes back to its form with the reason (images.go),
	// to those allowed to send it.
	images := map[string]echo.HandlerFunc{
		"/news":          a.requireStaff(requireRole(db.RoleOwner, db.RoleManager)(a.newsTooLarge)),
		"/settings/logo": a.requireStaff(requireRole(db.RoleOwner)(a.logoTooLarge)),
		"/catalogue":     a.requireStaff(requireRole(db.RoleOwner, db.RoleManager)(a.giftTooLarge)),
		"/catalogue/:id": a.requireStaff(requireRole(db.RoleOwner, db.RoleManager)(a.giftTooLarge)),
	}
	isUpload := func(c echo.Context) bool {
		_, ok := uploads[c.Path()]
		_, image := images[c.Path()]
		return ok || image
	}
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "64K", Skipper: isUpload}))
	for path, limit := range uploads {
		e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: limit, Skipper: func(c echo.Context) bool { return c.Path() != path }}))
	}
	for path, refused := range images {
		e.Use(limitImageUpload(path, maxImageRequest, refused))
	}
	// Every request that changes something comes from this origin with its
	// page's token (csrf.go).
	e.Use(a.checkForms)

	// GET routes answer HEAD too: monitors and link checkers use it.
	get := func(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
		e.Match([]string{http.MethodGet, http.MethodHead}, path, h, m...)
	}
	staff := []echo.MiddlewareFunc{a.requireStaff}
	managers := []echo.MiddlewareFunc{a.requireStaff, requireRole(db.RoleOwner, db.RoleManager)}
	owners := []echo.MiddlewareFunc{a.requireStaff, requireRole(db.RoleOwner)}

	e.Add(http.MethodGet, "/static*", echo.StaticDirectoryHandler(static, !e.EnablePathUnescapingStaticFiles), a.cacheStatic)
	get("/c/sw.js", a.serviceWorker(static))
	get("/healthz", a.healthz)
	get("/", a.home)
	get("/signup", a.signupForm)
	e.POST("/signup", a.signup)
	get("/login", a.loginForm)
	e.POST("/login", a.login)
	get("/logout", a.logoutForm)
	e.POST("/logout", a.logout)
	get("/invite/:token", a.inviteForm)
	e.POST("/invite/:token", a.acceptInvite)
	get("/forgot", a.forgotForm)
	e.POST("/forgot", a.forgot)
	get("/reset/:token", a.resetForm)
	e.POST("/reset/:token", a.resetPassword)
	e.POST("/lang", a.setLanguage)
	get("/c/:token", a.cardPage)
	get("/c/:token/manifest.webmanifest", a.cardManifest)
	get("/c/:token/version", a.cardVersion)
	e.POST("/c/:token/raffles/:id/enter", a.enterRaffle)
	e.POST("/c/:token/feedback", a.leaveFeedback)
	e.POST("/c/:token/consent", a.saveChoices)
	e.POST("/c/:token/push", a.subscribePush)
	e.POST("/c/:token/push/off", a.unsubscribePush)
	e.POST("/c/:token/clubs/:id", a.cardClub)
	get("/push/key", a.pushKey)
	get(unsubscribeRoute, a.unsubscribeForm)
	e.POST(unsubscribeRoute, a.unsubscribe)
	get("/r/:id", a.publicRaffle)
	get("/shops/:id/logo", a.logo)
	get("/shops/:id/news/:news", a.newsImage)
	get("/shops/:id/gifts/:gift", a.giftPicture)
	e.POST("/c/:token/gifts/:id", a.requestGift)
	get("/join/:slug", a.joinForm)
	e.POST("/join/:slug", a.join)
	get("/join/:slug/lost", a.lostCardForm)
	e.POST("/join/:slug/lost", a.lostCard)

	get("/counter", a.counter, staff...)
	get("/counter/find", a.find, staff...)
	e.POST("/counter/scan", a.scan, staff...)
	e.POST("/counter/enroll", a.enroll, staff...)
	get("/counter/cards/:id", a.counterCard, staff...)
	e.POST("/counter/cards/:id/stamp", a.stamp, staff...)
	e.POST("/counter/cards/:id/redeem", a.redeem, staff...)
	e.POST("/counter/cards/:id/points", a.earnPoints, staff...)
	e.POST("/counter/cards/:id/spend", a.spendPoints, staff...)
	e.POST("/counter/cards/:id/credit", a.earnCredit, staff...)
	e.POST("/counter/cards/:id/usecredit", a.spendCredit, staff...)
	e.POST("/counter/cards/:id/undo", a.undo, staff...)
	e.POST("/counter/cards/:id/coupon", a.redeemCoupon, staff...)
	e.POST("/counter/cards/:id/code", a.redeemCode, staff...)
	e.POST("/counter/cards/:id/prize", a.redeemPrize, staff...)
	e.POST("/counter/cards/:id/gifts", a.redeemGiftAtCounter, staff...)
	e.POST("/counter/cards/:id/gifts/:order/handover", a.handOverGift, staff...)
	e.POST("/counter/activate", a.activate, staff...)
	e.POST("/counter/cards/:id/replace", a.replaceCard, staff...)
	get("/account", a.account, staff...)
	e.POST("/account/password", a.changePassword, staff...)

	get("/dashboard", a.dashboard, managers...)
	e.POST("/dashboard/economics", a.saveEconomics, owners...)
	e.POST("/dashboard/checklist/dismiss", a.dismissChecklist, owners...)
	get("/customers", a.customers, managers...)
	get("/customers/:id", a.customer, managers...)
	e.POST("/customers/:id/adjust", a.adjustStamps, owners...)
	e.POST("/customers/:id/profile", a.saveProfile, owners...)
	e.POST("/customers/:id/erase", a.eraseCustomer, owners...)
	get("/programs", a.programs, managers...)
	get("/programs/new", a.newProgramForm, managers...)
	e.POST("/programs/new", a.saveProgram, managers...)
	get("/programs/:id", a.programForm, managers...)
	e.POST("/programs/:id", a.saveProgram, managers...)
	e.POST("/programs/:id/archive", a.archiveProgram, managers...)
	e.POST("/programs/:id/default", a.defaultProgram, managers...)
	get("/coupons", a.coupons, managers...)
	get("/coupons/new", a.newCouponForm, managers...)
	get("/coupons/audience", a.couponReach, managers...)
	e.POST("/coupons/new", a.createCoupon, managers...)
	get("/coupons/:id", a.coupon, managers...)
	e.POST("/coupons/:id/:state", a.setCouponState, managers...)
	get("/raffles", a.raffles, managers...)
	get("/raffles/new", a.newRaffleForm, managers...)
	e.POST("/raffles/new", a.createRaffle, managers...)
	get("/raffles/:id", a.raffle, managers...)
	e.POST("/raffles/:id", a.updateRaffle, managers...)
	e.POST("/raffles/:id/draw", a.drawRaffle, managers...)
	get("/feedback", a.feedback, managers...)
	get("/catalogue", a.catalogue, managers...)
	e.POST("/catalogue", a.createGift, managers...)
	get("/catalogue/orders", a.giftOrders, managers...)
	e.POST("/catalogue/orders/:id", a.moveGiftOrder, managers...)
	get("/catalogue/:id", a.giftForm, managers...)
	e.POST("/catalogue/:id", a.updateGift, managers...)
	e.POST("/catalogue/:id/archive", a.archiveGift, managers...)
	get("/news", a.news, managers...)
	e.POST("/news", a.postNews, managers...)
	e.POST("/news/:id/remove", a.removeNews, managers...)
	get("/cards/print", a.printForm, managers...)
	e.POST("/cards/print", a.printCards, managers...)
	get("/cards/print/:batch", a.printSheet, managers...)
	get("/poster", a.poster, append(managers, a.markPosterOpened)...)
	get("/referrals", a.referrals, managers...)
	get("/clubs", a.clubs, managers...)
	e.POST("/clubs", a.createClub, managers...)
	get("/clubs/:id", a.club, managers...)
	e.POST("/clubs/:id", a.saveClub, managers...)
	e.POST("/clubs/:id/members", a.addClubMember, managers...)
	e.POST("/clubs/:id/remove/:card", a.removeClubMember, managers...)
	e.POST("/customers/:id/clubs", a.customerClub, managers...)

	get("/settings", a.settings, owners...)
	e.POST("/settings", a.saveSettings, owners...)
	e.POST("/settings/logo", a.uploadLogo, owners...)
	get("/cashback", a.cashback, owners...)
	e.POST("/cashback", a.saveCashback, owners...)
	get("/tiers", a.tiers, owners...)
	e.POST("/tiers", a.saveTiers, owners...)
	get("/setup", a.setup, owners...)
	e.POST("/setup/reward", a.setupReward, owners...)
	e.POST("/setup/place", a.setupPlace, owners...)
	e.POST("/setup/look", a.setupLook, owners...)
	get("/customers/export.csv", a.exportCustomers, owners...)
	get("/ledger/export.csv", a.exportLedger, owners...)
	get("/customers/import", a.importForm, owners...)
	e.POST("/customers/import", a.importPreview, owners...)
	e.POST("/customers/import/confirm", a.importConfirm, owners...)
	get("/staff", a.staffPage, owners...)
	e.POST("/staff", a.addStaff, owners...)
	e.POST("/staff/:id/remove", a.removeStaff, owners...)
	e.POST("/staff/:id/signout", a.signOutStaff, owners...)
	e.POST("/staff/:id/role", a.setStaffRole, owners...)
	e.POST("/staff/:id/password", a.setStaffPassword, owners...)
	e.POST("/staff/:id/invite", a.reissueInvite, owners...)
	get("/audit", a.audit, owners...)
	get("/growth", a.growth, owners...)
	e.POST("/growth", a.saveGrowth, owners...)
	get("/automations", a.automations, owners...)
	e.POST("/automations", a.saveAutomation, owners...)
	e.POST("/automations/limits", a.saveLimits, owners...)
	get("/automations/:kind", a.automation, owners...)
	e.POST("/automations/:kind", a.saveAutomation, owners...)
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

// cacheStatic lets browsers keep a static file for a year without asking
// again when its URL carries the current asset version (views.Page.Asset): a
// changed file gets a new URL. Other URLs of it are checked each time.
func (a *App) cacheStatic(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.QueryParam("v") == a.assetVersion {
			c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			c.Response().Header().Set("Cache-Control", "no-cache")
		}
		return next(c)
	}
}

// cardAssets are the static files every card page loads (views.CardPage and
// its layout), which its service worker keeps from the moment it installs.
var cardAssets = []string{"css/app.css", "js/app.js", "js/card.js", "icon-192.png"}

// precacheLine is the line of sw.js that serviceWorker fills in (a handlers
// test fails if it is missing).
const precacheLine = "const PRECACHE = [];"

// serviceWorker serves the card pages' worker from /c/, so that its scope
// covers them, with the current URLs of cardAssets in its PRECACHE: a card
// opened once then shows offline, and a new version of the files is a new
// worker, which keeps them instead of the old ones.
func (a *App) serviceWorker(static fs.FS) echo.HandlerFunc {
	p := views.Page{AssetVersion: a.assetVersion}
	urls := make([]string, len(cardAssets))
	for i, name := range cardAssets {
		urls[i] = p.Asset(name)
	}
	list, _ := json.Marshal(urls) // strings always marshal
	return func(c echo.Context) error {
		b, err := fs.ReadFile(static, "sw.js")
		if err != nil {
			return err
		}
		b = bytes.Replace(b, []byte(precacheLine), []byte("const PRECACHE = "+string(list)+";"), 1)
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

// healthz answers ok when the database can be read and written: a full disk
// refuses every stamp while every read works.
func (a *App) healthz(c echo.Context) error {
	if err := a.store.Health(c.Request().Context(), a.now()); err != nil {
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
	next := safeNext(c.FormValue("next"))
	if next == "" {
		next = "/"
	}
	return c.Redirect(http.StatusSeeOther, next)
}
