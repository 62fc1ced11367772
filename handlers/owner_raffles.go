package handlers

import (
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/loyalty"
	"regulars/views"
)

// datetimeLocal is the value format of <input type="datetime-local">.
const datetimeLocal = "2006-01-02T15:04"

// raffleSummary is what a card shows of a raffle: no proof of the draw, which
// is on the raffle's own page.
func raffleSummary(r db.Raffle, now time.Time) views.Raffle {
	return views.Raffle{
		ID: r.ID, Title: r.Title, Prize: r.Prize, Rules: r.Rules, Winners: r.Winners, OpensAt: r.OpensAt, ClosesAt: r.ClosesAt,
		EntryRule: r.EntryRule, FreeEntry: r.FreeEntry, State: r.Window().State(now), WinnerIDs: r.WinnerIDs,
	}
}

// cardRaffleView is a raffle as one card sees it: its tickets, entry and result.
func cardRaffleView(cr db.CardRaffle, now time.Time) views.Raffle {
	v := raffleSummary(cr.Raffle, now)
	v.CardTickets, v.OptedIn, v.Won, v.PrizeRedeemed, v.CardFreeEntry = cr.Tickets, cr.OptedIn, cr.Won, cr.PrizeRedeemed, cr.FreeEntry
	return v
}

// raffleView is a raffle with the proof of its draw, checked.
func raffleView(r db.Raffle, now time.Time) views.Raffle {
	v := raffleSummary(r, now)
	v.Commitment, v.TicketList, v.PublishedAt = r.Commitment, r.TicketList, r.PublishedAt
	if r.Seed != nil {
		v.SeedHex = hex.EncodeToString(r.Seed)
		v.TicketListHash = loyalty.TicketListHash(r.TicketList)
		// A fingerprint published after entries opened proves nothing: the
		// seed could have been chosen knowing them (raffles made before issue 15).
		v.Verified = !r.PublishedAt.After(r.OpensAt) && loyalty.VerifyDraw(r.Seed, r.Commitment, r.TicketList, r.Winners, r.WinnerIDs)
	}
	return v
}

func raffleForm(r db.Raffle, zone *time.Location) views.Form {
	return views.Form{Values: map[string]string{
		"title": r.Title, "prize": r.Prize, "rules": r.Rules, "winners": strconv.Itoa(r.Winners), "entry_rule": r.EntryRule,
		"opens_at": r.OpensAt.In(zone).Format(datetimeLocal), "closes_at": r.ClosesAt.In(zone).Format(datetimeLocal),
	}}
}

func (a *App) raffles(c echo.Context) error {
	_, shop := staff(c)
	rs, err := a.store.Raffles(c.Request().Context(), shop.ID)
	if err != nil {
		return err
	}
	list := make([]views.Raffle, len(rs))
	for i, r := range rs {
		list[i] = raffleView(r, a.now())
	}
	return render(c, http.StatusOK, views.RafflesPage(a.page(c, &shop, "RafflesTitle"), list))
}

func (a *App) newRaffleForm(c echo.Context) error {
	_, shop := staff(c)
	p := a.page(c, &shop, "RaffleNew")
	start := a.now().In(p.T.Zone()).Truncate(time.Hour).Add(time.Hour)
	fresh := db.Raffle{Winners: 1, EntryRule: loyalty.EntryPerStamp, OpensAt: start, ClosesAt: start.AddDate(0, 0, 14)}
	return render(c, http.StatusOK, views.NewRafflePage(p, raffleForm(fresh, p.T.Zone()), ""))
}

// readRaffle reads the raffle form onto r; locked raffles keep their rules.
// A new or moved opening may not be in the past (loyalty.RaffleOpening).
func readRaffle(f *form, r *db.Raffle, locked bool, zone *time.Location, now time.Time) {
	r.Title = f.text("title", true, 80)
	r.Prize = f.text("prize", true, 120)
	if locked {
		return
	}
	r.Rules = f.lines("rules", false, 2000)
	r.Winners = f.number("winners", 1, 100, 1)
	was := r.OpensAt
	r.OpensAt = f.datetime("opens_at", zone)
	if !r.OpensAt.IsZero() && !r.OpensAt.Equal(was) {
		opens, err := loyalty.RaffleOpening(r.OpensAt, now)
		if err != nil {
			f.fail("opens_at", "RaffleOpensInPast")
		}
		r.OpensAt = opens
	}
	r.ClosesAt = f.datetime("closes_at", zone)
	if !r.OpensAt.IsZero() && !r.ClosesAt.IsZero() && !r.ClosesAt.After(r.OpensAt) {
		f.fail("closes_at", "RaffleClosesBeforeOpens")
	}
	r.EntryRule = f.text("entry_rule", true, 10)
	switch r.EntryRule {
	case loyalty.EntryPerStamp, loyalty.EntryPerVisit, loyalty.EntryOptIn:
	default:
		f.fail("entry_rule", "FieldInvalid")
	}
}

func (a *App) createRaffle(c echo.Context) error {
	u, shop := staff(c)
	p := a.page(c, &shop, "RaffleNew")
	f := newForm(c, p.T)
	r := db.Raffle{ShopID: shop.ID}
	now := a.now()
	readRaffle(f, &r, false, p.T.Zone(), now)
	if !f.ok() {
		return render(c, http.StatusUnprocessableEntity, views.NewRafflePage(p, f.v, ""))
	}
	id, err := a.store.CreateRaffle(c.Request().Context(), r, u.ID, now)
	if errors.Is(err, db.ErrTooManyRaffles) {
		return render(c, http.StatusConflict, views.NewRafflePage(p, f.v, p.T.T("RaffleTooMany", "Max", db.MaxLiveRaffles)))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/raffles/"+itoa64(id))
}

func (a *App) raffle(c echo.Context) error {
	_, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	r, err := a.store.Raffle(c.Request().Context(), shop.ID, id)
	if err != nil {
		return err
	}
	p := a.page(c, &shop, "RafflesTitle")
	return a.showRaffle(c, http.StatusOK, p, r, raffleForm(r, p.T.Zone()), "")
}

// showRaffle renders the owner's raffle page with its entries and winners.
func (a *App) showRaffle(c echo.Context, status int, p views.Page, r db.Raffle, f views.Form, problem string) error {
	ctx := c.Request().Context()
	v := raffleView(r, a.now())
	es, err := a.store.RaffleEntries(ctx, r)
	if err != nil {
		return err
	}
	for _, e := range es {
		v.Entrants++
		v.Tickets += e.Tickets
	}
	winners, err := a.store.RaffleWinners(ctx, r)
	if err != nil {
		return err
	}
	ws := make([]views.RaffleWinner, len(winners))
	for i, w := range winners {
		ws[i] = views.RaffleWinner{Place: i + 1, CardID: w.Card.ID, Name: w.Card.FirstName, ShortCode: loyalty.FormatShortCode(w.Card.ShortCode), PrizeRedeemed: w.PrizeRedeemed}
	}
	clusters, err := a.store.RaffleClusters(ctx, r)
	if err != nil {
		return err
	}
	cs := make([]views.CardCluster, len(clusters))
	for i, cl := range clusters {
		cs[i] = views.CardCluster{From: cl.From, To: cl.To, Cards: cl.Cards}
	}
	return render(c, status, views.RafflePage(p, v, ws, cs, f, problem))
}

func (a *App) updateRaffle(c echo.Context) error {
	u, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	r, err := a.store.Raffle(ctx, shop.ID, id)
	if err != nil {
		return err
	}
	p := a.page(c, &shop, "RafflesTitle")
	now := a.now()
	state := r.Window().State(now)
	if state == loyalty.RaffleDrawn {
		return echo.NewHTTPError(http.StatusConflict)
	}
	f := newForm(c, p.T)
	// A refused edit shows the raffle as it is, with the form as it was sent.
	edit := r
	readRaffle(f, &edit, state != loyalty.RaffleUpcoming, p.T.Zone(), now)
	if !f.ok() {
		return a.showRaffle(c, http.StatusUnprocessableEntity, p, r, f.v, "")
	}
	err = a.store.UpdateRaffle(ctx, edit, u.ID, now)
	if errors.Is(err, db.ErrRaffleLocked) {
		return a.showRaffle(c, http.StatusConflict, p, r, f.v, p.T.T("RaffleLocked"))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/raffles/"+itoa64(id))
}

func (a *App) drawRaffle(c echo.Context) error {
	u, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	// A draw cannot be undone: it waits for a wall clock that kept to the
	// monotonic one, so a clock set ahead cannot close a raffle early.
	err = errClockMoved
	if a.clock.trusted() {
		err = a.store.DrawRaffle(ctx, shop.ID, id, u.ID, a.now())
	}
	var problem string
	switch {
	case errors.Is(err, errClockMoved):
		problem = "RaffleClockMoved"
	case errors.Is(err, loyalty.ErrRaffleDrawn):
		problem = "RaffleAlreadyDrawn"
	case errors.Is(err, loyalty.ErrRaffleStillOpen):
		problem = "RaffleNotClosed"
	case err != nil:
		return err
	default:
		return c.Redirect(http.StatusSeeOther, "/raffles/"+itoa64(id))
	}
	r, err := a.store.Raffle(ctx, shop.ID, id)
	if err != nil {
		return err
	}
	p := a.page(c, &shop, "RafflesTitle")
	return a.showRaffle(c, http.StatusConflict, p, r, raffleForm(r, p.T.Zone()), p.T.T(problem))
}

// errClockMoved: the wall clock moved away from the monotonic clock while
// the server ran (wallClock).
var errClockMoved = errors.New("the clock moved while the server ran")

// publicRaffle is the raffle's page for everyone: rules, commitment, and
// after the draw what it takes to check it.
func (a *App) publicRaffle(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	r, err := a.store.PublicRaffle(ctx, id)
	if err != nil {
		return err
	}
	shop, err := a.store.Shop(ctx, r.ShopID)
	if err != nil {
		return err
	}
	c.Set(ctxShop, shop)
	p := a.page(c, &shop, "RafflePublicTitle", "Title", r.Title)
	return render(c, http.StatusOK, views.PublicRafflePage(p, raffleView(r, a.now())))
}
