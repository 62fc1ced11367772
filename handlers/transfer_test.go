package handlers_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestPagesTravelSmall: pages, styles and scripts are gzip-compressed, a
// versioned static file may be kept for a year, and staff pages are never
// kept at all (Back after signing out showed the last customer). Issue 14.
func TestPagesTravelSmall(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Travel Café", "travel@example.com")
	cardPath := owner.enroll("Deniz")
	var token string
	if err := e.prepared(`SELECT token FROM cards WHERE first_name = 'Deniz'`).QueryRow().Scan(&token); err != nil {
		t.Fatal(err)
	}
	counter := owner.get("/counter")
	css, ok := counter.doc.Find(`link[rel=stylesheet]`).Attr("href")
	if !ok || !strings.Contains(css, "?v=") {
		t.Fatalf("the counter's stylesheet %q carries no version", css)
	}
	script, _ := counter.doc.Find(`script[src*="counter.js"]`).Attr("src")
	unversioned, _, _ := strings.Cut(css, "?")
	for _, tc := range []struct {
		name, path, cache string
		gzip              bool
	}{
		{"counter", "/counter", "no-store", true},
		{"counter card", cardPath, "no-store", true},
		{"dashboard", "/dashboard", "no-store", true},
		{"customer's card", "/c/" + token, "private, no-cache", true},
		{"versioned stylesheet", css, "public, max-age=31536000, immutable", true},
		{"versioned script", script, "public, max-age=31536000, immutable", true},
		{"stylesheet of another version", unversioned + "?v=old", "no-cache", true},
		{"stylesheet without a version", unversioned, "no-cache", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, e.srv.URL+tc.path, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			res, err := owner.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if got := res.Header.Get("Cache-Control"); got != tc.cache {
				t.Errorf("Cache-Control = %q, want %q", got, tc.cache)
			}
			if got := res.Header.Get("Content-Encoding") == "gzip"; got != tc.gzip {
				t.Fatalf("gzip = %v, want %v", got, tc.gzip)
			}
			if !tc.gzip {
				return
			}
			zr, err := gzip.NewReader(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil || len(plain) == 0 {
				t.Fatalf("the compressed body does not unpack: %v (%d bytes)", err, len(plain))
			}
		})
	}
}
