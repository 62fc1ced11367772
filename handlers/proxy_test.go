package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"regulars/handlers"
)

// TestTrustedProxyNamesTheClient (issue 15): behind a trusted proxy, the
// per-address limit counts each client the proxy names, so a guesser who used
// up their address's tries does not stop the next client; a client cannot
// name itself through the proxy, and forwarding headers from anyone else are
// ignored, as before.
func TestTrustedProxyNamesTheClient(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		trusted string
		header  string // how the proxy names the client
		// the second client: 401 when counted apart from the first, 429 when
		// counted as the same address
		want int
	}{
		{"trusted proxy, X-Forwarded-For", "127.0.0.1", "X-Forwarded-For", http.StatusUnauthorized},
		{"trusted proxy in a network, X-Real-IP", "10.0.0.0/8, 127.0.0.0/8", "X-Real-IP", http.StatusUnauthorized},
		{"untrusted peer", "10.0.0.0/8", "X-Forwarded-For", http.StatusTooManyRequests},
		{"no proxy trusted", "", "X-Forwarded-For", http.StatusTooManyRequests},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			trusted, err := handlers.ParseTrustedProxies(tt.trusted)
			if err != nil {
				t.Fatal(err)
			}
			e := newEnvWith(t, func(cfg *handlers.Config) { cfg.TrustedProxies = trusted })
			c := e.client()
			_, v := formValues(t, c.get("/login"), `form[action^="/login"]`)
			try := func(addr string, i int) int {
				v.Set("email", fmt.Sprintf("user%d@example.com", i))
				v.Set("password", "guess guess")
				return c.postWith("/login", v, http.Header{tt.header: {addr}}).status
			}
			// One address's twenty tries across accounts, then 429s.
			for i := range 21 {
				want := http.StatusUnauthorized
				if i == 20 {
					want = http.StatusTooManyRequests
				}
				if got := try("203.0.113.1", i); got != want {
					t.Fatalf("first client's try %d: %d, want %d", i+1, got, want)
				}
			}
			if got := try("203.0.113.2", 100); got != tt.want {
				t.Errorf("second client: %d, want %d", got, tt.want)
			}
			if tt.want == http.StatusUnauthorized && tt.header == "X-Forwarded-For" {
				// The first client names another address itself; the proxy
				// appends the one it saw, which is the one counted.
				if got := try("198.51.100.1, 203.0.113.1", 101); got != http.StatusTooManyRequests {
					t.Errorf("first client naming another address: %d, want 429", got)
				}
			}
		})
	}
}

// TestHSTSOnlyWithAnHTTPSPublicURL: browsers are told to keep to https when
// the public URL is https, and only then (over http they could not come back).
func TestHSTSOnlyWithAnHTTPSPublicURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		baseURL string
		want    bool
	}{
		{"https://loyalty.example.com", true},
		{"http://loyalty.example.com", false},
		{"", false},
	} {
		e := newEnvWith(t, func(cfg *handlers.Config) { cfg.BaseURL = tt.baseURL })
		for _, path := range []string{"/login", "/login/", "/no-such-page"} {
			res := e.client().get(path)
			if got := res.header.Get("Strict-Transport-Security"); (got != "") != tt.want || tt.want && !strings.HasPrefix(got, "max-age=") {
				t.Errorf("public URL %q, %s (%d): Strict-Transport-Security %q, want it: %v", tt.baseURL, path, res.status, got, tt.want)
			}
		}
	}
}

func TestStartWarnings(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		addr, baseURL string
		warns         string // a word of the warning, or "" for none
	}{
		{":8080", "", "-base-url"},
		{"0.0.0.0:8080", "", "-base-url"},
		{"192.168.1.20:8080", "", "-base-url"},
		{"[::]:8080", "", "-base-url"},
		{"127.0.0.1:8080", "", ""},
		{"localhost:8080", "", ""},
		{"[::1]:8080", "", ""},
		{":8080", "https://loyalty.example.com", ""},
		{":8080", "http://192.168.1.20:8080", ""},
		{":8080", "loyalty.example.com", "not an http"},
	} {
		got := handlers.StartWarnings(tt.addr, tt.baseURL)
		switch {
		case tt.warns == "" && len(got) != 0:
			t.Errorf("%s with %q: warnings %q, want none", tt.addr, tt.baseURL, got)
		case tt.warns != "" && (len(got) != 1 || !strings.Contains(got[0], tt.warns)):
			t.Errorf("%s with %q: warnings %q, want one saying %q", tt.addr, tt.baseURL, got, tt.warns)
		}
	}
}

func TestParseTrustedProxies(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want []string // nil: an error
	}{
		{"", []string{}},
		{"10.0.0.0/8, 127.0.0.1", []string{"10.0.0.0/8", "127.0.0.1/32"}},
		{"::1 fd00::/8,,192.168.1.7", []string{"::1/128", "fd00::/8", "192.168.1.7/32"}},
		{"10.1.2.3/8", []string{"10.0.0.0/8"}},
		{"::ffff:127.0.0.1", []string{"127.0.0.1/32"}},
		{"proxy.example.com", nil},
		{"10.0.0.0/33", nil},
		{"10.0.0.1-10.0.0.9", nil},
	} {
		got, err := handlers.ParseTrustedProxies(tt.in)
		if tt.want == nil {
			if err == nil {
				t.Errorf("%q: %v, want an error", tt.in, got)
			}
			continue
		}
		strs := []string{}
		for _, p := range got {
			strs = append(strs, p.String())
		}
		if err != nil || !slices.Equal(strs, tt.want) {
			t.Errorf("%q: %v %v, want %v", tt.in, strs, err, tt.want)
		}
	}
}

// TestForwardedProtoOnlyFromTrustedProxies: the QR codes of a server without
// a public URL carry the request's scheme, which only a trusted proxy may
// say is https.
func TestForwardedProtoOnlyFromTrustedProxies(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		trusted string
		want    string
	}{
		{"127.0.0.1", "https://"},
		{"10.0.0.0/8", "http://"},
		{"", "http://"},
	} {
		trusted, _ := handlers.ParseTrustedProxies(tt.trusted)
		e := newEnvWith(t, func(cfg *handlers.Config) { cfg.TrustedProxies = trusted })
		owner := e.signup("Shop", "owner@example.com")
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/poster", nil)
		req.Header.Set("X-Forwarded-Proto", "https")
		res := owner.do(req)
		u, _ := url.Parse(e.srv.URL)
		if want := tt.want + u.Host + "/join/"; !strings.Contains(res.body, want) {
			t.Errorf("trusting %q: the poster does not link %s…\n%s", tt.trusted, want, snippet(res.body))
		}
	}
}

// TestIPv6CountedBySlash64: one IPv6 subscriber holds a whole /64 and can
// take a new address for every try; the per-address limit counts the /64.
func TestIPv6CountedBySlash64(t *testing.T) {
	t.Parallel()
	e := behindProxy(t)
	c := e.client()
	for i := range 20 {
		if got := c.loginFrom(fmt.Sprintf("2001:db8:1:1::%x", i+1), fmt.Sprintf("user%d@example.com", i), "guess guess"); got != http.StatusUnauthorized {
			t.Fatalf("try %d: %d, want 401", i+1, got)
		}
	}
	if got := c.loginFrom("2001:db8:1:1:ffff::1", "user99@example.com", "guess guess"); got != http.StatusTooManyRequests {
		t.Errorf("a 21st try from another address of the same /64: %d, want 429", got)
	}
	if got := c.loginFrom("2001:db8:1:2::1", "user99@example.com", "guess guess"); got != http.StatusUnauthorized {
		t.Errorf("a try from the next /64: %d, want 401", got)
	}
}
