package locale

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// A message with fields is split at its fields once per language and plural
// count, and then filled in by joining strings: go-i18n runs its
// text/template on every call, and a card page's twenty dated visits made
// that a tenth of the page's time. The catalogue's fields are all plain
// {{.Name}} (TestCatalogueFieldsArePlain), so splitting loses nothing.

// fieldPattern is a field of a message; fieldNames lists each message's.
var (
	fieldPattern = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	fieldNames   = loadFieldNames()
)

// loadFieldNames reads the names of every message's fields, in any language
// and plural form.
func loadFieldNames() map[string][]string {
	names := map[string][]string{}
	files, err := fs.Glob(catalogues, "*.json")
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		raw, err := catalogues.ReadFile(f)
		if err != nil {
			panic(fmt.Sprintf("catalogue %s: %v", f, err))
		}
		var messages map[string]json.RawMessage
		if err := json.Unmarshal(raw, &messages); err != nil {
			panic(fmt.Sprintf("catalogue %s: %v", f, err))
		}
		for id, m := range messages {
			for _, match := range fieldPattern.FindAllSubmatch(m, -1) {
				if name := string(match[1]); !slices.Contains(names[id], name) {
					names[id] = append(names[id], name)
				}
			}
		}
	}
	return names
}

// fieldMark stands for a field while a message is split: no catalogue text
// holds it.
const fieldMark = "\x00"

// splitMessages holds the split messages by splitKey: for each language,
// the messages with fields, and a plural message once per count up to
// maxSplitCount (a larger count is translated the slow way each time).
var splitMessages sync.Map

const maxSplitCount = 1000

type splitKey struct {
	bundle   *i18n.Bundle
	lang, id string
	plural   bool
	count    int
}

// split is message id in t's language, as literal text and field names in
// turn: text, name, text, …, text. It is false for a message go-i18n cannot
// translate, which then goes the slow way and is logged there.
func (t *Tr) split(id string, plural bool, count int) ([]string, bool) {
	key := splitKey{t.bundle, t.Lang, id, plural, count}
	if parts, ok := splitMessages.Load(key); ok {
		return parts.([]string), true
	}
	marks := map[string]any{}
	for _, name := range fieldNames[id] {
		marks[name] = fieldMark + name + fieldMark
	}
	lc := &i18n.LocalizeConfig{MessageID: id, TemplateData: marks}
	if plural {
		lc.PluralCount = count
	}
	s, err := t.loc.Localize(lc)
	if err != nil {
		return nil, false
	}
	parts := strings.Split(s, fieldMark)
	if len(parts)%2 == 0 {
		return nil, false
	}
	splitMessages.Store(key, parts)
	return parts, true
}

// fill joins parts with the values of their fields from kv, written as
// data writes them; count, for a plural message, is its Count. A field
// missing from kv reads "<no value>", as text/template writes it.
func (t *Tr) fill(parts []string, kv []any, plural bool, count int) string {
	var b strings.Builder
	for i, part := range parts {
		if i%2 == 0 {
			b.WriteString(part)
			continue
		}
		if plural && part == "Count" {
			b.WriteString(t.Num(count))
			continue
		}
		v, ok := fieldValue(kv, part)
		if !ok {
			b.WriteString("<no value>")
			continue
		}
		switch x := t.value(v).(type) {
		case string:
			b.WriteString(x)
		default:
			fmt.Fprint(&b, x)
		}
	}
	return b.String()
}

// fieldValue is the value of name in the name/value pairs kv.
func fieldValue(kv []any, name string) (any, bool) {
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok && k == name {
			return kv[i+1], true
		}
	}
	return nil, false
}
