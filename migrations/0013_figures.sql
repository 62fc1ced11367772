-- +goose Up
-- Numbers that agree (issue 17).

-- What each referral gave, kept with it: the owner's list summed every
-- referral bonus on the friend's card, the ones the friend later earned by
-- inviting others too, so its rows disagreed with the total.
ALTER TABLE referrals ADD COLUMN friend_bonus INTEGER NOT NULL DEFAULT 0;
ALTER TABLE referrals ADD COLUMN referrer_bonus INTEGER NOT NULL DEFAULT 0;
-- A settled referral's bonus to the friend is the first referral bonus on the
-- friend's card after the friend's first stamp from a cashier, in the same
-- second: the stamp's transaction gives it (db.payReferral). Both sides get
-- the same number of stamps, the referrer only when referrer_paid.
UPDATE referrals SET friend_bonus = coalesce((
        SELECT b.stamps FROM events b
        WHERE b.card_id = referrals.friend_id AND b.kind = 'bonus' AND b.note = 'referral' AND b.created_at = referrals.paid_at
            AND b.id > (SELECT min(s.id) FROM events s WHERE s.card_id = referrals.friend_id AND s.kind = 'stamp' AND s.user_id IS NOT NULL)
        ORDER BY b.id LIMIT 1), 0)
    WHERE paid_at IS NOT NULL;
UPDATE referrals SET referrer_bonus = friend_bonus WHERE referrer_paid = 1;

-- The dashboard's cost of rewards reads the period's gifts (bonus stamps,
-- coupons and raffle prizes handed over) through this index: a few rows
-- among the period's stamps, which it never reads.
CREATE INDEX events_gifts ON events (shop_id, created_at) WHERE kind IN ('bonus', 'coupon', 'prize');

-- +goose Down
DROP INDEX events_gifts;
ALTER TABLE referrals DROP COLUMN referrer_bonus;
ALTER TABLE referrals DROP COLUMN friend_bonus;
