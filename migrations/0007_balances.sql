-- +goose Up
-- The ledger keeps its balances (docs/decisions.md, "Rules have a history").

-- Rules have a history: each saved change of a program's rules is a version
-- that judges the ledger events written after it (events with a greater id).
-- The programs row keeps the rules in force now.
CREATE TABLE program_rules (
    id                 INTEGER PRIMARY KEY,
    shop_id            INTEGER NOT NULL REFERENCES shops (id),
    program_id         INTEGER NOT NULL REFERENCES programs (id),
    -- the newest ledger event when the version was saved
    after_event        INTEGER NOT NULL,
    stamps_required    INTEGER NOT NULL,
    max_per_visit      INTEGER NOT NULL,
    cooldown_minutes   INTEGER NOT NULL,
    stamp_expiry_days  INTEGER NOT NULL,
    reward_expiry_days INTEGER NOT NULL,
    created_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX program_rules_program ON program_rules (program_id, after_event);
-- Before versions existed, balances were folded under the rules of the moment:
-- the rules in force at the upgrade are taken as the rules since the beginning.
INSERT INTO program_rules (shop_id, program_id, after_event, stamps_required, max_per_visit, cooldown_minutes,
        stamp_expiry_days, reward_expiry_days, created_at)
    SELECT shop_id, id, 0, stamps_required, max_per_visit, cooldown_minutes, stamp_expiry_days, reward_expiry_days, created_at
    FROM programs;

-- The ledger gains a kind, 'rules': the moment new rules earned a card its
-- rewards (a lowered target), and a column: the rewards each event earned when
-- it was written. SQLite cannot change a CHECK constraint in place, so the
-- table is rebuilt, as in 0002.
CREATE TABLE events_new (
    id              INTEGER PRIMARY KEY,
    shop_id         INTEGER NOT NULL REFERENCES shops (id),
    card_id         INTEGER NOT NULL REFERENCES cards (id),
    program_id      INTEGER REFERENCES programs (id),
    campaign_id     INTEGER REFERENCES campaigns (id),
    raffle_id       INTEGER REFERENCES raffles (id),
    user_id         INTEGER REFERENCES users (id),
    kind            TEXT NOT NULL CHECK (kind IN ('stamp', 'redeem', 'void', 'coupon', 'prize', 'adjust', 'bonus', 'rules')),
    stamps          INTEGER NOT NULL DEFAULT 0,
    reward_seq      INTEGER NOT NULL DEFAULT 0,
    void_of         INTEGER REFERENCES events_new (id),
    override        INTEGER NOT NULL DEFAULT 0,
    note            TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT,
    created_at      INTEGER NOT NULL,
    earned          INTEGER NOT NULL DEFAULT 0,
    UNIQUE (shop_id, idempotency_key)
) STRICT;
INSERT INTO events_new (id, shop_id, card_id, program_id, campaign_id, raffle_id, user_id, kind, stamps, reward_seq, void_of, override,
        note, idempotency_key, created_at)
    SELECT id, shop_id, card_id, program_id, campaign_id, raffle_id, user_id, kind, stamps, reward_seq, void_of, override,
        note, idempotency_key, created_at FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_card ON events (card_id, id);
CREATE INDEX events_shop_time ON events (shop_id, created_at);
CREATE INDEX events_user ON events (shop_id, user_id, created_at);
CREATE INDEX events_campaign ON events (campaign_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX events_raffle ON events (raffle_id) WHERE raffle_id IS NOT NULL;
CREATE UNIQUE INDEX events_void_of ON events (void_of) WHERE void_of IS NOT NULL;
CREATE INDEX events_user_kind ON events (shop_id, user_id, kind, override, created_at);

-- Each card's fold in each program after its last event (loyalty.State), kept
-- in the transaction of every ledger write; the ledger stays the truth and a
-- rebuild reproduces every row exactly.
CREATE TABLE card_balances (
    card_id    INTEGER NOT NULL REFERENCES cards (id),
    program_id INTEGER NOT NULL REFERENCES programs (id),
    shop_id    INTEGER NOT NULL REFERENCES shops (id),
    -- stamps held and rewards ready after the last event, before the
    -- expiries due since: what a rule change's preview counts
    stamps     INTEGER NOT NULL,
    ready      INTEGER NOT NULL,
    state      TEXT NOT NULL,
    PRIMARY KEY (card_id, program_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX card_balances_program ON card_balances (program_id, stamps);

-- Derived state that a migration leaves to be computed: the server computes
-- it at start and deletes the row in the same transaction, so an upgrade cut
-- off half-way computes it again at the next start.
CREATE TABLE rebuilds_owed (
    what TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;
INSERT INTO rebuilds_owed (what) VALUES ('balances');

-- +goose Down
DROP TABLE rebuilds_owed;
DROP TABLE card_balances;
DROP TABLE program_rules;
