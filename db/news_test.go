package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
)

func TestNewsShownOnceAsNew(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := dbtest.Open(t)
	shopID, userID, card, _ := shop(t, s, "news@example.com")
	otherShop, otherUser, otherCard, _ := shop(t, s, "other-news@example.com")

	post := func(shopID, userID int64, body string, img []byte, ends time.Time, key string, at time.Time) int64 {
		t.Helper()
		id, err := s.PostNews(ctx, shopID, db.NewNews{Body: body, Image: img, EndsAt: ends, Key: key}, userID, at)
		if err != nil {
			t.Fatalf("post %q: %v", body, err)
		}
		return id
	}
	always := post(shopID, userID, "New cakes on Fridays", []byte("jpeg"), time.Time{}, "k1", t0)
	week := post(shopID, userID, "Closed next Monday", nil, t0.Add(7*24*time.Hour), "k2", t0.Add(time.Hour))
	post(otherShop, otherUser, "Other shop's news", nil, time.Time{}, "k1", t0)

	var replayed *db.ReplayedError
	if _, err := s.PostNews(ctx, shopID, db.NewNews{Body: "again", Key: "k1"}, userID, t0); !errors.As(err, &replayed) || replayed.ID != always {
		t.Fatalf("replayed post: %v, want the first post %d", err, always)
	}

	type shown struct {
		id    int64
		isNew bool
	}
	check := func(name string, shopID, cardID int64, at time.Time, want []shown) {
		t.Helper()
		page, err := s.CardPage(ctx, shopID, cardID, at)
		if err != nil {
			t.Fatal(err)
		}
		var g []shown
		for _, n := range page.News {
			g = append(g, shown{n.ID, n.New})
		}
		if len(g) != len(want) {
			t.Fatalf("%s: got %v, want %v", name, g, want)
		}
		for i := range g {
			if g[i] != want[i] {
				t.Fatalf("%s: got %v, want %v", name, g, want)
			}
		}
	}
	check("first view", shopID, card.ID, t0.Add(2*time.Hour), []shown{{week, true}, {always, true}})
	check("second view", shopID, card.ID, t0.Add(3*time.Hour), []shown{{week, false}, {always, false}})
	check("after the end date", shopID, card.ID, t0.Add(8*24*time.Hour), []shown{{always, false}})
	check("before it was posted", shopID, card.ID, t0.Add(30*time.Minute), []shown{{always, false}})
	check("other shop's card sees only its own", otherShop, otherCard.ID, t0.Add(time.Hour), []shown{{3, true}})

	if err := s.RemoveNews(ctx, otherShop, always, otherUser, t0); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("removing another shop's news: %v, want not found", err)
	}
	if _, err := s.NewsImage(ctx, otherShop, always); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("another shop's image: %v, want not found", err)
	}
	if img, err := s.NewsImage(ctx, shopID, always); err != nil || string(img) != "jpeg" {
		t.Fatalf("image: %q, %v", img, err)
	}
	if err := s.RemoveNews(ctx, shopID, always, userID, t0.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveNews(ctx, shopID, always, userID, t0.Add(4*time.Hour)); err != nil {
		t.Fatalf("removing twice: %v", err)
	}
	if n := count(t, rawDB(t, path), `SELECT count(*) FROM audit WHERE action = 'news_remove'`); n != 1 {
		t.Fatalf("removing twice recorded %d removals, want 1", n)
	}
	check("taken down", shopID, card.ID, t0.Add(5*time.Hour), []shown{{week, false}})
	if _, err := s.NewsImage(ctx, shopID, always); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("image of removed news: %v, want not found", err)
	}

	list, err := s.NewsList(ctx, shopID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != week || list[1].ID != always || !list[1].Removed || list[1].Seen != 1 || list[0].Seen != 1 || !list[1].HasImage {
		t.Fatalf("owner's list: %+v", list)
	}
	if list[0].Live(t0.Add(8*24*time.Hour)) || !list[0].Live(t0.Add(2*time.Hour)) || list[1].Live(t0) {
		t.Fatalf("Live: %+v", list)
	}
}
