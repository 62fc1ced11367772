-- +goose Up
-- Issue 18: messages to customers. A message is a row of the outbox, written
-- in the transaction of the event that causes it (a stamp that earns a
-- reward) and sent later by the server's worker (outbox/), so that no
-- conversation with a mail server ever holds the writer.

-- Consent, per channel and purpose, as an append-only record: the newest row
-- of a card's (channel, purpose) is the customer's current choice, and the
-- older ones say when and where each earlier choice was made. A service
-- message (reward ready, card link) needs the service consent of its
-- channel; a marketing one (news, offers) the marketing consent.
CREATE TABLE consents (
    id         INTEGER PRIMARY KEY,
    shop_id    INTEGER NOT NULL REFERENCES shops (id),
    card_id    INTEGER NOT NULL REFERENCES cards (id),
    channel    TEXT NOT NULL CHECK (channel IN ('email', 'push', 'sms')),
    purpose    TEXT NOT NULL CHECK (purpose IN ('service', 'marketing')),
    granted    INTEGER NOT NULL CHECK (granted IN (0, 1)),
    -- where the choice was made: at the counter, on the join form, on the
    -- card page, by an import, by an unsubscribe link, or carried over from
    -- the single consent cards had before (cards.consent_at)
    source     TEXT NOT NULL CHECK (source IN ('counter', 'join', 'card', 'import', 'unsubscribe', 'migrated')),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX consents_card ON consents (card_id, channel, purpose, id);
-- The consent a card had was to hear news and offers from the shop: the
-- marketing consent, by e-mail, which is the only channel there was.
INSERT INTO consents (shop_id, card_id, channel, purpose, granted, source, created_at)
    SELECT shop_id, id, 'email', 'marketing', 1, 'migrated', consent_at FROM cards WHERE consent_at IS NOT NULL AND erased_at IS NULL;

-- An automation of a shop, off until the owner turns it on.
CREATE TABLE automations (
    shop_id    INTEGER NOT NULL REFERENCES shops (id),
    kind       TEXT NOT NULL,
    enabled    INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, kind)
) STRICT;
-- The owner's own texts of an automation, per language; none: the
-- catalogue's text of that language.
CREATE TABLE automation_texts (
    shop_id  INTEGER NOT NULL REFERENCES shops (id),
    kind     TEXT NOT NULL,
    language TEXT NOT NULL,
    subject  TEXT NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (shop_id, kind, language)
) STRICT;

-- The outbox. queued → sending → sent, or back to queued with next_at later
-- (a retry), or failed (given up, last_error says why), or dropped (no
-- longer to send: consent withdrawn, card erased, stamp undone). A message is
-- "sending" from the moment the worker claims it until the answer of the
-- server is recorded; next_at is then when the claim lapses, and a message
-- whose claim lapsed (the process died mid-send) is sent again. The key
-- makes an event queue a message once.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    shop_id         INTEGER NOT NULL REFERENCES shops (id),
    card_id         INTEGER NOT NULL REFERENCES cards (id),
    channel         TEXT NOT NULL,
    template        TEXT NOT NULL,
    purpose         TEXT NOT NULL CHECK (purpose IN ('service', 'marketing')),
    language        TEXT NOT NULL,
    -- the facts of the event the text needs, as JSON
    payload         TEXT NOT NULL DEFAULT '{}',
    state           TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'dropped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at         INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    UNIQUE (shop_id, idempotency_key)
) STRICT;
CREATE INDEX outbox_due ON outbox (next_at) WHERE state IN ('queued', 'sending');
CREATE INDEX outbox_shop ON outbox (shop_id, state, id);

-- +goose Down
DROP TABLE outbox;
DROP TABLE automation_texts;
DROP TABLE automations;
DROP TABLE consents;
