package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/views"
)

// referrals shows the owner who referred whom, and what each referral gave.
func (a *App) referrals(c echo.Context) error {
	_, shop := staff(c)
	p := a.page(c, &shop, "ReferralsTitle")
	list, tot, err := a.store.Referrals(c.Request().Context(), shop.ID)
	if err != nil {
		return err
	}
	rows := make([]views.Referral, len(list))
	for i, r := range list {
		rows[i] = views.Referral{
			ReferrerID: r.ReferrerID, FriendID: r.FriendID,
			Referrer: nameOrCode(r.ReferrerName, r.ReferrerCode), Friend: nameOrCode(r.FriendName, r.FriendCode),
			JoinedAt: r.JoinedAt, PaidAt: r.PaidAt, Bonus: r.FriendBonus, State: referralState(r),
		}
	}
	return render(c, http.StatusOK, views.ReferralsPage(p, rows, views.ReferralTotals{Joined: tot.Joined, Stamped: tot.Stamped, BonusStamps: tot.BonusStamps}))
}

// referralState says where a referral stands, for the owner.
func referralState(r db.Referral) string {
	switch {
	case r.PaidAt.IsZero():
		return views.ReferralWaiting
	case r.FriendBonus == 0:
		return views.ReferralNoBonus
	case r.ReferrerPaid:
		return views.ReferralPaid
	case r.ReferrerErased:
		return views.ReferralReferrerGone
	default:
		return views.ReferralCapped
	}
}

// nameOrCode names a customer by first name, or by short code when they gave none.
func nameOrCode(name, code string) string {
	if name != "" {
		return name
	}
	return code
}
