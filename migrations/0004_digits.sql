-- +goose Up
-- How numbers shown to people are written on the shop's Persian pages: Latin
-- (0–9) or Persian (۰–۹) digits. Pages in other languages always use 0–9.
-- Shops already speaking Persian start with Persian digits, as new ones do.
ALTER TABLE shops ADD COLUMN digits TEXT NOT NULL DEFAULT 'latin' CHECK (digits IN ('latin', 'persian'));
UPDATE shops SET digits = 'persian' WHERE language = 'fa';

-- +goose Down
ALTER TABLE shops DROP COLUMN digits;
