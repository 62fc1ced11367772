package e2e

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"regulars/db"
)

// TestCSRFFromAnotherPort (issue 15): a signed-in owner opens a page served
// on another port of the same host, a same-site origin. It plants a _csrf
// cookie for /staff and submits a form adding an attacker as owner, with the
// planted value as its token, the attack that went through Echo's
// double-submit check. The server answers with the form-expired page, no one
// is added, and the owner is still signed in.
func TestCSRFFromAnotherPort(t *testing.T) {
	t.Parallel()
	srv, _ := startServer(t)
	ctx := newBrowser(t, desktop)
	signUp(t, ctx, srv, owner)

	const attacker = "mallory@evil.example"
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Cookies are not kept apart by port: this one goes to the shop's
		// server too, before the server's own _csrf, its path being longer.
		http.SetCookie(w, &http.Cookie{Name: "_csrf", Value: "tossed", Path: "/staff"})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>You won a coffee</title>
<form method="post" action="%s">
<input name="_csrf" value="tossed"><input name="name" value="Mallory"><input name="email" value="%s">
<input name="role" value="owner"><input name="password" value="mallory owns this shop now">
</form>
<script>document.forms[0].submit()</script>`, html.EscapeString(srv.URL+"/staff"), attacker)
	}))
	t.Cleanup(evil.Close)
	if !strings.HasPrefix(evil.URL, "http://127.0.0.1:") || evil.URL == srv.URL {
		t.Fatalf("the other origin %s is not another port of %s", evil.URL, srv.URL)
	}

	run(t, ctx, chromedp.Navigate(evil.URL))
	waitJS(t, ctx, fmt.Sprintf(`location.href === %q && document.readyState === "complete"`, srv.URL+"/staff"), 20*time.Second)
	screenshot(t, ctx, "csrf-from-another-port")
	if u, err := srv.Store.UserByEmail(context.Background(), attacker); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("the page on another port added %s as %s (err %v)", attacker, u.Role, err)
	}
	if got := texts(t, ctx, `[data-testid=error-message]`); len(got) != 1 || !strings.Contains(got[0], "form has expired") {
		t.Errorf("the forged form's answer says %q, want the form-expired message", got)
	}
	// The owner was signed in all along: the refusal was the token's, and
	// the staff page still works for them.
	run(t, ctx, chromedp.Navigate(srv.URL+"/staff"), chromedp.WaitVisible(`[data-testid=staff-row]`, chromedp.ByQuery))
	if n := count(t, ctx, `[data-testid=staff-row]`); n != 1 {
		t.Errorf("%d staff rows, want the owner alone", n)
	}
}
