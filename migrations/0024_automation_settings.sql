-- +goose Up
-- Issue 18: the settings of the automations beyond "reward ready", and the
-- shop's limits on marketing messages.

-- Per automation: the share of its audience held out (marketing kinds), the
-- coupon "we miss you" gives (NULL: none), how many days before a coupon's
-- end "coupon expiring" writes, and the shop's day (loyalty.DayNumber) of
-- its last scheduled run, so that a daily automation runs once a day
-- however often the server looks.
ALTER TABLE automations ADD COLUMN holdout_pct INTEGER NOT NULL DEFAULT 10 CHECK (holdout_pct BETWEEN 0 AND 50);
ALTER TABLE automations ADD COLUMN campaign_id INTEGER REFERENCES campaigns (id);
ALTER TABLE automations ADD COLUMN days_before INTEGER NOT NULL DEFAULT 3 CHECK (days_before BETWEEN 1 AND 30);
ALTER TABLE automations ADD COLUMN ran_day INTEGER NOT NULL DEFAULT 0;

-- Per shop: at most marketing_cap marketing messages per customer in 30
-- days, and none sent in the quiet hours, quiet_from to quiet_until in
-- minutes after the shop's midnight (equal: no quiet hours).
ALTER TABLE shops ADD COLUMN marketing_cap INTEGER NOT NULL DEFAULT 4 CHECK (marketing_cap BETWEEN 0 AND 30);
ALTER TABLE shops ADD COLUMN quiet_from INTEGER NOT NULL DEFAULT 1260 CHECK (quiet_from BETWEEN 0 AND 1439);
ALTER TABLE shops ADD COLUMN quiet_until INTEGER NOT NULL DEFAULT 540 CHECK (quiet_until BETWEEN 0 AND 1439);

-- The cap counts a card's marketing messages of the last 30 days.
CREATE INDEX outbox_card_marketing ON outbox (card_id, created_at) WHERE purpose = 'marketing';

-- +goose Down
DROP INDEX outbox_card_marketing;
ALTER TABLE shops DROP COLUMN quiet_until;
ALTER TABLE shops DROP COLUMN quiet_from;
ALTER TABLE shops DROP COLUMN marketing_cap;
ALTER TABLE automations DROP COLUMN ran_day;
ALTER TABLE automations DROP COLUMN days_before;
ALTER TABLE automations DROP COLUMN campaign_id;
ALTER TABLE automations DROP COLUMN holdout_pct;
