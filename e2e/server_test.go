package e2e

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/handlers"
	"regulars/migrations"
	"regulars/static"
)

// testServer is the real app, in-process, on a fresh database.
type testServer struct {
	// URL is http://127.0.0.1:port: a loopback address, which browsers treat
	// as a secure context, so the counter's camera works without TLS.
	URL string
	// Store reads values the UI does not show (a card's token). Tests drive
	// everything else through the browser.
	Store *db.Store

	mu        sync.Mutex
	hits      map[string]int // request path → count, to tell network from cache
	unplugged bool           // see Unplug
}

// Unplug makes the server drop every request unanswered (counted all the
// same), or answer again. DevTools' offline emulation cuts a page's requests
// but not those of its service worker: with the server unplugged too, no
// request of the phone gets an answer, as without signal.
func (s *testServer) Unplug(unplugged bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unplugged = unplugged
}

// Hits returns how many requests for path reached the server.
func (s *testServer) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// testClock is the app's clock: real time plus an offset that tests move
// forward with Advance, e.g. past a raffle's closing time.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is time.Now moved by every Advance so far.
func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// startServer starts the app on 127.0.0.1 with an empty database in the
// test's temp dir. BaseURL is left empty, so QR codes carry the request's
// host, i.e. this server. Everything is shut down when the test ends, after
// the browsers opened later (cleanups run last-in, first-out). The app reads
// the time from the returned clock, which follows real time until a test
// advances it.
func startServer(t *testing.T) (*testServer, *testClock) {
	t.Helper()
	ctx := context.Background()
	// A copy of a database migrated once per test binary: running every
	// migration again for each test cost more than some tests.
	store, err := db.Open(ctx, dbtest.Path(t), migrations.FS)
	if err != nil {
		t.Fatalf("opening database: %v", err)
	}
	t.Cleanup(func() {
		if err := store.Close(); err != nil {
			t.Errorf("closing database: %v", err)
		}
	})
	clk := &testClock{}
	app, err := handlers.New(ctx, handlers.Config{
		Now:    clk.Now,
		Store:  store,
		Static: static.FS,
		Log:    slog.New(slog.DiscardHandler),
		// Passwords set in the browser (sign-up, staff, invites, changes)
		// are hashed at bcrypt's lowest cost, and so are their logins
		// checked: as correct, and a hundred times cheaper than the
		// production cost on a small machine running tests side by side.
		PasswordCost: bcrypt.MinCost,
	})
	if err != nil {
		t.Fatalf("building app: %v", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	s := &testServer{URL: "http://" + ln.Addr().String(), Store: store, hits: map[string]int{}}
	serve(t, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		unplugged := s.unplugged
		s.mu.Unlock()
		if unplugged {
			// Closes the connection without a response; net/http logs nothing.
			panic(http.ErrAbortHandler)
		}
		app.ServeHTTP(w, r)
	}))
	return s, clk
}

// serve answers on ln with h until the test ends, then shuts the server
// down; cleanups registered before it run after that.
func serve(t *testing.T, ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			srv.Close()
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("server: %v", err)
		}
	})
}
