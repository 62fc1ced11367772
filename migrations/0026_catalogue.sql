-- +goose Up
-- Issue 19, items 2 and 3: the gift catalogue and its fulfilment (db/catalogue.go).

-- An item of a shop's gift catalogue, priced in the points of one points
-- program. partial_points and partial_money (minor units) are the other way
-- to pay, when the owner allows it (both 0: points only): e.g. 300 points,
-- or 150 points and 2.00. stock NULL is unlimited; per_customer 0 no limit;
-- starts_at/ends_at NULL no bound (ends_at is the first moment it is gone).
-- cost is what one costs the shop (minor units), for "Is the program worth it?".
CREATE TABLE gifts (
    id              INTEGER PRIMARY KEY,
    shop_id         INTEGER NOT NULL REFERENCES shops (id),
    program_id      INTEGER NOT NULL REFERENCES programs (id),
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    points          INTEGER NOT NULL CHECK (points > 0),
    partial_points  INTEGER NOT NULL DEFAULT 0 CHECK (partial_points >= 0),
    partial_money   INTEGER NOT NULL DEFAULT 0 CHECK (partial_money >= 0),
    cost            INTEGER NOT NULL DEFAULT 0 CHECK (cost >= 0),
    image           BLOB,
    stock           INTEGER CHECK (stock IS NULL OR stock >= 0),
    starts_at       INTEGER,
    ends_at         INTEGER,
    per_customer    INTEGER NOT NULL DEFAULT 0 CHECK (per_customer >= 0),
    archived_at     INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    idempotency_key TEXT
) STRICT;
CREATE INDEX gifts_shop ON gifts (shop_id, archived_at);
CREATE UNIQUE INDEX gifts_key ON gifts (shop_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- A redemption of a gift: the points were spent by the ledger event
-- event_id (a redeem whose note names the gift), in the transaction that
-- took one from stock. requested → ready → handed_over, or requested/ready →
-- shipped → delivered, or → cancelled (from any state but the last ones):
-- a cancel voids the spend event. points and money are what was paid,
-- cost what the gift cost the shop when it was redeemed.
CREATE TABLE gift_orders (
    id         INTEGER PRIMARY KEY,
    shop_id    INTEGER NOT NULL REFERENCES shops (id),
    card_id    INTEGER NOT NULL REFERENCES cards (id),
    gift_id    INTEGER NOT NULL REFERENCES gifts (id),
    event_id   INTEGER NOT NULL UNIQUE REFERENCES events (id),
    points     INTEGER NOT NULL CHECK (points > 0),
    money      INTEGER NOT NULL DEFAULT 0 CHECK (money >= 0),
    cost       INTEGER NOT NULL DEFAULT 0 CHECK (cost >= 0),
    state      TEXT NOT NULL DEFAULT 'requested'
               CHECK (state IN ('requested', 'ready', 'handed_over', 'shipped', 'delivered', 'cancelled')),
    source     TEXT NOT NULL CHECK (source IN ('card', 'counter')),
    carrier    TEXT NOT NULL DEFAULT '',
    tracking   TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER REFERENCES users (id)
) STRICT;
CREATE INDEX gift_orders_card ON gift_orders (card_id, gift_id);
CREATE INDEX gift_orders_queue ON gift_orders (shop_id, state, id);

-- A void of a redemption's spend event cancels it and puts its gift back in
-- stock, whoever voids it: the owner's cancel, or the counter's undo of a
-- redemption made by mistake. The order's state and the ledger never disagree.
-- +goose StatementBegin
CREATE TRIGGER gift_orders_void AFTER INSERT ON events
WHEN NEW.kind = 'void' AND NEW.void_of IS NOT NULL
BEGIN
    UPDATE gifts SET stock = stock + 1
        WHERE stock IS NOT NULL AND id = (SELECT gift_id FROM gift_orders WHERE event_id = NEW.void_of AND state != 'cancelled');
    UPDATE gift_orders SET state = 'cancelled', updated_at = NEW.created_at, updated_by = NEW.user_id
        WHERE event_id = NEW.void_of AND state != 'cancelled';
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER gift_orders_void;
DROP TABLE gift_orders;
DROP TABLE gifts;
