-- +goose Up
-- Issue 17: a Persian shop may write its dates in the Solar Hijri calendar.
ALTER TABLE shops ADD COLUMN calendar TEXT NOT NULL DEFAULT 'gregorian' CHECK (calendar IN ('gregorian', 'jalali'));

-- +goose Down
ALTER TABLE shops DROP COLUMN calendar;
