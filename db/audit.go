package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// AuditAction names a staff action that is not a ledger event; ledger events
// (stamps, redemptions, voids, overrides, adjustments) record their own author.
type AuditAction string

const (
	AuditLogin           AuditAction = "login"
	AuditLogout          AuditAction = "logout"
	AuditPasswordChange  AuditAction = "password"
	AuditSettings        AuditAction = "settings"
	AuditLogo            AuditAction = "logo"
	AuditEconomics       AuditAction = "economics"
	AuditStaffAdd        AuditAction = "staff_add"
	AuditStaffRemove     AuditAction = "staff_remove"
	AuditInviteAccept    AuditAction = "invite_accept"
	AuditProgramSave     AuditAction = "program_save"
	AuditProgramArchive  AuditAction = "program_archive"
	AuditProgramDefault  AuditAction = "program_default"
	AuditCampaignCreate  AuditAction = "campaign_create"
	AuditCampaignState   AuditAction = "campaign_state"
	AuditRaffleCreate    AuditAction = "raffle_create"
	AuditRaffleUpdate    AuditAction = "raffle_update"
	AuditRaffleDraw      AuditAction = "raffle_draw"
	AuditCustomerEdit    AuditAction = "customer_edit"
	AuditCustomerErase   AuditAction = "customer_erase"
	AuditCustomersImport AuditAction = "customers_import"
	AuditCustomersExport AuditAction = "customers_export"
)

// recordAudit writes one audit row within tx, so it lands with the change it records.
func recordAudit(ctx context.Context, tx *sql.Tx, shopID, userID int64, action AuditAction, subject string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit (shop_id, user_id, action, subject, created_at) VALUES (?, ?, ?, ?, ?)`,
		shopID, null(userID), action, subject, unix(now))
	if err != nil {
		return fmt.Errorf("audit %s in shop %d: %w", action, shopID, err)
	}
	return nil
}

// Audit records an action that changed nothing else in the database, such as a
// login or an export; changes record theirs in their own transaction.
func (s *Store) Audit(ctx context.Context, shopID, userID int64, action AuditAction, subject string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		return recordAudit(ctx, tx, shopID, userID, action, subject, now)
	})
}
