// Package locale is the translation catalogue and the formatting of dates and
// numbers in a shop's language. Every user-facing string goes through a Tr.
package locale

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/jalaali/go-jalaali"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The catalogue of a language is every file named lang.json or area.lang.json:
// one file an area lets people work on different screens without colliding.
//
//go:embed *.json
var catalogues embed.FS

// Language is a language the product speaks.
type Language struct {
	Code string // BCP 47
	Name string // in the language itself
	RTL  bool
}

// Languages lists the supported languages; the first is the fallback.
var Languages = []Language{
	{Code: "en", Name: "English"},
	{Code: "tr", Name: "Türkçe"},
	{Code: "fa", Name: "فارسی", RTL: true},
	{Code: "ro", Name: "Română"},
}

// Digits is how numbers shown to people are written: a shop's choice, which
// only Persian pages follow; every other language writes 0–9.
type Digits string

// The digit styles a shop can choose.
const (
	LatinDigits   Digits = "latin"   // 0123456789
	PersianDigits Digits = "persian" // ۰۱۲۳۴۵۶۷۸۹
)

// DefaultDigits is the style a shop of language lang starts with.
func DefaultDigits(lang string) Digits {
	if lang == "fa" {
		return PersianDigits
	}
	return LatinDigits
}

// ValidDigits reports whether d is a digit style.
func ValidDigits(d Digits) bool { return d == LatinDigits || d == PersianDigits }

// The Persian catalogue writes the numbers of its sentences in Persian digits
// (and ٫ ٬ ٪), while codes, formats and examples of what to type stay in Latin
// digits; a shop that chose Latin digits reads it with those turned into 0–9.
var (
	bundle      = loadBundle(nil)
	latinBundle = loadBundle(toLatin)
	toLatin     = strings.NewReplacer("۰", "0", "۱", "1", "۲", "2", "۳", "3", "۴", "4", "۵", "5", "۶", "6", "۷", "7", "۸", "8", "۹", "9", "٫", ".", "٬", ",", "٪", "%")
	toPersian   = strings.NewReplacer("0", "۰", "1", "۱", "2", "۲", "3", "۳", "4", "۴", "5", "۵", "6", "۶", "7", "۷", "8", "۸", "9", "۹")
)

// loadBundle reads every catalogue, passing the Persian ones through rewrite
// when it is not nil.
func loadBundle(rewrite *strings.Replacer) *i18n.Bundle {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := fs.Glob(catalogues, "*.json")
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		lang := fileLanguage(f)
		if !Supported(lang) {
			panic(fmt.Sprintf("catalogue %s: not a supported language", f))
		}
		raw, err := catalogues.ReadFile(f)
		if err != nil {
			panic(fmt.Sprintf("catalogue %s: %v", f, err))
		}
		if rewrite != nil && lang == "fa" {
			raw = []byte(rewrite.Replace(string(raw)))
		}
		if _, err := b.ParseMessageFileBytes(raw, f); err != nil {
			panic(fmt.Sprintf("catalogue %s: %v", f, err))
		}
	}
	return b
}

// fileLanguage is the language of a catalogue file: "tr" for tr.json and for dashboard.tr.json.
func fileLanguage(name string) string {
	parts := strings.Split(strings.TrimSuffix(name, ".json"), ".")
	return parts[len(parts)-1]
}

// Supported reports whether code is one of Languages.
func Supported(code string) bool {
	for _, l := range Languages {
		if l.Code == code {
			return true
		}
	}
	return false
}

// Match picks the best supported language of an Accept-Language header.
func Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil {
		return Languages[0].Code
	}
	for _, t := range tags {
		base, _ := t.Base()
		if Supported(base.String()) {
			return base.String()
		}
	}
	return Languages[0].Code
}

// Tr translates and formats for one language, time zone and digit style.
type Tr struct {
	Lang     string
	loc      *i18n.Localizer
	zone     *time.Location
	numbers  *message.Printer
	persian  bool // numbers are written in Persian digits
	calendar Calendar
	language Language
	bundle   *i18n.Bundle
}

// kit is what New takes for a language, made once: parsing its tags for
// every page was one or two percent of a page's CPU. A Localizer only reads
// its bundle, so pages share them; a Printer keeps state, so each Tr has its own.
type kit struct {
	loc, latinLoc         *i18n.Localizer // with bundle and with latinBundle
	numbers, latinNumbers language.Tag    // x/text writes Persian in Persian digits unless told otherwise
}

var kits = func() map[string]kit {
	m := make(map[string]kit, len(Languages))
	for _, l := range Languages {
		m[l.Code] = kit{loc: i18n.NewLocalizer(bundle, l.Code), latinLoc: i18n.NewLocalizer(latinBundle, l.Code),
			numbers: language.Make(l.Code), latinNumbers: language.Make(l.Code + "-u-nu-latn")}
	}
	return m
}()

// New returns a translator; an unsupported language falls back to English and a
// nil zone to UTC. digits is the shop's style, which only a Persian page follows;
// without a shop pass DefaultDigits(lang).
func New(lang string, zone *time.Location, digits Digits) *Tr {
	if !Supported(lang) {
		lang = Languages[0].Code
	}
	if zone == nil {
		zone = time.UTC
	}
	t := &Tr{Lang: lang, zone: zone, persian: lang == "fa" && digits == PersianDigits}
	k := kits[lang]
	numbers, b, loc := k.numbers, bundle, k.loc
	if lang == "fa" && !t.persian {
		numbers, b, loc = k.latinNumbers, latinBundle, k.latinLoc
	}
	t.loc, t.numbers, t.bundle = loc, message.NewPrinter(numbers), b
	for _, l := range Languages {
		if l.Code == lang {
			t.language = l
		}
	}
	return t
}

// T translates message id; kv are name/value pairs for its {{.Name}} fields.
func (t *Tr) T(id string, kv ...any) string {
	if len(kv) > 0 {
		if parts, ok := t.split(id, false, 0); ok {
			return t.fill(parts, kv, false, 0)
		}
		return t.localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: t.data(kv)})
	}
	// A message without fields is the same every time: it is kept, because
	// go-i18n runs its template on every call (9% of a card page's CPU).
	key := plainKey{t.bundle, t.Lang, id}
	if s, ok := plainMessages.Load(key); ok {
		return s.(string)
	}
	s, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: id})
	if err != nil {
		return t.localize(&i18n.LocalizeConfig{MessageID: id})
	}
	plainMessages.Store(key, s)
	return s
}

// plainMessages holds the messages without fields already translated, by
// bundle, language and id: a few hundred strings per language.
var plainMessages sync.Map

type plainKey struct {
	bundle   *i18n.Bundle
	lang, id string
}

// N translates a message with plural forms chosen by count ({{.Count}}).
func (t *Tr) N(id string, count int, kv ...any) string {
	if count >= 0 && count <= maxSplitCount {
		if parts, ok := t.split(id, true, count); ok {
			return t.fill(parts, kv, true, count)
		}
	}
	d := t.data(kv)
	d["Count"] = t.Num(count)
	return t.localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: d})
}

func (t *Tr) localize(lc *i18n.LocalizeConfig) string {
	s, err := t.loc.Localize(lc)
	if err != nil {
		// A missing key is a bug the catalogue tests catch; show the id, not a blank.
		slog.Error("translate", "lang", t.Lang, "id", lc.MessageID, "err", err)
		if s == "" {
			return lc.MessageID
		}
	}
	return s
}

// data maps name/value pairs for a message; whole numbers are written in the
// page's style. On a right-to-left page a value with left-to-right letters
// (a Latin name or reward) is isolated, so that it does not pull the Persian
// words and numbers around it into its own direction.
func (t *Tr) data(kv []any) map[string]any {
	d := make(map[string]any, len(kv)/2+1)
	for i := 0; i+1 < len(kv); i += 2 {
		d[fmt.Sprint(kv[i])] = t.value(kv[i+1])
	}
	return d
}

// value is v as a message shows it: see data.
func (t *Tr) value(v any) any {
	switch x := v.(type) {
	case int:
		return t.Num(x)
	case string:
		if t.language.RTL && strings.IndexFunc(x, isLTRLetter) >= 0 {
			return isolate(x)
		}
	}
	return v
}

// isLTRLetter reports whether r is a letter of a left-to-right script.
func isLTRLetter(r rune) bool {
	return unicode.IsLetter(r) && !unicode.In(r, unicode.Arabic, unicode.Hebrew, unicode.Syriac, unicode.Thaana, unicode.Nko)
}

// isolate wraps s in Unicode's first-strong isolate: s keeps the direction of
// its first letter and does not reorder the text around it.
func isolate(s string) string { return "\u2068" + s + "\u2069" }

// Dir is the text direction for the html element.
func (t *Tr) Dir() string {
	if t.language.RTL {
		return "rtl"
	}
	return "ltr"
}

// Zone is the time zone dates are shown in.
func (t *Tr) Zone() *time.Location { return t.zone }

// Num formats an integer with the language's digit grouping.
func (t *Tr) Num(n int) string {
	if n >= 0 && n < 1000 {
		// No grouping below a thousand: the digits alone, without asking
		// x/text, which costs more than the rest of a message (the counts
		// and days of a page are small numbers).
		if t.persian {
			return toPersian.Replace(strconv.Itoa(n))
		}
		return strconv.Itoa(n)
	}
	return t.numbers.Sprint(n)
}

// Digits is the digit style the page writes numbers in.
func (t *Tr) Digits() Digits {
	if t.persian {
		return PersianDigits
	}
	return LatinDigits
}

// Numerals writes the digits of s in the page's digit style, for numbers that
// are labels rather than amounts: a year, an hour, a row of a file. Codes,
// form values, URLs and exports never go through it: they stay machine text.
func (t *Tr) Numerals(s string) string {
	if t.persian {
		return toPersian.Replace(s)
	}
	return s
}

// Date formats a day, e.g. "Mar 5, 2026" or "5 Mar 2026"; in the Solar
// Hijri calendar when the shop chose it, e.g. "۱۴ اسفند ۱۴۰۴".
func (t *Tr) Date(tm time.Time) string {
	tm = tm.In(t.zone)
	y, month, d := tm.Year(), t.T(monthKeys[tm.Month()-1]), tm.Day()
	if t.calendar == Jalali {
		if jy, jm, jd, err := jalaali.ToJalaali(y, tm.Month(), d); err == nil {
			y, month, d = jy, t.T(jalaliMonthKeys[jm-1]), jd
		}
	}
	return t.T("FormatDate", "Day", t.Numerals(strconv.Itoa(d)), "Month", month, "Year", t.Numerals(strconv.Itoa(y)))
}

// FirstWeekday is the day a week starts on: Saturday in Iran and
// Afghanistan, Monday in Turkey, Romania and the English the app writes.
func (t *Tr) FirstWeekday() time.Weekday {
	if t.Lang == "fa" {
		return time.Saturday
	}
	return time.Monday
}

// Calendar is the calendar a shop's dates are written in.
type Calendar string

const (
	Gregorian Calendar = "gregorian"
	// Jalali is the Solar Hijri calendar of Iran and Afghanistan, whose year
	// begins at Nowruz, around 21 March.
	Jalali Calendar = "jalali"
)

// ValidCalendar reports whether c is a calendar a shop may choose.
func ValidCalendar(c Calendar) bool { return c == Gregorian || c == Jalali }

// WithCalendar is t writing dates in calendar c.
func (t *Tr) WithCalendar(c Calendar) *Tr {
	copied := *t
	copied.calendar = c
	return &copied
}

var jalaliMonthKeys = [12]string{"JalaliMonth1", "JalaliMonth2", "JalaliMonth3", "JalaliMonth4", "JalaliMonth5", "JalaliMonth6",
	"JalaliMonth7", "JalaliMonth8", "JalaliMonth9", "JalaliMonth10", "JalaliMonth11", "JalaliMonth12"}

// MonthName is the short name of month m (1–12), as dates show it.
func (t *Tr) MonthName(m int) string { return t.T(monthKeys[m-1]) }

var monthKeys = [12]string{"Month1", "Month2", "Month3", "Month4", "Month5", "Month6", "Month7", "Month8", "Month9", "Month10", "Month11", "Month12"}

// Time formats a time of day in the language's clock.
func (t *Tr) Time(tm time.Time) string {
	return t.Numerals(tm.In(t.zone).Format(t.T("FormatTimeLayout")))
}

// DateTime formats a moment as date and time.
func (t *Tr) DateTime(tm time.Time) string {
	return t.Date(tm) + " " + t.Time(tm)
}

// Duration formats a span as whole minutes (rounded up), or hours and minutes.
func (t *Tr) Duration(d time.Duration) string {
	m := int((d + time.Minute - 1) / time.Minute)
	if m < 60 {
		return t.N("DurationMinutes", m)
	}
	parts := []string{t.N("DurationHours", m/60)}
	if m%60 != 0 {
		parts = append(parts, t.N("DurationMinutes", m%60))
	}
	return strings.Join(parts, " ")
}

// Decimal formats x with digits decimals in the language's style ("4.5", "4,5").
func (t *Tr) Decimal(x float64, digits int) string {
	return t.numbers.Sprintf("%.*f", digits, x)
}

// Money formats an amount in minor units with two decimals in the language's
// style and the currency's code ("2.50 EUR", "2,50 TRY").
func (t *Tr) Money(minor int, currency string) string {
	return t.numbers.Sprintf("%.2f", float64(minor)/100) + " " + currency
}
