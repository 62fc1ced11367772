package views

import "time"

// AuditLog is the owner's list of who did what.
type AuditLog struct {
	Lines  []AuditLine
	People []Option // everyone who ever worked in the shop
	// Kinds the filter offers: the staff's actions and the counter's ledger kinds.
	Actions, LedgerKinds []string
	Filter               Form
	Newest, Older        string // links to the newest page and the next older one; "" when there is none
}

// AuditLine is one line of the audit log.
type AuditLine struct {
	Ledger  bool
	At      time.Time
	Who     string
	Kind    string // an audit action or a ledger kind
	Stamps  int
	Subject string // what an action was done to; the program, campaign or raffle of a ledger event
	CardID  int64
	Card    string // the ledger event's customer: name or short code
	Note    string // an adjustment's reason
}

// auditKindName is the name of an audit action or ledger kind in the log and its filter.
func auditKindName(p Page, kind string) string {
	switch kind {
	case "login":
		return p.T.T("AuditKindLogin")
	case "logout":
		return p.T.T("AuditKindLogout")
	case "password":
		return p.T.T("AuditKindPassword")
	case "invite_accept":
		return p.T.T("AuditKindInviteAccept")
	case "settings":
		return p.T.T("AuditKindSettings")
	case "logo":
		return p.T.T("AuditKindLogo")
	case "economics":
		return p.T.T("AuditKindEconomics")
	case "staff_add":
		return p.T.T("AuditKindStaffAdd")
	case "staff_remove":
		return p.T.T("AuditKindStaffRemove")
	case "staff_signout":
		return p.T.T("AuditKindStaffSignOut")
	case "staff_role":
		return p.T.T("AuditKindStaffRole")
	case "staff_password":
		return p.T.T("AuditKindStaffPassword")
	case "staff_link":
		return p.T.T("AuditKindStaffLink")
	case "program_save":
		return p.T.T("AuditKindProgramSave")
	case "program_archive":
		return p.T.T("AuditKindProgramArchive")
	case "program_default":
		return p.T.T("AuditKindProgramDefault")
	case "campaign_create":
		return p.T.T("AuditKindCampaignCreate")
	case "campaign_pause":
		return p.T.T("AuditKindCampaignPause")
	case "campaign_resume":
		return p.T.T("AuditKindCampaignResume")
	case "campaign_end":
		return p.T.T("AuditKindCampaignEnd")
	case "raffle_create":
		return p.T.T("AuditKindRaffleCreate")
	case "raffle_update":
		return p.T.T("AuditKindRaffleUpdate")
	case "raffle_draw":
		return p.T.T("AuditKindRaffleDraw")
	case "customer_edit":
		return p.T.T("AuditKindCustomerEdit")
	case "customer_erase":
		return p.T.T("AuditKindCustomerErase")
	case "customers_import":
		return p.T.T("AuditKindCustomersImport")
	case "customers_export":
		return p.T.T("AuditKindCustomersExport")
	case "growth":
		return p.T.T("AuditKindGrowth")
	case "cards_print":
		return p.T.T("AuditKindCardsPrint")
	case "card_replace":
		return p.T.T("AuditKindCardReplace")
	case "news_post":
		return p.T.T("AuditKindNewsPost")
	case "news_remove":
		return p.T.T("AuditKindNewsRemove")
	case "club_save":
		return p.T.T("AuditKindClubSave")
	case "club_add":
		return p.T.T("AuditKindClubAdd")
	case "club_remove":
		return p.T.T("AuditKindClubRemove")
	case "gift_create":
		return p.T.T("AuditKindGiftCreate")
	case "gift_edit":
		return p.T.T("AuditKindGiftEdit")
	case "gift_stock":
		return p.T.T("AuditKindGiftStock")
	case "gift_retire":
		return p.T.T("AuditKindGiftRetire")
	case "gift_ready":
		return p.T.T("AuditKindGiftReady")
	case "gift_handed_over":
		return p.T.T("AuditKindGiftHandedOver")
	case "gift_shipped":
		return p.T.T("AuditKindGiftShipped")
	case "gift_delivered":
		return p.T.T("AuditKindGiftDelivered")
	case "gift_cancel":
		return p.T.T("AuditKindGiftCancel")
	case "stamp":
		return p.T.T("AuditKindStamp")
	case "override":
		return p.T.T("AuditKindOverride")
	case "redeem":
		return p.T.T("AuditKindRedeem")
	case "coupon":
		return p.T.T("AuditKindCoupon")
	case "prize":
		return p.T.T("AuditKindPrize")
	case "void":
		return p.T.T("AuditKindVoid")
	case "adjust":
		return p.T.T("AuditKindAdjust")
	case "bonus":
		return p.T.T("AuditKindBonus")
	}
	return kind
}

func auditKindOptions(p Page, kinds []string) []Option {
	opts := make([]Option, len(kinds))
	for i, k := range kinds {
		opts[i] = Option{k, auditKindName(p, k)}
	}
	return opts
}

// carriesStamps tells the ledger kinds whose line shows a number of stamps.
func carriesStamps(kind string) bool {
	return kind == "stamp" || kind == "override" || kind == "adjust" || kind == "bonus"
}

// entryNote translates the notes the application writes itself (db's
// ImportNote, WelcomeNote and ReferralNote); an owner's reason is shown as typed.
func entryNote(p Page, note string) string {
	switch note {
	case "import":
		return p.T.T("EntryNoteImport")
	case "welcome":
		return p.T.T("EntryNoteWelcome")
	case "referral":
		return p.T.T("EntryNoteReferral")
	}
	return note
}
