-- +goose Up
-- Issue 13: a card's QR code, drawn ahead. Drawing one costs about a
-- millisecond (the library tries eight masks), more than the rest of a card
-- page; a server with a public address (-base-url) draws each card's code
-- once, in the background (db/qr.go), and its page shows the kept modules.
-- NULL: not drawn yet (a new card, an older database, a new address).
ALTER TABLE cards ADD COLUMN qr BLOB;
-- What is left to draw: empty once every card is drawn.
CREATE INDEX cards_qr_missing ON cards (id) WHERE qr IS NULL AND erased_at IS NULL;

-- +goose Down
DROP INDEX cards_qr_missing;
ALTER TABLE cards DROP COLUMN qr;
