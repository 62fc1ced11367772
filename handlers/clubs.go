package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/loyalty"
	"regulars/views"
)

// A club's name fits a button on a phone ("Join Coffee club"); its
// description a line or two under it.
const (
	maxClubName        = 60
	maxClubDescription = 200
)

func clubView(c db.Club) views.Club {
	return views.Club{ID: c.ID, Name: c.Name, Description: c.Description, Open: c.Open, Archived: c.Archived, Members: c.Members}
}

func (a *App) clubs(c echo.Context) error {
	_, shop := staff(c)
	return a.clubsPage(c, http.StatusOK, shop, views.Form{Values: map[string]string{"open": "1"}})
}

func (a *App) clubsPage(c echo.Context, status int, shop db.Shop, f views.Form) error {
	list, err := a.store.Clubs(c.Request().Context(), shop.ID)
	if err != nil {
		return err
	}
	clubs := make([]views.Club, len(list))
	for i, cl := range list {
		clubs[i] = clubView(cl)
	}
	return render(c, status, views.ClubsPage(a.page(c, &shop, "ClubsTitle"), clubs, f))
}

// readClub reads the club form; archived only on an existing club's.
func readClub(f *form, existing bool) db.Club {
	cl := db.Club{Name: f.text("name", true, maxClubName), Description: f.text("description", false, maxClubDescription), Open: f.checkbox("open")}
	if existing {
		cl.Archived = f.checkbox("archived")
	}
	return cl
}

func (a *App) createClub(c echo.Context) error {
	u, shop := staff(c)
	f := newForm(c, a.page(c, &shop, "ClubsTitle").T)
	cl := readClub(f, false)
	if !f.ok() {
		return a.clubsPage(c, http.StatusUnprocessableEntity, shop, f.v)
	}
	id, err := a.store.SaveClub(c.Request().Context(), shop.ID, cl, u.ID, a.now())
	if errors.Is(err, db.ErrDuplicate) {
		// Also a double tap: the first made the club, the second is told so.
		f.fail("name", "ClubNameTaken")
		return a.clubsPage(c, http.StatusConflict, shop, f.v)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/clubs/"+itoa64(id))
}

func (a *App) club(c echo.Context) error {
	_, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return a.clubPage(c, http.StatusOK, shop, id, nil, views.Form{})
}

// clubPage shows the club, with the refused edit form f (nil: the club as
// saved) or add form.
func (a *App) clubPage(c echo.Context, status int, shop db.Shop, id int64, f *views.Form, add views.Form) error {
	ctx := c.Request().Context()
	page := 1
	if s := c.QueryParam("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			return echo.ErrBadRequest
		}
		page = n
	}
	cl, err := a.store.Club(ctx, shop.ID, id)
	if err != nil {
		return err
	}
	rows, total, err := a.store.ClubMembers(ctx, shop.ID, id, page)
	if err != nil {
		return err
	}
	m := views.ClubMembers{Total: total, Page: page, Pages: max(1, (total+db.ClubMembersPerPage-1)/db.ClubMembersPerPage)}
	for _, r := range rows {
		m.Rows = append(m.Rows, views.ClubMember{CardID: r.CardID, Name: r.Name, ShortCode: loyalty.FormatShortCode(r.ShortCode), JoinedAt: r.JoinedAt, Source: r.Source})
	}
	edit := views.Form{Values: map[string]string{"name": cl.Name, "description": cl.Description, "open": checked(cl.Open), "archived": checked(cl.Archived)}}
	if f != nil {
		edit = *f
	}
	return render(c, status, views.ClubPage(a.page(c, &shop, "ClubsTitle"), clubView(cl), edit, add, m))
}

func (a *App) saveClub(c echo.Context) error {
	u, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f := newForm(c, a.page(c, &shop, "ClubsTitle").T)
	cl := readClub(f, true)
	cl.ID = id
	if f.ok() {
		_, err = a.store.SaveClub(c.Request().Context(), shop.ID, cl, u.ID, a.now())
		if errors.Is(err, db.ErrDuplicate) {
			f.fail("name", "ClubNameTaken")
			return a.clubPage(c, http.StatusConflict, shop, id, &f.v, views.Form{})
		}
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/clubs/"+itoa64(id))
	}
	return a.clubPage(c, http.StatusUnprocessableEntity, shop, id, &f.v, views.Form{})
}

// addClubMember adds the customer whose card code the owner typed.
func (a *App) addClubMember(c echo.Context) error {
	u, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	f := newForm(c, a.page(c, &shop, "ClubsTitle").T)
	typed := f.text("card", true, 20)
	var cardID int64
	if f.ok() {
		ids, bad, err := a.chosenCards(c, shop.ID, typed)
		switch {
		case err != nil:
			return err
		case bad.line > 0 || len(ids) != 1:
			f.fail("card", "ClubCardUnknown")
		default:
			cardID = ids[0]
		}
	}
	if f.ok() {
		err = a.store.JoinClub(ctx, shop.ID, id, cardID, db.ClubByOwner, u.ID, a.now())
		if errors.Is(err, db.ErrClubClosed) {
			f.fail("card", "ClubArchivedHint")
			return a.clubPage(c, http.StatusConflict, shop, id, nil, f.v)
		}
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/clubs/"+itoa64(id))
	}
	return a.clubPage(c, http.StatusUnprocessableEntity, shop, id, nil, f.v)
}

func (a *App) removeClubMember(c echo.Context) error {
	u, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	cardID, err := pathID(c, "card")
	if err != nil {
		return err
	}
	if err := a.store.LeaveClub(c.Request().Context(), shop.ID, id, cardID, db.ClubByOwner, u.ID, a.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/clubs/"+itoa64(id))
}

// clubAction reads a join or leave button's action; anything else is forged.
func clubAction(c echo.Context) (join bool, err error) {
	switch c.FormValue("action") {
	case "join":
		return true, nil
	case "leave":
		return false, nil
	}
	return false, echo.ErrBadRequest
}

// customerClub adds the customer to a club, or removes them, from their record.
func (a *App) customerClub(c echo.Context) error {
	u, shop := staff(c)
	cardID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	clubID, err := formID(c, "club")
	if err != nil {
		return err
	}
	join, err := clubAction(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if join {
		err = a.store.JoinClub(ctx, shop.ID, clubID, cardID, db.ClubByOwner, u.ID, a.now())
	} else {
		err = a.store.LeaveClub(ctx, shop.ID, clubID, cardID, db.ClubByOwner, u.ID, a.now())
	}
	if errors.Is(err, db.ErrClubClosed) {
		return a.showCustomer(c, http.StatusConflict, cardID, customerShown{problem: a.page(c, &shop, "").T.T("ClubArchivedHint")})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/customers/"+itoa64(cardID)+"#customer-clubs")
}

// cardClub is the customer's join or leave button on the card page. A
// second tap of the same button changes nothing; a club by invitation or
// archived is refused (409).
func (a *App) cardClub(c echo.Context) error {
	clubID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	card, err := a.pathCard(c)
	if err != nil {
		return err
	}
	join, err := clubAction(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if join {
		err = a.store.JoinClub(ctx, card.ShopID, clubID, card.ID, db.ClubByCard, 0, a.now())
	} else {
		err = a.store.LeaveClub(ctx, card.ShopID, clubID, card.ID, db.ClubByCard, 0, a.now())
	}
	if errors.Is(err, db.ErrClubClosed) {
		return echo.NewHTTPError(http.StatusConflict)
	}
	if err != nil {
		return err
	}
	cardHeaders(c)
	return c.Redirect(http.StatusSeeOther, "/c/"+card.Token+"#clubs")
}

// customerClubsView is the customer record's clubs.
func customerClubsView(list []db.CardClub) []views.CustomerClub {
	out := make([]views.CustomerClub, len(list))
	for i, cl := range list {
		out[i] = views.CustomerClub{ID: cl.ID, Name: cl.Name, Member: cl.Member}
	}
	return out
}

// cardClubsView is the card page's clubs.
func cardClubsView(list []db.CardClub) []views.CardClub {
	out := make([]views.CardClub, len(list))
	for i, cl := range list {
		out[i] = views.CardClub{ID: cl.ID, Name: cl.Name, Description: cl.Description, Member: cl.Member}
	}
	return out
}

// clubOptions are the shop's clubs a campaign or news can be for: those not archived.
func (a *App) clubOptions(c echo.Context, shopID int64) ([]views.Option, error) {
	list, err := a.store.Clubs(c.Request().Context(), shopID)
	if err != nil {
		return nil, err
	}
	var opts []views.Option
	for _, cl := range list {
		if !cl.Archived {
			opts = append(opts, views.Option{Value: itoa64(cl.ID), Label: cl.Name})
		}
	}
	return opts, nil
}

// liveClub reads the club whose id a form sent: one of the shop's, not
// archived; anything else is a bad request.
func (a *App) liveClub(c echo.Context, shopID int64, id string) (db.Club, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return db.Club{}, echo.ErrBadRequest
	}
	cl, err := a.store.Club(c.Request().Context(), shopID, n)
	if errors.Is(err, db.ErrNotFound) || err == nil && cl.Archived {
		return cl, echo.ErrBadRequest
	}
	return cl, err
}
