-- +goose Up
-- Issue 15: what an outside attack broke.

-- A raffle's free entry is for the cards made before its entries opened
-- (loyalty.FreeEntryEarlierCards), a rule published with its commitment, so
-- that nobody fills a draw with cards made for it. Raffles made before keep
-- the rule they were made with: every card.
ALTER TABLE raffles ADD COLUMN free_entry TEXT NOT NULL DEFAULT 'any' CHECK (free_entry IN ('any', 'earlier'));
-- A card page reads the raffles that concern it now, however many a shop has
-- held: those taking entries or to come and the few closed or drawn lately,
-- both ranges of the first index, and those the card won, of the second.
CREATE INDEX raffles_shop_shown ON raffles (shop_id, coalesce(drawn_at, closes_at));
CREATE INDEX raffle_winners_card ON raffle_winners (card_id);

-- An address signs in to one shop: users.email stays UNIQUE for the rows that
-- sign in (a password, not removed). The others keep their address followed
-- by a space and their shop's id, and once removed their own id too
-- (db/users.go), so that an invitation or a removed member reserves nothing.
UPDATE users SET email = email || ' ' || shop_id WHERE disabled_at IS NULL AND password_hash = '';
UPDATE users SET email = email || ' ' || shop_id || ' ' || id WHERE disabled_at IS NOT NULL;

-- +goose Down
-- Fails when an address came to sign in while another row held it waiting.
UPDATE users SET email = substr(email, 1, instr(email, ' ') - 1) WHERE instr(email, ' ') > 0;
DROP INDEX raffle_winners_card;
DROP INDEX raffles_shop_shown;
ALTER TABLE raffles DROP COLUMN free_entry;
