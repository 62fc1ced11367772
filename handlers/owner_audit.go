package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/loyalty"
	"regulars/views"
)

// auditPageSize is how many lines one page of the audit log shows.
const auditPageSize = 50

// audit lists who did what: the staff's actions and their ledger events,
// filtered by person, kind and dates in the shop's time zone.
func (a *App) audit(c echo.Context) error {
	_, shop := staff(c)
	p := a.page(c, &shop, "AuditTitle")
	ctx := c.Request().Context()
	people, err := a.store.AuditPeople(ctx, shop.ID)
	if err != nil {
		return err
	}
	l := views.AuditLog{LedgerKinds: db.LedgerAuditKinds}
	for _, act := range db.AuditActions {
		l.Actions = append(l.Actions, string(act))
	}
	known := map[string]bool{}
	for _, person := range people {
		id := itoa64(person.ID)
		known[id] = true
		label := person.Name
		if person.Removed {
			label = p.T.T("AuditPersonRemoved", "Name", person.Name)
		}
		l.People = append(l.People, views.Option{Value: id, Label: label})
	}

	f := newForm(c, p.T)
	var q db.AuditQuery
	if user := f.text("user", false, 20); user != "" {
		if !known[user] {
			f.fail("user", "FieldInvalid")
		}
		q.UserID, _ = strconv.ParseInt(user, 10, 64)
	}
	if q.Kind = f.text("kind", false, 40); q.Kind != "" && !db.IsAuditKind(q.Kind) {
		f.fail("kind", "FieldInvalid")
	}
	q.From = optionalDate(f, "from", p.T.Zone())
	if to := optionalDate(f, "to", p.T.Zone()); !to.IsZero() {
		q.To = to.AddDate(0, 0, 1) // the whole last day
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		f.fail("to", "AuditDatesReversed")
	}
	if before := c.QueryParam("before"); before != "" {
		// Only the pager writes a cursor: a broken one was not typed by a person.
		if q.Before, err = db.ParseAuditCursor(before); err != nil {
			return echo.ErrBadRequest
		}
		l.Newest = auditURL(f.v, "")
	}
	l.Filter = f.v
	if !f.ok() {
		return render(c, http.StatusUnprocessableEntity, views.AuditPage(p, l))
	}
	entries, more, err := a.store.AuditLog(ctx, shop.ID, q, auditPageSize)
	if err != nil {
		return err
	}
	for _, e := range entries {
		line := views.AuditLine{Ledger: e.Ledger, At: e.At, Who: e.UserName, Kind: e.Kind, Stamps: e.Stamps, Subject: e.Subject,
			CardID: e.CardID, Card: e.CardName, Note: e.Note}
		if e.Ledger && line.Card == "" {
			line.Card = loyalty.FormatShortCode(e.ShortCode)
		}
		l.Lines = append(l.Lines, line)
	}
	if more {
		l.Older = auditURL(f.v, entries[len(entries)-1].Cursor().String())
	}
	return render(c, http.StatusOK, views.AuditPage(p, l))
}

// optionalDate reads a YYYY-MM-DD day, or nothing, and returns its start in zone.
func optionalDate(f *form, name string, zone *time.Location) time.Time {
	if f.c.FormValue(name) == "" {
		return time.Time{}
	}
	return f.date(name, zone)
}

// auditURL is the audit page with the filter and, for the older pages, a cursor.
func auditURL(filter views.Form, before string) string {
	v := url.Values{}
	for _, name := range []string{"user", "kind", "from", "to"} {
		if s := filter.Get(name); s != "" {
			v.Set(name, s)
		}
	}
	if before != "" {
		v.Set("before", before)
	}
	if len(v) == 0 {
		return "/audit"
	}
	return "/audit?" + v.Encode()
}
