-- +goose Up
-- The owner's first hour (issue 16): the getting-started list on the
-- dashboard ticks what the shop has done. Stamps and staff are read where
-- they are; what leaves no other trace is kept here: the reward was set (a
-- program saved or made the default, from the audit log), the poster was
-- opened, the owner put the list away.
CREATE TABLE setup_steps (
    shop_id INTEGER NOT NULL REFERENCES shops (id),
    step    TEXT NOT NULL CHECK (step IN ('reward', 'poster', 'dismissed')),
    done_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, step)
) STRICT, WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER setup_reward AFTER INSERT ON audit
WHEN NEW.action IN ('program_save', 'program_default')
BEGIN
    INSERT OR IGNORE INTO setup_steps (shop_id, step, done_at) VALUES (NEW.shop_id, 'reward', NEW.created_at);
END;
-- +goose StatementEnd

INSERT OR IGNORE INTO setup_steps (shop_id, step, done_at)
    SELECT shop_id, 'reward', min(created_at) FROM audit
    WHERE action IN ('program_save', 'program_default') GROUP BY shop_id;
-- Shops that already have customers visiting are past their first hour:
-- the list would only be in their way.
INSERT OR IGNORE INTO setup_steps (shop_id, step, done_at)
    SELECT id, 'dismissed', unixepoch() FROM shops
    WHERE EXISTS (SELECT 1 FROM card_stats s WHERE s.shop_id = shops.id AND s.visits > 0);

-- +goose Down
DROP TRIGGER setup_reward;
DROP TABLE setup_steps;
