-- +goose Up
-- Issue 19: points programs beside stamp programs (loyalty/points.go).

-- A program is a stamps program (as before) or a points program, for good:
-- its kind is set when it is created. A points program's rules: points per
-- visit, points per whole unit of money spent (rounded down or to the
-- nearest unit) and the reward's price in points; max_per_visit is the most
-- points one purchase may give, cooldown_minutes the wait between purchases.
-- stamps_required is 0 in a points program.
ALTER TABLE programs ADD COLUMN kind TEXT NOT NULL DEFAULT 'stamps' CHECK (kind IN ('stamps', 'points'));
ALTER TABLE programs ADD COLUMN points_per_visit INTEGER NOT NULL DEFAULT 0 CHECK (points_per_visit >= 0);
ALTER TABLE programs ADD COLUMN points_per_unit INTEGER NOT NULL DEFAULT 0 CHECK (points_per_unit >= 0);
ALTER TABLE programs ADD COLUMN points_rounding TEXT NOT NULL DEFAULT 'down' CHECK (points_rounding IN ('down', 'nearest'));
ALTER TABLE programs ADD COLUMN reward_points INTEGER NOT NULL DEFAULT 0 CHECK (reward_points >= 0);

-- Each rules version keeps them too (and the kind, so that the fold judges
-- an event from the versions alone); the versions saved before are stamps'.
ALTER TABLE program_rules ADD COLUMN kind TEXT NOT NULL DEFAULT 'stamps' CHECK (kind IN ('stamps', 'points'));
ALTER TABLE program_rules ADD COLUMN points_per_visit INTEGER NOT NULL DEFAULT 0;
ALTER TABLE program_rules ADD COLUMN points_per_unit INTEGER NOT NULL DEFAULT 0;
ALTER TABLE program_rules ADD COLUMN points_rounding TEXT NOT NULL DEFAULT 'down' CHECK (points_rounding IN ('down', 'nearest'));
ALTER TABLE program_rules ADD COLUMN reward_points INTEGER NOT NULL DEFAULT 0;

-- A purchase in a points program is a 'stamp' event (one visit: stamps = 1,
-- so that it counts as a visit wherever visits are counted) with what was
-- paid, in minor units of the shop's currency. points is the balance change
-- the event made when written: + for a purchase (what its amount gave under
-- the rules in force), - for a redemption, either sign for a correction;
-- the reason is the event's kind and note.
ALTER TABLE events ADD COLUMN amount INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN points INTEGER NOT NULL DEFAULT 0;

-- The points a card holds in a program after its last event, beside its
-- stamps: what a change of the reward's price counts in its preview.
ALTER TABLE card_balances ADD COLUMN points INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE card_balances DROP COLUMN points;
ALTER TABLE events DROP COLUMN points;
ALTER TABLE events DROP COLUMN amount;
ALTER TABLE program_rules DROP COLUMN reward_points;
ALTER TABLE program_rules DROP COLUMN points_rounding;
ALTER TABLE program_rules DROP COLUMN points_per_unit;
ALTER TABLE program_rules DROP COLUMN points_per_visit;
ALTER TABLE program_rules DROP COLUMN kind;
ALTER TABLE programs DROP COLUMN reward_points;
ALTER TABLE programs DROP COLUMN points_rounding;
ALTER TABLE programs DROP COLUMN points_per_unit;
ALTER TABLE programs DROP COLUMN points_per_visit;
ALTER TABLE programs DROP COLUMN kind;
