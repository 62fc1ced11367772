-- +goose Up
-- Issue 19: points expire oldest first, multipliers in a weekly window
-- (loyalty/points.go), and the numbers the owner and the reminders read.

-- A points program's points expire points_expiry_days after they were given
-- (0: never). A multiplier (2–10; 0: none) multiplies a purchase's points on
-- the days of multiplier_days (bit 1 << weekday, Sunday is bit 0) from
-- multiplier_from up to multiplier_to (minutes of the day), read in
-- multiplier_zone: the shop's zone when the rules were saved (a change of
-- the shop's zone saves a new version), so that a rebuild judges a purchase
-- as the counter did.
ALTER TABLE programs ADD COLUMN points_expiry_days INTEGER NOT NULL DEFAULT 0 CHECK (points_expiry_days >= 0);
ALTER TABLE programs ADD COLUMN multiplier INTEGER NOT NULL DEFAULT 0 CHECK (multiplier BETWEEN 0 AND 10);
ALTER TABLE programs ADD COLUMN multiplier_days INTEGER NOT NULL DEFAULT 0 CHECK (multiplier_days BETWEEN 0 AND 127);
ALTER TABLE programs ADD COLUMN multiplier_from INTEGER NOT NULL DEFAULT 0 CHECK (multiplier_from BETWEEN 0 AND 1440);
ALTER TABLE programs ADD COLUMN multiplier_to INTEGER NOT NULL DEFAULT 0 CHECK (multiplier_to BETWEEN 0 AND 1440);
ALTER TABLE programs ADD COLUMN multiplier_zone TEXT NOT NULL DEFAULT '';

ALTER TABLE program_rules ADD COLUMN points_expiry_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE program_rules ADD COLUMN multiplier INTEGER NOT NULL DEFAULT 0;
ALTER TABLE program_rules ADD COLUMN multiplier_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE program_rules ADD COLUMN multiplier_from INTEGER NOT NULL DEFAULT 0;
ALTER TABLE program_rules ADD COLUMN multiplier_to INTEGER NOT NULL DEFAULT 0;
ALTER TABLE program_rules ADD COLUMN multiplier_zone TEXT NOT NULL DEFAULT '';

-- When the first of the points a card holds expire (Unix seconds; 0:
-- never), as of its last event: what the daily reminder looks for, and what
-- tells the liability which rows hold expired points to take off.
ALTER TABLE card_balances ADD COLUMN points_expire_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX card_balances_points ON card_balances (shop_id, program_id, points, points_expire_at) WHERE points > 0;

-- The kept states gain their lots of points: rebuilt from the ledger at the
-- next start.
INSERT OR IGNORE INTO rebuilds_owed (what) VALUES ('balances');

-- +goose Down
DELETE FROM rebuilds_owed WHERE what = 'balances';
DROP INDEX card_balances_points;
ALTER TABLE card_balances DROP COLUMN points_expire_at;
ALTER TABLE program_rules DROP COLUMN multiplier_zone;
ALTER TABLE program_rules DROP COLUMN multiplier_to;
ALTER TABLE program_rules DROP COLUMN multiplier_from;
ALTER TABLE program_rules DROP COLUMN multiplier_days;
ALTER TABLE program_rules DROP COLUMN multiplier;
ALTER TABLE program_rules DROP COLUMN points_expiry_days;
ALTER TABLE programs DROP COLUMN multiplier_zone;
ALTER TABLE programs DROP COLUMN multiplier_to;
ALTER TABLE programs DROP COLUMN multiplier_from;
ALTER TABLE programs DROP COLUMN multiplier_days;
ALTER TABLE programs DROP COLUMN multiplier;
ALTER TABLE programs DROP COLUMN points_expiry_days;
