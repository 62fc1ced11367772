-- +goose Up
-- Issue 19, item 4: tiers ("premium conditions"), loyalty/tiers.go and db/tiers.go.

-- A shop's ladder: one measure (visits, or points earned by purchases) over
-- one trailing period, and the days a customer keeps a tier after falling
-- below it. No row: the shop has no tiers.
CREATE TABLE tier_ladders (
    shop_id     INTEGER PRIMARY KEY REFERENCES shops (id),
    measure     TEXT NOT NULL CHECK (measure IN ('visits', 'points')),
    period_days INTEGER NOT NULL CHECK (period_days BETWEEN 1 AND 3660),
    grace_days  INTEGER NOT NULL CHECK (grace_days BETWEEN 0 AND 366),
    updated_at  INTEGER NOT NULL
) STRICT;

-- The ladder's steps, lowest first: rank 1, 2, … The threshold is the
-- measure a customer needs in the period; percent multiplies the points a
-- purchase gives (100: none; 125: ×1.25). Gifts, coupons and cards name a
-- tier by its rank, so that renaming a step keeps what it opens.
CREATE TABLE tiers (
    shop_id   INTEGER NOT NULL REFERENCES shops (id),
    rank      INTEGER NOT NULL CHECK (rank BETWEEN 1 AND 10),
    name      TEXT NOT NULL,
    threshold INTEGER NOT NULL CHECK (threshold >= 1),
    percent   INTEGER NOT NULL DEFAULT 100 CHECK (percent BETWEEN 100 AND 1000),
    PRIMARY KEY (shop_id, rank)
) STRICT;

-- A card's kept tier (0: none), and since when its measure is below it:
-- the grace before a downgrade counts from there (NULL: it is not below).
ALTER TABLE cards ADD COLUMN tier INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cards ADD COLUMN tier_below_since INTEGER;
CREATE INDEX cards_tier ON cards (shop_id, tier) WHERE tier > 0;

-- Every change of a card's tier: from and to are ranks (0: none); reason is
-- 'earn' (a visit or purchase reached it), 'void' (an undo took back the
-- event that reached it), 'grace' (the daily pass, after the grace) or
-- 'ladder' (the owner changed the ladder). event_id is the event that
-- caused it, when one did.
CREATE TABLE tier_changes (
    id         INTEGER PRIMARY KEY,
    shop_id    INTEGER NOT NULL REFERENCES shops (id),
    card_id    INTEGER NOT NULL REFERENCES cards (id),
    from_tier  INTEGER NOT NULL,
    to_tier    INTEGER NOT NULL,
    reason     TEXT NOT NULL CHECK (reason IN ('earn', 'void', 'grace', 'ladder')),
    event_id   INTEGER REFERENCES events (id),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX tier_changes_card ON tier_changes (card_id, id);

-- The tier multiplier a purchase was given with (percent; 0: none), kept on
-- its event as the rules' version is kept, so that a rebuild gives the
-- purchase the points the counter gave.
ALTER TABLE events ADD COLUMN tier_percent INTEGER NOT NULL DEFAULT 0;

-- Gifts and coupon campaigns open to a tier and above only (0: everyone).
ALTER TABLE gifts ADD COLUMN min_tier INTEGER NOT NULL DEFAULT 0 CHECK (min_tier BETWEEN 0 AND 10);
ALTER TABLE campaigns ADD COLUMN min_tier INTEGER NOT NULL DEFAULT 0 CHECK (min_tier BETWEEN 0 AND 10);

-- +goose Down
ALTER TABLE campaigns DROP COLUMN min_tier;
ALTER TABLE gifts DROP COLUMN min_tier;
ALTER TABLE events DROP COLUMN tier_percent;
DROP TABLE tier_changes;
DROP INDEX cards_tier;
ALTER TABLE cards DROP COLUMN tier_below_since;
ALTER TABLE cards DROP COLUMN tier;
DROP TABLE tiers;
DROP TABLE tier_ladders;
