package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/loyalty"
	"regulars/views"
)

func (a *App) counter(c echo.Context) error {
	_, shop := staff(c)
	p := a.page(c, &shop, "CounterTitle")
	return render(c, http.StatusOK, views.CounterPage(p, "", views.Found{}, "", views.Form{}, newKey()))
}

// find answers what a cashier scanned (a card URL, from the camera or a
// keyboard-wedge scanner) or typed (short code, phone, name).
func (a *App) find(c echo.Context) error {
	_, shop := staff(c)
	p := a.page(c, &shop, "CounterTitle")
	q := c.QueryParam("q")
	if len(q) > loyalty.MaxLookupLen {
		return render(c, http.StatusBadRequest, views.CounterPage(p, "", views.Found{}, p.T.T("LookupTooLong"), views.Form{}, newKey()))
	}
	query, ok := cardQuery(q)
	if !ok {
		return c.Redirect(http.StatusSeeOther, "/counter")
	}
	// A blank printed card is offered to a new customer.
	blank, ok, err := a.blankPrinted(c, shop.ID, query)
	if err != nil {
		return err
	}
	if ok {
		return a.showActivate(c, http.StatusOK, shop, blank, views.Form{}, newKey())
	}
	found, err := a.store.FindCards(c.Request().Context(), shop.ID, query)
	if err != nil {
		return err
	}
	if len(found.Cards) == 0 {
		retired, err := a.retiredHere(c, shop.ID, query.Token)
		if err != nil {
			return err
		}
		if retired {
			return render(c, http.StatusGone, views.CounterPage(p, q, views.Found{}, p.T.T("CounterCardReplaced"), views.Form{}, newKey()))
		}
	}
	switch len(found.Cards) {
	case 0:
		// What was typed is most likely the new customer's name or number.
		enroll := views.Form{Values: map[string]string{}}
		if query.Phone != "" {
			enroll.Values["phone"] = q
		} else if query.Name != "" && query.ShortCode == "" {
			enroll.Values["first_name"] = query.Name
		}
		return render(c, http.StatusNotFound, views.CounterPage(p, q, views.Found{}, p.T.T("LookupNone"), enroll, newKey()))
	case 1:
		return c.Redirect(http.StatusSeeOther, cardPath(found.Cards[0].ID))
	}
	return render(c, http.StatusOK, views.CounterPage(p, q, foundView(found, p.T.Zone()), "", views.Form{}, newKey()))
}

// foundView lists the cards a search found with what tells them apart.
func foundView(found db.Found, zone *time.Location) views.Found {
	v := views.Found{More: found.Total - len(found.Cards)}
	for _, f := range found.Cards {
		fc := views.FoundCard{ID: f.ID, Name: f.FirstName, ShortCode: loyalty.FormatShortCode(f.ShortCode), PhoneEnd: loyalty.PhoneEnd(f.Phone), Stamps: f.Stamps}
		if f.LastVisit != 0 {
			fc.LastVisit = loyalty.DayStart(f.LastVisit, zone)
		}
		v.Cards = append(v.Cards, fc)
	}
	return v
}

// scan answers a card scanned in a shop that stamps on scan: the card opens
// with one stamp of the default program, or the cooldown's question. Anything
// that is not one of the shop's cards (another text, a blank printed card, a
// replaced one) is looked up as if it had been typed.
func (a *App) scan(c echo.Context) error {
	u, shop := staff(c)
	q := c.FormValue("q")
	key, err := formKey(c)
	if err != nil {
		return err
	}
	token, err := loyalty.ParseCardToken(q)
	if err != nil || !shop.StampOnScan {
		return c.Redirect(http.StatusSeeOther, "/counter/find?"+url.Values{"q": {q}}.Encode())
	}
	act, out, err := a.store.StampScanned(c.Request().Context(), db.Action{ShopID: shop.ID, UserID: u.ID, Key: key, Now: a.now()}, token)
	if errors.Is(err, db.ErrNotFound) {
		return c.Redirect(http.StatusSeeOther, "/counter/find?"+url.Values{"q": {q}}.Encode())
	}
	return a.stampOutcome(c, act, 1, out, err)
}

// cardQuery turns the search box into a query: a card URL or token matches only
// that card; anything else may be a short code, a phone number or a name.
func cardQuery(q string) (db.CardQuery, bool) {
	if tok, err := loyalty.ParseCardToken(q); err == nil {
		return db.CardQuery{Token: tok}, true
	}
	var query db.CardQuery
	if code, err := loyalty.ParseShortCode(q); err == nil {
		query.ShortCode = code
	}
	if phone := loyalty.NormalizePhone(q); len(phone) >= 4 {
		query.Phone = phone
	}
	if name := strings.TrimSpace(q); name != "" && query.Phone == "" {
		query.Name = name
	}
	return query, query != db.CardQuery{}
}

func cardPath(id int64) string { return "/counter/cards/" + itoa64(id) }

func (a *App) enroll(c echo.Context) error {
	u, shop := staff(c)
	p := a.page(c, &shop, "CounterTitle")
	key, err := formKey(c)
	if err != nil {
		return err
	}
	f := newForm(c, p.T)
	name, norm := f.customer()
	sameOK := f.checkbox("same_phone_ok")
	// The address and the customer's yes to a reward's e-mail, which the
	// cashier asked: recorded as given at the counter (db.recordNewCardConsent).
	email := ""
	if strings.TrimSpace(c.FormValue("email")) != "" {
		email = f.email("email")
	}
	service := f.checkbox("email_service")
	if !f.ok() {
		return render(c, http.StatusUnprocessableEntity, views.CounterPage(p, "", views.Found{}, "", f.v, key))
	}
	n := db.NewCard{FirstName: name, Phone: norm, Email: email, EmailService: service, CreatedBy: u.ID, Key: key, OfferSamePhone: !sameOK}
	card, err := a.store.EnrollCard(c.Request().Context(), shop.ID, n, a.now())
	var replay *db.ReplayedError
	var same *db.SamePhoneError
	if errors.As(err, &same) {
		// Offer the card the customer most likely has; a second one stays one tap away.
		f.v.Values["same_phone_ok"] = "1"
		found := foundView(db.Found{Cards: []db.FoundCard{{Card: same.Card}}, Total: 1}, p.T.Zone())
		return render(c, http.StatusConflict, views.CounterPage(p, "", found, p.T.T("EnrollSamePhone"), f.v, newKey()))
	}
	if errors.As(err, &replay) {
		return a.showCard(c, http.StatusConflict, replay.ID, cardView{result: &views.Result{Kind: "replayed", Message: p.T.T("ResultReplayed")}, showQR: true})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, cardPath(card.ID)+"?new=1")
}

// counterCard shows a card; ?done= names the action just taken, ?new=1 a
// fresh card, ?activated=1 a printed card just activated, ?replaced= a lost
// card just replaced by a printed or a digital one.
func (a *App) counterCard(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v := cardView{showQR: c.QueryParam("new") == "1"}
	if v.showQR {
		v.result = &views.Result{Kind: "enrolled"}
	}
	if c.QueryParam("activated") == "1" {
		v.result = &views.Result{Kind: "activated"}
	}
	switch c.QueryParam("replaced") {
	case "":
	case "printed":
		v.result = &views.Result{Kind: "replaced"}
	case "digital":
		// The customer scans the new card's code with their phone.
		v.result, v.showQR = &views.Result{Kind: "replaced"}, true
	default:
		return echo.ErrNotFound
	}
	if done := c.QueryParam("done"); done != "" {
		if v.done, err = strconv.ParseInt(done, 10, 64); err != nil {
			return echo.ErrNotFound
		}
	}
	return a.showCard(c, http.StatusOK, id, v)
}

// cardView says how to show a card at the counter: with the outcome of an
// action (result), or of the ledger event done, and with its QR code large.
type cardView struct {
	result *views.Result
	done   int64
	showQR bool
}

// showCard renders the counter's card view with the outcome of an action.
func (a *App) showCard(c echo.Context, status int, cardID int64, v cardView) error {
	_, shop := staff(c)
	p := a.page(c, &shop, "CardTitle")
	// An erased customer is gone from the counter; only the owner's records keep the card.
	view, err := a.store.CounterCard(c.Request().Context(), shop.ID, cardID, a.now())
	if err != nil {
		return err
	}
	st := view.State
	res := v.result
	if v.done != 0 {
		if res = doneResult(st, v.done); res == nil {
			return echo.ErrNotFound
		}
	}
	card := a.cardModel(c, st, shop.Currency, false)
	card.Catalogue = counterCatalogue(view, shop, p.T, a.now())
	card.Credit = creditView(st, shop)
	card.Tier = tierBadge(view.Ladder, st.Card.Tier)
	if res != nil {
		res.Currency = shop.Currency
	}
	var undo *views.Entry
	if st.Undoable != nil {
		e := entryView(*st.Undoable)
		undo = &e
	}
	return render(c, status, views.CounterCard(p, card, res, undo, newKey(), v.showQR))
}

// doneResult describes the ledger event eventID of this card, or nil.
func doneResult(st db.CardState, eventID int64) *views.Result {
	for _, e := range st.Ledger {
		if e.ID != eventID {
			continue
		}
		if e.Credit != 0 && e.Points == 0 {
			return creditResult(e)
		}
		if e.Points != 0 {
			r := pointsResult(st, e)
			r.Credit = e.Credit // the cashback the purchase earned with its points
			return r
		}
		switch e.Kind {
		case loyalty.KindStamp:
			return &views.Result{Kind: "stamped", Program: e.ProgramName, Reward: rewardOf(st, e.ProgramID), Stamps: e.Stamps,
				RewardsEarned: st.EarnedBy(e.ID), ReferralBonus: referralBonusOf(st, e)}
		case loyalty.KindRedeem:
			return &views.Result{Kind: "redeemed", Program: e.ProgramName, Reward: rewardOf(st, e.ProgramID)}
		case loyalty.KindCoupon:
			return &views.Result{Kind: "coupon", Program: e.ProgramName}
		case loyalty.KindPrize:
			return &views.Result{Kind: "prize", Program: e.ProgramName}
		default:
			return &views.Result{Kind: "undone", Program: e.ProgramName}
		}
	}
	return nil
}

// rewardOf is what the card's program gives as its reward.
func rewardOf(st db.CardState, programID int64) string {
	for _, pb := range st.Programs {
		if pb.Program.ID == programID {
			return pb.Program.RewardText
		}
	}
	return ""
}

// referralBonusOf is the referral bonus the stamp gave the card: written
// with it, in the same transaction, so at the same instant and right after it.
func referralBonusOf(st db.CardState, stamp db.Entry) int {
	for _, e := range st.Ledger {
		if e.Kind == loyalty.KindBonus && e.Note == db.ReferralNote && e.ID > stamp.ID && e.At.Equal(stamp.At) {
			return e.Stamps
		}
	}
	return 0
}

// cardModel maps a card's state to what staff and customers see; the customer
// sees only their own visits and redemptions, not voids or staff names.
func (a *App) cardModel(c echo.Context, st db.CardState, currency string, forCustomer bool) views.Card {
	v := views.Card{
		ID:        st.Card.ID,
		Name:      st.Card.FirstName,
		ShortCode: loyalty.FormatShortCode(st.Card.ShortCode),
		URL:       a.absURL(c, "/c/"+st.Card.Token),
		CreatedAt: st.Card.CreatedAt,
	}
	for _, pb := range st.Programs {
		pr := views.Progress{
			ProgramID: pb.Program.ID, Program: pb.Program.Name, RewardText: pb.Program.RewardText,
			Stamps: pb.Stamps, StampsRequired: pb.Program.StampsRequired, MaxPerVisit: pb.Program.MaxPerVisit,
			NextExpiry: pb.NextExpiry,
		}
		for _, rw := range pb.Available {
			pr.Rewards = append(pr.Rewards, views.Reward{Seq: rw.Seq, ExpiresAt: rw.ExpiresAt})
		}
		if pb.Program.IsPoints() {
			pr.Points = pointsProgress(pb, currency, a.now())
		}
		v.Progress = append(v.Progress, pr)
	}
	for _, cc := range st.Coupons {
		if cc.Usable == nil {
			v.Coupons = append(v.Coupons, couponView(cc.Campaign, currency, a.now()))
		}
	}
	for _, cr := range st.Raffles {
		v.Raffles = append(v.Raffles, cardRaffleView(cr, a.now()))
	}
	v.WelcomeStamps = welcomeStamps(st.Ledger)
	for _, e := range st.Ledger {
		if len(v.Ledger) == db.ShownEntries {
			break
		}
		if forCustomer && (e.Kind == loyalty.KindVoid || e.Voided) {
			continue
		}
		ev := entryView(e)
		if forCustomer {
			// The owner's reasons are notes for the shop, not messages to the
			// customer; a bonus's note is the shop's own word for it (welcome,
			// referral). Who stamped and a cooldown waived are the shop's too.
			ev.Staff, ev.Override = "", false
			if e.Kind != loyalty.KindBonus {
				ev.Note = ""
			}
		}
		v.Ledger = append(v.Ledger, ev)
	}
	return v
}

// welcomeStamps is the welcome gift's stamps of a card that has not been
// stamped yet; once the customer has visited, the gift is history.
func welcomeStamps(ledger []db.Entry) int {
	n := 0
	for _, e := range ledger {
		switch {
		case e.Voided:
		case e.Kind == loyalty.KindStamp:
			return 0
		case e.Kind == loyalty.KindBonus && e.Note == db.WelcomeNote:
			n += e.Stamps
		}
	}
	return n
}

func entryView(e db.Entry) views.Entry {
	return views.Entry{
		ID: e.ID, Kind: string(e.Kind), Program: e.ProgramName, Staff: e.UserName,
		Stamps: e.Stamps, RewardSeq: e.RewardSeq, Voided: e.Voided, Override: e.Override, Note: e.Note, At: e.At,
		Amount: e.Amount, Points: e.Points, Credit: e.Credit,
	}
}

// actionInput reads what every card action form carries.
func actionInput(c echo.Context, u db.User, shop db.Shop, now func() time.Time) (db.Action, error) {
	cardID, err := pathID(c, "id")
	if err != nil {
		return db.Action{}, err
	}
	key, err := formKey(c)
	if err != nil {
		return db.Action{}, err
	}
	return db.Action{ShopID: shop.ID, CardID: cardID, UserID: u.ID, Key: key, Now: now()}, nil
}

func (a *App) stamp(c echo.Context) error {
	u, shop := staff(c)
	act, err := actionInput(c, u, shop, a.now)
	if err != nil {
		return err
	}
	if act.ProgramID, err = formID(c, "program"); err != nil {
		return err
	}
	count, err := parseNumber(c.FormValue("count"))
	if err != nil {
		return echo.ErrBadRequest
	}
	out, err := a.store.Stamp(c.Request().Context(), act, count, c.FormValue("override") == "1")
	return a.stampOutcome(c, act, count, out, err)
}

// stampOutcome ends a stamp of count: refused by the cooldown, with the
// reason and a "stamp anyway" the cashier may confirm; refused for its count;
// or as every card action ends.
func (a *App) stampOutcome(c echo.Context, act db.Action, count int, out db.Outcome, err error) error {
	if err == nil {
		return a.actionOutcome(c, act, out, nil) // the busy path: no page to translate
	}
	_, shop := staff(c)
	tr := a.page(c, &shop, "").T
	var cool *loyalty.CooldownError
	switch {
	case errors.As(err, &cool):
		// Refused with the reason and a "stamp anyway" the cashier may confirm.
		return a.showCard(c, http.StatusConflict, act.CardID, cardView{result: &views.Result{
			Kind: "cooldown", Message: tr.T("ResultCooldown", "Left", tr.Duration(cool.Left)),
			ProgramID: act.ProgramID, Count: count,
		}})
	case errors.Is(err, loyalty.ErrStampCount):
		return a.showCard(c, http.StatusUnprocessableEntity, act.CardID, cardView{result: &views.Result{Kind: "refused", Message: tr.T("ResultStampCount")}})
	}
	return a.actionOutcome(c, act, out, err)
}

func (a *App) redeem(c echo.Context) error {
	u, shop := staff(c)
	act, err := actionInput(c, u, shop, a.now)
	if err != nil {
		return err
	}
	if act.ProgramID, err = formID(c, "program"); err != nil {
		return err
	}
	seq, err := parseNumber(c.FormValue("reward"))
	if err != nil || seq < 1 {
		return echo.ErrBadRequest
	}
	out, err := a.store.Redeem(c.Request().Context(), act, seq)
	return a.actionOutcome(c, act, out, err, refusal{loyalty.ErrRewardUnavailable, "ResultRewardGone"})
}

func (a *App) undo(c echo.Context) error {
	u, shop := staff(c)
	act, err := actionInput(c, u, shop, a.now)
	if err != nil {
		return err
	}
	eventID, err := formID(c, "event")
	if err != nil {
		return err
	}
	out, err := a.store.Undo(c.Request().Context(), act, eventID)
	return a.actionOutcome(c, act, out, err, refusal{loyalty.ErrNothingToUndo, "ResultNothingToUndo"})
}

// refusal pairs a rule's error with the message that explains it.
type refusal struct {
	err   error
	msgID string
}

// actionOutcome ends every card action. Done: back to the card, which shows
// the result. Refused by a rule, or a replayed form: the card as it is, with
// the reason, and a 409. Anything else (a foreign card is a 404) goes to the
// error handler.
func (a *App) actionOutcome(c echo.Context, act db.Action, out db.Outcome, err error, refusals ...refusal) error {
	if err == nil {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s?done=%d", cardPath(act.CardID), out.EventID))
	}
	kind, msgID := "refused", ""
	var replay *db.ReplayedError
	if errors.As(err, &replay) {
		kind, msgID = "replayed", "ResultReplayed"
	}
	for _, r := range refusals {
		if errors.Is(err, r.err) {
			msgID = r.msgID
		}
	}
	if msgID == "" {
		return err
	}
	_, shop := staff(c)
	tr := a.page(c, &shop, "").T
	return a.showCard(c, http.StatusConflict, act.CardID, cardView{result: &views.Result{Kind: kind, Message: tr.T(msgID)}})
}

func (a *App) redeemCoupon(c echo.Context) error {
	u, shop := staff(c)
	act, err := actionInput(c, u, shop, a.now)
	if err != nil {
		return err
	}
	campaignID, err := formID(c, "campaign")
	if err != nil {
		return err
	}
	out, err := a.store.RedeemCoupon(c.Request().Context(), act, campaignID)
	return a.actionOutcome(c, act, out, err, couponRefusals...)
}

func (a *App) redeemCode(c echo.Context) error {
	u, shop := staff(c)
	act, err := actionInput(c, u, shop, a.now)
	if err != nil {
		return err
	}
	code, err := loyalty.ParseCouponCode(c.FormValue("code"))
	var out db.Outcome
	if err != nil {
		err = loyalty.ErrCouponUnknown
	} else {
		out, err = a.store.RedeemCode(c.Request().Context(), act, code)
	}
	return a.actionOutcome(c, act, out, err, couponRefusals...)
}

// couponRefusals says in plain words why a coupon cannot be used.
var couponRefusals = []refusal{
	{loyalty.ErrCouponNotStarted, "CouponRefusedNotStarted"},
	{loyalty.ErrCouponExpired, "CouponRefusedExpired"},
	{loyalty.ErrCouponPaused, "CouponRefusedPaused"},
	{loyalty.ErrCouponEnded, "CouponRefusedEnded"},
	{loyalty.ErrCouponUsedUp, "CouponRefusedUsedUp"},
	{loyalty.ErrCouponUsedByCard, "CouponRefusedUsedByCard"},
	{loyalty.ErrCouponNotForCard, "CouponRefusedNotForCard"},
	{loyalty.ErrCouponUnknown, "CouponRefusedUnknown"},
	{loyalty.ErrTierNotReached, "TierRefused"},
}

func (a *App) redeemPrize(c echo.Context) error {
	u, shop := staff(c)
	act, err := actionInput(c, u, shop, a.now)
	if err != nil {
		return err
	}
	raffleID, err := formID(c, "raffle")
	if err != nil {
		return err
	}
	out, err := a.store.RedeemPrize(c.Request().Context(), act, raffleID)
	return a.actionOutcome(c, act, out, err, refusal{loyalty.ErrPrizeUnavailable, "ResultPrizeGone"})
}
