-- +goose Up
-- Customer imports (issue 16): how far each confirmed import got. A row of a
-- file may now update a customer already in the shop instead of making a card,
-- so the cards an import made no longer tell where a cut-off import stopped;
-- each step of an import commits its progress here with its rows, and the
-- same confirmation sent again goes on from rows_done. The counts are what
-- the owner is told at the end.
CREATE TABLE imports (
    shop_id   INTEGER NOT NULL REFERENCES shops (id),
    key       TEXT NOT NULL,
    rows_done INTEGER NOT NULL DEFAULT 0,
    created   INTEGER NOT NULL DEFAULT 0,
    updated   INTEGER NOT NULL DEFAULT 0,
    skipped   INTEGER NOT NULL DEFAULT 0,
    kept      INTEGER NOT NULL DEFAULT 0,
    finished  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, key)
);

-- +goose Down
DROP TABLE imports;
