package handlers_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	formTag = regexp.MustCompile(`<form\b[^>]*>`)
	// confirmAttr is one data-confirm attribute: its value, quoted, or none.
	confirmAttr = regexp.MustCompile(`\sdata-confirm(="[^"]*")?`)
	actionAttr  = regexp.MustCompile(`\saction="([^"]*)"`)
	// destructive are the actions that end, remove or replace something for good.
	destructive = regexp.MustCompile(`/(end|remove|archive|erase|signout|draw)$`)
)

// TestDestructiveFormsAskFirst: every form that ends, removes, erases or
// replaces something asks a question before it is sent, and the question is
// not empty. A form with data-confirm written twice keeps the first in the
// browser: the campaign's "End" had an empty one first and ended in one click.
func TestDestructiveFormsAskFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	e.addCashier(owner, "cashier@example.com")
	cardPath := owner.enroll("Ayla")
	customer := strings.Replace(cardPath, "/counter/cards/", "/customers/", 1)
	coupon := newCoupon(t, owner, map[string]string{"title": "Spring treat", "value_kind": "percent", "value_number": "10", "audience": "all"})
	news := owner.newsForm()
	news["body"] = "Fresh simit every morning"
	news["ends"] = e.clock.Now().AddDate(0, 0, 6).Format(time.DateOnly)
	owner.postNews(news, nil)
	owner.submit(owner.get("/programs/new"), `[data-testid="program-form"]`, map[string]string{"name": "Pastry card", "reward_text": "a croissant"})
	program := fmt.Sprintf("/programs/%d", e.count(`SELECT id FROM programs WHERE name = 'Pastry card'`))

	asked := map[string]bool{} // the destructive actions seen, by their last path segment
	for _, page := range []string{coupon, "/news", program, "/staff", customer, cardPath} {
		res := owner.get(page)
		if res.status != 200 {
			t.Fatalf("%s: %d", page, res.status)
		}
		for _, tag := range formTag.FindAllString(res.body, -1) {
			action := ""
			if m := actionAttr.FindStringSubmatch(tag); m != nil {
				action = m[1]
			}
			confirms := confirmAttr.FindAllStringSubmatch(tag, -1)
			switch {
			case len(confirms) > 1:
				t.Errorf("%s: the form for %s says data-confirm %d times: %s", page, action, len(confirms), tag)
			case len(confirms) == 1 && len(confirms[0][1]) <= len(`=""`):
				t.Errorf("%s: the form for %s asks an empty question: %s", page, action, tag)
			}
			path, _ := url.PathUnescape(action)
			if m := destructive.FindStringSubmatch(path); m != nil {
				asked[m[1]] = true
				if len(confirms) == 0 {
					t.Errorf("%s: the form for %s does not ask first: %s", page, action, tag)
				}
			}
		}
	}
	// The check above saw each kind of destructive form (a raffle's draw has its own test).
	for _, kind := range []string{"end", "remove", "archive", "erase", "signout"} {
		if !asked[kind] {
			t.Errorf("no %q form was found on the pages: the test checks nothing for it", kind)
		}
	}
}
