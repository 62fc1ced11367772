package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"regulars/loyalty"
)

// ErrFeedbackClosed: the day is not a visit of the card that can still be rated.
var ErrFeedbackClosed = errors.New("no visit to rate on that day")

// FeedbackPrompt is what the card page asks about the card's last visit.
type FeedbackPrompt struct {
	Day      int  // the DayNumber of the visit to rate; 0 when there is none to ask about
	Answered bool // the visit was rated already
}

// feedbackColumns read, in a query of the cards table, the last visit of the
// card whose id is cards.id (card_stats.last_day; 0 for none) and whether it
// was rated; feedbackPromptOf judges them.
const feedbackColumns = `
	coalesce((SELECT last_day FROM card_stats WHERE card_id = cards.id), 0),
	EXISTS (SELECT 1 FROM card_stats cs JOIN feedback f ON f.card_id = cs.card_id AND f.day = cs.last_day WHERE cs.card_id = cards.id)`

// feedbackPromptOf is the prompt about the card's last visit, as
// feedbackColumns read it, if that visit can still be rated at now, in the
// shop's time zone loc.
func feedbackPromptOf(last int, answered bool, loc *time.Location, now time.Time) FeedbackPrompt {
	if !loyalty.FeedbackOpen(last, loyalty.DayNumber(now.In(loc))) {
		return FeedbackPrompt{}
	}
	return FeedbackPrompt{Day: last, Answered: answered}
}

// LeaveFeedback records the card's rating of its visit on day, once: the day
// must be a visit of the card (card_days) that can still be rated
// (ErrFeedbackClosed), and a second answer is ErrDuplicate. rating and
// comment were checked by loyalty.ParseRating and loyalty.CleanComment.
func (s *Store) LeaveFeedback(ctx context.Context, shopID, cardID int64, day, rating int, comment string, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		clock, err := loadShopClock(ctx, tx, shopID)
		if err != nil {
			return err
		}
		if !loyalty.FeedbackOpen(day, loyalty.DayNumber(now.In(clock.loc))) {
			return ErrFeedbackClosed
		}
		var visited bool
		err = tx.QueryRowContext(ctx, `SELECT visited FROM card_days WHERE card_id = ? AND day = ? AND shop_id = ?`, cardID, day, shopID).Scan(&visited)
		if errors.Is(err, sql.ErrNoRows) || err == nil && !visited {
			return ErrFeedbackClosed
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO feedback (shop_id, card_id, day, rating, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			shopID, cardID, day, rating, comment, unix(now))
		if isUnique(err) {
			return ErrDuplicate
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("feedback of card %d on day %d: %w", cardID, day, err)
	}
	return nil
}

// FeedbackComment is a rating with a comment, as the owner reads it.
type FeedbackComment struct {
	ID        int64
	CardID    int64
	CardName  string
	ShortCode string
	Day       int // of the visit
	Rating    int
	Comment   string
	At        time.Time
}

// FeedbackSummary is the owner's view of the ratings at a day.
type FeedbackSummary struct {
	loyalty.RatingSummary
	// Today is the DayNumber the summary was made on: the trend's last week ends on it.
	Today int
	// Comments of the trend's weeks, the lowest ratings first, then the newest.
	Comments []FeedbackComment
}

// MaxFeedbackComments is how many comments the owner's page lists.
const MaxFeedbackComments = 100

// FeedbackSummary sums the ratings of the visits of the last weeks by day
// (a few hundred rows at most) and lists the comments given in those weeks.
func (s *Store) FeedbackSummary(ctx context.Context, shopID int64, now time.Time) (FeedbackSummary, error) {
	var fs FeedbackSummary
	clock, err := loadShopClock(ctx, s.r, shopID)
	if err != nil {
		return fs, err
	}
	fs.Today = loyalty.DayNumber(now.In(clock.loc))
	since := loyalty.RatingsSince(fs.Today)
	// Feedback comes after its visit: created_at bounds the index range.
	from := unix(loyalty.DayStart(since, clock.loc))
	days, err := collect(ctx, s.r, func(r scanner) (loyalty.RatingDay, error) {
		var d loyalty.RatingDay
		return d, r.Scan(&d.Day, &d.Count, &d.Sum)
	}, `SELECT day, count(*), sum(rating) FROM feedback WHERE shop_id = ? AND created_at >= ? AND day >= ? GROUP BY day`, shopID, from, since)
	if err != nil {
		return fs, fmt.Errorf("ratings of shop %d: %w", shopID, err)
	}
	fs.RatingSummary = loyalty.SummarizeRatings(days, fs.Today)
	fs.Comments, err = collect(ctx, s.r, func(r scanner) (FeedbackComment, error) {
		var c FeedbackComment
		var at int64
		err := r.Scan(&c.ID, &c.CardID, &c.CardName, &c.ShortCode, &c.Day, &c.Rating, &c.Comment, &at)
		c.At = fromUnix(at)
		return c, err
	}, `SELECT f.id, f.card_id, c.first_name, c.short_code, f.day, f.rating, f.comment, f.created_at
		FROM feedback f JOIN cards c ON c.id = f.card_id
		WHERE f.shop_id = ? AND f.created_at >= ? AND f.day >= ? AND f.comment != ''
		ORDER BY f.rating, f.created_at DESC, f.id DESC LIMIT ?`, shopID, from, since, MaxFeedbackComments)
	if err != nil {
		return fs, fmt.Errorf("comments of shop %d: %w", shopID, err)
	}
	return fs, nil
}
