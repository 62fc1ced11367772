-- +goose Up
-- Growth: joining by poster, welcome gift, printed cards, referrals,
-- birthdays and news. Every gift is off until the owner sets it.

-- pitch: the poster's one line under the shop's name.
ALTER TABLE shops ADD COLUMN pitch TEXT NOT NULL DEFAULT '';
-- The welcome gift: bonus stamps in the default program, and/or a coupon of
-- one of the shop's campaigns, given to every new card however it joined.
ALTER TABLE shops ADD COLUMN welcome_stamps INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shops ADD COLUMN welcome_campaign_id INTEGER REFERENCES campaigns (id);
-- The referral bonus, to the friend and the referrer each, and how many
-- bonuses one referrer may earn in a calendar month.
ALTER TABLE shops ADD COLUMN referral_stamps INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shops ADD COLUMN referral_cap INTEGER NOT NULL DEFAULT 5;
-- The birthday gift ('' for none), valid birthday_days either side of it.
ALTER TABLE shops ADD COLUMN birthday_gift TEXT NOT NULL DEFAULT '';
ALTER TABLE shops ADD COLUMN birthday_days INTEGER NOT NULL DEFAULT 7;

-- When the customer agreed to hear from the shop; NULL: they did not.
ALTER TABLE cards ADD COLUMN consent_at INTEGER;
-- The code in the card's invite link. It names the card as a referrer and
-- opens nothing: the card page needs the token.
ALTER TABLE cards ADD COLUMN invite_code TEXT;
UPDATE cards SET invite_code = lower(hex(randomblob(8)));
CREATE UNIQUE INDEX cards_invite ON cards (shop_id, invite_code);
-- Every way a card is made (counter, poster, printed card, import, demo) gets
-- its invite code here, so none can forget it.
-- +goose StatementBegin
CREATE TRIGGER cards_invite_code AFTER INSERT ON cards WHEN NEW.invite_code IS NULL
BEGIN
    UPDATE cards SET invite_code = lower(hex(randomblob(8))) WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- A friend who joined by a card's invite link. paid_at is set at the
-- friend's first stamp from a cashier, when the bonuses are given;
-- referrer_paid is 0 when the referrer had reached the month's cap then.
CREATE TABLE referrals (
    id            INTEGER PRIMARY KEY,
    shop_id       INTEGER NOT NULL REFERENCES shops (id),
    referrer_id   INTEGER NOT NULL REFERENCES cards (id),
    -- one referral, so one bonus, per new card
    friend_id     INTEGER NOT NULL UNIQUE REFERENCES cards (id),
    created_at    INTEGER NOT NULL,
    paid_at       INTEGER,
    referrer_paid INTEGER NOT NULL DEFAULT 0,
    CHECK (referrer_id <> friend_id)
) STRICT;
CREATE INDEX referrals_shop ON referrals (shop_id, created_at);
CREATE INDEX referrals_referrer ON referrals (referrer_id, paid_at);

-- Cards printed on paper, blank until a cashier activates one for a new
-- customer or gives it to a customer who lost theirs. card_id is the card it
-- became.
CREATE TABLE printed_cards (
    id         INTEGER PRIMARY KEY,
    shop_id    INTEGER NOT NULL REFERENCES shops (id),
    -- the print run, numbered within the shop from 1
    batch      INTEGER NOT NULL,
    token      TEXT NOT NULL UNIQUE,
    short_code TEXT NOT NULL,
    card_id    INTEGER REFERENCES cards (id),
    used_at    INTEGER,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    UNIQUE (shop_id, short_code)
) STRICT;
CREATE INDEX printed_cards_batch ON printed_cards (shop_id, batch);

-- The tokens of cards that were replaced: the old QR code stops working, and
-- whoever scans it is told why.
CREATE TABLE retired_tokens (
    token      TEXT PRIMARY KEY,
    shop_id    INTEGER NOT NULL REFERENCES shops (id),
    card_id    INTEGER NOT NULL REFERENCES cards (id),
    retired_at INTEGER NOT NULL
) STRICT;

-- Birthday coupons: one campaign per shop and year, made when first needed,
-- and per coupon a window of its own around the customer's birthday.
ALTER TABLE campaigns ADD COLUMN birthday_year INTEGER;
CREATE UNIQUE INDEX campaigns_birthday ON campaigns (shop_id, birthday_year) WHERE birthday_year IS NOT NULL;
ALTER TABLE coupons ADD COLUMN valid_from INTEGER;
ALTER TABLE coupons ADD COLUMN valid_until INTEGER;

-- Announcements at the top of the card pages.
CREATE TABLE news (
    id         INTEGER PRIMARY KEY,
    shop_id    INTEGER NOT NULL REFERENCES shops (id),
    body       TEXT NOT NULL,
    -- re-encoded by the server; NULL: no image
    image      BLOB,
    -- shown until then; NULL: until the owner takes it down
    ends_at    INTEGER,
    removed_at INTEGER,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    -- of the form that posted it: a double tap posts once
    idempotency_key TEXT,
    UNIQUE (shop_id, idempotency_key)
) STRICT;
CREATE INDEX news_shop ON news (shop_id, created_at);

-- Which card has seen which announcement: each shows as new once.
CREATE TABLE news_seen (
    news_id INTEGER NOT NULL REFERENCES news (id),
    card_id INTEGER NOT NULL REFERENCES cards (id),
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (news_id, card_id)
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE news_seen;
DROP TABLE news;
DROP INDEX campaigns_birthday;
ALTER TABLE coupons DROP COLUMN valid_until;
ALTER TABLE coupons DROP COLUMN valid_from;
ALTER TABLE campaigns DROP COLUMN birthday_year;
DROP TABLE retired_tokens;
DROP TABLE printed_cards;
DROP TABLE referrals;
DROP TRIGGER cards_invite_code;
DROP INDEX cards_invite;
ALTER TABLE cards DROP COLUMN invite_code;
ALTER TABLE cards DROP COLUMN consent_at;
ALTER TABLE shops DROP COLUMN birthday_days;
ALTER TABLE shops DROP COLUMN birthday_gift;
ALTER TABLE shops DROP COLUMN referral_cap;
ALTER TABLE shops DROP COLUMN referral_stamps;
ALTER TABLE shops DROP COLUMN welcome_campaign_id;
ALTER TABLE shops DROP COLUMN welcome_stamps;
ALTER TABLE shops DROP COLUMN pitch;
