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

-- A coupon campaign: what it gives, when, to whom, how often.
CREATE TABLE campaigns (
    id             INTEGER PRIMARY KEY,
    shop_id        INTEGER NOT NULL REFERENCES shops (id),
    title          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    value_kind     TEXT NOT NULL CHECK (value_kind IN ('percent', 'amount', 'item', 'text')),
    -- percent off (1-100), or an amount off in the currency's minor unit
    value_number   INTEGER NOT NULL DEFAULT 0,
    -- the free item, or the free text
    value_text     TEXT NOT NULL DEFAULT '',
    valid_from     INTEGER NOT NULL,
    valid_until    INTEGER NOT NULL,
    audience       TEXT NOT NULL CHECK (audience IN ('all', 'segment', 'chosen', 'code')),
    segment        TEXT NOT NULL DEFAULT '',
    -- the public code, upper case, for audience 'code'
    code           TEXT,
    -- 0: no limit
    total_limit    INTEGER NOT NULL DEFAULT 0,
    per_card_limit INTEGER NOT NULL DEFAULT 1,
    paused_at      INTEGER,
    ended_at       INTEGER,
    created_by     INTEGER REFERENCES users (id),
    created_at     INTEGER NOT NULL,
    UNIQUE (shop_id, code)
) STRICT;
CREATE INDEX campaigns_shop ON campaigns (shop_id, valid_until);

-- A targeted coupon: a campaign issued to one card, shown on its card page.
CREATE TABLE coupons (
    id          INTEGER PRIMARY KEY,
    shop_id     INTEGER NOT NULL REFERENCES shops (id),
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    card_id     INTEGER NOT NULL REFERENCES cards (id),
    issued_at   INTEGER NOT NULL,
    -- the first time the customer's card page showed it
    viewed_at   INTEGER,
    UNIQUE (campaign_id, card_id)
) STRICT;
CREATE INDEX coupons_card ON coupons (card_id);

CREATE TABLE raffles (
    id               INTEGER PRIMARY KEY,
    shop_id          INTEGER NOT NULL REFERENCES shops (id),
    title            TEXT NOT NULL,
    prize            TEXT NOT NULL,
    rules            TEXT NOT NULL DEFAULT '',
    winners          INTEGER NOT NULL,
    opens_at         INTEGER NOT NULL,
    closes_at        INTEGER NOT NULL,
    entry_rule       TEXT NOT NULL CHECK (entry_rule IN ('stamps', 'visit', 'optin')),
    -- secret until the draw; its SHA-256 is published from the start
    seed             BLOB NOT NULL,
    commitment       TEXT NOT NULL,
    drawn_at         INTEGER,
    -- the canonical ticket list the draw used, published with the seed
    ticket_list      TEXT,
    created_by       INTEGER REFERENCES users (id),
    created_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX raffles_shop ON raffles (shop_id, closes_at);

-- The free entries: "no purchase necessary".
CREATE TABLE raffle_optins (
    raffle_id  INTEGER NOT NULL REFERENCES raffles (id),
    card_id    INTEGER NOT NULL REFERENCES cards (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (raffle_id, card_id)
) STRICT;

CREATE TABLE raffle_winners (
    raffle_id INTEGER NOT NULL REFERENCES raffles (id),
    place     INTEGER NOT NULL,
    card_id   INTEGER NOT NULL REFERENCES cards (id),
    PRIMARY KEY (raffle_id, place),
    UNIQUE (raffle_id, card_id)
) STRICT;

-- The append-only ledger of stamps, rewards, coupons and prizes: balances are
-- folded from it (see package loyalty); a mistake is undone by a void event.
CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    shop_id         INTEGER NOT NULL REFERENCES shops (id),
    card_id         INTEGER NOT NULL REFERENCES cards (id),
    -- stamps and rewards name their program, coupons their campaign, prizes their raffle
    program_id      INTEGER REFERENCES programs (id),
    campaign_id     INTEGER REFERENCES campaigns (id),
    raffle_id       INTEGER REFERENCES raffles (id),
    user_id         INTEGER REFERENCES users (id),
    kind            TEXT NOT NULL CHECK (kind IN ('stamp', 'redeem', 'void', 'coupon', 'prize')),
    stamps          INTEGER NOT NULL DEFAULT 0,
    reward_seq      INTEGER NOT NULL DEFAULT 0,
    void_of         INTEGER REFERENCES events (id),
    override        INTEGER NOT NULL DEFAULT 0,
    idempotency_key TEXT,
    created_at      INTEGER NOT NULL,
    UNIQUE (shop_id, idempotency_key)
) STRICT;
CREATE INDEX events_card ON events (card_id, id);
CREATE INDEX events_shop_time ON events (shop_id, created_at);
CREATE INDEX events_campaign ON events (campaign_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX events_raffle ON events (raffle_id) WHERE raffle_id IS NOT NULL;
-- an event is voided at most once
CREATE UNIQUE INDEX events_void_of ON events (void_of) WHERE void_of IS NOT NULL;

-- +goose Down
DROP TABLE events;
DROP TABLE raffle_winners;
DROP TABLE raffle_optins;
DROP TABLE raffles;
DROP TABLE coupons;
DROP TABLE campaigns;
DROP TABLE cards;
DROP TABLE programs;
DROP TABLE users;
DROP TABLE shops;
DROP TABLE settings;
