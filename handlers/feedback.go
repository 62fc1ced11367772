package handlers

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/loyalty"
	"regulars/views"
)

// feedbackPrompt fills in what the card page asks about the card's last visit.
func feedbackPrompt(fp db.FeedbackPrompt, zone *time.Location, fb views.Feedback) views.Feedback {
	fb.Day, fb.Answered = fp.Day, fp.Answered
	if fp.Day != 0 {
		fb.Visit = loyalty.DayStart(fp.Day, zone)
	}
	return fb
}

// leaveFeedback takes the customer's answer to "How was your visit?" from
// their card page: the token is the key, as for the free raffle entry.
func (a *App) leaveFeedback(c echo.Context) error {
	card, shop, err := a.tokenCard(c)
	if err != nil {
		return err
	}
	// The day comes from the page, never from the person: anything else is forged.
	day, err := parseNumber(c.FormValue("day"))
	if err != nil || day == 0 {
		return echo.ErrBadRequest
	}
	p := a.page(c, &shop, "CardTitle")
	f := newForm(c, p.T)
	rating, err := loyalty.ParseRating(c.FormValue("rating"))
	f.v.Values["rating"] = c.FormValue("rating")
	switch {
	case errors.Is(err, loyalty.ErrRatingMissing):
		f.fail("rating", "FeedbackRatingMissing")
	case err != nil:
		f.fail("rating", "FeedbackRatingInvalid")
	}
	comment, err := loyalty.CleanComment(c.FormValue("comment"))
	f.v.Values["comment"] = c.FormValue("comment")
	switch {
	case errors.Is(err, loyalty.ErrCommentLong):
		f.fail("comment", "FieldTooLong", "Max", loyalty.MaxFeedbackComment)
	case err != nil:
		f.fail("comment", "FieldInvalid")
	}
	if !f.ok() {
		return a.showCustomerCard(c, http.StatusUnprocessableEntity, shop, card, views.Feedback{Form: f.v})
	}
	err = a.store.LeaveFeedback(c.Request().Context(), shop.ID, card.ID, day, rating, comment, a.now())
	switch {
	case errors.Is(err, db.ErrDuplicate):
		return a.showCustomerCard(c, http.StatusConflict, shop, card, views.Feedback{Problem: p.T.T("FeedbackAlready")})
	case errors.Is(err, db.ErrFeedbackClosed):
		return a.showCustomerCard(c, http.StatusConflict, shop, card, views.Feedback{Problem: p.T.T("FeedbackClosed")})
	case err != nil:
		return err
	}
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	return c.Redirect(http.StatusSeeOther, "/c/"+card.Token+"#thanks")
}

// feedback shows the owner the ratings: the last 30 days against the 30
// before, the weekly trend and the comments, the lowest ratings first.
func (a *App) feedback(c echo.Context) error {
	_, shop := staff(c)
	p := a.page(c, &shop, "FeedbackTitle")
	fs, err := a.store.FeedbackSummary(c.Request().Context(), shop.ID, a.now())
	if err != nil {
		return err
	}
	zone := p.T.Zone()
	v := views.FeedbackSummary{
		Recent:   views.RatingStats{Average: fs.Recent.Average(), Count: fs.Recent.Count},
		Previous: views.RatingStats{Average: fs.Previous.Average(), Count: fs.Previous.Count},
	}
	for i, w := range fs.Weeks {
		end := fs.Today - 7*(len(fs.Weeks)-1-i)
		v.Weeks = append(v.Weeks, views.RatingWeek{
			Start: loyalty.DayStart(end-6, zone), End: loyalty.DayStart(end, zone),
			RatingStats: views.RatingStats{Average: w.Average(), Count: w.Count},
		})
	}
	for _, cm := range fs.Comments {
		who := cm.CardName
		if who == "" {
			who = loyalty.FormatShortCode(cm.ShortCode)
		}
		v.Comments = append(v.Comments, views.FeedbackComment{CardID: cm.CardID, Customer: who, Rating: cm.Rating, Comment: cm.Comment, At: cm.At})
	}
	return render(c, http.StatusOK, views.FeedbackPage(p, v))
}
