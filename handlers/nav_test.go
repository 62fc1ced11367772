package handlers_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestOwnerMenu: the owner's menu is two links and four groups; a manager's
// has no owner pages; exactly one link is the current page's, the longest
// that matches it (the import is not "customers"), and its group is marked.
func TestOwnerMenu(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	res := owner.submit(owner.get("/staff"), `form[action="/staff"]`, map[string]string{
		"name": "Mina", "email": "manager@example.com", "role": "manager", "password": "manager password 1"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("add manager: %d", res.status)
	}
	manager := e.login("manager@example.com", "manager password 1")
	groups := func(r response) []string {
		var ids []string
		for _, n := range r.doc.Find(`[data-testid="main-nav"] details`).Nodes {
			for _, a := range n.Attr {
				if a.Key == "data-testid" {
					ids = append(ids, strings.TrimPrefix(a.Val, "nav-"))
				}
			}
		}
		return ids
	}
	if got := strings.Join(groups(owner.get("/dashboard")), " "); got != "rewards grow insights settings" {
		t.Errorf("the owner's groups: %q", got)
	}
	dash := manager.get("/dashboard")
	if got := strings.Join(groups(dash), " "); got != "rewards grow insights" {
		t.Errorf("the manager's groups: %q", got)
	}
	for _, owners := range []string{"/settings", "/staff", "/customers/import", "/audit", "/growth"} {
		if dash.doc.Find(`[data-testid="main-nav"] a[href="`+owners+`"]`).Length() != 0 {
			t.Errorf("the manager's menu links to %s", owners)
		}
	}
	for path, want := range map[string]string{"/customers/import": "/customers/import", "/customers": "/customers", "/coupons/new": "/coupons", "/dashboard": "/dashboard", "/counter/cards/1": ""} {
		page := owner.get(path)
		current := page.doc.Find(`[data-testid="main-nav"] a[aria-current="page"]`)
		if want == "" {
			if current.Length() != 0 {
				t.Errorf("%s marks %s in the menu", path, current.AttrOr("href", ""))
			}
			continue
		}
		if current.Length() != 1 || current.AttrOr("href", "") != want {
			t.Errorf("%s marks %d links (%q), want %s", path, current.Length(), current.AttrOr("href", ""), want)
		}
		if strings.Count(page.body, `class="navgroup active"`) > 1 {
			t.Errorf("%s marks more than one group", path)
		}
	}
}
