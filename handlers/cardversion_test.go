package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"regulars/loyalty"
)

// TestCardVersion: an open card page asks whether its card changed. The
// answer is 204 with the card's version in ETag, the one the page was drawn
// with, then 304 while the page's If-None-Match is still it, and 204 with a
// new one once the cashier stamps. Asking writes nothing, and the token of no
// card (unknown, malformed, erased) is a 404.
func TestCardVersion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	cashier, cardPath, token := stampedCard(t, e, owner, "Ayla")
	phone := e.client()
	ask := func(method, token, etag string) response {
		t.Helper()
		req, _ := http.NewRequest(method, e.srv.URL+"/c/"+token+"/version", nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		return phone.do(req)
	}
	drawnWith := func() string {
		t.Helper()
		v, _ := phone.get("/c/" + token).doc.Find("#card").Attr("data-version")
		return v
	}

	etag := drawnWith()
	before := e.snapshot()
	res := ask(http.MethodGet, token, "")
	if res.status != http.StatusNoContent || res.header.Get("ETag") != etag || etag == "" || res.body != "" {
		t.Fatalf("first question: %d, ETag %q (the page has %q), body %q", res.status, res.header.Get("ETag"), etag, res.body)
	}
	if cc, rp := res.header.Get("Cache-Control"), res.header.Get("Referrer-Policy"); cc != "private, no-cache" || rp != "no-referrer" {
		t.Errorf("Cache-Control %q, Referrer-Policy %q", cc, rp)
	}
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		if res := ask(method, token, etag); res.status != http.StatusNotModified || res.header.Get("ETag") != etag || res.body != "" {
			t.Errorf("%s unchanged: %d, ETag %q, body %q", method, res.status, res.header.Get("ETag"), res.body)
		}
	}
	if after := e.snapshot(); after != before {
		t.Errorf("asking changed the database:\n%s\n%s", before, after)
	}

	e.clock.Advance(time.Hour)
	if res := cashier.submit(cashier.get(cardPath), `[data-testid="stamp-1"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("stamp: %d", res.status)
	}
	res = ask(http.MethodGet, token, etag)
	if res.status != http.StatusNoContent || res.header.Get("ETag") == etag || res.header.Get("ETag") != drawnWith() {
		t.Errorf("after a stamp: %d, ETag %q (was %q, the page has %q)", res.status, res.header.Get("ETag"), etag, drawnWith())
	}

	var cardID int64
	fmt.Sscanf(cardPath, "/counter/cards/%d", &cardID)
	if err := e.store.EraseCustomer(context.Background(), 1, 1, cardID, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	for what, tok := range map[string]string{"an unknown token": loyalty.NewCardToken(), "a malformed token": "abc", "an erased card": token} {
		if res := ask(http.MethodGet, tok, etag); res.status != http.StatusNotFound || res.header.Get("ETag") != "" {
			t.Errorf("%s: %d, ETag %q; want 404", what, res.status, res.header.Get("ETag"))
		}
	}
}

// TestServiceWorkerKeepsCardFiles: the worker a card page installs lists,
// to keep from the start, every static file the page loads, at the URL the
// page loads it from.
func TestServiceWorkerKeepsCardFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	token := cardToken(t, e, 1, owner.enroll("Ayla"))
	phone := e.client()
	page := phone.get("/c/" + token)
	var files []string
	page.doc.Find(`link[href^="/static/"], script[src^="/static/"]`).Each(func(_ int, s *goquery.Selection) {
		url, ok := s.Attr("href")
		if !ok {
			url, _ = s.Attr("src")
		}
		files = append(files, url)
	})
	if len(files) < 4 {
		t.Fatalf("the card page loads %q: want its styles, scripts and icon", files)
	}
	sw := phone.get("/c/sw.js")
	if sw.status != http.StatusOK || strings.Contains(sw.body, "const PRECACHE = [];") {
		t.Fatalf("service worker: %d, without its files:\n%s", sw.status, snippet(sw.body))
	}
	for _, f := range files {
		if !strings.Contains(sw.body, `"`+f+`"`) {
			t.Errorf("the service worker does not keep %s", f)
		}
	}
}
