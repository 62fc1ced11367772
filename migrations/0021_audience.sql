-- +goose Up
-- Issue 18: who each marketing automation chose, and whom it held out. An
-- automation that picks a customer (a lapsed one for "we miss you", a
-- birthday, a newsletter's reader) draws, per customer, whether they are in
-- the hold-out: a random share left without the message, so that the owner
-- can compare how many of each group came back within 30 days. A row is kept
-- for both groups; outbox_id is the message queued for a messaged customer
-- (NULL when held out, or when the cap or a missing address kept it back:
-- then skipped says why).
CREATE TABLE automation_audience (
    id        INTEGER PRIMARY KEY,
    shop_id   INTEGER NOT NULL REFERENCES shops (id),
    kind      TEXT NOT NULL,
    card_id   INTEGER NOT NULL REFERENCES cards (id),
    -- when the automation chose the customer: the 30 days of "came back"
    -- count from here
    chosen_at INTEGER NOT NULL,
    held_out  INTEGER NOT NULL CHECK (held_out IN (0, 1)),
    outbox_id INTEGER REFERENCES outbox (id),
    skipped   TEXT NOT NULL DEFAULT '',
    -- the occasion: a customer is chosen once per occasion of an automation
    -- (the month of a birthday, the day of a lapse, the news item)
    occasion  TEXT NOT NULL,
    UNIQUE (shop_id, kind, card_id, occasion)
) STRICT;
CREATE INDEX automation_audience_kind ON automation_audience (shop_id, kind, chosen_at);

-- +goose Down
DROP TABLE automation_audience;
