package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/locale"
	"regulars/loyalty"
	"regulars/views"
)

// A points program's expiry and multiplier on the owner's form: points
// expire some days after they were given; a multiplier (×2–×10) applies on
// the days ticked, from one time of day to another in the shop's zone.

// pointsExpiryAndMultiplier reads the expiry and the multiplier into pr.
func pointsExpiryAndMultiplier(f *form, pr *db.Program) {
	pr.PointsExpiryDays = f.number("points_expiry_days", 0, int(loyalty.MaxExpiry/(24*time.Hour)), 0)
	pr.Multiplier = f.number("multiplier", 1, loyalty.MaxMultiplier, 1)
	pr.MultiplierDays = 0
	for d := range 7 {
		if f.checkbox(views.MultiplierDayField(d)) {
			pr.MultiplierDays |= 1 << d
		}
		if f.v.Errors[views.MultiplierDayField(d)] != "" {
			f.fail("multiplier", "FieldInvalid") // the days show no message of their own
		}
	}
	if pr.Multiplier < 2 {
		// No multiplier: its window is kept on the form as typed, unread.
		f.text("multiplier_from", false, 5)
		f.text("multiplier_to", false, 5)
		return
	}
	pr.MultiplierFrom = f.clock("multiplier_from")
	// A window that ends at midnight ends at 00:00.
	if pr.MultiplierTo = f.clock("multiplier_to"); pr.MultiplierTo == 0 {
		pr.MultiplierTo = loyalty.MinutesPerDay
	}
	if f.ok() && (pr.MultiplierDays == 0 || pr.MultiplierFrom >= pr.MultiplierTo) {
		f.fail("multiplier", "ProgramMultiplierWindow")
	}
}

// pointsExpiryAndMultiplierForm fills the form's values from p.
func pointsExpiryAndMultiplierForm(p db.Program, v views.Form) {
	v.Values["points_expiry_days"] = strconv.Itoa(p.PointsExpiryDays)
	v.Values["multiplier"] = strconv.Itoa(max(1, p.Multiplier))
	from, to := p.MultiplierFrom, p.MultiplierTo
	if p.Multiplier < 2 {
		from, to = 14*60, 17*60 // the quiet afternoon the owner most often means
	}
	v.Values["multiplier_from"], v.Values["multiplier_to"] = clockText(from), clockText(to%loyalty.MinutesPerDay)
	for d := range 7 {
		v.Values[views.MultiplierDayField(d)] = checked(p.MultiplierDays&(1<<d) != 0)
	}
}

// pointsOwedLines say, per points program, the points customers hold and
// what they are worth at the reward's cost (the owner's estimate of what a
// reward costs the shop, spread over the reward's price in points).
func pointsOwedLines(t *locale.Tr, owed []db.PointsOwed, rewardCost int, currency string) []string {
	var lines []string
	for _, o := range owed {
		if rewardCost > 0 && o.RewardPoints > 0 {
			worth := int(int64(o.Points) * int64(rewardCost) / int64(o.RewardPoints))
			lines = append(lines, t.N("PointsOwedWorth", o.Points, "Program", o.Program, "Cards", t.N("PointsOwedCards", o.Cards), "Money", t.Money(worth, currency)))
			continue
		}
		lines = append(lines, t.N("PointsOwed", o.Points, "Program", o.Program, "Cards", t.N("PointsOwedCards", o.Cards)))
	}
	return lines
}

// adjustPoints is the owner's correction of a card's points, with a reason:
// the customer page's adjustment when the program counts points.
func (a *App) adjustPoints(c echo.Context, p views.Page, act db.Action) error {
	f := newForm(c, p.T)
	f.v.Values["program"] = itoa64(act.ProgramID)
	reason := f.text("reason", true, loyalty.MaxAdjustReason)
	raw := strings.TrimSpace(c.FormValue("stamps"))
	f.v.Values["stamps"] = raw
	n, err := signedNumber(raw)
	switch {
	case err != nil:
		f.fail("stamps", "FieldNumber")
	case n == 0 || n < -loyalty.MaxPointsEarned || n > loyalty.MaxPointsEarned:
		f.fail("stamps", "CustomerAdjustRange", "Max", loyalty.MaxPointsEarned)
	}
	if !f.ok() {
		return a.showCustomer(c, http.StatusUnprocessableEntity, act.CardID, customerShown{forms: views.CustomerForms{Adjust: f.v}})
	}
	adj, err := a.store.AdjustPoints(c.Request().Context(), act, n, reason)
	if errors.As(err, new(*db.ReplayedError)) {
		return a.showCustomer(c, http.StatusConflict, act.CardID, customerShown{problem: p.T.T("CustomerAdjustReplayed")})
	}
	if err != nil {
		return err
	}
	if n < 0 {
		// A removal says what it took: all of the card's points, when asked for more.
		return c.Redirect(http.StatusSeeOther, customerPath(act.CardID)+"?saved=adjust&points=1&removed="+strconv.Itoa(-adj.Points)+"&had="+strconv.Itoa(adj.Had))
	}
	return c.Redirect(http.StatusSeeOther, customerPath(act.CardID)+"?saved=adjust")
}
