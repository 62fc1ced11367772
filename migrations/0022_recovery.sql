-- +goose Up
-- Issue 18: a way back in by e-mail. A staff member who forgot their
-- password asks for a link on the sign-in page; a customer who lost their
-- card's link asks for it on the shop's join page (that one is a message of
-- the outbox: it goes to a card).

-- A link to choose a new password: single use, expiring. Only the SHA-256
-- of its secret is kept: a leaked database opens no account.
CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY,
    shop_id    INTEGER NOT NULL REFERENCES shops (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    -- when it was used, or made useless by a newer password
    used_at    INTEGER
) STRICT;
CREATE INDEX password_resets_user ON password_resets (user_id, used_at);

-- Mail to a staff member. The outbox's rows are messages to cards (card_id
-- is NOT NULL and refers to cards, and SQLite changes that only by
-- rebuilding the table), so staff mail is a small queue of its own, sent by
-- the same worker through the same sender, with the same states. The link
-- of a password reset carries its secret: it waits here only until the
-- message is sent or given up, and is blanked then.
CREATE TABLE staff_mail (
    id         INTEGER PRIMARY KEY,
    shop_id    INTEGER NOT NULL REFERENCES shops (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    reset_id   INTEGER NOT NULL REFERENCES password_resets (id),
    template   TEXT NOT NULL CHECK (template IN ('password_reset')),
    language   TEXT NOT NULL,
    link       TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'dropped')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    sent_at    INTEGER
) STRICT;
CREATE INDEX staff_mail_due ON staff_mail (next_at) WHERE state IN ('queued', 'sending');

-- +goose Down
DROP TABLE staff_mail;
DROP TABLE password_resets;
