package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// addStaff posts the owner's staff form.
func addStaff(owner *client, fill map[string]string) response {
	owner.t.Helper()
	return owner.submit(owner.get("/staff"), `form[action="/staff"]`, fill)
}

// TestStaffFormSaysNothingAboutOtherShops: a shop adding an address learns
// nothing of other shops from the answer (issue 15: the staff form told any
// shop whether an address had an account anywhere). Only its own staff is
// refused.
func TestStaffFormSaysNothingAboutOtherShops(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first := e.signup("Kafe", "owner@example.com")
	e.addCashier(first, "ayla@example.com")
	e.addManager(first, "bora@example.com")
	other := e.signup("Other", "other@example.com")
	for _, tt := range []struct {
		name       string
		used, free map[string]string
		status     int
	}{
		{"invite", map[string]string{"name": "Ayla", "email": "ayla@example.com", "role": "cashier"},
			map[string]string{"name": "Cem", "email": "cem@example.com", "role": "cashier"}, http.StatusCreated},
		{"password", map[string]string{"name": "Bora", "email": "bora@example.com", "role": "manager", "password": "chosen by the owner"},
			map[string]string{"name": "Deniz", "email": "deniz@example.com", "role": "manager", "password": "chosen by the owner"}, http.StatusSeeOther},
	} {
		used, free := addStaff(other, tt.used), addStaff(other, tt.free)
		if used.status != tt.status || free.status != tt.status {
			t.Errorf("%s: an address in use elsewhere answers %d, a new one %d; want both %d\n%s", tt.name, used.status, free.status, tt.status, snippet(used.body))
		}
		if used.doc.Find(`.field-error`).Length() != 0 || (used.doc.Find(`[data-testid="invite-url"]`).Length() == 0) != (free.doc.Find(`[data-testid="invite-url"]`).Length() == 0) {
			t.Errorf("%s: the answers differ", tt.name)
		}
	}
	rows := other.get("/staff").doc.Find(`[data-testid="staff-row"]`)
	var listed []string
	for i := range rows.Length() {
		var cells []string
		rows.Eq(i).Find("td").Slice(0, 3).Each(func(_ int, td *goquery.Selection) {
			cells = append(cells, strings.Join(strings.Fields(td.Text()), " "))
		})
		listed = append(listed, strings.Join(cells, ", "))
	}
	want := "Owner of Other, other@example.com, Owner | Ayla, ayla@example.com, Cashier invite pending | Bora, bora@example.com, Manager | " +
		"Cem, cem@example.com, Cashier invite pending | Deniz, deniz@example.com, Manager"
	if got := strings.Join(listed, " | "); got != want {
		t.Errorf("the staff list tells addresses in use elsewhere apart: %s", got)
	}
	// Its own staff, the shop is told about.
	before := e.snapshot()
	res := addStaff(other, map[string]string{"name": "Ayla again", "email": "AYLA@example.com", "role": "cashier"})
	if res.status != http.StatusUnprocessableEntity || text(res, ".field-error") != "This address is already on your staff." {
		t.Errorf("an address already on the staff: %d %q", res.status, text(res, ".field-error"))
	}
	if after := e.snapshot(); after != before {
		t.Error("a refused member changed the database")
	}
	// The first shop's people sign in as before; the new shop's password
	// does not open Bora's address, which signs in to the first shop.
	e.login("ayla@example.com", "cashier password 1")
	e.login("bora@example.com", "manager password 1")
	e.login("deniz@example.com", "chosen by the owner")
	c := e.client()
	if res := c.submit(c.get("/login"), `form[action^="/login"]`, map[string]string{"email": "bora@example.com", "password": "chosen by the owner"}); res.status != http.StatusUnauthorized {
		t.Errorf("the other shop's password for Bora's address: %d, want 401", res.status)
	}
}

// TestStaffAddressesAreNotReserved: inviting an address, or having removed
// its member, holds it for nobody (issue 15: a shop could reserve someone's
// address). The address signs in where its owner first chooses a password.
func TestStaffAddressesAreNotReserved(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first := e.signup("Kafe", "owner@example.com")
	res := addStaff(first, map[string]string{"name": "Cem", "email": "cem@example.com", "role": "cashier"})
	link, _ := res.doc.Find(`[data-testid="invite-url"]`).Attr("value")
	invite := strings.TrimPrefix(link, e.srv.URL)
	if res.status != http.StatusCreated || !strings.HasPrefix(invite, "/invite/") {
		t.Fatalf("invite: %d %q", res.status, link)
	}
	// Cem opens his own shop with his address: the invitation held it for nobody.
	e.signup("Cem's", "cem@example.com")
	// The invitation, accepted now, says why it cannot be.
	c := e.client()
	before := e.snapshot()
	res = c.submit(c.get(invite), `form[action^="/invite/"]`, map[string]string{"password": "a password of Cem"})
	if res.status != http.StatusConflict || !strings.Contains(text(res, ".field-error"), "cem@example.com already signs in to another shop") {
		t.Errorf("accepting an invitation to an address that signs in elsewhere: %d %q", res.status, text(res, ".field-error"))
	}
	if after := e.snapshot(); after != before {
		t.Error("the refused invitation changed the database")
	}
	// A removed member's address is free again, here and elsewhere.
	e.addCashier(first, "deniz@example.com")
	staff := first.get("/staff")
	if res := first.submit(staff, `form[action="/staff/4/remove"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("remove Deniz: %d", res.status)
	}
	second := e.signup("Other", "other@example.com")
	if res := addStaff(second, map[string]string{"name": "Deniz", "email": "deniz@example.com", "role": "cashier", "password": "Deniz's new password"}); res.status != http.StatusSeeOther {
		t.Fatalf("add Deniz to the other shop: %d", res.status)
	}
	if got := e.login("deniz@example.com", "Deniz's new password").get("/counter"); !strings.Contains(got.body, "Other") {
		t.Error("Deniz does not sign in to the other shop")
	}
	if n := e.count(`SELECT count(*) FROM audit WHERE action = 'staff_remove' AND subject = 'Cashier deniz@example.com (deniz@example.com)'`); n != 1 {
		t.Errorf("the audit log names the removed member by another address: %d rows", n)
	}
}
