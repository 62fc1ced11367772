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

// printForm is the manager's page to print blank cards, with earlier runs.
func (a *App) printForm(c echo.Context) error {
	_, shop := staff(c)
	return a.showPrintForm(c, http.StatusOK, shop, views.Form{Values: map[string]string{"sheets": "1"}}, "")
}

func (a *App) showPrintForm(c echo.Context, status int, shop db.Shop, f views.Form, message string) error {
	ctx := c.Request().Context()
	p := a.page(c, &shop, "PrintTitle")
	runs, err := a.store.PrintedBatches(ctx, shop.ID)
	if err != nil {
		return err
	}
	next, err := a.store.NextBatch(ctx, shop.ID)
	if err != nil {
		return err
	}
	list := make([]views.PrintRun, len(runs))
	for i, r := range runs {
		list[i] = views.PrintRun{Batch: r.Batch, Cards: r.Cards, Used: r.Used, CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy}
	}
	return render(c, status, views.PrintCardsPage(p, list, f, next, message))
}

// printCards makes the print run the form names and opens its sheet.
func (a *App) printCards(c echo.Context) error {
	u, shop := staff(c)
	p := a.page(c, &shop, "PrintTitle")
	// The run's number comes from the page: sent twice, the form finds its run made.
	batch, err := strconv.Atoi(c.FormValue("batch"))
	if err != nil || batch < 1 {
		return echo.ErrBadRequest
	}
	f := newForm(c, p.T)
	sheets := 0
	if strings.TrimSpace(c.FormValue("sheets")) == "" {
		f.fail("sheets", "FieldRequired")
	} else {
		sheets = f.number("sheets", 1, db.MaxPrintSheets, 0)
	}
	if !f.ok() {
		return a.showPrintForm(c, http.StatusUnprocessableEntity, shop, f.v, "")
	}
	err = a.store.PrintCards(c.Request().Context(), shop.ID, batch, sheets, u.ID, a.now())
	if errors.Is(err, db.ErrBatchTaken) {
		return a.showPrintForm(c, http.StatusConflict, shop, f.v, p.T.T("PrintBatchTaken", "Batch", p.T.Num(batch)))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/cards/print/"+strconv.Itoa(batch))
}

// printSheet lays a print run out on A4 sheets.
func (a *App) printSheet(c echo.Context) error {
	_, shop := staff(c)
	batch, err := pathID(c, "batch")
	if err != nil || batch > 1<<31 {
		return echo.ErrNotFound
	}
	sheet, err := a.store.PrintRunSheet(c.Request().Context(), shop.ID, int(batch))
	if err != nil {
		return err
	}
	p := a.page(c, &shop, "")
	p.Title = p.T.T("PrintSheetTitle", "Batch", p.T.Num(int(batch)))
	list := make([]views.PrintedCard, len(sheet.Cards))
	for i, pc := range sheet.Cards {
		list[i] = views.PrintedCard{URL: a.absURL(c, "/c/"+pc.Token), ShortCode: loyalty.FormatShortCode(pc.ShortCode)}
	}
	return render(c, http.StatusOK, views.PrintSheetPage(p, list, printedText(shop, sheet.Program)))
}

// shopTranslator writes in the shop's language, digits and calendar: what
// its customers read on paper, whoever prints it.
func shopTranslator(shop db.Shop) *locale.Tr {
	zone, _ := db.Location(shop.TimeZone)
	return locale.New(shop.Language, zone, locale.Digits(shop.Digits)).WithCalendar(locale.Calendar(shop.Calendar))
}

// printedText is what the cards say, in the shop's language and digits: the
// page around them is in the language of the person printing.
func printedText(shop db.Shop, program db.Program) views.PrintedText {
	t := shopTranslator(shop)
	text := views.PrintedText{Lang: shop.Language, Dir: t.Dir(), Line: t.T("PrintedCardLine"), QRLabel: t.T("CardQRLabel")}
	if program.ID != 0 {
		text.Rule = t.N("ProgramRuleSummary", program.StampsRequired, "Reward", program.RewardText)
		if program.IsPoints() {
			text.Rule = t.N("ProgramPointsSummary", program.RewardPoints, "Reward", program.RewardText)
		}
	}
	return text
}

// blankPrinted finds the shop's unused printed card a counter query names by
// its token or short code; ok is false when there is none.
func (a *App) blankPrinted(c echo.Context, shopID int64, q db.CardQuery) (db.PrintedCard, bool, error) {
	if q.Token == "" && q.ShortCode == "" {
		return db.PrintedCard{}, false, nil
	}
	pc, err := a.store.PrintedByCode(c.Request().Context(), shopID, q.Token, q.ShortCode)
	if errors.Is(err, db.ErrNotFound) {
		return pc, false, nil
	}
	return pc, err == nil && !pc.Used(), err
}

// retiredHere reports whether token is one a card of the shop gave up.
func (a *App) retiredHere(c echo.Context, shopID int64, token string) (bool, error) {
	if token == "" {
		return false, nil
	}
	r, err := a.store.RetiredToken(c.Request().Context(), token)
	if errors.Is(err, db.ErrNotFound) {
		return false, nil
	}
	return err == nil && r.ShopID == shopID, err
}

func (a *App) showActivate(c echo.Context, status int, shop db.Shop, pc db.PrintedCard, f views.Form, key string) error {
	p := a.page(c, &shop, "ActivateTitle")
	return render(c, status, views.ActivatePage(p, loyalty.FormatShortCode(pc.ShortCode), pc.Token, f, key))
}

// activate makes a blank printed card a new customer's card.
func (a *App) activate(c echo.Context) error {
	u, shop := staff(c)
	ctx := c.Request().Context()
	p := a.page(c, &shop, "ActivateTitle")
	key, err := formKey(c)
	if err != nil {
		return err
	}
	token := c.FormValue("token")
	if t, err := loyalty.ParseCardToken(token); err != nil || t != token {
		return echo.ErrBadRequest
	}
	f := newForm(c, p.T)
	name, norm := f.customer()
	if !f.ok() {
		pc, err := a.store.PrintedByCode(ctx, shop.ID, token, "")
		if err != nil {
			return err
		}
		return a.showActivate(c, http.StatusUnprocessableEntity, shop, pc, f.v, key)
	}
	card, err := a.store.ActivatePrinted(ctx, shop.ID, token, db.NewCard{FirstName: name, Phone: norm, CreatedBy: u.ID, Key: key}, a.now())
	var replay *db.ReplayedError
	switch {
	case errors.As(err, &replay):
		return a.showCard(c, http.StatusConflict, replay.ID, cardView{result: &views.Result{Kind: "replayed", Message: p.T.T("ResultReplayed")}})
	case errors.Is(err, db.ErrPrintedUsed):
		pp := a.page(c, &shop, "CounterTitle")
		return render(c, http.StatusConflict, views.CounterPage(pp, "", views.Found{}, p.T.T("ActivateAlreadyUsed"), views.Form{}, newKey()))
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, cardPath(card.ID)+"?activated=1")
}

// replaceCard moves a customer who lost their card to a blank printed card,
// or to a new digital card.
func (a *App) replaceCard(c echo.Context) error {
	u, shop := staff(c)
	ctx := c.Request().Context()
	tr := a.page(c, &shop, "").T
	cardID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	from := c.FormValue("from")
	if t, err := loyalty.ParseCardToken(from); err != nil || t != from {
		return echo.ErrBadRequest
	}
	refuse := func(status int, message string) error {
		return a.showCard(c, status, cardID, cardView{result: &views.Result{Kind: "refused", Message: message}})
	}
	newToken := ""
	if c.FormValue("digital") != "1" {
		code := strings.TrimSpace(c.FormValue("code"))
		switch {
		case code == "":
			return refuse(http.StatusUnprocessableEntity, tr.T("ReplaceCodeMissing"))
		case len(code) > loyalty.MaxLookupLen:
			return refuse(http.StatusUnprocessableEntity, tr.T("ReplaceCodeInvalid"))
		}
		if newToken, err = loyalty.ParseCardToken(code); err != nil {
			short, err := loyalty.ParseShortCode(code)
			if err != nil {
				return refuse(http.StatusUnprocessableEntity, tr.T("ReplaceCodeInvalid"))
			}
			pc, err := a.store.PrintedByCode(ctx, shop.ID, "", short)
			if errors.Is(err, db.ErrNotFound) {
				return refuse(http.StatusUnprocessableEntity, tr.T("ReplaceCodeUnknown"))
			}
			if err != nil {
				return err
			}
			newToken = pc.Token
		}
	}
	_, err = a.store.ReplaceCard(ctx, shop.ID, cardID, from, newToken, u.ID, a.now())
	var replay *db.ReplayedError
	switch {
	case errors.As(err, &replay):
		return refuse(http.StatusConflict, tr.T("ResultReplayed"))
	case errors.Is(err, db.ErrPrintedUnknown):
		return refuse(http.StatusUnprocessableEntity, tr.T("ReplaceCodeUnknown"))
	case errors.Is(err, db.ErrPrintedUsed):
		return refuse(http.StatusConflict, tr.T("ReplacePrintedUsed"))
	case err != nil:
		return err
	}
	to := "printed"
	if newToken == "" {
		to = "digital"
	}
	return c.Redirect(http.StatusSeeOther, cardPath(cardID)+"?replaced="+to)
}

// unknownCardPage explains a card URL that opens no card: a printed card
// nobody activated yet, or a card that was replaced. Anything else stays err.
func (a *App) unknownCardPage(c echo.Context, err error) error {
	ctx := c.Request().Context()
	token := c.Param("token")
	if pc, perr := a.store.PrintedByToken(ctx, token); perr == nil && !pc.Used() {
		shop, err := a.tokenShop(c, pc.ShopID)
		if err != nil {
			return err
		}
		return render(c, http.StatusNotFound, views.CardNotActivePage(a.page(c, &shop, "CardNotActiveTitle")))
	}
	if r, rerr := a.store.RetiredToken(ctx, token); rerr == nil {
		shop, err := a.tokenShop(c, r.ShopID)
		if err != nil {
			return err
		}
		return render(c, http.StatusGone, views.CardReplacedPage(a.page(c, &shop, "CardReplacedTitle")))
	}
	return err
}

// tokenShop loads the shop a card URL belongs to, for a page that shows no
// card, and keeps the URL's token out of Referers and search engines.
func (a *App) tokenShop(c echo.Context, shopID int64) (db.Shop, error) {
	shop, err := a.store.Shop(c.Request().Context(), shopID)
	if err != nil {
		return shop, err
	}
	c.Set(ctxShop, shop)
	h := c.Response().Header()
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex")
	return shop, nil
}
