package db_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/loyalty"
)

// visit stamps card once at when, as user.
func visit(t *testing.T, s *db.Store, shopID, userID, programID, cardID int64, when time.Time) db.Outcome {
	t.Helper()
	out, err := s.Stamp(context.Background(), db.Action{ShopID: shopID, CardID: cardID, ProgramID: programID, UserID: userID,
		Key: fmt.Sprint("visit-", cardID, "-", when.Unix()), Now: when}, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFeedbackOnlyForARecentVisitAndOnce(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, userID, card, prog := shop(t, s, "feedback@example.com")
	otherShop, otherUser, otherCard, otherProg := shop(t, s, "other@example.com")
	today := loyalty.DayNumber(t0)

	prompt := func(now time.Time) db.FeedbackPrompt {
		t.Helper()
		page, err := s.CardPage(ctx, shopID, card.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		return page.Feedback
	}
	if fp := prompt(t0); fp != (db.FeedbackPrompt{}) {
		t.Errorf("prompt before any visit: %+v", fp)
	}
	if err := s.LeaveFeedback(ctx, shopID, card.ID, today, 5, "", t0); !errors.Is(err, db.ErrFeedbackClosed) {
		t.Errorf("feedback without a visit: %v", err)
	}

	visit(t, s, shopID, userID, prog.ID, card.ID, t0)
	if fp := prompt(t0.Add(time.Hour)); fp != (db.FeedbackPrompt{Day: today}) {
		t.Errorf("prompt after the visit: %+v", fp)
	}
	// A stamp undone is no visit: its day cannot be rated, the prompt goes back.
	later := visit(t, s, shopID, userID, prog.ID, card.ID, t0.Add(2*day))
	if _, err := s.Undo(ctx, db.Action{ShopID: shopID, CardID: card.ID, UserID: userID, Key: "undo-later", Now: t0.Add(2*day + time.Minute)}, later.EventID); err != nil {
		t.Fatal(err)
	}
	if fp := prompt(t0.Add(2*day + time.Hour)); fp != (db.FeedbackPrompt{Day: today}) {
		t.Errorf("prompt after an undone visit: %+v", fp)
	}
	refusals := []struct {
		name         string
		shopID, card int64
		day          int
		now          time.Time
	}{
		{"an undone visit", shopID, card.ID, today + 2, t0.Add(2*day + time.Hour)},
		{"a day without a visit", shopID, card.ID, today - 1, t0.Add(time.Hour)},
		{"a visit in the future", shopID, card.ID, today, t0.Add(-day)},
		{"a visit over a week old", shopID, card.ID, today, t0.Add(8 * day)},
		{"another shop's card", shopID, otherCard.ID, today, t0.Add(time.Hour)},
	}
	visit(t, s, otherShop, otherUser, otherProg.ID, otherCard.ID, t0)
	for _, r := range refusals {
		if err := s.LeaveFeedback(ctx, r.shopID, r.card, r.day, 4, "", r.now); !errors.Is(err, db.ErrFeedbackClosed) {
			t.Errorf("%s: %v, want ErrFeedbackClosed", r.name, err)
		}
	}
	if _, err := s.CardPage(ctx, shopID, otherCard.ID, t0); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("card page of another shop's card: %v", err)
	}

	// The last day it can be given: seven days after the visit.
	if err := s.LeaveFeedback(ctx, shopID, card.ID, today, 5, "Lovely", t0.Add(7*day)); err != nil {
		t.Fatal(err)
	}
	if err := s.LeaveFeedback(ctx, shopID, card.ID, today, 1, "changed my mind", t0.Add(7*day)); !errors.Is(err, db.ErrDuplicate) {
		t.Errorf("second answer for the visit: %v, want ErrDuplicate", err)
	}
	if fp := prompt(t0.Add(7 * day)); fp != (db.FeedbackPrompt{Day: today, Answered: true}) {
		t.Errorf("prompt after the answer: %+v", fp)
	}
	if fp := prompt(t0.Add(8 * day)); fp != (db.FeedbackPrompt{}) {
		t.Errorf("prompt a week after: %+v", fp)
	}
	fs, err := s.FeedbackSummary(ctx, shopID, t0.Add(7*day))
	if err != nil {
		t.Fatal(err)
	}
	if fs.Recent.Count != 1 || fs.Recent.Sum != 5 || len(fs.Comments) != 1 || fs.Comments[0].Comment != "Lovely" {
		t.Errorf("the second answer changed the first: %+v", fs)
	}
}

func TestFeedbackSummary(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, userID, first, prog := shop(t, s, "summary@example.com")
	cards := []db.Card{first}
	for i, name := range []string{"Bora", "Cem", "Deniz"} {
		c, err := s.EnrollCard(ctx, shopID, db.NewCard{FirstName: name, CreatedBy: userID, Key: fmt.Sprint("enrol-", i)}, t0.Add(-200*day))
		if err != nil {
			t.Fatal(err)
		}
		cards = append(cards, c)
	}
	rate := func(card db.Card, daysAgo int, rating int, comment string) {
		t.Helper()
		at := t0.Add(-time.Duration(daysAgo) * day)
		visit(t, s, shopID, userID, prog.ID, card.ID, at)
		if err := s.LeaveFeedback(ctx, shopID, card.ID, loyalty.DayNumber(at), rating, comment, at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	rate(cards[0], 100, 3, "Too long ago to list")
	rate(cards[0], 40, 2, "Slow")
	rate(cards[3], 35, 1, "Rude")
	rate(cards[0], 0, 5, "Lovely")
	rate(cards[1], 0, 4, "")
	rate(cards[2], 0, 1, "Cold coffee")
	// Another shop's ratings count for nothing here.
	otherShop, otherUser, otherCard, otherProg := shop(t, s, "elsewhere@example.com")
	visit(t, s, otherShop, otherUser, otherProg.ID, otherCard.ID, t0)
	if err := s.LeaveFeedback(ctx, otherShop, otherCard.ID, loyalty.DayNumber(t0), 5, "Elsewhere", t0); err != nil {
		t.Fatal(err)
	}

	fs, err := s.FeedbackSummary(ctx, shopID, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if fs.Recent.Count != 3 || math.Abs(fs.Recent.Average()-3.33) > 0.005 {
		t.Errorf("last 30 days: %d ratings, average %.3f; want 3 and 3.33", fs.Recent.Count, fs.Recent.Average())
	}
	if fs.Previous.Count != 2 || fs.Previous.Average() != 1.5 {
		t.Errorf("previous 30 days: %d ratings, average %.3f; want 2 and 1.5", fs.Previous.Count, fs.Previous.Average())
	}
	// 35 and 40 days ago are both five weeks back; the rest have no ratings.
	for i, w := range fs.Weeks {
		want := loyalty.RatingStats{}
		switch i {
		case loyalty.TrendWeeks - 1:
			want = loyalty.RatingStats{Count: 3, Sum: 10}
		case loyalty.TrendWeeks - 6:
			want = loyalty.RatingStats{Count: 2, Sum: 3}
		}
		if w != want {
			t.Errorf("week %d: %+v, want %+v", i, w, want)
		}
	}
	var got []string
	for _, c := range fs.Comments {
		got = append(got, fmt.Sprintf("%d %s %s", c.Rating, c.CardName, c.Comment))
	}
	want := []string{"1 Cem Cold coffee", "1 Deniz Rude", "2  Slow", "5  Lovely"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("comments:\n%q\nwant\n%q", got, want)
	}
	if fs.Comments[0].CardID != cards[2].ID || fs.Comments[0].ShortCode != cards[2].ShortCode || fs.Comments[0].Day != loyalty.DayNumber(t0) {
		t.Errorf("first comment: %+v", fs.Comments[0])
	}
}
