-- +goose Up
-- Staff sessions live on the server: the cookie carries only a random token,
-- and a session ends when its row goes (logout, password change, removal),
-- however many copies of the cookie exist.
CREATE TABLE sessions (
    -- SHA-256 of the token; the token itself is never stored
    token_hash BLOB PRIMARY KEY,
    shop_id    INTEGER NOT NULL REFERENCES shops (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (shop_id, user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);
-- The session rows replace the version that cookies used to carry.
ALTER TABLE users DROP COLUMN session_version;

-- +goose Down
ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 1;
DROP TABLE sessions;
