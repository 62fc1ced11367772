-- +goose Up
-- The counter finds a card by the start of its first name and by the end of
-- its phone number, as people type them, through an index (issue 14): each
-- card keeps its name folded (loyalty.NameKey) and its phone's digits from
-- the last one back (loyalty.PhoneKey). Go computes them, so the server fills
-- them for existing cards at its next start (rebuilds_owed).
ALTER TABLE cards ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE cards ADD COLUMN phone_key TEXT NOT NULL DEFAULT '';
CREATE INDEX cards_name_key ON cards (shop_id, name_key);
CREATE INDEX cards_phone_key ON cards (shop_id, phone_key) WHERE phone_key <> '';
INSERT INTO rebuilds_owed (what) VALUES ('search_keys');

-- +goose Down
DELETE FROM rebuilds_owed WHERE what = 'search_keys';
DROP INDEX cards_phone_key;
DROP INDEX cards_name_key;
ALTER TABLE cards DROP COLUMN phone_key;
ALTER TABLE cards DROP COLUMN name_key;
