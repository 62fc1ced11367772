package locale

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
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
// has one English lacks, or names other template fields.
func TestCataloguesComplete(t *testing.T) {
	en := catalogue(t, "en")
	for _, l := range Languages[1:] {
		other := catalogue(t, l.Code)
		for k, v := range en {
			ov, ok := other[k]
			if !ok {
				t.Errorf("%s lacks %q", l.Code, k)
				continue
			}
			if _, plural := v.(map[string]any); plural {
				m, ok := ov.(map[string]any)
				if !ok || m["other"] == nil {
					t.Errorf("%s: %q needs plural forms with other", l.Code, k)
				}
			}
			if strings.Join(fields(v), ",") != strings.Join(fields(ov), ",") && k != "StampAdd" && k != "ResultRewardEarned" {
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

// keyUses finds the message ids the code passes to the translator.
var keyUses = []*regexp.Regexp{
	regexp.MustCompile(`\.[TN]\("(\w+)"`),
	regexp.MustCompile(`\bfail\([^,()]+, "(\w+)"`),
	regexp.MustCompile(`\bpage\(c, [^,()]+, "(\w+)"`),
	regexp.MustCompile(`\b(?:msg|problem) :?= [^"\n]*"(\w+)"`),
	regexp.MustCompile(`"(Month\d+)"`),
	regexp.MustCompile(`"(Weekday\d)"`),
	regexp.MustCompile(`refusal\{[\w.]+, "(\w+)"\}`),
	regexp.MustCompile(`(?m)^\s+\{[\w.]+, "([A-Z]\w+)"\},$`), // refusal lists
}

// TestEveryUsedKeyExists reads handlers and views for the ids they translate.
func TestEveryUsedKeyExists(t *testing.T) {
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
	ist, _ := time.LoadLocation("Europe/Istanbul")
	at := time.Date(2026, 8, 5, 11, 7, 0, 0, time.UTC)
	tests := []struct {
		lang, date, clock, num, dur string
	}{
		{"en", "Aug 5, 2026", "2:07 PM", "12,345", "1 hour 5 minutes"},
		{"tr", "5 Ağu 2026", "14:07", "12.345", "1 saat 5 dakika"},
	}
	for _, tt := range tests {
		tr := New(tt.lang, ist)
		if got := tr.Date(at); got != tt.date {
			t.Errorf("%s date = %q, want %q", tt.lang, got, tt.date)
		}
		if got := tr.Time(at); got != tt.clock {
			t.Errorf("%s time = %q, want %q", tt.lang, got, tt.clock)
		}
		if got := tr.Num(12345); got != tt.num {
			t.Errorf("%s number = %q, want %q", tt.lang, got, tt.num)
		}
		if got := tr.Duration(65 * time.Minute); got != tt.dur {
			t.Errorf("%s duration = %q, want %q", tt.lang, got, tt.dur)
		}
	}
	if got := New("xx", nil).Lang; got != "en" {
		t.Errorf("unknown language falls back to %q", got)
	}
	if got := Match("tr-TR,tr;q=0.9,en;q=0.5"); got != "tr" {
		t.Errorf("Match = %q", got)
	}
	if got := Match("de-DE"); got != "en" {
		t.Errorf("Match(de) = %q", got)
	}
}
