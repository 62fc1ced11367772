-- +goose Up
-- Issue 13: a card's page reads the events it lists from one kept row
-- instead of the ledger. Its newest events are twelve rows of the events
-- table, each on a page of its own; read, they were a third of the page's
-- reads from the database. The ledger stays the truth: every event written
-- brings its card's row up to date in the same transaction, and the
-- rebuild (db.RebuildBalances) recomputes and compares them. events holds
-- the newest db.CustomerEntries events in ledger order (db/shown.go).
-- Existing cards get theirs at the next start (rebuilds_owed).
CREATE TABLE card_shown (
    card_id INTEGER PRIMARY KEY REFERENCES cards (id),
    shop_id INTEGER NOT NULL REFERENCES shops (id),
    events  BLOB NOT NULL
) STRICT;
INSERT OR IGNORE INTO rebuilds_owed (what) VALUES ('shown');

-- +goose Down
DELETE FROM rebuilds_owed WHERE what = 'shown';
DROP TABLE card_shown;
