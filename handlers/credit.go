package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/loyalty"
	"regulars/views"
)

// Store credit (cashback) at the counter and the owner's setting of it.

// creditView is the card's store credit as the counter and the card page
// show it: nil when the card holds none in a shop without cashback.
func creditView(st db.CardState, shop db.Shop) *views.CardCredit {
	if st.Credit == 0 && !shop.Cashback.On() {
		return nil
	}
	v := &views.CardCredit{Held: st.Credit, Currency: shop.Currency, Rate: shop.Cashback.Rate, Min: shop.Cashback.Min, Keypad: shop.Cashback.On()}
	for _, pb := range st.Programs {
		if pb.Program.IsPoints() && pb.Program.PointsPerUnit > 0 {
			v.Keypad = false // its keypad's purchase earns the cashback too
		}
	}
	return v
}

// creditResult describes a credit event for the counter's banner.
func creditResult(e db.Entry) *views.Result {
	return &views.Result{Kind: "credit", Credit: e.Credit, Amount: e.Amount}
}

// readMoney reads an amount a person typed (the shop's separator and
// digits): ok false with a refusal shown on the card when it is no amount.
func (a *App) readMoney(c echo.Context, cardID int64, msgID string) (int, bool, error) {
	s := strings.TrimSpace(c.FormValue("amount"))
	if len(s) > 40 {
		return 0, false, echo.ErrBadRequest
	}
	amount, err := parseAmount(s)
	if err != nil {
		_, shop := staff(c)
		tr := a.page(c, &shop, "").T
		return 0, false, a.showCard(c, http.StatusUnprocessableEntity, cardID, cardView{result: &views.Result{Kind: "refused", Message: tr.T(msgID)}})
	}
	return amount, true, nil
}

// earnCredit records a purchase keyed for cashback alone: the amount as
// typed, credited at the shop's rate.
func (a *App) earnCredit(c echo.Context) error {
	u, shop := staff(c)
	act, err := actionInput(c, u, shop, a.now)
	if err != nil {
		return err
	}
	amount, ok, err := a.readMoney(c, act.CardID, "CreditAmountInvalid")
	if !ok {
		return err
	}
	out, err := a.store.EarnCredit(c.Request().Context(), act, amount)
	if errors.Is(err, loyalty.ErrNoCashback) {
		tr := a.page(c, &shop, "").T
		msg := tr.T("CreditNone")
		if shop.Cashback.On() && amount < shop.Cashback.Min {
			msg = tr.T("CreditBelowMin", "Money", tr.Money(shop.Cashback.Min, shop.Currency))
		}
		return a.showCard(c, http.StatusUnprocessableEntity, act.CardID, cardView{result: &views.Result{Kind: "refused", Message: msg}})
	}
	return a.actionOutcome(c, act, out.Outcome, err, refusal{loyalty.ErrCreditAmount, "CreditAmountInvalid"})
}

// spendCredit takes the amount typed off the card's store credit: refused
// when the card holds less (another tablet spent it, or a slip).
func (a *App) spendCredit(c echo.Context) error {
	u, shop := staff(c)
	act, err := actionInput(c, u, shop, a.now)
	if err != nil {
		return err
	}
	amount, ok, err := a.readMoney(c, act.CardID, "CreditAmountInvalid")
	if !ok {
		return err
	}
	out, err := a.store.SpendCredit(c.Request().Context(), act, amount)
	return a.actionOutcome(c, act, out.Outcome, err,
		refusal{loyalty.ErrNotEnoughCredit, "CreditNotEnough"}, refusal{loyalty.ErrCreditAmount, "CreditAmountInvalid"})
}

// cashbackForm is the shop's cashback as the owner's form shows it, in the
// plain digits every keyboard types and the form reads back (no grouping).
func cashbackForm(c loyalty.Cashback) views.Form {
	f := views.Form{Values: map[string]string{}}
	if c.On() {
		f.Values["rate"] = strings.TrimSuffix(strings.TrimRight(hundredths(c.Rate), "0"), ".")
	}
	if c.Min > 0 {
		f.Values["min"] = hundredths(c.Min)
	}
	return f
}

// creditColumn heads the customers export's column of store credit, in
// units of the shop's currency with two decimals ("12.50").
const creditColumn = "store credit"

// hundredths writes n hundredths with two decimals: 250 is "2.50".
func hundredths(n int) string {
	return fmt.Sprintf("%d.%02d", n/100, n%100)
}

// owedText is what the shop owes its customers in store credit, in words.
func (a *App) owedText(c echo.Context, p views.Page, shop db.Shop) (string, error) {
	l, err := a.store.CreditLiability(c.Request().Context(), shop.ID)
	if err != nil {
		return "", err
	}
	return p.T.N("CreditOwed", l.Cards, "Money", p.T.Money(l.Credit, shop.Currency)), nil
}

func (a *App) cashback(c echo.Context) error {
	_, shop := staff(c)
	p := a.page(c, &shop, "CashbackTitle")
	owed, err := a.owedText(c, p, shop)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.CashbackPage(p, cashbackForm(shop.Cashback), c.QueryParam("saved") == "1", owed))
}

// saveCashback sets the shop's cashback: a percentage of 0.5–50 (empty or 0
// turns it off), as people write it ("2.5", "2,5", "۲٫۵"), and an optional
// smallest purchase.
func (a *App) saveCashback(c echo.Context) error {
	u, shop := staff(c)
	p := a.page(c, &shop, "CashbackTitle")
	f := newForm(c, p.T)
	var cb loyalty.Cashback
	rate := f.text("rate", false, 8)
	if rate = strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(rate, "%")), "٪"); rate != "" && strings.Trim(loyalty.LatinDigits(rate), "0.,٫") != "" {
		// A percentage with two decimals is basis points: 2.5% is 250.
		bp, err := parseAmount(rate)
		if err != nil || bp < loyalty.MinCashbackRate || bp > loyalty.MaxCashbackRate {
			f.fail("rate", "CashbackRateInvalid")
		}
		cb.Rate = bp
	}
	if s := f.text("min", false, 20); s != "" && strings.Trim(loyalty.LatinDigits(s), "0.,٫") != "" {
		m, err := parseAmount(s)
		if err != nil {
			f.fail("min", "CreditAmountInvalid")
		}
		cb.Min = m
	}
	if !f.ok() {
		owed, err := a.owedText(c, p, shop)
		if err != nil {
			return err
		}
		return render(c, http.StatusUnprocessableEntity, views.CashbackPage(p, f.v, false, owed))
	}
	if err := a.store.SetCashback(c.Request().Context(), shop.ID, cb, u.ID, a.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/cashback?saved=1")
}

// creditChanges is how many of a card's last changes of credit the owner's
// record of the customer lists above its history.
const creditChanges = 10

// customerCredit is the card's store credit for the owner's record, with
// its last changes taken from the record's ledger (newest first): nil for a
// card that never had credit in a shop without cashback.
func customerCredit(held int, shop db.Shop, ledger []views.Entry) *views.CustomerCredit {
	v := &views.CustomerCredit{Held: held, Currency: shop.Currency}
	for _, e := range ledger {
		if e.Credit == 0 {
			continue
		}
		if len(v.Changes) == creditChanges {
			v.More = true
			break
		}
		v.Changes = append(v.Changes, e)
	}
	if held == 0 && len(v.Changes) == 0 && !shop.Cashback.On() {
		return nil
	}
	return v
}
