package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/loyalty"
	"regulars/views"
)

func programView(p db.Program) views.Program {
	return views.Program{
		ID: p.ID, Name: p.Name, RewardText: p.RewardText, StampsRequired: p.StampsRequired, MaxPerVisit: p.MaxPerVisit,
		CooldownMinutes: p.CooldownMinutes, StampExpiryDays: p.StampExpiryDays, RewardExpiryDays: p.RewardExpiryDays,
		IsDefault: p.IsDefault, Archived: p.Archived,
		Points: p.IsPoints(), PointsPerVisit: p.PointsPerVisit, PointsPerUnit: p.PointsPerUnit,
		Nearest: p.PointsRounding == loyalty.RoundNearest, RewardPoints: p.RewardPoints,
	}
}

func programForm(p db.Program) views.Form {
	n := strconv.Itoa
	if p.IsPoints() {
		return pointsForm(p, views.Form{Values: map[string]string{"name": p.Name, "reward_text": p.RewardText,
			"max_per_visit": n(p.MaxPerVisit), "cooldown_minutes": n(p.CooldownMinutes)}})
	}
	return views.Form{Values: map[string]string{
		"name": p.Name, "reward_text": p.RewardText, "stamps_required": n(p.StampsRequired), "max_per_visit": n(p.MaxPerVisit),
		"cooldown_minutes": n(p.CooldownMinutes), "stamp_expiry_days": n(p.StampExpiryDays), "reward_expiry_days": n(p.RewardExpiryDays),
	}}
}

func (a *App) programs(c echo.Context) error {
	_, shop := staff(c)
	ps, err := a.store.Programs(c.Request().Context(), shop.ID, true)
	if err != nil {
		return err
	}
	list := make([]views.Program, len(ps))
	for i, pr := range ps {
		list[i] = programView(pr)
	}
	// ?saved=, ?archived= or ?default= names the program just changed: the
	// page says so above the list.
	var done views.ProgramDone
	for _, kind := range []string{"saved", "archived", "default"} {
		if id, err := strconv.ParseInt(c.QueryParam(kind), 10, 64); err == nil {
			for _, pr := range ps {
				if pr.ID == id {
					done = views.ProgramDone{Kind: kind, ID: id, Name: pr.Name}
				}
			}
		}
	}
	return render(c, http.StatusOK, views.ProgramsPage(a.page(c, &shop, "ProgramsTitle"), list, done))
}

func (a *App) newProgramForm(c echo.Context) error {
	_, shop := staff(c)
	p := a.page(c, &shop, "ProgramNew")
	fresh := db.Program{StampsRequired: 10, MaxPerVisit: 1}
	if c.QueryParam("kind") == db.ProgramPoints {
		fresh = db.Program{Kind: db.ProgramPoints, PointsPerUnit: 1, PointsRounding: loyalty.RoundDown, RewardPoints: 100, MaxPerVisit: 1000}
	}
	return render(c, http.StatusOK, views.ProgramForm(p, programView(fresh), programForm(fresh), nil))
}

func (a *App) programForm(c echo.Context) error {
	_, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pr, err := a.store.Program(c.Request().Context(), shop.ID, id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.ProgramForm(a.page(c, &shop, "ProgramEdit", "Name", pr.Name), programView(pr), programForm(pr), nil))
}

// saveProgram creates a program (at /programs/new) or saves one (at /programs/:id).
func (a *App) saveProgram(c echo.Context) error {
	u, shop := staff(c)
	pr := db.Program{ShopID: shop.ID}
	if c.FormValue("kind") == db.ProgramPoints {
		pr.Kind = db.ProgramPoints // a new program's kind; a saved one keeps its own
	}
	title, kv := "ProgramNew", []any{}
	if c.Param("id") != "" {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		if pr, err = a.store.Program(c.Request().Context(), shop.ID, id); err != nil {
			return err
		}
		title, kv = "ProgramEdit", []any{"Name", pr.Name}
	}
	p := a.page(c, &shop, title, kv...)
	f := newForm(c, p.T)
	pr.Name = f.text("name", true, 80)
	pr.RewardText = f.text("reward_text", true, 120)
	if pr.IsPoints() {
		pointsRules(f, &pr)
	} else {
		pr.StampsRequired = f.number("stamps_required", 1, loyalty.MaxStampsRequired, 10)
		pr.MaxPerVisit = f.number("max_per_visit", 1, loyalty.MaxStampsPerVisit, 1)
		pr.StampExpiryDays = f.number("stamp_expiry_days", 0, int(loyalty.MaxExpiry/(24*time.Hour)), 0)
		pr.RewardExpiryDays = f.number("reward_expiry_days", 0, int(loyalty.MaxExpiry/(24*time.Hour)), 0)
	}
	pr.CooldownMinutes = f.number("cooldown_minutes", 0, int(loyalty.MaxCooldown/time.Minute), 0)
	if !f.ok() {
		return render(c, http.StatusUnprocessableEntity, views.ProgramForm(p, programView(pr), f.v, nil))
	}
	// A new target changes cards at once: the owner sees how many before it
	// is saved, and saves again to confirm.
	if pr.ID != 0 && c.FormValue("confirm") != "1" {
		change, err := a.store.RuleChange(c.Request().Context(), pr, a.now())
		if err != nil {
			return err
		}
		if change.RewardsNow > 0 || change.FurtherAway > 0 {
			return render(c, http.StatusOK, views.ProgramForm(p, programView(pr), f.v, &views.RuleChange{RewardsNow: change.RewardsNow, FurtherAway: change.FurtherAway}))
		}
	}
	id, err := a.store.SaveProgram(c.Request().Context(), pr, u.ID, a.now())
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/programs?saved="+strconv.FormatInt(id, 10))
}

func (a *App) archiveProgram(c echo.Context) error {
	u, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	err = a.store.ArchiveProgram(c.Request().Context(), shop.ID, id, u.ID, a.now())
	if errors.Is(err, db.ErrDefaultProgram) {
		return echo.NewHTTPError(http.StatusConflict)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/programs?archived="+strconv.FormatInt(id, 10))
}

func (a *App) defaultProgram(c echo.Context) error {
	u, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := a.store.SetDefaultProgram(c.Request().Context(), shop.ID, id, u.ID, a.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/programs?default="+strconv.FormatInt(id, 10))
}
