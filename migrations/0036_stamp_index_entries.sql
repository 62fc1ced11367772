-- +goose Up
-- Issue 13: two index entries every stamp paid for and nothing needed.
--
-- The index of gifts named its kinds with IN. SQLite decides whether a new
-- row belongs in a partial index by running its WHERE, and for an IN list
-- of more than two values it builds a temporary table of the values first:
-- on every insert into events, stamps included. Three comparisons joined
-- by OR keep the same rows without it; the dashboard's query of gifts
-- repeats them word for word, as a partial index needs (db/dashboard.go).
DROP INDEX events_gifts;
CREATE INDEX events_gifts ON events (shop_id, created_at) WHERE kind = 'bonus' OR kind = 'coupon' OR kind = 'prize';

-- The index of a program's balances held their stamps, which every stamp
-- changes: its entry was deleted and written again in another place of the
-- index. Only a rule change's preview reads it, counting the cards near the
-- target; it now reads the program's balances and keeps those near it.
DROP INDEX card_balances_program;
CREATE INDEX card_balances_program ON card_balances (program_id);

-- +goose Down
DROP INDEX card_balances_program;
CREATE INDEX card_balances_program ON card_balances (program_id, stamps);
DROP INDEX events_gifts;
CREATE INDEX events_gifts ON events (shop_id, created_at) WHERE kind IN ('bonus', 'coupon', 'prize');
