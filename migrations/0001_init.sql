-- +goose Up
-- Times are unix seconds (UTC). Ledger order is the id order.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

CREATE TABLE shops (
    id           INTEGER PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    brand_color  TEXT NOT NULL DEFAULT '#7c3aed',
    language     TEXT NOT NULL DEFAULT 'en',
    timezone     TEXT NOT NULL DEFAULT 'UTC',
    currency     TEXT NOT NULL DEFAULT 'EUR',
    logo         BLOB,
    logo_version INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id                INTEGER PRIMARY KEY,
    shop_id           INTEGER NOT NULL REFERENCES shops (id),
    name              TEXT NOT NULL,
    email             TEXT NOT NULL COLLATE NOCASE UNIQUE,
    -- empty until the person accepts their invite
    password_hash     TEXT NOT NULL DEFAULT '',
    role              TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'cashier')),
    -- bumped to end every session of the user (password change, removal)
    session_version   INTEGER NOT NULL DEFAULT 1,
    invite_hash       TEXT UNIQUE,
    invite_expires_at INTEGER,
    disabled_at       INTEGER,
    created_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX users_shop ON users (shop_id);

CREATE TABLE programs (
    id                 INTEGER PRIMARY KEY,
    shop_id            INTEGER NOT NULL REFERENCES shops (id),
    name               TEXT NOT NULL,
    reward_text        TEXT NOT NULL,
    stamps_required    INTEGER NOT NULL,
    max_per_visit      INTEGER NOT NULL,
    cooldown_minutes   INTEGER NOT NULL DEFAULT 0,
    stamp_expiry_days  INTEGER NOT NULL DEFAULT 0,
    reward_expiry_days INTEGER NOT NULL DEFAULT 0,
    is_default         INTEGER NOT NULL DEFAULT 0,
    archived_at        INTEGER,
    created_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX programs_shop ON programs (shop_id);
CREATE UNIQUE INDEX programs_one_default ON programs (shop_id) WHERE is_default = 1;

CREATE TABLE cards (
    id              INTEGER PRIMARY KEY,
    shop_id         INTEGER NOT NULL REFERENCES shops (id),
    token           TEXT NOT NULL UNIQUE,
    short_code      TEXT NOT NULL,
    first_name      TEXT NOT NULL DEFAULT '',
    -- digits only (and a leading +), see loyalty.NormalizePhone
    phone           TEXT NOT NULL DEFAULT '',
    created_by      INTEGER REFERENCES users (id),
    created_at      INTEGER NOT NULL,
    idempotency_key TEXT,
    UNIQUE (shop_id, short_code),
    UNIQUE (shop_id, idempotency_key)
) STRICT;
CREATE INDEX cards_phone ON cards (shop_id, phone);
CREATE INDEX cards_name ON cards (shop_id, first_name COLLATE NOCASE);

-- The append-only ledger: balances are folded from it (see package loyalty).
CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    shop_id         INTEGER NOT NULL REFERENCES shops (id),
    card_id         INTEGER NOT NULL REFERENCES cards (id),
    program_id      INTEGER NOT NULL REFERENCES programs (id),
    user_id         INTEGER REFERENCES users (id),
    kind            TEXT NOT NULL CHECK (kind IN ('stamp', 'redeem', 'void')),
    stamps          INTEGER NOT NULL DEFAULT 0,
    reward_seq      INTEGER NOT NULL DEFAULT 0,
    void_of         INTEGER REFERENCES events (id),
    override        INTEGER NOT NULL DEFAULT 0,
    idempotency_key TEXT,
    created_at      INTEGER NOT NULL,
    UNIQUE (shop_id, idempotency_key)
) STRICT;
CREATE INDEX events_card ON events (card_id, program_id, id);
CREATE INDEX events_shop_time ON events (shop_id, created_at);
-- an event is voided at most once
CREATE UNIQUE INDEX events_void_of ON events (void_of) WHERE void_of IS NOT NULL;

-- +goose Down
DROP TABLE events;
DROP TABLE cards;
DROP TABLE programs;
DROP TABLE users;
DROP TABLE shops;
DROP TABLE settings;
