-- +goose Up
-- Customer records, feedback, the audit log, and the rollups that keep the
-- dashboard and the customer list fast on a big shop. Rollups are derived from
-- the ledger (db/rollups.go) and can always be rebuilt from it.

-- The ledger gains two kinds: an owner's adjustment (with a required reason) and
-- a bonus the shop grants (welcome, referral); neither is a visit. SQLite cannot
-- change a CHECK constraint in place, so the table is rebuilt; void_of names the
-- new table, and the rename carries that reference over.
CREATE TABLE events_new (
    id              INTEGER PRIMARY KEY,
    shop_id         INTEGER NOT NULL REFERENCES shops (id),
    card_id         INTEGER NOT NULL REFERENCES cards (id),
    program_id      INTEGER REFERENCES programs (id),
    campaign_id     INTEGER REFERENCES campaigns (id),
    raffle_id       INTEGER REFERENCES raffles (id),
    user_id         INTEGER REFERENCES users (id),
    kind            TEXT NOT NULL CHECK (kind IN ('stamp', 'redeem', 'void', 'coupon', 'prize', 'adjust', 'bonus')),
    stamps          INTEGER NOT NULL DEFAULT 0,
    reward_seq      INTEGER NOT NULL DEFAULT 0,
    void_of         INTEGER REFERENCES events_new (id),
    override        INTEGER NOT NULL DEFAULT 0,
    -- why: the reason of an adjustment, the cause of a bonus
    note            TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT,
    created_at      INTEGER NOT NULL,
    UNIQUE (shop_id, idempotency_key)
) STRICT;
INSERT INTO events_new (id, shop_id, card_id, program_id, campaign_id, raffle_id, user_id, kind, stamps, reward_seq, void_of, override, idempotency_key, created_at)
    SELECT id, shop_id, card_id, program_id, campaign_id, raffle_id, user_id, kind, stamps, reward_seq, void_of, override, idempotency_key, created_at FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_card ON events (card_id, id);
CREATE INDEX events_shop_time ON events (shop_id, created_at);
CREATE INDEX events_user ON events (shop_id, user_id, created_at);
CREATE INDEX events_campaign ON events (campaign_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX events_raffle ON events (raffle_id) WHERE raffle_id IS NOT NULL;
CREATE UNIQUE INDEX events_void_of ON events (void_of) WHERE void_of IS NOT NULL;

ALTER TABLE cards ADD COLUMN email TEXT NOT NULL DEFAULT '';
-- "MM-DD", or empty: a day and a month, never a year
ALTER TABLE cards ADD COLUMN birthday TEXT NOT NULL DEFAULT '';
-- set when the owner erased the customer's personal data; the ledger stays
ALTER TABLE cards ADD COLUMN erased_at INTEGER;
CREATE INDEX cards_email ON cards (shop_id, email COLLATE NOCASE);
CREATE INDEX cards_created ON cards (shop_id, created_at);

-- Program economics, in the currency's minor unit; 0: not entered yet.
ALTER TABLE shops ADD COLUMN average_ticket INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shops ADD COLUMN reward_cost INTEGER NOT NULL DEFAULT 0;
-- Segments move with the calendar: they are recomputed once a day (the shop's
-- day number below) with the VIP threshold of that day.
ALTER TABLE shops ADD COLUMN segments_day INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shops ADD COLUMN vip_threshold INTEGER NOT NULL DEFAULT 2;
-- The previous 30-day period's active and repeat customers, counted on
-- segments_day: that period lies in the past, so once a day is enough.
ALTER TABLE shops ADD COLUMN prev_active INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shops ADD COLUMN prev_repeat INTEGER NOT NULL DEFAULT 0;

-- Days below are calendar days in the shop's time zone, numbered from 1970-01-01.

-- One row per card and day with any ledger activity.
CREATE TABLE card_days (
    card_id  INTEGER NOT NULL REFERENCES cards (id),
    day      INTEGER NOT NULL,
    shop_id  INTEGER NOT NULL REFERENCES shops (id),
    -- the local hour of the day's first stamp (of its first event without one)
    hour     INTEGER NOT NULL,
    -- a visit is a day with a stamp that was not voided
    visited  INTEGER NOT NULL,
    -- days since the card's previous visit; NULL for a first visit or no visit
    gap      INTEGER,
    stamps   INTEGER NOT NULL,
    rewards  INTEGER NOT NULL,
    redeems  INTEGER NOT NULL,
    PRIMARY KEY (card_id, day)
) STRICT, WITHOUT ROWID;
CREATE INDEX card_days_shop ON card_days (shop_id, day, card_id) WHERE visited = 1;

-- What the customer list sorts and filters by, one row per card.
CREATE TABLE card_stats (
    card_id    INTEGER PRIMARY KEY REFERENCES cards (id),
    shop_id    INTEGER NOT NULL REFERENCES shops (id),
    visits     INTEGER NOT NULL DEFAULT 0,
    first_day  INTEGER NOT NULL DEFAULT 0,
    last_day   INTEGER NOT NULL DEFAULT 0,
    -- the visit before the last: with last_day, who came twice in a period
    prev_day   INTEGER NOT NULL DEFAULT 0,
    median_gap REAL NOT NULL DEFAULT 0,
    stamps     INTEGER NOT NULL DEFAULT 0,
    rewards    INTEGER NOT NULL DEFAULT 0,
    redeems    INTEGER NOT NULL DEFAULT 0,
    segment    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX card_stats_last ON card_stats (shop_id, last_day);
CREATE INDEX card_stats_visits ON card_stats (shop_id, visits);
CREATE INDEX card_stats_prev ON card_stats (shop_id, prev_day);
CREATE INDEX card_stats_rewards ON card_stats (shop_id, rewards);
CREATE INDEX card_stats_segment ON card_stats (shop_id, segment, last_day);
-- Every card has its row from the start, however it was created.
INSERT INTO card_stats (card_id, shop_id) SELECT id, shop_id FROM cards;
-- +goose StatementBegin
CREATE TRIGGER cards_stats AFTER INSERT ON cards BEGIN
    INSERT INTO card_stats (card_id, shop_id) VALUES (new.id, new.shop_id);
END;
-- +goose StatementEnd

-- The shop's activity by day and hour: the sums of card_days.
CREATE TABLE shop_days (
    shop_id      INTEGER NOT NULL REFERENCES shops (id),
    day          INTEGER NOT NULL,
    hour         INTEGER NOT NULL,
    visits       INTEGER NOT NULL DEFAULT 0,
    first_visits INTEGER NOT NULL DEFAULT 0,
    gap_sum      INTEGER NOT NULL DEFAULT 0,
    gaps         INTEGER NOT NULL DEFAULT 0,
    stamps       INTEGER NOT NULL DEFAULT 0,
    rewards      INTEGER NOT NULL DEFAULT 0,
    redeems      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, day, hour)
) STRICT, WITHOUT ROWID;

-- Retention: how many of a month's new customers visited `offset` months later.
CREATE TABLE shop_cohorts (
    shop_id   INTEGER NOT NULL REFERENCES shops (id),
    -- year*12 + month - 1 of the first visit
    cohort    INTEGER NOT NULL,
    offset    INTEGER NOT NULL,
    customers INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, cohort, offset)
) STRICT, WITHOUT ROWID;

-- What each person did at the counter, by day.
CREATE TABLE staff_days (
    shop_id   INTEGER NOT NULL REFERENCES shops (id),
    day       INTEGER NOT NULL,
    user_id   INTEGER NOT NULL REFERENCES users (id),
    stamps    INTEGER NOT NULL DEFAULT 0,
    redeems   INTEGER NOT NULL DEFAULT 0,
    voids     INTEGER NOT NULL DEFAULT 0,
    overrides INTEGER NOT NULL DEFAULT 0,
    adjusts   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, day, user_id)
) STRICT, WITHOUT ROWID;

-- "How was your visit?": one answer per card and visit day.
CREATE TABLE feedback (
    id         INTEGER PRIMARY KEY,
    shop_id    INTEGER NOT NULL REFERENCES shops (id),
    card_id    INTEGER NOT NULL REFERENCES cards (id),
    day        INTEGER NOT NULL,
    rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment    TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (card_id, day)
) STRICT;
CREATE INDEX feedback_shop ON feedback (shop_id, created_at);

-- Staff actions that are not ledger events (the ledger records its own author):
-- logins, settings, staff, programs, campaigns, raffles, customer records.
CREATE TABLE audit (
    id         INTEGER PRIMARY KEY,
    shop_id    INTEGER NOT NULL REFERENCES shops (id),
    user_id    INTEGER REFERENCES users (id),
    action     TEXT NOT NULL,
    -- what it was done to, as people read it (a program's name, a card's code)
    subject    TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX audit_shop ON audit (shop_id, created_at);
CREATE INDEX audit_user ON audit (shop_id, user_id, created_at);

-- +goose Down
DROP TRIGGER cards_stats;
DROP TABLE audit;
DROP TABLE feedback;
DROP TABLE staff_days;
DROP TABLE shop_cohorts;
DROP TABLE shop_days;
DROP TABLE card_stats;
DROP TABLE card_days;
DROP INDEX cards_created;
DROP INDEX cards_email;
ALTER TABLE cards DROP COLUMN erased_at;
ALTER TABLE cards DROP COLUMN birthday;
ALTER TABLE cards DROP COLUMN email;
ALTER TABLE shops DROP COLUMN prev_repeat;
ALTER TABLE shops DROP COLUMN prev_active;
ALTER TABLE shops DROP COLUMN vip_threshold;
ALTER TABLE shops DROP COLUMN segments_day;
ALTER TABLE shops DROP COLUMN reward_cost;
ALTER TABLE shops DROP COLUMN average_ticket;
DROP INDEX events_user;
-- events keeps its note column and wider kind check: older code never writes them.
