-- +goose Up
-- A card's events are found by time, not by id: a card page reads the newest
-- of them and the card's tickets of a raffle window, both ranges of this
-- index, so that a card with 5,000 events costs what one with 5 does. The
-- index has the rowid last, so the ledger's (created_at, id) order of one
-- card is a walk of it too.
DROP INDEX events_card;
CREATE INDEX events_card_time ON events (card_id, created_at);

-- +goose Down
DROP INDEX events_card_time;
CREATE INDEX events_card ON events (card_id, id);
