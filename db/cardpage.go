package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"regulars/loyalty"
)

// CardPage is everything a customer's card page shows, read in one snapshot.
type CardPage struct {
	Shop Shop
	// State is the card as CardState reads it. A coupon this view is the
	// first to show is not Seen, as before the view; the view has recorded
	// that it was shown, for the owner's "viewed" count.
	State CardState
	// QR is the card's QR code as kept (db.CardQR reads it), which the page
	// shows without drawing it; empty when none is kept.
	QR       []byte
	Feedback FeedbackPrompt
	Growth   Growth
	// News is the shop's announcements the page shows, newest first; New
	// marks those this view is the first to show.
	News []CardNews
	// Consent is the customer's choices of messages, which the page lets them change.
	Consent Consent
	// Clubs are the clubs the page offers: the shop's open ones, and those
	// by invitation the card is a member of.
	Clubs []CardClub
	// Gifts is the shop's catalogue (not archived), GiftOrders the card's
	// redemptions, newest first (catalogue.go).
	Gifts      []Gift
	GiftOrders []GiftOrder
	// Ladder is the shop's tiers (none: no tiers), Tier the card's with its
	// progress; nil in a shop without tiers (tiers.go).
	Ladder loyalty.Ladder
	Tier   *CardTier
}

// CardClub is a club as a card page shows it.
type CardClub struct {
	Club
	Member bool
}

// cardPageWrites is what a view of the card page found to write before it is
// shown: in the steady state, nothing.
type cardPageWrites struct {
	late     bool           // campaigns may be owed to the card (owedCampaigns)
	birthday bool           // a birthday coupon is due to the card
	zone     *time.Location // the shop's, which places the birthday
	coupons  bool           // coupons the page shows for the first time
	news     []int64        // announcements the page shows for the first time
}

func (w cardPageWrites) none() bool {
	return !w.late && !w.birthday && !w.coupons && len(w.news) == 0
}

// CardPage reads the card's page at now in one read transaction. What the view
// has to write (late campaign and birthday coupons the card is owed, coupons
// and news shown for the first time) it writes in one transaction after it,
// and only when the read found something to do; when that gave the card
// coupons, the page is read again to show them.
func (s *Store) CardPage(ctx context.Context, shopID, cardID int64, now time.Time) (CardPage, error) {
	p, err := s.cardPage(ctx, "", shopID, cardID, now)
	if err != nil {
		return p, fmt.Errorf("card page of card %d: %w", cardID, err)
	}
	return p, nil
}

// CardPageByToken is CardPage for the card whose token this is, with its
// shop: a customer's page is one store call (ErrNotFound for no such card).
func (s *Store) CardPageByToken(ctx context.Context, token string, now time.Time) (CardPage, error) {
	p, err := s.cardPage(ctx, token, 0, 0, now)
	if err != nil {
		return p, fmt.Errorf("card page by token: %w", err)
	}
	return p, nil
}

// cardPage reads the page of the card of token or, with no token, of cardID.
func (s *Store) cardPage(ctx context.Context, token string, shopID, cardID int64, now time.Time) (CardPage, error) {
	var (
		p CardPage
		w cardPageWrites
	)
	gen := s.cache.generation()
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var (
			c   pageCard
			err error
		)
		if token != "" {
			// The token's card is the page's card: one read finds and reads it.
			c, err = readPageCard(ctx, tx, `token = ? AND erased_at IS NULL`, token)
		} else {
			c, err = readPageCard(ctx, tx, `id = ? AND shop_id = ?`, cardID, shopID)
		}
		if err != nil {
			return err
		}
		shopID, cardID = c.ShopID, c.ID
		p, w, err = s.readCardPage(ctx, tx, gen, c, now)
		return err
	})
	if err != nil || w.none() {
		return p, err
	}
	var firstShown []int64 // campaigns of the coupons this view is the first to show
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := issueOwedCoupons(ctx, tx, shopID, cardID, w, now); err != nil {
			return err
		}
		var err error
		if firstShown, err = markCouponsViewed(ctx, tx, shopID, cardID, now); err != nil {
			return err
		}
		return markNewsSeen(ctx, tx, shopID, cardID, w.news, now)
	})
	if err != nil || !gaveCoupons(p.State.Coupons, firstShown) {
		// Without new coupons the page read is the page, as it was before the marks.
		return p, err
	}
	gen = s.cache.generation()
	err = s.readTx(ctx, func(tx *sql.Tx) error {
		c, err := readPageCard(ctx, tx, `id = ? AND shop_id = ?`, cardID, shopID)
		if err != nil {
			return err
		}
		p, _, err = s.readCardPage(ctx, tx, gen, c, now)
		return err
	})
	if err != nil {
		return p, err
	}
	// The page as this view first showed it: the write marked these seen.
	for i, c := range p.State.Coupons {
		p.State.Coupons[i].Seen = c.Seen && !slices.Contains(firstShown, c.ID)
	}
	for i, n := range p.News {
		p.News[i].New = n.New || slices.Contains(w.news, n.ID)
	}
	return p, nil
}

// gaveCoupons reports whether coupons shown for the first time include some
// the page did not hold when it was read: the write issued them.
func gaveCoupons(held []CardCoupon, firstShown []int64) bool {
	for _, id := range firstShown {
		if !slices.ContainsFunc(held, func(c CardCoupon) bool { return c.ID == id }) {
			return true
		}
	}
	return false
}

// pageCard is a card with what its page shows of it that lies in one row
// each: its QR code as kept, its newest events as kept (shown.go), its
// e-mail choices and its last visit.
type pageCard struct {
	Card
	qr       []byte
	shown    []byte
	consent  Consent
	lastDay  int  // card_stats.last_day
	answered bool // the last visit was rated
}

// readPageCard reads the card of the cards table's where, with args, and the
// rest of its pageCard in the same statement: each query costs a card page
// about 20 µs in modernc's SQLite, whatever it reads.
func readPageCard(ctx context.Context, q querier, where string, args ...any) (pageCard, error) {
	var c pageCard
	var err error
	c.Card, err = scanCardWith(q.QueryRowContext(ctx, `SELECT `+cardColumns+`, coalesce((SELECT qr FROM card_qr WHERE card_id = cards.id), x''),
		coalesce((SELECT events FROM card_shown WHERE card_id = cards.id), x''), `+consentColumns+`, `+feedbackColumns+` FROM cards WHERE `+where, args...),
		append([]any{&c.qr, &c.shown}, append(c.consent.scanned(), &c.lastDay, &c.answered)...)...)
	if err != nil {
		return c, fmt.Errorf("card of its page: %w", notFound(err))
	}
	return c, nil
}

// readCardPage reads the page of card c, read already, and what a view of
// it has to write.
// gen is the cache's generation from before q's snapshot began.
func (s *Store) readCardPage(ctx context.Context, q querier, gen uint64, c pageCard, now time.Time) (CardPage, cardPageWrites, error) {
	var (
		p   CardPage
		w   cardPageWrites
		err error
	)
	shopID, cardID := c.ShopID, c.ID
	p.QR, p.Consent = c.qr, c.consent
	parts, err := rememberedSince(&s.cache, gen, func(c *readCache) *memo[int64, shopParts] { return &c.parts }, shopID,
		func() (shopParts, error) { return readShopParts(ctx, q, shopID, now) })
	if err != nil {
		return p, w, err
	}
	p.Shop, p.Growth = parts.shop, parts.growth
	clock := parts.clock
	es, err := pageShown(ctx, q, shopID, cardID, c.shown)
	if err != nil {
		return p, w, err
	}
	if p.State, err = cardStateOf(ctx, q, c.Card, parts, now, es); err != nil {
		return p, w, err
	}
	p.Feedback = feedbackPromptOf(c.lastDay, c.answered, clock.loc, now)
	if parts.news {
		if p.News, err = newsForCard(ctx, q, shopID, cardID, now); err != nil {
			return p, w, err
		}
	}
	if len(parts.clubs) > 0 { // a shop without clubs reads nothing more
		member, err := cardClubs(ctx, q, cardID)
		if err != nil {
			return p, w, err
		}
		for _, club := range parts.clubs {
			in := slices.Contains(member, club.ID)
			if club.Open || in {
				p.Clubs = append(p.Clubs, CardClub{Club: club, Member: in})
			}
		}
	}
	p.Gifts = parts.gifts
	// A shop with tiers reads the card's measure: one indexed count (tiers.go).
	p.Ladder = parts.ladder.Ladder
	if p.Tier, err = cardTierView(ctx, q, p.Ladder, cardID, c.Tier, now); err != nil {
		return p, w, err
	}
	if parts.giftOrders { // a shop nobody redeemed a gift in reads nothing more
		if p.GiftOrders, err = cardGiftOrders(ctx, q, shopID, cardID); err != nil {
			return p, w, err
		}
	}
	if w, err = owedCoupons(ctx, q, parts, cardID, now); err != nil {
		return p, w, err
	}
	w.coupons = slices.ContainsFunc(p.State.Coupons, func(c CardCoupon) bool { return !c.Seen })
	for _, n := range p.News {
		if n.New {
			w.news = append(w.news, n.ID)
		}
	}
	return p, w, nil
}

// owedCoupons finds whether the card is owed late campaign or birthday
// coupons, which a view writes before it shows the card.
func owedCoupons(ctx context.Context, q querier, parts shopParts, cardID int64, now time.Time) (cardPageWrites, error) {
	w := cardPageWrites{zone: parts.clock.loc}
	shopID := parts.shop.ID
	if parts.mayHoldCoupons() {
		owed, stale, err := owedCampaigns(ctx, q, shopID, cardID, now)
		if err != nil {
			return w, err
		}
		w.late = len(owed) > 0 || stale
	}
	if parts.growth.BirthdayGift != "" {
		due, err := dueBirthdays(ctx, q, shopID, cardID, parts.growth.BirthdayDays, w.zone, now)
		if err != nil {
			return w, err
		}
		w.birthday = len(due) > 0
	}
	return w, nil
}

// issueOwedCoupons gives the card what owedCoupons found it owed, reading it
// again in tx.
func issueOwedCoupons(ctx context.Context, tx *sql.Tx, shopID, cardID int64, w cardPageWrites, now time.Time) error {
	if w.late {
		if err := issueLateCoupons(ctx, tx, shopID, cardID, now); err != nil {
			return err
		}
	}
	if w.birthday {
		return issueDueBirthdays(ctx, tx, shopID, cardID, w.zone, now)
	}
	return nil
}

// shopParts is what every card page of a shop shows alike, kept in the cache
// (cache.go): read once for all the shop's customers between two changes.
type shopParts struct {
	shop     Shop
	programs []Program // active, the default first; shared: never modified
	clock    shopClock
	growth   Growth
	// raffles are those a card page may show, by id: any other is read when
	// needed, so the page is right whenever the parts were read.
	raffles map[int64]Raffle
	clubs   []Club // not archived; shared: never modified
	// gifts is the catalogue, not archived (shared: never modified);
	// giftOrders whether the shop has any redemption at all.
	gifts      []Gift
	giftOrders bool
	ladder     KeptLadder // the shop's tiers (tiers.go); shared: never modified
	// read: readShopParts read these parts, so that campaigns and news say
	// whether the shop has any at all. A page of a shop without them reads
	// none of the card's (most shops run no campaign most of the time).
	read, campaigns, news bool
}

// mayHoldCoupons reports whether a card of the shop may hold coupons or be
// owed some: parts not read by readShopParts know nothing, and say yes.
func (sp shopParts) mayHoldCoupons() bool { return !sp.read || sp.campaigns }

func readShopParts(ctx context.Context, q querier, shopID int64, now time.Time) (shopParts, error) {
	var sp shopParts
	var err error
	if sp.shop, err = scanShop(q.QueryRowContext(ctx, `SELECT `+shopColumns+` FROM shops WHERE id = ?`, shopID)); err != nil {
		return sp, fmt.Errorf("shop %d: %w", shopID, err)
	}
	if sp.programs, err = programs(ctx, q, shopID, false); err != nil {
		return sp, err
	}
	if sp.clock, err = loadShopClock(ctx, q, shopID); err != nil {
		return sp, err
	}
	if sp.growth, err = growth(ctx, q, shopID); err != nil {
		return sp, err
	}
	if sp.clubs, err = liveClubs(ctx, q, shopID, sp.shop.Language); err != nil {
		return sp, err
	}
	if sp.gifts, err = gifts(ctx, q, shopID, false); err != nil {
		return sp, err
	}
	if err = q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM gift_orders WHERE shop_id = ?1), EXISTS (SELECT 1 FROM campaigns WHERE shop_id = ?1),
		EXISTS (SELECT 1 FROM news WHERE shop_id = ?1)`, shopID).Scan(&sp.giftOrders, &sp.campaigns, &sp.news); err != nil {
		return sp, fmt.Errorf("gift redemptions, campaigns and news of shop %d: %w", shopID, err)
	}
	sp.read = true
	if sp.ladder, err = ladderOf(ctx, q, shopID); err != nil {
		return sp, err
	}
	ids, err := collect(ctx, q, func(row scanner) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	}, `SELECT id FROM raffles WHERE shop_id = ? AND coalesce(drawn_at, closes_at) > ?`, shopID, unix(now.Add(-drawnRaffleShown)))
	if err != nil {
		return sp, fmt.Errorf("raffles of shop %d: %w", shopID, err)
	}
	sp.raffles = make(map[int64]Raffle, len(ids))
	for _, id := range ids {
		if sp.raffles[id], err = raffle(ctx, q, `id = ?`, id); err != nil {
			return sp, fmt.Errorf("raffle %d: %w", id, err)
		}
	}
	return sp, nil
}
