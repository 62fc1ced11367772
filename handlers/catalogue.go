package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/locale"
	"regulars/loyalty"
	"regulars/views"
)

// The gift catalogue (issue 19): the owner's items and queue of redemptions,
// the customer's requests from the card page, the cashier's at the counter.

const (
	maxGiftName        = 80
	maxGiftDescription = 500
	maxGiftCarrier     = 60
	maxGiftTracking    = 300
)

// ctxGiftProblem carries why a redemption from the card page was refused,
// and ctxGiftRequested the gift it requested, to the card page shown after it.
const (
	ctxGiftProblem   = "gift-problem"
	ctxGiftRequested = "gift-requested"
)

// giftImageURL is an item's picture; its URL changes with the item.
func giftImageURL(g db.Gift) string {
	if !g.HasImage {
		return ""
	}
	return "/shops/" + itoa64(g.ShopID) + "/gifts/" + itoa64(g.ID) + "?v=" + strconv.FormatInt(g.UpdatedAt.Unix(), 10)
}

// giftItem is an item as a page shows it; zone places its days.
func giftItem(g db.Gift, programName, currency string, tr *locale.Tr) views.GiftItem {
	it := views.GiftItem{ID: g.ID, Name: g.Name, Description: g.Description, Image: giftImageURL(g), Program: programName, Points: g.Points,
		PartialPoints: g.PartialPoints, PartialMoney: tr.Money(g.PartialMoney, currency), Cost: tr.Money(g.Cost, currency),
		Limited: g.Limited, Stock: g.Stock, StartsAt: g.StartsAt, PerCustomer: g.PerCustomer, Archived: g.Archived}
	if !g.EndsAt.IsZero() {
		it.LastDay = g.EndsAt.Add(-time.Second)
	}
	return it
}

// giftOrderItem is a redemption as a page shows it.
func giftOrderItem(o db.GiftOrder, currency string, tr *locale.Tr) views.GiftOrderItem {
	it := views.GiftOrderItem{ID: o.ID, Gift: o.GiftName, Points: o.Points, State: string(o.State), Carrier: o.Carrier, Tracking: o.Tracking,
		At: o.At, UpdatedAt: o.UpdatedAt, Customer: o.FirstName, ShortCode: loyalty.FormatShortCode(o.ShortCode), CardID: o.CardID,
		FromCounter: o.Source == db.GiftFromCounter}
	if o.Money > 0 {
		it.Money = tr.Money(o.Money, currency)
	}
	if u, err := url.Parse(o.Tracking); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		it.TrackingURL = o.Tracking
	}
	for _, m := range o.State.Moves() {
		it.Moves = append(it.Moves, string(m))
	}
	return it
}

// cardCatalogue is what the catalogue offers the card now: the open items
// of its points programs within their limits, each with the points the
// card still lacks, and its redemptions.
// An item open to a tier and above is listed to the members of those only
// (ladder is the shop's, rank the card's tier).
func cardCatalogue(gifts []db.Gift, orders []db.GiftOrder, programs []db.ProgramBalance, ladder loyalty.Ladder, rank int, currency string, tr *locale.Tr, now time.Time) *views.CardCatalogue {
	if len(gifts) == 0 && len(orders) == 0 {
		return nil
	}
	cc := &views.CardCatalogue{Key: newKey()}
	taken := map[int64]int{}
	for _, o := range orders {
		if o.State != loyalty.GiftCancelled {
			taken[o.GiftID]++
		}
		cc.Orders = append(cc.Orders, giftOrderItem(o, currency, tr))
	}
	held := map[int64]db.ProgramBalance{}
	for _, pb := range programs {
		held[pb.Program.ID] = pb
	}
	for _, g := range gifts {
		pb, ok := held[g.ProgramID]
		if !ok || !pb.Program.IsPoints() || !g.Available(now) || g.PerCustomer > 0 && taken[g.ID] >= g.PerCustomer ||
			loyalty.CheckTier(g.MinTier, rank) != nil {
			continue
		}
		it := giftItem(g, pb.Program.Name, currency, tr)
		it.TierOnly = tierOnly(ladder, g.MinTier)
		it.Short = max(0, g.Points-pb.Points)
		if g.Partial() {
			it.PartialShort = max(0, g.PartialPoints-pb.Points)
		}
		cc.Gifts = append(cc.Gifts, it)
	}
	return cc
}

// catalogue is the owner's list of items, with the form to add one.
func (a *App) catalogue(c echo.Context) error {
	_, shop := staff(c)
	f := views.Form{Values: map[string]string{"key": newKey()}}
	return a.cataloguePage(c, http.StatusOK, shop, f)
}

func (a *App) cataloguePage(c echo.Context, status int, shop db.Shop, f views.Form) error {
	ctx := c.Request().Context()
	p := a.page(c, &shop, "CatalogueTitle")
	list, err := a.store.Gifts(ctx, shop.ID, true)
	if err != nil {
		return err
	}
	programs, names, err := a.pointsPrograms(c, shop.ID)
	if err != nil {
		return err
	}
	open, _, err := a.store.GiftOrders(ctx, shop.ID)
	if err != nil {
		return err
	}
	ladder, tiers, err := a.tierOptions(c, shop.ID, p.T)
	if err != nil {
		return err
	}
	items := make([]views.GiftItem, len(list))
	for i, g := range list {
		items[i] = giftItem(g, names[g.ProgramID], shop.Currency, p.T)
		items[i].TierOnly = tierOnly(ladder, g.MinTier)
	}
	if f.Values["program"] == "" && len(programs) > 0 {
		f.Values["program"] = programs[0].Value
	}
	return render(c, status, views.CataloguePage(p, items, programs, tiers, f, len(open)))
}

// pointsPrograms are the shop's active points programs, as a form's options
// and by id.
func (a *App) pointsPrograms(c echo.Context, shopID int64) ([]views.Option, map[int64]string, error) {
	ps, err := a.store.Programs(c.Request().Context(), shopID, true)
	if err != nil {
		return nil, nil, err
	}
	var opts []views.Option
	names := map[int64]string{}
	for _, p := range ps {
		names[p.ID] = p.Name
		if p.IsPoints() && !p.Archived {
			opts = append(opts, views.Option{Value: itoa64(p.ID), Label: p.Name})
		}
	}
	return opts, names, nil
}

// giftInput reads the owner's item form; the picture is read apart.
func giftInput(f *form, programs []views.Option) db.GiftInput {
	var in db.GiftInput
	in.Name = f.text("name", true, maxGiftName)
	in.Description = f.lines("description", false, maxGiftDescription)
	program := strings.TrimSpace(f.c.FormValue("program"))
	f.v.Values["program"] = program
	for _, o := range programs {
		if o.Value == program {
			in.ProgramID, _ = strconv.ParseInt(program, 10, 64)
		}
	}
	if in.ProgramID == 0 {
		f.fail("program", "FieldRequired")
	}
	if strings.TrimSpace(f.c.FormValue("points")) == "" {
		f.v.Values["points"] = ""
		f.fail("points", "FieldRequired")
	} else {
		in.Points = f.number("points", 1, loyalty.MaxGiftPoints, 0)
	}
	in.PartialPoints = f.number("partial_points", 0, loyalty.MaxGiftPoints, 0)
	in.PartialMoney = f.amount("partial_money")
	switch {
	case in.PartialPoints > 0 && in.PartialMoney == 0:
		f.fail("partial_money", "GiftPartialMoneyNeeded")
	case in.PartialPoints == 0 && in.PartialMoney > 0:
		f.fail("partial_points", "GiftPartialPointsNeeded")
	case in.PartialPoints > 0 && in.Points > 0 && in.PartialPoints >= in.Points:
		f.fail("partial_points", "GiftPartialPointsLess")
	}
	in.Cost = f.amount("cost")
	if strings.TrimSpace(f.c.FormValue("stock")) != "" {
		in.Limited = true
		in.Stock = f.number("stock", 0, loyalty.MaxGiftStock, 0)
	} else {
		f.v.Values["stock"] = ""
	}
	in.PerCustomer = f.number("per_customer", 0, loyalty.MaxGiftLimit, 0)
	zone := f.tr.Zone()
	if f.c.FormValue("starts") != "" {
		in.StartsAt = f.date("starts", zone)
	}
	if f.c.FormValue("ends") != "" {
		if last := f.date("ends", zone); !last.IsZero() {
			in.EndsAt = last.AddDate(0, 0, 1) // through the whole last day
			if !in.StartsAt.IsZero() && !in.EndsAt.After(in.StartsAt) {
				f.fail("ends", "GiftEndsBeforeStart")
			}
		}
	}
	in.RemoveImage = f.checkbox("remove_image")
	return in
}

// giftImage reads the item form's picture, scaled and re-encoded as a news
// picture is; status is the refusal's when it is refused.
func giftImage(c echo.Context, f *form, shopID int64) ([]byte, int, error) {
	raw, err := readUpload(c, "image")
	switch {
	case errors.Is(err, errNoUpload):
		return nil, 0, nil
	case errors.Is(err, errUploadTooLarge):
		f.fail("image", "NewsImageTooLarge")
		return nil, http.StatusRequestEntityTooLarge, nil
	case err != nil:
		return nil, 0, err
	}
	img, err := normalizeImage(c.Request().Context(), shopID, raw, newsImageSide, encodeJPEG)
	if err != nil {
		status, msg := imageRefusal(err, "NewsImageInvalid")
		f.fail("image", msg)
		return nil, status, nil
	}
	return img, 0, nil
}

// createGift adds an item to the catalogue.
func (a *App) createGift(c echo.Context) error {
	u, shop := staff(c)
	key, err := formKey(c)
	if err != nil {
		return err
	}
	p := a.page(c, &shop, "CatalogueTitle")
	programs, _, err := a.pointsPrograms(c, shop.ID)
	if err != nil {
		return err
	}
	f := newForm(c, p.T)
	f.v.Values["key"] = key
	in := giftInput(f, programs)
	if in.MinTier, err = a.minTierInput(c, f, shop.ID); err != nil {
		return err
	}
	in.Key = key
	img, status, err := giftImage(c, f, shop.ID)
	if err != nil {
		return err
	}
	in.Image = img
	if !f.ok() {
		return a.cataloguePage(c, cmp(status, http.StatusUnprocessableEntity), shop, f.v)
	}
	in.UserID = u.ID
	_, err = a.store.CreateGift(c.Request().Context(), shop.ID, in, a.now())
	var replay *db.ReplayedError
	switch {
	case errors.Is(err, loyalty.ErrNotPoints), errors.Is(err, db.ErrNotFound):
		f.fail("program", "FieldRequired")
		return a.cataloguePage(c, http.StatusUnprocessableEntity, shop, f.v)
	case err != nil && !errors.As(err, &replay):
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/catalogue")
}

// cmp is the first non-zero status.
func cmp(status, otherwise int) int {
	if status != 0 {
		return status
	}
	return otherwise
}

// giftForm is the edit page of an item.
func (a *App) giftForm(c echo.Context) error {
	_, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	g, err := a.store.Gift(c.Request().Context(), shop.ID, id)
	if err != nil {
		return err
	}
	if g.Archived {
		return echo.ErrNotFound
	}
	p := a.page(c, &shop, "CatalogueEditTitle")
	n := strconv.Itoa
	f := views.Form{Values: map[string]string{
		"name": g.Name, "description": g.Description, "program": itoa64(g.ProgramID), "points": n(g.Points),
		"partial_points": n(g.PartialPoints), "per_customer": n(g.PerCustomer), "min_tier": n(g.MinTier),
	}}
	if g.PartialMoney > 0 {
		f.Values["partial_money"] = p.T.Decimal(float64(g.PartialMoney)/100, 2)
	}
	if g.Cost > 0 {
		f.Values["cost"] = p.T.Decimal(float64(g.Cost)/100, 2)
	}
	if g.Limited {
		f.Values["stock"] = n(g.Stock)
	}
	zone := p.T.Zone()
	if !g.StartsAt.IsZero() {
		f.Values["starts"] = g.StartsAt.In(zone).Format(time.DateOnly)
	}
	if !g.EndsAt.IsZero() {
		f.Values["ends"] = g.EndsAt.In(zone).AddDate(0, 0, -1).Format(time.DateOnly)
	}
	return a.giftFormPage(c, http.StatusOK, shop, g, f)
}

func (a *App) giftFormPage(c echo.Context, status int, shop db.Shop, g db.Gift, f views.Form) error {
	p := a.page(c, &shop, "CatalogueEditTitle")
	programs, names, err := a.pointsPrograms(c, shop.ID)
	if err != nil {
		return err
	}
	_, tiers, err := a.tierOptions(c, shop.ID, p.T)
	if err != nil {
		return err
	}
	return render(c, status, views.GiftFormPage(p, giftItem(g, names[g.ProgramID], shop.Currency, p.T), programs, tiers, f))
}

// updateGift saves an item's changes.
func (a *App) updateGift(c echo.Context) error {
	u, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	g, err := a.store.Gift(ctx, shop.ID, id)
	if err != nil {
		return err
	}
	if g.Archived {
		return echo.ErrNotFound
	}
	p := a.page(c, &shop, "CatalogueEditTitle")
	programs, _, err := a.pointsPrograms(c, shop.ID)
	if err != nil {
		return err
	}
	f := newForm(c, p.T)
	in := giftInput(f, programs)
	if in.MinTier, err = a.minTierInput(c, f, shop.ID); err != nil {
		return err
	}
	img, status, err := giftImage(c, f, shop.ID)
	if err != nil {
		return err
	}
	in.Image = img
	if !f.ok() {
		return a.giftFormPage(c, cmp(status, http.StatusUnprocessableEntity), shop, g, f.v)
	}
	in.UserID = u.ID
	err = a.store.UpdateGift(ctx, shop.ID, id, in, a.now())
	if errors.Is(err, loyalty.ErrNotPoints) {
		f.fail("program", "FieldRequired")
		return a.giftFormPage(c, http.StatusUnprocessableEntity, shop, g, f.v)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/catalogue")
}

// giftTooLarge answers an item form whose body is over the upload limit:
// the catalogue with the reason (images.go).
func (a *App) giftTooLarge(c echo.Context) error {
	_, shop := staff(c)
	head, err := a.formHead(c)
	if err != nil {
		return err
	}
	p := a.page(c, &shop, "CatalogueTitle")
	f := views.Form{Values: map[string]string{"key": newKey()}, Errors: map[string]string{"image": p.T.T("NewsImageTooLarge")}}
	for _, k := range []string{"name", "description", "program", "points", "partial_points", "partial_money", "cost", "stock", "per_customer", "starts", "ends"} {
		f.Values[k] = head.Get(k)
	}
	c.Request().Form = head
	if key, err := formKey(c); err == nil {
		f.Values["key"] = key // a second try adds the item once
	}
	return a.cataloguePage(c, http.StatusRequestEntityTooLarge, shop, f)
}

// archiveGift takes an item out of the catalogue.
func (a *App) archiveGift(c echo.Context) error {
	u, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := a.store.ArchiveGift(c.Request().Context(), shop.ID, u.ID, id, a.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/catalogue")
}

// giftImage serves an item's picture; its URL carries the item's version.
func (a *App) giftPicture(c echo.Context) error {
	shopID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	id, err := pathID(c, "gift")
	if err != nil {
		return err
	}
	img, err := a.store.GiftImage(c.Request().Context(), shopID, id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", newsImageCache)
	return c.Blob(http.StatusOK, "image/jpeg", img)
}

// giftOrders is the owner's queue of redemptions.
func (a *App) giftOrders(c echo.Context) error {
	_, shop := staff(c)
	return a.giftOrdersPage(c, http.StatusOK, shop)
}

func (a *App) giftOrdersPage(c echo.Context, status int, shop db.Shop) error {
	p := a.page(c, &shop, "GiftOrdersTitle")
	open, done, err := a.store.GiftOrders(c.Request().Context(), shop.ID)
	if err != nil {
		return err
	}
	items := func(list []db.GiftOrder) []views.GiftOrderItem {
		out := make([]views.GiftOrderItem, len(list))
		for i, o := range list {
			out[i] = giftOrderItem(o, shop.Currency, p.T)
		}
		return out
	}
	return render(c, status, views.GiftOrdersPage(p, items(open), items(done)))
}

// giftState reads a state from the form; anything else is forged.
func giftState(c echo.Context, name string) (loyalty.GiftState, error) {
	s := loyalty.GiftState(c.FormValue(name))
	switch s {
	case loyalty.GiftRequested, loyalty.GiftReady, loyalty.GiftHandedOver, loyalty.GiftShipped, loyalty.GiftDelivered, loyalty.GiftCancelled:
		return s, nil
	}
	return "", echo.ErrBadRequest
}

// moveGiftOrder takes a step of a redemption from the owner's queue.
func (a *App) moveGiftOrder(c echo.Context) error {
	u, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	// Another shop's redemption is not found, whatever the form says.
	if _, err := a.store.GiftOrder(c.Request().Context(), shop.ID, id); err != nil {
		return err
	}
	m := db.GiftMove{ShopID: shop.ID, OrderID: id, UserID: u.ID, Now: a.now()}
	if m.From, err = giftState(c, "from"); err != nil {
		return err
	}
	if m.To, err = giftState(c, "to"); err != nil {
		return err
	}
	if m.To == loyalty.GiftShipped {
		m.Carrier, m.Tracking = strings.TrimSpace(c.FormValue("carrier")), strings.TrimSpace(c.FormValue("tracking"))
		if len([]rune(m.Carrier)) > maxGiftCarrier || len([]rune(m.Tracking)) > maxGiftTracking || strings.ContainsAny(m.Carrier+m.Tracking, "\x00\r\n") {
			return echo.NewHTTPError(http.StatusUnprocessableEntity)
		}
	}
	err = a.store.MoveGiftOrder(c.Request().Context(), m)
	if errors.Is(err, loyalty.ErrGiftMove) {
		// A stale page: another tab moved it already. The queue as it is now.
		return a.giftOrdersPage(c, http.StatusConflict, shop)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/catalogue/orders")
}

// giftRefusal is the plain words of a refused redemption; ok is false for
// an error that is no refusal of the customer's or the cashier's.
func giftRefusal(err error, tr *locale.Tr) (status int, msg string, ok bool) {
	switch {
	case errors.Is(err, loyalty.ErrGiftOutOfStock):
		return http.StatusConflict, tr.T("GiftOutOfStock"), true
	case errors.Is(err, loyalty.ErrGiftLimit):
		return http.StatusConflict, tr.T("GiftLimitReached"), true
	case errors.Is(err, loyalty.ErrGiftUnavailable), errors.Is(err, loyalty.ErrNotPoints):
		return http.StatusConflict, tr.T("GiftUnavailable"), true
	case errors.Is(err, loyalty.ErrNotEnoughPoints):
		return http.StatusConflict, tr.T("GiftNotEnoughPoints"), true
	case errors.Is(err, loyalty.ErrGiftNoPartial):
		return http.StatusBadRequest, "", false
	case errors.Is(err, loyalty.ErrTierNotReached):
		return http.StatusForbidden, tr.T("TierRefused"), true
	}
	return 0, "", false
}

// requestGift is the customer's request of a gift from the card page.
func (a *App) requestGift(c echo.Context) error {
	giftID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	key, err := formKey(c)
	if err != nil {
		return err
	}
	card, shop, err := a.tokenCard(c)
	if err != nil {
		return err
	}
	partial := c.FormValue("partial") == "1"
	act := db.Action{ShopID: shop.ID, CardID: card.ID, Key: "gift-card-" + key, Now: a.now()}
	o, err := a.store.RedeemGift(c.Request().Context(), act, giftID, partial, db.GiftFromCard)
	var replay *db.ReplayedError
	switch {
	case errors.As(err, &replay):
		// A double tap: the first did it.
	case err != nil:
		status, msg, ok := giftRefusal(err, a.page(c, &shop, "").T)
		if !ok {
			if status != 0 {
				return echo.NewHTTPError(status)
			}
			return err
		}
		c.Set(ctxGiftProblem, msg)
		return a.showCustomerCard(c, status, shop, card, views.Feedback{})
	default:
		c.Set(ctxGiftRequested, o.GiftName)
		return a.showCustomerCard(c, http.StatusOK, shop, card, views.Feedback{})
	}
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	return c.Redirect(http.StatusSeeOther, "/c/"+card.Token+"#gifts")
}

// customerCatalogue is the catalogue of the card page read at now, with the
// outcome of a request just made.
func customerCatalogue(c echo.Context, cp db.CardPage, tr *locale.Tr, now time.Time) *views.CardCatalogue {
	cc := cardCatalogue(cp.Gifts, cp.GiftOrders, cp.State.Programs, cp.Ladder, cp.State.Card.Tier, cp.Shop.Currency, tr, now)
	problem, _ := c.Get(ctxGiftProblem).(string)
	requested, _ := c.Get(ctxGiftRequested).(string)
	if cc == nil && problem != "" {
		cc = &views.CardCatalogue{Key: newKey()}
	}
	if cc != nil {
		cc.Problem, cc.Requested = problem, requested
	}
	return cc
}

// redeemGiftAtCounter is the cashier's redemption of a gift for the card.
func (a *App) redeemGiftAtCounter(c echo.Context) error {
	u, shop := staff(c)
	act, err := actionInput(c, u, shop, a.now)
	if err != nil {
		return err
	}
	giftID, err := formID(c, "gift")
	if err != nil {
		return err
	}
	o, err := a.store.RedeemGift(c.Request().Context(), act, giftID, c.FormValue("partial") == "1", db.GiftFromCounter)
	var replay *db.ReplayedError
	switch {
	case errors.As(err, &replay):
		if o, err = a.store.GiftOrderByEvent(c.Request().Context(), shop.ID, replay.ID); err != nil {
			return err
		}
	case err != nil:
		status, msg, ok := giftRefusal(err, a.page(c, &shop, "").T)
		if !ok {
			if status != 0 {
				return echo.NewHTTPError(status)
			}
			return err
		}
		return a.showCard(c, status, act.CardID, cardView{result: &views.Result{Kind: "refused", Message: msg}})
	}
	return a.showCard(c, http.StatusOK, act.CardID, cardView{result: &views.Result{Kind: "redeemed", Reward: o.GiftName}})
}

// handOverGift hands a gift waiting for the card over at the counter.
func (a *App) handOverGift(c echo.Context) error {
	u, shop := staff(c)
	cardID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	orderID, err := pathID(c, "order")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	o, err := a.store.GiftOrder(ctx, shop.ID, orderID)
	if err != nil {
		return err
	}
	if o.CardID != cardID {
		return echo.ErrNotFound // another card's
	}
	from, err := giftState(c, "from")
	if err != nil {
		return err
	}
	err = a.store.MoveGiftOrder(ctx, db.GiftMove{ShopID: shop.ID, OrderID: orderID, UserID: u.ID, From: from, To: loyalty.GiftHandedOver, Now: a.now()})
	if errors.Is(err, loyalty.ErrGiftMove) {
		tr := a.page(c, &shop, "").T
		return a.showCard(c, http.StatusConflict, cardID, cardView{result: &views.Result{Kind: "refused", Message: tr.T("GiftMoveStale")}})
	}
	if err != nil {
		return err
	}
	return a.showCard(c, http.StatusOK, cardID, cardView{result: &views.Result{Kind: "redeemed", Reward: o.GiftName}})
}

// counterCatalogue is the catalogue of the counter's card view.
func counterCatalogue(v db.CounterCard, shop db.Shop, tr *locale.Tr, now time.Time) *views.CardCatalogue {
	cc := cardCatalogue(v.Gifts, v.GiftOrders, v.State.Programs, v.Ladder, v.State.Card.Tier, shop.Currency, tr, now)
	if cc != nil {
		// The counter hands over what waits for pickup; shipping is the owner's.
		open := cc.Orders[:0]
		for _, o := range cc.Orders {
			if o.State == string(loyalty.GiftRequested) || o.State == string(loyalty.GiftReady) {
				open = append(open, o)
			}
		}
		cc.Orders = open
	}
	return cc
}
