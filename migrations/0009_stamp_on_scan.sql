-- +goose Up
-- A shop may have the counter stamp a card as it is scanned (one stamp of the
-- default program, with every rule applied): no tap per customer.
ALTER TABLE shops ADD COLUMN stamp_on_scan INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE shops DROP COLUMN stamp_on_scan;
