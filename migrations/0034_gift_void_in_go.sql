-- +goose Up
-- Issue 13: the void of a redemption's spend event still cancels its gift
-- order and puts the gift back in stock, now in the one place events are
-- written (db.insertRow) instead of a trigger. SQLite runs a trigger's WHEN
-- as a program of its own for every row inserted: for this one, which
-- does something only for a void, that was a tenth of an event's insert,
-- paid by every stamp.
DROP TRIGGER gift_orders_void;

-- +goose Down
-- +goose StatementBegin
CREATE TRIGGER gift_orders_void AFTER INSERT ON events
WHEN NEW.kind = 'void' AND NEW.void_of IS NOT NULL
BEGIN
    UPDATE gifts SET stock = stock + 1
        WHERE stock IS NOT NULL AND id = (SELECT gift_id FROM gift_orders WHERE event_id = NEW.void_of AND state != 'cancelled');
    UPDATE gift_orders SET state = 'cancelled', updated_at = NEW.created_at, updated_by = NEW.user_id
        WHERE event_id = NEW.void_of AND state != 'cancelled';
END;
-- +goose StatementEnd
