package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/locale"
	"regulars/loyalty"
	"regulars/views"
)

// The owner's ladder of tiers (loyalty/tiers.go): one page, one form.

// tiersForm is the kept ladder as the form shows it, with its version.
func tiersForm(l db.KeptLadder) views.Form {
	f := views.Form{Values: map[string]string{}, Errors: map[string]string{}}
	f.Values["version"] = strconv.FormatInt(l.Version, 10)
	f.Values["measure"] = string(loyalty.TierByVisits)
	f.Values["period_days"], f.Values["grace_days"] = "365", "30"
	if len(l.Tiers) > 0 {
		f.Values["measure"] = string(l.Measure)
		f.Values["period_days"], f.Values["grace_days"] = strconv.Itoa(l.PeriodDays), strconv.Itoa(l.GraceDays)
	}
	for i, t := range l.Tiers {
		f.Values[views.TierField("name", i+1)] = t.Name
		f.Values[views.TierField("threshold", i+1)] = strconv.Itoa(t.Threshold)
		f.Values[views.TierField("multiplier", i+1)] = hundredthsTrimmed(t.Percent)
	}
	return f
}

// hundredthsTrimmed writes n hundredths without trailing zeros: 125 is
// "1.25", 150 "1.5", 100 "1".
func hundredthsTrimmed(n int) string {
	s := hundredths(n)
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

func (a *App) tiers(c echo.Context) error {
	_, shop := staff(c)
	p := a.page(c, &shop, "TiersTitle")
	l, err := a.store.Ladder(c.Request().Context(), shop.ID)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.TiersPage(p, tiersForm(l), c.QueryParam("saved") == "1", ""))
}

// readLadder reads the form's ladder: rows with neither a name nor a
// threshold are left out; a row needs both, thresholds must rise, a
// multiplier is 1–10 as people write it ("1.25", "1,25", "۱٫۲۵").
func readLadder(f *form) loyalty.Ladder {
	var l loyalty.Ladder
	switch m := f.text("measure", true, 10); loyalty.TierMeasure(m) {
	case loyalty.TierByVisits, loyalty.TierByPoints:
		l.Measure = loyalty.TierMeasure(m)
	default:
		f.fail("measure", "FieldInvalid")
	}
	l.PeriodDays = f.number("period_days", 1, loyalty.MaxTierPeriod, 365)
	l.GraceDays = f.number("grace_days", 0, loyalty.MaxTierGrace, 30)
	for i := 1; i <= views.TierRows; i++ {
		nameField, thresholdField, multField := views.TierField("name", i), views.TierField("threshold", i), views.TierField("multiplier", i)
		name := f.text(nameField, false, loyalty.MaxTierName)
		raw := f.text(thresholdField, false, 12)
		mult := f.text(multField, false, 6)
		if name == "" && raw == "" {
			continue
		}
		if name == "" {
			f.fail(nameField, "TiersNameMissing")
		}
		threshold := 0
		if raw == "" {
			f.fail(thresholdField, "FieldRequired")
		} else {
			threshold = f.number(thresholdField, 1, loyalty.MaxTierThreshold, 0)
		}
		pct := 100
		if mult != "" {
			var err error
			if pct, err = parseAmount(mult); err != nil || pct < 100 || pct > loyalty.MaxTierPercent {
				f.fail(multField, "TiersMultiplierInvalid")
			}
		}
		if n := len(l.Tiers); n > 0 && threshold <= l.Tiers[n-1].Threshold && f.v.Errors[thresholdField] == "" {
			f.fail(thresholdField, "TiersThresholdRising")
		}
		l.Tiers = append(l.Tiers, loyalty.Tier{Name: name, Threshold: threshold, Percent: pct})
	}
	return l
}

// saveTiers saves the form's ladder, unless the ladder changed since the
// form was read (a replayed or stale form): then it shows the kept one.
func (a *App) saveTiers(c echo.Context) error {
	u, shop := staff(c)
	p := a.page(c, &shop, "TiersTitle")
	f := newForm(c, p.T)
	version, err := strconv.ParseInt(c.FormValue("version"), 10, 64)
	if err != nil {
		return echo.ErrBadRequest
	}
	f.v.Values["version"] = c.FormValue("version")
	l := readLadder(f)
	if !f.ok() {
		return render(c, http.StatusUnprocessableEntity, views.TiersPage(p, f.v, false, ""))
	}
	err = a.store.SetLadder(c.Request().Context(), shop.ID, l, version, u.ID, a.now())
	if errors.Is(err, db.ErrLadderChanged) {
		kept, err := a.store.Ladder(c.Request().Context(), shop.ID)
		if err != nil {
			return err
		}
		return render(c, http.StatusConflict, views.TiersPage(p, tiersForm(kept), false, p.T.T("TiersChanged")))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/tiers?saved=1")
}

// tierModel is the card page's tier: its badge and its progress.
func tierModel(t *db.CardTier, l loyalty.Ladder) *views.CardTier {
	if t == nil {
		return nil
	}
	return &views.CardTier{Name: t.Name, Next: t.Next, More: t.More, Visits: t.Measure == loyalty.TierByVisits, Percent: l.Percent(t.Rank)}
}

// counterTier is the counter's badge and the tier's points multiplier, from
// the cached ladder and the card's kept rank: no query of the card.
func (a *App) counterTier(c echo.Context, shopID int64, rank int) (*views.CardTier, error) {
	l, err := a.store.Ladder(c.Request().Context(), shopID)
	if err != nil {
		return nil, err
	}
	return tierBadge(l.Ladder, rank), nil
}

// tierBadge is the badge of the card of tier rank on the shop's ladder l:
// nil in a shop without tiers.
func tierBadge(l loyalty.Ladder, rank int) *views.CardTier {
	if len(l.Tiers) == 0 {
		return nil
	}
	v := &views.CardTier{Percent: l.Percent(rank)}
	if t, ok := l.Tier(rank); ok {
		v.Name = t.Name
	}
	return v
}

// customerTier is the customer record's badge and the card's tier changes,
// newest first, as the ladder names its steps now.
func (a *App) customerTier(c echo.Context, p views.Page, shopID, cardID int64, rank int) (*views.CardTier, []views.TierChangeView, error) {
	tier, err := a.counterTier(c, shopID, rank)
	if err != nil {
		return nil, nil, err
	}
	changes, err := a.store.TierChanges(c.Request().Context(), shopID, cardID)
	if err != nil {
		return nil, nil, err
	}
	name := func(s string) string {
		if s == "" {
			return p.T.T("TierNone")
		}
		return s
	}
	var list []views.TierChangeView
	for _, ch := range changes {
		list = append(list, views.TierChangeView{From: name(ch.FromName), To: name(ch.ToName), Reason: views.TierReasonText(p.T, ch.Reason), At: p.T.DateTime(ch.At)})
	}
	return tier, list, nil
}

// tierOnly names the lowest tier an item or a coupon is open to ("": everyone).
func tierOnly(l loyalty.Ladder, minTier int) string {
	t, _ := l.Tier(minTier)
	return t.Name
}

// tierOptions are the choices of who may have an item or a coupon:
// everyone, or the members of a tier and above; none in a shop without tiers.
func (a *App) tierOptions(c echo.Context, shopID int64, tr *locale.Tr) (loyalty.Ladder, []views.Option, error) {
	l, err := a.store.Ladder(c.Request().Context(), shopID)
	if err != nil || len(l.Tiers) == 0 {
		return l.Ladder, nil, err
	}
	opts := []views.Option{{Value: "0", Label: tr.T("TierMinEveryone")}}
	for i, t := range l.Tiers {
		opts = append(opts, views.Option{Value: strconv.Itoa(i + 1), Label: tr.T("TierOnly", "Tier", t.Name)})
	}
	return l.Ladder, opts, nil
}

// minTierInput reads the form's "who may have it": 0 (everyone) or a tier
// of the shop's ladder; anything else is refused on the field.
func (a *App) minTierInput(c echo.Context, f *form, shopID int64) (int, error) {
	l, err := a.store.Ladder(c.Request().Context(), shopID)
	if err != nil {
		return 0, err
	}
	raw := strings.TrimSpace(c.FormValue("min_tier"))
	f.v.Values["min_tier"] = raw
	if raw == "" || raw == "0" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > len(l.Tiers) {
		f.fail("min_tier", "FieldInvalid")
		return 0, nil
	}
	return n, nil
}
