package handlers

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"regulars/loyalty"
	"regulars/views"
)

func (a *App) dashboard(c echo.Context) error {
	_, shop := staff(c)
	p := a.page(c, &shop, "DashboardTitle")
	now := a.now().In(p.T.Zone())
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	ctx := c.Request().Context()
	o, err := a.store.Overview(ctx, shop.ID, today.AddDate(0, 0, -7), today)
	if err != nil {
		return err
	}
	ps, err := a.store.Programs(ctx, shop.ID, false)
	if err != nil {
		return err
	}
	d := views.Dashboard{Customers: o.Customers, NewThisWeek: o.NewSince, StampsToday: o.StampsToday, RedeemedToday: o.RedeemedToday}
	for _, pr := range ps {
		d.Programs = append(d.Programs, programView(pr))
	}
	for _, r := range o.Recent {
		e := entryView(r.Entry)
		e.Card = r.CardName
		if e.Card == "" {
			e.Card = loyalty.FormatShortCode(r.CardShortCode)
		}
		d.Recent = append(d.Recent, e)
	}
	return render(c, http.StatusOK, views.DashboardPage(p, d))
}
