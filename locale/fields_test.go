package locale

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// catalogueMessages lists every message id of the catalogues and whether it
// has plural forms.
func catalogueMessages(t *testing.T) map[string]bool {
	t.Helper()
	files, err := fs.Glob(catalogues, "*.json")
	if err != nil {
		t.Fatal(err)
	}
	plural := map[string]bool{}
	for _, f := range files {
		raw, err := catalogues.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var messages map[string]json.RawMessage
		if err := json.Unmarshal(raw, &messages); err != nil {
			t.Fatal(err)
		}
		for id, m := range messages {
			plural[id] = plural[id] || (len(m) > 0 && m[0] == '{')
		}
	}
	return plural
}

// TestCatalogueFieldsArePlain: a message's fields are plain {{.Name}}, the
// only form the split messages (fields.go) fill in; an {{if}} or a function
// would need go-i18n's template.
func TestCatalogueFieldsArePlain(t *testing.T) {
	t.Parallel()
	files, err := fs.Glob(catalogues, "*.json")
	if err != nil {
		t.Fatal(err)
	}
	action := regexp.MustCompile(`\{\{.*?\}\}`)
	for _, f := range files {
		raw, err := catalogues.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range action.FindAll(raw, -1) {
			if !fieldPattern.Match(a) || len(fieldPattern.Find(a)) != len(a) {
				t.Errorf("%s: %s is not a plain field", f, a)
			}
		}
	}
}

// TestSplitMessagesMatchTheTemplates: every message, in every language and
// digit style, with fields of each kind (a number, a Latin word, a Persian
// one, a value of another type, a field left out) and plural counts around
// each language's forms, reads the same split and filled as through
// go-i18n's template.
func TestSplitMessagesMatchTheTemplates(t *testing.T) {
	t.Parallel()
	messages := catalogueMessages(t)
	values := []any{1234, "Café Nord", "کافه", 2.5, "plain"}
	for _, lang := range Languages {
		for _, digits := range []Digits{LatinDigits, PersianDigits} {
			tr := New(lang.Code, nil, digits)
			for id, plural := range messages {
				names := fieldNames[id]
				for shift := range values {
					var kv []any
					for i, name := range names {
						if i == 1 && shift == 4 {
							continue // a field the caller does not pass
						}
						kv = append(kv, name, values[(i+shift)%len(values)])
					}
					if !plural {
						want := tr.localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: tr.data(kv)})
						if got := tr.T(id, append(kv, "Unused", 1)...); got != want {
							t.Errorf("%s/%s %s %v: %q, want %q", lang.Code, digits, id, kv, got, want)
						}
						continue
					}
					for _, count := range []int{0, 1, 2, 3, 5, 11, 19, 20, 21, 101, 1000, 1001, -1} {
						d := tr.data(kv)
						d["Count"] = tr.Num(count)
						want := tr.localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: d})
						if got := tr.N(id, count, kv...); got != want {
							t.Errorf("%s/%s %s count %d %v: %q, want %q", lang.Code, digits, id, count, kv, got, want)
						}
					}
				}
			}
		}
	}
}

// TestSplitMessageKeptOnce: a message is split once per language and count,
// and a missing id is not kept (each call logs it).
func TestSplitMessageKeptOnce(t *testing.T) {
	t.Parallel()
	tr := New("ro", nil, LatinDigits)
	if got, want := tr.N("RaffleCluster", 3, "Date", "x"), tr.N("RaffleCluster", 3, "Date", "x"); got != want {
		t.Fatalf("%q then %q", got, want)
	}
	if _, ok := splitMessages.Load(splitKey{tr.bundle, "ro", "RaffleCluster", true, 3}); !ok {
		t.Error("the split message was not kept")
	}
	if got := tr.T("NoSuchMessageID", "Name", "x"); got != "NoSuchMessageID" {
		t.Errorf("a missing id: %q", got)
	}
	if _, ok := splitMessages.Load(splitKey{tr.bundle, "ro", "NoSuchMessageID", false, 0}); ok {
		t.Error("a missing id was kept")
	}
}

// TestSmallNumbersAsXText: the numbers below a thousand, written without
// x/text, read as x/text writes them in every language and digit style.
func TestSmallNumbersAsXText(t *testing.T) {
	t.Parallel()
	for _, lang := range Languages {
		for _, digits := range []Digits{LatinDigits, PersianDigits} {
			tr := New(lang.Code, nil, digits)
			for n := -2; n < 1002; n++ {
				if got, want := tr.Num(n), tr.numbers.Sprint(n); got != want {
					t.Errorf("%s/%s %d: %q, want %q", lang.Code, digits, n, got, want)
				}
			}
		}
	}
}

func BenchmarkPluralMessage(b *testing.B) {
	tr := New("fa", nil, PersianDigits)
	for i := 0; b.Loop(); i++ {
		_ = tr.N("CardStampsToGo", i%12, "Reward", fmt.Sprint("Coffee ", i%3))
	}
}
