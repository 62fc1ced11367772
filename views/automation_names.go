package views

import "regulars/locale"

// AutomationName is what the owner calls an automation of this kind, in tr's
// language; an unknown kind shows as its code, which is still better than
// nothing on a page that lists what the shop sent. The keys are spelled out
// so that the catalogue test sees each one in use.
func AutomationName(tr *locale.Tr, kind string) string {
	switch kind {
	case "reward_ready":
		return tr.T("AutomationName_reward_ready")
	case "one_visit_left":
		return tr.T("AutomationName_one_visit_left")
	case "we_miss_you":
		return tr.T("AutomationName_we_miss_you")
	case "birthday":
		return tr.T("AutomationName_birthday")
	case "coupon_expiring":
		return tr.T("AutomationName_coupon_expiring")
	case "points_expiring":
		return tr.T("AutomationName_points_expiring")
	case "raffle_result":
		return tr.T("AutomationName_raffle_result")
	case "newsletter":
		return tr.T("AutomationName_newsletter")
	case "gift_update": // not an automation: a step of a customer's gift
		return tr.T("AutomationName_gift_update")
	case "card_link": // not an automation: a customer asked for their card's link
		return tr.T("AutomationName_card_link")
	}
	return kind
}
