-- +goose Up
-- Issue 13: the audit's index of a person's events by kind leaves out plain
-- stamps (and the purchases of points programs, which are stamps too). They
-- are most of the ledger, and each paid for an entry of its own here; the
-- audit finds a person's plain stamps through events_user, where they are
-- nearly every row (db.ledgerQuery). The partial index keeps the rarer
-- kinds, which it answers as before.
DROP INDEX events_user_kind;
CREATE INDEX events_user_kind ON events (shop_id, user_id, kind, override, created_at) WHERE kind <> 'stamp' OR override = 1;

-- +goose Down
DROP INDEX events_user_kind;
CREATE INDEX events_user_kind ON events (shop_id, user_id, kind, override, created_at);
