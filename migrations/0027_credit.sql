-- +goose Up
-- Issue 19: cashback as store credit (loyalty/credit.go, db/credit.go).

-- A shop's cashback: basis points of the amount spent (50 = 0.5% to
-- 5000 = 50%; 0 = off), credited in minor units of its currency, rounded
-- down, for a purchase of at least cashback_min minor units.
ALTER TABLE shops ADD COLUMN cashback_bp INTEGER NOT NULL DEFAULT 0 CHECK (cashback_bp = 0 OR cashback_bp BETWEEN 50 AND 5000);
ALTER TABLE shops ADD COLUMN cashback_min INTEGER NOT NULL DEFAULT 0 CHECK (cashback_min >= 0);

-- The store credit an event added (+, cashback of a purchase) or spent (-,
-- money off at the counter), in minor units, as written; the reason is the
-- event's kind and note. Credit belongs to the card, not to a program: a
-- spend has no program, a purchase may be a points program's.
ALTER TABLE events ADD COLUMN credit INTEGER NOT NULL DEFAULT 0;
CREATE INDEX events_credit ON events (card_id, id) WHERE credit <> 0;

-- The credit a card holds after its last event, folded in the event's
-- transaction (db/credit.go); a rebuild from the ledger gives the same.
CREATE TABLE card_credit (
    card_id INTEGER PRIMARY KEY REFERENCES cards (id),
    shop_id INTEGER NOT NULL REFERENCES shops (id),
    credit  INTEGER NOT NULL CHECK (credit >= 0)
) STRICT;
-- What the shop owes its customers: one sum over the shop's rows.
CREATE INDEX card_credit_shop ON card_credit (shop_id, credit);

-- +goose Down
DROP TABLE card_credit;
DROP INDEX events_credit;
ALTER TABLE events DROP COLUMN credit;
ALTER TABLE shops DROP COLUMN cashback_min;
ALTER TABLE shops DROP COLUMN cashback_bp;
