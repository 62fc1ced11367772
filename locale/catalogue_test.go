package locale

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// catalogue merges the files of lang; a key defined twice is an error.
func catalogue(t *testing.T, lang string) map[string]any {
	t.Helper()
	files, err := fs.Glob(catalogues, "*.json")
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]any{}
	for _, f := range files {
		if fileLanguage(f) != lang {
			continue
		}
		b, err := catalogues.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k, v := range m {
			if _, dup := all[k]; dup {
				t.Errorf("%s: %q is defined in another %s file too", f, k, lang)
			}
			all[k] = v
		}
	}
	if len(all) == 0 {
		t.Fatalf("no catalogue for %s", lang)
	}
	return all
}

var field = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

func fields(v any) []string {
	var all []string
	collect := func(s string) {
		for _, m := range field.FindAllStringSubmatch(s, -1) {
			all = append(all, m[1])
		}
	}
	switch v := v.(type) {
	case string:
		collect(v)
	case map[string]any:
		for _, s := range v {
			collect(s.(string))
		}
	}
	sort.Strings(all)
	return compact(all)
}

func compact(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// TestCataloguesComplete fails when a language lacks a message English has,
// has one English lacks, writes a plural message without exactly the plural
// forms its language needs, or names other template fields than English.
func TestCataloguesComplete(t *testing.T) {
	t.Parallel()
	en := catalogue(t, "en")
	for _, l := range Languages {
		other := catalogue(t, l.Code)
		forms := pluralForms(l.Code)
		for k, v := range en {
			ov, ok := other[k]
			if !ok {
				t.Errorf("%s lacks %q", l.Code, k)
				continue
			}
			if _, plural := v.(map[string]any); plural {
				m, ok := ov.(map[string]any)
				if !ok {
					t.Errorf("%s: %q needs the plural forms %v", l.Code, k, forms)
				} else if got := sortedKeys(m); strings.Join(got, ",") != strings.Join(forms, ",") {
					t.Errorf("%s: %q has the plural forms %v, the language needs %v", l.Code, k, got, forms)
				}
			} else if _, plural := ov.(map[string]any); plural {
				t.Errorf("%s: %q has plural forms, English has one text", l.Code, k)
			}
			if strings.Join(fields(v), ",") != strings.Join(fields(ov), ",") {
				t.Errorf("%s: %q uses fields %v, English %v", l.Code, k, fields(ov), fields(v))
			}
		}
		for k := range other {
			if _, ok := en[k]; !ok {
				t.Errorf("%s has %q, which English lacks", l.Code, k)
			}
		}
	}
}

// pluralForms are the CLDR plural categories a language's whole numbers fall
// into (counts are always whole): "one", "other" in English; "one", "few",
// "other" in Romanian (1; 0 and 2–19; 20 and more).
func pluralForms(lang string) []string {
	names := map[plural.Form]string{plural.Zero: "zero", plural.One: "one", plural.Two: "two", plural.Few: "few", plural.Many: "many", plural.Other: "other"}
	seen := map[string]bool{}
	for n := 0; n <= 1000; n++ {
		seen[names[plural.Cardinal.MatchPlural(language.Make(lang), n, 0, 0, 0, 0)]] = true
	}
	return sortedKeys(seen)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestEveryCountTranslates asks go-i18n itself, with its own plural rules, for
// every plural message at counts 0 to 200 in every language: a missing form
// would show the message id instead of a sentence.
func TestEveryCountTranslates(t *testing.T) {
	t.Parallel()
	en := catalogue(t, "en")
	for _, l := range Languages {
		loc := i18n.NewLocalizer(bundle, l.Code)
		for k, v := range en {
			if _, plural := v.(map[string]any); !plural {
				continue
			}
			data := map[string]any{}
			for _, f := range fields(v) {
				data[f] = "1"
			}
			for n := 0; n <= 200; n++ {
				if _, err := loc.Localize(&i18n.LocalizeConfig{MessageID: k, PluralCount: n, TemplateData: data}); err != nil {
					t.Errorf("%s: %q at %d: %v", l.Code, k, n, err)
					break
				}
			}
		}
	}
}

// keyUses finds the message ids the code passes to the translator.
var keyUses = []*regexp.Regexp{
	regexp.MustCompile(`\.[TN]\("(\w+)"`),
	regexp.MustCompile(`\bfail\([^,()]+, "(\w+)"`),
	regexp.MustCompile(`\bpage\(c, [^,()]+, "(\w+)"`),
	regexp.MustCompile(`\b(?:msg|problem) :?= [^"\n]*"(\w+)"`),
	regexp.MustCompile(`"((?:Jalali)?Month\d+)"`),
	regexp.MustCompile(`"(Weekday\d)"`),
	regexp.MustCompile(`refusal\{[\w.]+, "(\w+)"\}`),
	regexp.MustCompile(`(?m)^\s+\{[\w.]+, "([A-Z]\w+)"\},$`), // refusal lists
}

// TestEveryUsedKeyExists reads handlers and views for the ids they translate.
func TestEveryUsedKeyExists(t *testing.T) {
	t.Parallel()
	en := catalogue(t, "en")
	used := map[string]bool{"FormatDate": true, "FormatTimeLayout": true}
	var files []string
	for _, pattern := range []string{"../handlers/*.go", "../views/*.templ", "../views/*.go", "*.go"} {
		fs, _ := filepath.Glob(pattern)
		files = append(files, fs...)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_templ.go") || strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range keyUses {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = true
				if _, ok := en[m[1]]; !ok {
					t.Errorf("%s uses %q, which en.json lacks", f, m[1])
				}
			}
		}
	}
	if len(used) < 100 {
		t.Errorf("found only %d keys in use: the scan is broken", len(used))
	}
	for k := range en {
		if !used[k] {
			t.Errorf("en.json has %q, which nothing uses", k)
		}
	}
}

// Text between tags in a template, once expressions are removed, must be
// empty: every word a person reads comes from the catalogue.
func TestTemplatesHaveNoLiteralText(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../views/*.templ")
	if len(files) == 0 {
		t.Fatal("no templates found")
	}
	expr := regexp.MustCompile(`\{[^{}]*\}`)
	// templ calls a component only where a line or an element starts with it;
	// elsewhere "@name(...)" is printed as text, which this test then reports.
	call := regexp.MustCompile(`(^\s*|>)@\w+\([^()]*\)`)
	textNode := regexp.MustCompile(`>([^<>]*\p{L}[^<>]*)<`)
	attr := regexp.MustCompile(`\b(placeholder|title|alt|aria-label)="([^"]*\p{L}[^"]*)"`)
	// The product's name is the one word that is the same in every language.
	allowed := map[string]bool{"Regulars": true}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for i, line := range strings.Split(string(b), "\n") {
			stripped := line
			for expr.MatchString(stripped) {
				stripped = expr.ReplaceAllString(stripped, "")
			}
			stripped = call.ReplaceAllString(stripped, "$1")
			for _, m := range textNode.FindAllStringSubmatch(stripped, -1) {
				if s := strings.TrimSpace(m[1]); s != "" && !allowed[s] && !strings.HasPrefix(s, "·") {
					t.Errorf("%s:%d: literal text %q", f, i+1, s)
				}
			}
			for _, m := range attr.FindAllStringSubmatch(stripped, -1) {
				t.Errorf("%s:%d: literal %s %q", f, i+1, m[1], m[2])
			}
		}
	}
}

func TestFormatting(t *testing.T) {
	t.Parallel()
	ist, _ := time.LoadLocation("Europe/Istanbul")
	at := time.Date(2026, 8, 5, 11, 7, 0, 0, time.UTC)
	tests := []struct {
		lang                  string
		digits                Digits
		date, clock, num, dur string
	}{
		{"en", LatinDigits, "Aug 5, 2026", "2:07 PM", "12,345", "1 hour 5 minutes"},
		{"tr", LatinDigits, "5 Ağu 2026", "14:07", "12.345", "1 saat 5 dakika"},
		{"ro", LatinDigits, "5 aug. 2026", "14:07", "12.345", "1 oră 5 minute"},
		{"fa", PersianDigits, "۵ اوت ۲۰۲۶", "۱۴:۰۷", "۱۲٬۳۴۵", "۱ ساعت ۵ دقیقه"},
		{"fa", LatinDigits, "5 اوت 2026", "14:07", "12,345", "1 ساعت 5 دقیقه"},
		// Persian digits are a choice for Persian pages only.
		{"tr", PersianDigits, "5 Ağu 2026", "14:07", "12.345", "1 saat 5 dakika"},
		{"en", PersianDigits, "Aug 5, 2026", "2:07 PM", "12,345", "1 hour 5 minutes"},
	}
	for _, tt := range tests {
		tr := New(tt.lang, ist, tt.digits)
		if got := tr.Date(at); got != tt.date {
			t.Errorf("%s/%s date = %q, want %q", tt.lang, tt.digits, got, tt.date)
		}
		if got := tr.Time(at); got != tt.clock {
			t.Errorf("%s/%s time = %q, want %q", tt.lang, tt.digits, got, tt.clock)
		}
		if got := tr.Num(12345); got != tt.num {
			t.Errorf("%s/%s number = %q, want %q", tt.lang, tt.digits, got, tt.num)
		}
		if got := tr.Duration(65 * time.Minute); got != tt.dur {
			t.Errorf("%s/%s duration = %q, want %q", tt.lang, tt.digits, got, tt.dur)
		}
	}
	if got := New("xx", nil, LatinDigits).Lang; got != "en" {
		t.Errorf("unknown language falls back to %q", got)
	}
	if got := Match("tr-TR,tr;q=0.9,en;q=0.5"); got != "tr" {
		t.Errorf("Match = %q", got)
	}
	if got := Match("de-DE"); got != "en" {
		t.Errorf("Match(de) = %q", got)
	}
}

// Every number a Persian page shows follows the shop's digit style: amounts,
// counts inside sentences, the catalogue's own numbers, labels; a Latin-digit
// shop sees none of ۰–۹, a Persian-digit shop none of 0–9 (but in codes and
// examples of what to type, which stay Latin).
func TestDigitStyles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		got           func(*Tr) string
		persian, latn string
	}{
		{"decimal", func(tr *Tr) string { return tr.Decimal(4.5, 1) }, "۴٫۵", "4.5"},
		{"money", func(tr *Tr) string { return tr.Money(123450, "IRR") }, "۱٬۲۳۴٫۵۰ IRR", "1,234.50 IRR"},
		{"negative", func(tr *Tr) string { return tr.Num(-3) }, "\u200e−۳", "\u200e−3"},
		{"percent", func(tr *Tr) string { return tr.T("Percent", "Percent", tr.Num(50)) }, "۵۰٪", "50%"},
		{"count in a sentence", func(tr *Tr) string { return tr.N("CustomersCount", 1200) }, "۱٬۲۰۰ مشتری", "1,200 مشتری"},
		{"whole number field", func(tr *Tr) string { return tr.T("FieldRange", "Min", 1, "Max", 100) }, "عددی از ۱ تا ۱۰۰ وارد کنید.", "عددی از 1 تا 100 وارد کنید."},
		{"catalogue's own number", func(tr *Tr) string { return tr.T("PasswordHint") }, "دست\u200cکم ۱۰ نویسه.", "دست\u200cکم 10 نویسه."},
		{"example stays typeable", func(tr *Tr) string { return tr.T("FieldAmount") }, "مبلغی مانند 2.50 وارد کنید.", "مبلغی مانند 2.50 وارد کنید."},
		{"label", func(tr *Tr) string { return tr.Numerals("2026") }, "۲۰۲۶", "2026"},
		{"string values pass as they are", func(tr *Tr) string { return tr.T("CardHello", "Name", "K7M2") }, "سلام \u2068K7M2\u2069!", "سلام \u2068K7M2\u2069!"},
	}
	persian, latin := New("fa", nil, PersianDigits), New("fa", nil, LatinDigits)
	for _, tt := range tests {
		if got := tt.got(persian); got != tt.persian {
			t.Errorf("%s in Persian digits = %q, want %q", tt.name, got, tt.persian)
		}
		if got := tt.got(latin); got != tt.latn {
			t.Errorf("%s in Latin digits = %q, want %q", tt.name, got, tt.latn)
		}
	}
	if persian.Digits() != PersianDigits || latin.Digits() != LatinDigits || New("tr", nil, PersianDigits).Digits() != LatinDigits {
		t.Error("Digits does not report the style the page writes in")
	}
	if got := New("ro", nil, PersianDigits).N("CustomersCount", 25); got != "25 de clienți" {
		t.Errorf("Romanian with Persian digits chosen = %q, want Latin digits", got)
	}
}

// The Persian catalogue writes its sentences' numbers in Persian digits, so a
// Latin-digit shop can read them in 0–9; its time layout must stay Latin for
// Go to read it, and no other catalogue may use Persian digits at all.
func TestPersianDigitsOnlyInPersianProse(t *testing.T) {
	t.Parallel()
	persianDigit := regexp.MustCompile(`[۰-۹]`)
	for _, l := range Languages {
		for k, v := range catalogue(t, l.Code) {
			s := fmt.Sprint(v)
			if l.Code != "fa" && persianDigit.MatchString(s) {
				t.Errorf("%s: %q has Persian digits", l.Code, k)
			}
			if strings.HasPrefix(k, "Format") && persianDigit.MatchString(s) {
				t.Errorf("%s: %q is a layout and must keep Latin digits", l.Code, k)
			}
		}
	}
	latin := New("fa", nil, LatinDigits)
	for k, v := range catalogue(t, "fa") {
		s := latin.T(k)
		if _, plural := v.(map[string]any); plural {
			s = latin.N(k, 2)
		}
		if persianDigit.MatchString(s) {
			t.Errorf("fa %q shows Persian digits to a Latin-digit shop: %q", k, s)
		}
	}
}

// On a right-to-left page a Latin value is isolated so that it keeps its own
// direction without reordering the Persian around it; Persian values and
// left-to-right pages need nothing.
func TestRightToLeftIsolatesLatinValues(t *testing.T) {
	t.Parallel()
	fa, en := New("fa", nil, PersianDigits), New("en", nil, LatinDigits)
	tests := []struct {
		tr        *Tr
		name, out string
	}{
		{fa, "Sara", "سلام \u2068Sara\u2069!"},
		{fa, "سارا", "سلام سارا!"},
		{fa, "سارا Sara", "سلام \u2068سارا Sara\u2069!"},
		{en, "سارا", "Hello, سارا!"},
	}
	for _, tt := range tests {
		if got := tt.tr.T("CardHello", "Name", tt.name); got != tt.out {
			t.Errorf("%s: CardHello(%q) = %q, want %q", tt.tr.Lang, tt.name, got, tt.out)
		}
	}
}
