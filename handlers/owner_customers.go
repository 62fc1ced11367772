package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/loyalty"
	"regulars/views"
)

// customers is the customer list: ?q= searches, ?segment= is a segment's
// page, ?sort= orders, ?page= pages. A malformed query is a 400, except an
// unknown order, which shows the default one (an old bookmark still opens).
func (a *App) customers(c echo.Context) error {
	_, shop := staff(c)
	q, err := customerQuery(c)
	if err != nil {
		return err
	}
	list, err := a.store.Customers(c.Request().Context(), shop.ID, q, a.now())
	if err != nil {
		return err
	}
	p := a.page(c, &shop, "CustomersTitle")
	v := views.CustomerList{
		Search: q.Search, Segment: string(q.Segment), Sort: string(q.Sort), Page: q.Page, Total: list.Total,
		Pages: max(1, (list.Total+db.CustomersPerPage-1)/db.CustomersPerPage), Never: list.Segments[loyalty.SegmentNone],
	}
	for _, n := range list.Segments {
		v.All += n
	}
	for _, s := range loyalty.Segments {
		v.Segments = append(v.Segments, views.SegmentCount{Segment: string(s), Count: list.Segments[s]})
	}
	for _, r := range list.Rows {
		row := views.CustomerRow{
			ID: r.ID, Name: r.FirstName, Erased: r.Erased, ShortCode: loyalty.FormatShortCode(r.ShortCode),
			// A list is read over a shoulder: the phone's last digits say
			// which customer it is, the whole number stays on the record.
			Phone:  loyalty.MaskPhone(r.Phone),
			Visits: r.Visits, Rewards: r.Rewards, LastVisit: dayTime(r.LastDay, p.T.Zone()), Joined: r.CreatedAt, Segment: string(r.Segment),
		}
		for i, pr := range r.Progress {
			prog := list.Programs[i]
			ps := views.ProgramStamps{Program: prog.Name, Stamps: pr.Stamps, Required: prog.StampsRequired, Ready: pr.Ready}
			if prog.IsPoints() {
				ps.Stamps, ps.Points = pr.Points, true
			}
			row.Progress = append(row.Progress, ps)
		}
		v.Rows = append(v.Rows, row)
	}
	return render(c, http.StatusOK, views.CustomersPage(p, v))
}

func customerQuery(c echo.Context) (db.CustomerQuery, error) {
	q := db.CustomerQuery{
		Search:  strings.TrimSpace(c.QueryParam("q")),
		Segment: loyalty.Segment(c.QueryParam("segment")),
		Sort:    db.CustomerSort(c.QueryParam("sort")),
		Page:    1,
	}
	if len(q.Search) > loyalty.MaxLookupLen || !utf8.ValidString(q.Search) {
		return q, echo.ErrBadRequest
	}
	if q.Segment != loyalty.SegmentNone && !q.Segment.Valid() {
		return q, echo.ErrBadRequest
	}
	if !q.Sort.Valid() {
		q.Sort = db.SortLastVisit
	}
	if s := c.QueryParam("page"); s != "" {
		n, err := parseNumber(s)
		if err != nil || n < 1 {
			return q, echo.ErrBadRequest
		}
		q.Page = n
	}
	return q, nil
}

// dayTime is the start of day n (a DayNumber) in zone; 0 is no day.
func dayTime(n int, zone *time.Location) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return loyalty.DayStart(n, zone)
}

// customer is a customer's page; ?saved= names what was just done.
func (a *App) customer(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	s := customerShown{saved: c.QueryParam("saved")}
	if s.saved == "adjust" && c.QueryParam("removed") != "" {
		removed, err1 := parseNumber(c.QueryParam("removed"))
		had, err2 := parseNumber(c.QueryParam("had"))
		if err1 != nil || err2 != nil {
			return echo.ErrBadRequest
		}
		s.removed = &views.Removal{Stamps: removed, Had: had, Points: c.QueryParam("points") == "1"}
	}
	return a.showCustomer(c, http.StatusOK, id, s)
}

// customerShown is how to show a customer's page: after what, with which
// refused form, or with which problem.
type customerShown struct {
	saved   string
	removed *views.Removal // with saved "adjust": what a removal took
	problem string
	forms   views.CustomerForms
}

func (a *App) showCustomer(c echo.Context, status int, cardID int64, s customerShown) error {
	u, shop := staff(c)
	p := a.page(c, &shop, "CustomerTitle")
	now := a.now()
	rec, err := a.store.Customer(c.Request().Context(), shop.ID, cardID, now)
	if err != nil {
		return err
	}
	card := a.cardModel(c, rec.CardState, shop.Currency, false)
	card.Ledger, card.Coupons = nil, nil
	for _, e := range rec.Ledger {
		card.Ledger = append(card.Ledger, entryView(e))
	}
	v := views.Customer{
		Card: card, Erased: rec.Card.Erased, Phone: rec.Card.Phone, Email: rec.Card.Email, Consent: rec.Card.Consent,
		Segment: string(rec.Stats.Segment), Visits: rec.Stats.Visits, Stamps: rec.Stats.Stamps, Rewards: rec.Stats.Rewards,
		Redeems: rec.Stats.Redeems, LastVisit: dayTime(rec.Stats.LastDay, p.T.Zone()), Problem: s.problem,
	}
	if u.Role != db.RoleOwner {
		// Contact details are the owner's, as the export is (loyalty.MaskPhone).
		v.Phone, v.Email, v.Masked = loyalty.MaskPhone(v.Phone), loyalty.MaskEmail(v.Email), true
	}
	switch s.saved {
	case "adjust", "profile", "erase":
		v.Saved, v.Removed = s.saved, s.removed
	}
	birthday, birthdayErr := loyalty.ParseBirthday(rec.Card.Birthday)
	if birthdayErr == nil {
		v.BirthMon, v.BirthDay = birthday.Month, birthday.Day
	}
	for _, cc := range rec.Coupons {
		v.Coupons = append(v.Coupons, views.CustomerCoupon{Coupon: couponView(cc.Campaign, shop.Currency, now), UsedByCard: cc.RedeemedByCard, Usable: cc.Usable == nil})
	}
	v.Clubs = customerClubsView(rec.Clubs)
	v.Credit = customerCredit(rec.Credit, shop, card.Ledger)
	if v.Card.Tier, v.TierChanges, err = a.customerTier(c, p, shop.ID, rec.Card.ID, rec.Card.Tier); err != nil {
		return err
	}
	for _, f := range rec.Feedback {
		v.Feedback = append(v.Feedback, views.CustomerFeedback{Day: dayTime(f.Day, p.T.Zone()), Rating: f.Rating, Comment: f.Comment})
	}
	forms := s.forms
	if forms.Key == "" {
		forms.Key = newKey()
	}
	if forms.Profile.Values == nil {
		forms.Profile.Values = map[string]string{"first_name": rec.Card.FirstName, "phone": rec.Card.Phone, "email": rec.Card.Email}
		if birthdayErr == nil {
			forms.Profile.Values["birth_month"] = strconv.Itoa(birthday.Month)
			forms.Profile.Values["birth_day"] = strconv.Itoa(birthday.Day)
		}
	}
	return render(c, status, views.CustomerPage(p, v, forms))
}

// adjustStamps is the owner's correction of a card's stamps, with a reason.
func (a *App) adjustStamps(c echo.Context) error {
	u, shop := staff(c)
	act, err := actionInput(c, u, shop, a.now)
	if err != nil {
		return err
	}
	if act.ProgramID, err = formID(c, "program"); err != nil {
		return err
	}
	p := a.page(c, &shop, "CustomerTitle")
	if pr, err := a.store.Program(c.Request().Context(), shop.ID, act.ProgramID); err == nil && pr.IsPoints() {
		return a.adjustPoints(c, p, act)
	}
	f := newForm(c, p.T)
	f.v.Values["program"] = itoa64(act.ProgramID)
	reason := f.text("reason", true, loyalty.MaxAdjustReason)
	raw := strings.TrimSpace(c.FormValue("stamps"))
	f.v.Values["stamps"] = raw
	n, err := signedNumber(raw)
	if err != nil {
		f.fail("stamps", "FieldNumber")
	}
	switch err := loyalty.CheckAdjust(n, reason); {
	case errors.Is(err, loyalty.ErrAdjustCount):
		f.fail("stamps", "CustomerAdjustRange", "Max", loyalty.MaxAdjustStamps)
	case errors.Is(err, loyalty.ErrAdjustReason):
		f.fail("reason", "FieldRequired")
	}
	if !f.ok() {
		return a.showCustomer(c, http.StatusUnprocessableEntity, act.CardID, customerShown{forms: views.CustomerForms{Adjust: f.v}})
	}
	adj, err := a.store.AdjustStamps(c.Request().Context(), act, n, reason)
	if errors.As(err, new(*db.ReplayedError)) {
		return a.showCustomer(c, http.StatusConflict, act.CardID, customerShown{problem: p.T.T("CustomerAdjustReplayed")})
	}
	if err != nil {
		return err
	}
	if n < 0 {
		// A removal says what it took: all of the card's stamps, when asked for more.
		return c.Redirect(http.StatusSeeOther, customerPath(act.CardID)+"?saved=adjust&removed="+strconv.Itoa(-adj.Stamps)+"&had="+strconv.Itoa(adj.Had))
	}
	return c.Redirect(http.StatusSeeOther, customerPath(act.CardID)+"?saved=adjust")
}

// signedNumber reads a whole number typed with an optional sign.
func signedNumber(s string) (int, error) {
	sign := 1
	switch {
	case strings.HasPrefix(s, "-"):
		sign, s = -1, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	n, err := parseNumber(s)
	return sign * n, err
}

func customerPath(id int64) string { return "/customers/" + itoa64(id) }

// saveProfile is the owner's edit of a customer's name, phone, email and birthday.
func (a *App) saveProfile(c echo.Context) error {
	u, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p := a.page(c, &shop, "CustomerTitle")
	f := newForm(c, p.T)
	prof := db.Profile{FirstName: f.text("first_name", false, 50)}
	phone := f.text("phone", false, 30)
	prof.Phone = loyalty.NormalizePhone(phone)
	if phone != "" && (len(prof.Phone) < 4 || len(prof.Phone) > 20) {
		f.fail("phone", "FieldPhone")
	}
	if strings.TrimSpace(c.FormValue("email")) != "" {
		prof.Email = f.email("email")
	}
	month, day := f.text("birth_month", false, 2), f.text("birth_day", false, 2)
	if month != "" || day != "" {
		if b, err := loyalty.ParseBirthday(month + "-" + day); err != nil {
			f.fail("birth_day", "CustomerBirthdayInvalid")
		} else {
			prof.Birthday = b.String()
		}
	}
	if !f.ok() {
		return a.showCustomer(c, http.StatusUnprocessableEntity, id, customerShown{forms: views.CustomerForms{Profile: f.v}})
	}
	if err := a.store.UpdateCustomer(c.Request().Context(), shop.ID, u.ID, id, prof, a.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, customerPath(id)+"?saved=profile")
}

// eraseCustomer removes a customer's personal data once the owner has said,
// in the form itself, that they understand it cannot be undone.
func (a *App) eraseCustomer(c echo.Context) error {
	u, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if c.FormValue("understand") != "1" {
		p := a.page(c, &shop, "CustomerTitle")
		f := newForm(c, p.T)
		f.fail("understand", "CustomerEraseUnderstandRequired")
		return a.showCustomer(c, http.StatusUnprocessableEntity, id, customerShown{forms: views.CustomerForms{Erase: f.v}})
	}
	if err := a.store.EraseCustomer(c.Request().Context(), shop.ID, u.ID, id, a.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, customerPath(id)+"?saved=erase")
}
