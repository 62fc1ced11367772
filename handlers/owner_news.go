package handlers

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/views"
)

// Announcements: short enough to read on a phone at a glance, with an image
// scaled for a phone's width.
const (
	maxNewsBody    = 500
	newsImageSide  = 720
	newsImageCache = "public, max-age=86400"
)

func (a *App) news(c echo.Context) error {
	_, shop := staff(c)
	return a.newsPage(c, http.StatusOK, shop, views.Form{Values: map[string]string{"key": newKey()}})
}

func (a *App) newsPage(c echo.Context, status int, shop db.Shop, f views.Form) error {
	list, err := a.store.NewsList(c.Request().Context(), shop.ID)
	if err != nil {
		return err
	}
	now := a.now()
	items := make([]views.NewsItem, len(list))
	for i, n := range list {
		items[i] = newsItem(shop.ID, n)
		items[i].Live = n.Live(now)
	}
	clubs, err := a.clubOptions(c, shop.ID)
	if err != nil {
		return err
	}
	return render(c, status, views.NewsPage(a.page(c, &shop, "NewsTitle"), items, f, clubs))
}

func newsItem(shopID int64, n db.News) views.NewsItem {
	it := views.NewsItem{ID: n.ID, Body: n.Body, Author: n.Author, At: n.At, Seen: n.Seen, Removed: n.Removed, Club: n.ClubName}
	if n.HasImage {
		it.Image = "/shops/" + itoa64(shopID) + "/news/" + itoa64(n.ID)
	}
	if !n.EndsAt.IsZero() {
		it.LastDay = n.EndsAt.Add(-time.Second)
	}
	return it
}

func (a *App) postNews(c echo.Context) error {
	u, shop := staff(c)
	p := a.page(c, &shop, "NewsTitle")
	key, err := formKey(c)
	if err != nil {
		return err
	}
	f := newForm(c, p.T)
	f.v.Values["key"] = key
	n := db.NewNews{Body: f.lines("body", true, maxNewsBody), Key: key}
	if club := f.text("club", false, 20); club != "" {
		cl, err := a.liveClub(c, shop.ID, club)
		switch {
		case errors.Is(err, echo.ErrBadRequest):
			f.fail("club", "FieldInvalid")
		case err != nil:
			return err
		}
		n.ClubID = cl.ID
	}
	if f.c.FormValue("ends") != "" {
		if last := f.date("ends", p.T.Zone()); !last.IsZero() {
			n.EndsAt = last.AddDate(0, 0, 1) // through the whole last day
			if !n.EndsAt.After(a.now()) {
				f.fail("ends", "NewsEndsPast")
			}
		}
	}
	raw, err := readUpload(c, "image")
	status := http.StatusUnprocessableEntity
	switch {
	case errors.Is(err, errNoUpload):
	case errors.Is(err, errUploadTooLarge):
		status = http.StatusRequestEntityTooLarge
		f.fail("image", "NewsImageTooLarge")
	case err != nil:
		return err
	default:
		if n.Image, err = normalizeImage(c.Request().Context(), shop.ID, raw, newsImageSide, encodeJPEG); err != nil {
			var msg string
			status, msg = imageRefusal(err, "NewsImageInvalid")
			f.fail("image", msg)
		}
	}
	if !f.ok() {
		return a.newsPage(c, status, shop, f.v)
	}
	_, err = a.store.PostNews(c.Request().Context(), shop.ID, n, u.ID, a.now())
	var replay *db.ReplayedError
	if err != nil && !errors.As(err, &replay) {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/news")
}

// newsTooLarge answers a news form whose body is over the upload limit: the
// form again, with the announcement typed and the reason (images.go).
func (a *App) newsTooLarge(c echo.Context) error {
	_, shop := staff(c)
	head, err := a.formHead(c)
	if err != nil {
		return err
	}
	p := a.page(c, &shop, "NewsTitle")
	f := views.Form{Values: map[string]string{"key": newKey(), "body": head.Get("body")}, Errors: map[string]string{"image": p.T.T("NewsImageTooLarge")}}
	// The same key keeps a second try from posting the announcement twice.
	c.Request().Form = head
	if key, err := formKey(c); err == nil {
		f.Values["key"] = key
	}
	return a.newsPage(c, http.StatusRequestEntityTooLarge, shop, f)
}

func (a *App) removeNews(c echo.Context) error {
	u, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := a.store.RemoveNews(c.Request().Context(), shop.ID, id, u.ID, a.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/news")
}

// newsImage serves an announcement's image while it is up; its URL names
// one image for good, so browsers may keep it.
func (a *App) newsImage(c echo.Context) error {
	shopID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	id, err := pathID(c, "news")
	if err != nil {
		return err
	}
	img, err := a.store.NewsImage(c.Request().Context(), shopID, id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", newsImageCache)
	return c.Blob(http.StatusOK, "image/jpeg", img)
}
