-- +goose Up
-- A rebuild of a shop's rollups (after the migration that added them, after a
-- change of the shop's time zone) runs in short transactions, so that every
-- shop's stamps go on between them, and each step records here how far it got
-- (db/rollups.go): a process stopped half-way leaves the rebuild owed, and
-- the next start, or the server's worker, finishes it (issue 15).
CREATE TABLE rollups_owed (
    shop_id    INTEGER PRIMARY KEY REFERENCES shops (id),
    -- the cards up to this id are refreshed
    after_card INTEGER NOT NULL DEFAULT 0,
    -- NULL while cards are being refreshed; then the first local day of the
    -- staff's activity still to recount
    staff_from INTEGER
) STRICT;
-- An upgrade from the first schema used to rebuild the rollups only in the
-- process that applied 0002: one stopped during that rebuild left a shop
-- with a ledger and no rollups at all, for good. Such a shop owes it still.
INSERT INTO rollups_owed (shop_id)
    SELECT id FROM shops s
    WHERE EXISTS (SELECT 1 FROM events e WHERE e.shop_id = s.id)
        AND NOT EXISTS (SELECT 1 FROM card_days d WHERE d.shop_id = s.id)
        AND NOT EXISTS (SELECT 1 FROM staff_days d WHERE d.shop_id = s.id);

-- /healthz writes this one row, to tell whether the database can write at
-- all: a full disk or a read-only file answers every read and refuses every
-- write.
CREATE TABLE health (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at INTEGER NOT NULL
) STRICT;
INSERT INTO health (id, checked_at) VALUES (1, 0);

-- +goose Down
DROP TABLE health;
DROP TABLE rollups_owed;
