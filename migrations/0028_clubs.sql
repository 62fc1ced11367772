-- +goose Up
-- Issue 19: clubs ("Coffee club", "Kids' club"): groups a customer joins for
-- club-only coupons and news (db/clubs.go).

-- A club of the shop. An open club is joined from the card page; a closed
-- one only by the owner's invitation (the owner adds the customer). An
-- archived club takes no new members and leaves the card pages; its members
-- and history stay.
CREATE TABLE clubs (
    id          INTEGER PRIMARY KEY,
    shop_id     INTEGER NOT NULL REFERENCES shops (id),
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    open        INTEGER NOT NULL CHECK (open IN (0, 1)),
    archived_at INTEGER,
    created_by  INTEGER REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    UNIQUE (shop_id, name)
) STRICT;

-- A membership: from joined_at until left_at (NULL: a member now). Leaving
-- ends the row instead of deleting it, and joining again starts a new one,
-- so the owner's counts of joins and leaves stay right. source says who
-- started it (the card page, the owner, an import) and left_source who ended it.
CREATE TABLE club_members (
    id          INTEGER PRIMARY KEY,
    shop_id     INTEGER NOT NULL REFERENCES shops (id),
    club_id     INTEGER NOT NULL REFERENCES clubs (id),
    card_id     INTEGER NOT NULL REFERENCES cards (id),
    joined_at   INTEGER NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('card', 'owner', 'import')),
    left_at     INTEGER,
    left_source TEXT CHECK (left_source IN ('card', 'owner')),
    added_by    INTEGER REFERENCES users (id),
    removed_by  INTEGER REFERENCES users (id)
) STRICT;
-- At most one current membership of a card in a club: a second join is a no-op.
CREATE UNIQUE INDEX club_members_current ON club_members (club_id, card_id) WHERE left_at IS NULL;
-- The card page's "which clubs am I in" and the late coupons' membership test.
CREATE INDEX club_members_card ON club_members (card_id, club_id) WHERE left_at IS NULL;
-- The owner's member list, newest first.
CREATE INDEX club_members_list ON club_members (club_id, joined_at) WHERE left_at IS NULL;

-- A campaign for a club's members. SQLite cannot change the CHECK on
-- campaigns.audience, so a club campaign is stored as audience 'segment'
-- with segment '' and the club here: an older binary sees a segment
-- campaign of no segment and gives it to nobody late, never to everyone.
ALTER TABLE campaigns ADD COLUMN club_id INTEGER REFERENCES clubs (id);

-- News for a club's members only; NULL: for everyone.
ALTER TABLE news ADD COLUMN club_id INTEGER REFERENCES clubs (id);

-- +goose Down
ALTER TABLE news DROP COLUMN club_id;
ALTER TABLE campaigns DROP COLUMN club_id;
DROP TABLE club_members;
DROP TABLE clubs;
