package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/loyalty"
	"regulars/views"
)

// Points programs at the counter: the cashier keys the amount paid and the
// card gets the points it gives; a tap spends the reward's price.

// pointsProgress is a card's standing in a points program, with the rules
// the counter's keypad shows the points of an amount by.
func pointsProgress(pb db.ProgramBalance, currency string, now time.Time) *views.PointsProgress {
	p := pb.Program
	return &views.PointsProgress{
		Held: pb.Points, RewardPoints: p.RewardPoints, PerVisit: p.PointsPerVisit, PerUnit: p.PointsPerUnit,
		Nearest: p.PointsRounding == loyalty.RoundNearest, MaxPerVisit: p.MaxPerVisit, Currency: currency,
		MultiplierNow: p.Rules().MultiplierAt(now), Expiry: pb.NextPointsExpiry,
	}
}

// pointsResult describes a points event of the card: a purchase and the
// points it gave, or a redemption and what it spent.
func pointsResult(st db.CardState, e db.Entry) *views.Result {
	r := &views.Result{Kind: "points", Program: e.ProgramName, Points: e.Points, Amount: e.Amount}
	switch e.Kind {
	case loyalty.KindRedeem:
		r.Kind, r.Reward = "redeemed", rewardOf(st, e.ProgramID)
	case loyalty.KindAdjust, loyalty.KindBonus:
		r.Kind = "undone" // not a counter action: the card as it is
	}
	return r
}

// earnPoints records a purchase in a points program: the amount as typed
// (the shop's separator and digits, Persian ones too), or none in a program
// that counts visits only.
func (a *App) earnPoints(c echo.Context) error {
	u, shop := staff(c)
	act, err := actionInput(c, u, shop, a.now)
	if err != nil {
		return err
	}
	if act.ProgramID, err = formID(c, "program"); err != nil {
		return err
	}
	amount := 0
	if s := strings.TrimSpace(c.FormValue("amount")); s != "" {
		if len(s) > 40 {
			return echo.ErrBadRequest
		}
		if amount, err = parseAmount(s); err != nil {
			return a.showCard(c, http.StatusUnprocessableEntity, act.CardID, cardView{result: &views.Result{Kind: "refused",
				Message: a.page(c, &shop, "").T.T("PointsAmountInvalid")}})
		}
	}
	out, err := a.store.EarnPoints(c.Request().Context(), act, amount, c.FormValue("override") == "1")
	if err == nil {
		return a.actionOutcome(c, act, out.Outcome, nil) // the busy path: no page to translate
	}
	tr := a.page(c, &shop, "").T
	var tooMany *loyalty.TooManyPointsError
	var cool *loyalty.CooldownError
	switch {
	case errors.As(err, &tooMany):
		return a.showCard(c, http.StatusUnprocessableEntity, act.CardID, cardView{result: &views.Result{Kind: "refused",
			Message: tr.T("PointsTooMany", "Points", tr.Num(tooMany.Points), "Max", tr.Num(tooMany.Max))}})
	case errors.Is(err, loyalty.ErrPointsAmount):
		return a.showCard(c, http.StatusUnprocessableEntity, act.CardID, cardView{result: &views.Result{Kind: "refused", Message: tr.T("PointsAmountNeeded")}})
	case errors.Is(err, loyalty.ErrPointsNone):
		return a.showCard(c, http.StatusUnprocessableEntity, act.CardID, cardView{result: &views.Result{Kind: "refused", Message: tr.T("PointsNone")}})
	case errors.Is(err, loyalty.ErrNotPoints):
		return echo.ErrBadRequest
	case errors.As(err, &cool):
		// The cooldown is the stamps'; the cashier repeats the purchase to
		// confirm it (the amount is typed again, on purpose).
		return a.showCard(c, http.StatusConflict, act.CardID, cardView{result: &views.Result{Kind: "refused",
			Message: tr.T("ResultCooldown", "Left", tr.Duration(cool.Left))}})
	}
	return a.actionOutcome(c, act, out.Outcome, err)
}

// spendPoints redeems the reward of a points program: its price in points,
// refused when the card no longer holds them (another tablet spent them).
func (a *App) spendPoints(c echo.Context) error {
	u, shop := staff(c)
	act, err := actionInput(c, u, shop, a.now)
	if err != nil {
		return err
	}
	if act.ProgramID, err = formID(c, "program"); err != nil {
		return err
	}
	p, err := a.store.Program(c.Request().Context(), shop.ID, act.ProgramID)
	if err != nil {
		return err
	}
	if !p.IsPoints() || p.RewardPoints < 1 {
		return echo.ErrBadRequest
	}
	out, err := a.store.SpendPoints(c.Request().Context(), act, p.RewardPoints)
	return a.actionOutcome(c, act, out.Outcome, err, refusal{loyalty.ErrNotEnoughPoints, "PointsNotEnough"})
}

// pointsRules reads a points program's rules from the owner's form into pr.
func pointsRules(f *form, pr *db.Program) {
	pr.RewardPoints = f.number("reward_points", 1, loyalty.MaxRewardPoints, 100)
	pr.PointsPerVisit = f.number("points_per_visit", 0, loyalty.MaxPointsPerVisit, 0)
	pr.PointsPerUnit = f.number("points_per_unit", 0, loyalty.MaxPointsPerUnit, 1)
	pr.MaxPerVisit = f.number("max_per_visit", 1, loyalty.MaxPointsEarned, 1000)
	switch r := loyalty.Rounding(f.c.FormValue("points_rounding")); r {
	case loyalty.RoundDown, loyalty.RoundNearest:
		pr.PointsRounding = r
	default:
		f.fail("points_rounding", "FieldRequired")
	}
	f.v.Values["points_rounding"] = string(pr.PointsRounding)
	if pr.PointsPerVisit == 0 && pr.PointsPerUnit == 0 {
		f.fail("points_per_unit", "ProgramPointsNothing")
	}
	pointsExpiryAndMultiplier(f, pr)
}

// pointsForm is a points program's rules as the owner's form shows them.
func pointsForm(p db.Program, v views.Form) views.Form {
	n := strconv.Itoa
	v.Values["reward_points"], v.Values["points_per_visit"], v.Values["points_per_unit"] = n(p.RewardPoints), n(p.PointsPerVisit), n(p.PointsPerUnit)
	v.Values["points_rounding"] = string(p.PointsRounding)
	pointsExpiryAndMultiplierForm(p, v)
	return v
}
