package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// laptop is the owner's laptop the staff page was walked on (issue 16).
var laptop = browserOptions{Width: 1366, Height: 800}

// TestOwnerManagesStaffInPersian: on a laptop and then on a phone, with the
// screen in Persian, the owner reads what each role may do, makes the cashier
// a manager and back, and copies an invite link with one tap: the status says
// it was copied and the clipboard holds the link shown (issue 16, item 8).
func TestOwnerManagesStaffInPersian(t *testing.T) {
	t.Parallel()
	srv, _ := startServer(t)
	lap := newBrowser(t, laptop)
	signUp(t, lap, srv, owner)
	addStaff(t, lap, srv, cashier, "cashier")
	ph := newBrowser(t, phone)
	logIn(t, ph, srv, owner, `body`)
	for _, d := range []struct {
		name     string
		ctx      context.Context
		role     string // what the cashier becomes
		roleSays string
	}{
		{"laptop", lap, "manager", "مدیر"},
		{"phone", ph, "cashier", "صندوق\u200cدار"},
	} {
		ctx := d.ctx
		grant := browser.GrantPermissions([]browser.PermissionType{browser.PermissionTypeClipboardReadWrite, browser.PermissionTypeClipboardSanitizedWrite}).
			WithOrigin(srv.URL).WithBrowserContextID(chromedp.FromContext(ctx).BrowserContextID)
		if err := chromedp.Run(ctx, grant); err != nil {
			t.Fatalf("granting the clipboard: %v", err)
		}
		run(t, ctx, chromedp.Navigate(srv.URL+"/staff"), chromedp.WaitReady(`form.lang-switch`, chromedp.ByQuery),
			chromedp.Evaluate(staleMark, nil),
			chromedp.Evaluate(`document.querySelector('form.lang-switch button[value=fa]').click()`, nil),
			chromedp.WaitVisible(fresh(`[data-testid=roles]`), chromedp.ByQuery), loaded)
		if got := attr(t, ctx, `html`, "lang") + " " + attr(t, ctx, `html`, "dir"); got != "fa rtl" {
			t.Fatalf("%s: the staff page after choosing Persian: %s", d.name, got)
		}
		if got := texts(t, ctx, `[data-testid=roles] dd`); len(got) != 3 || !strings.HasPrefix(got[2], "فقط صندوق") {
			t.Errorf("%s: the roles explained: %q", d.name, got)
		}

		// The cashier's role, from the row's "manage".
		row := `[data-testid=staff-row]:nth-child(2)`
		run(t, ctx, chromedp.Click(row+` [data-testid=staff-manage]`, chromedp.ByQuery),
			chromedp.WaitVisible(row+` [data-testid=staff-role]`, chromedp.ByQuery),
			choose(row+` [data-testid=staff-role]`, d.role))
		screenshot(t, ctx, "staff-fa-"+d.name+"-manage")
		submit(t, ctx, row+` [data-testid=staff-role-save]`, `[data-testid=saved]`)
		if got := text(t, ctx, `[data-testid=saved]`); got != "نقش تغییر کرد. از صفحهٔ بعدیِ او اعمال می\u200cشود." {
			t.Errorf("%s: after the role change: %q", d.name, got)
		}
		if got := text(t, ctx, row+` td:nth-child(3)`); got != d.roleSays {
			t.Errorf("%s: the cashier's role reads %q, want %q", d.name, got, d.roleSays)
		}

		// An invite on the laptop; a new link for it on the phone.
		if d.name == "laptop" {
			addStaff(t, ctx, srv, person{Name: "Reza Ahmadi", Email: "reza@example.com"}, "cashier")
		} else {
			reza := `[data-testid=staff-row]:nth-child(3)`
			run(t, ctx, chromedp.Click(reza+` [data-testid=staff-manage]`, chromedp.ByQuery))
			submit(t, ctx, reza+` [data-testid=staff-link]`, `[data-testid=invite-url]`)
		}
		link := value(t, ctx, `[data-testid=invite-url]`)
		if !strings.HasPrefix(link, srv.URL+"/invite/") {
			t.Fatalf("%s: the invite link %q", d.name, link)
		}
		run(t, ctx, chromedp.Click(`[data-testid=copy-link]`, chromedp.ByQuery))
		waitJS(t, ctx, `document.querySelector('[data-testid=copy-status]').textContent === 'رونوشت شد'`, 5e9)
		var copied string
		run(t, ctx, chromedp.Evaluate(`navigator.clipboard.readText()`, &copied, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
		if copied != link {
			t.Errorf("%s: the clipboard holds %q, want %q", d.name, copied, link)
		}
		checkNoSidewaysScroll(t, ctx, "staff ("+d.name+")")
		screenshot(t, ctx, "staff-fa-"+d.name)
	}
}
