-- +goose Up
-- The audit log lists a person's ledger events of one kind, newest first,
-- straight from an index however long the ledger (override is part of the
-- kind the owner filters by: a stamp given despite the cooldown). A kind
-- across all staff is read person by person from the same index.
CREATE INDEX events_user_kind ON events (shop_id, user_id, kind, override, created_at);

-- +goose Down
DROP INDEX events_user_kind;
