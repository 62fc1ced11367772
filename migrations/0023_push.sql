-- +goose Up
-- Issue 18: web push. A subscription is what a phone's browser gave the card
-- page when its customer tapped "Notify me": the push service's endpoint (a
-- URL that only that browser's push service answers) and the keys its
-- messages are encrypted for (RFC 8291). One browser has one subscription for
-- all the card pages of this server (they share the service worker's scope),
-- so an endpoint may serve several cards: it is unique per card.
CREATE TABLE push_subscriptions (
    id         INTEGER PRIMARY KEY,
    shop_id    INTEGER NOT NULL REFERENCES shops (id),
    card_id    INTEGER NOT NULL REFERENCES cards (id),
    endpoint   TEXT NOT NULL,
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    -- the language of the page it was made on: the customer's, in which its
    -- notifications are written
    language   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- gone: the push service said the endpoint no longer exists (404, 410),
    -- or the customer turned notifications off; nothing more is sent to it.
    -- last_error says why.
    gone_at    INTEGER,
    last_error TEXT NOT NULL DEFAULT '',
    UNIQUE (card_id, endpoint)
) STRICT;
-- The live subscriptions of a card, which a reward's notice goes to; and an
-- endpoint's rows, which a push service's "gone" ends at once.
CREATE INDEX push_subscriptions_live ON push_subscriptions (card_id) WHERE gone_at IS NULL;
CREATE INDEX push_subscriptions_endpoint ON push_subscriptions (endpoint);

-- +goose Down
DROP TABLE push_subscriptions;
