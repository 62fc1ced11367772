package handlers

import (
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"regulars/locale"
	"regulars/loyalty"
	"regulars/views"
)

// form reads and checks submitted fields, collecting translated problems so
// that a refused form is shown again with everything the person typed.
type form struct {
	c  echo.Context
	tr *locale.Tr
	v  views.Form
}

func newForm(c echo.Context, tr *locale.Tr) *form {
	return &form{c: c, tr: tr, v: views.Form{Values: map[string]string{}, Errors: map[string]string{}}}
}

func (f *form) fail(name, msgID string, kv ...any) {
	if _, ok := f.v.Errors[name]; !ok {
		f.v.Errors[name] = f.tr.T(msgID, kv...)
	}
}

func (f *form) ok() bool { return len(f.v.Errors) == 0 }

// text returns a trimmed one-line field of at most max characters.
func (f *form) text(name string, required bool, max int) string {
	return f.check(name, required, max, "\x00\r\n")
}

// lines returns a trimmed field that may hold several lines.
func (f *form) lines(name string, required bool, max int) string {
	return f.check(name, required, max, "\x00")
}

// checkbox reads a box whose value is "1" when ticked; any other value is forged.
func (f *form) checkbox(name string) bool {
	v := f.c.FormValue(name)
	if v != "" && v != "1" {
		f.fail(name, "FieldInvalid")
	}
	f.v.Values[name] = checked(v == "1")
	return v == "1"
}

// checked is a box's form value.
func checked(on bool) string {
	if on {
		return "1"
	}
	return ""
}

func (f *form) check(name string, required bool, max int, forbidden string) string {
	s := strings.TrimSpace(f.c.FormValue(name))
	f.v.Values[name] = s
	switch {
	case !utf8.ValidString(s) || strings.ContainsAny(s, forbidden):
		f.fail(name, "FieldInvalid")
	case required && s == "":
		f.fail(name, "FieldRequired")
	case utf8.RuneCountInString(s) > max:
		f.fail(name, "FieldTooLong", "Max", max)
	}
	return s
}

// customer reads a new customer's optional first name and phone, the phone
// normalized: the counter's enrolment, a printed card's activation and the
// poster's join ask the same.
func (f *form) customer() (firstName, phone string) {
	firstName = f.text("first_name", false, 50)
	typed := f.text("phone", false, 30)
	phone = loyalty.NormalizePhone(typed)
	if typed != "" && (len(phone) < 4 || len(phone) > 20) {
		f.fail("phone", "FieldPhone")
	}
	return firstName, phone
}

// number returns a whole number in [min, max]; empty gives def.
func (f *form) number(name string, min, max, def int) int {
	s := strings.TrimSpace(f.c.FormValue(name))
	f.v.Values[name] = s
	if s == "" {
		f.v.Values[name] = strconv.Itoa(def)
		return def
	}
	n, err := parseNumber(s)
	if err != nil {
		f.fail(name, "FieldNumber")
		return def
	}
	if n < min || n > max {
		f.fail(name, "FieldRange", "Min", min, "Max", max)
		return def
	}
	return n
}

// date reads a YYYY-MM-DD day and returns its start in zone.
func (f *form) date(name string, zone *time.Location) time.Time {
	s := f.text(name, true, 10)
	if f.v.Errors[name] != "" {
		return time.Time{}
	}
	d, err := time.ParseInLocation(time.DateOnly, s, zone)
	if err != nil || d.Year() < 2000 || d.Year() > 2100 {
		f.fail(name, "FieldDate")
		return time.Time{}
	}
	return d
}

// datetime reads a datetime-local value, a moment in zone.
func (f *form) datetime(name string, zone *time.Location) time.Time {
	s := f.text(name, true, 16)
	if f.v.Errors[name] != "" {
		return time.Time{}
	}
	d, err := time.ParseInLocation(datetimeLocal, s, zone)
	if err != nil || d.Year() < 2000 || d.Year() > 2100 {
		f.fail(name, "FieldDate")
		return time.Time{}
	}
	return d
}

// email returns a plain address (no display name), lower-cased.
// amount reads an optional amount of money in minor units; empty is 0.
func (f *form) amount(name string) int {
	s := f.text(name, false, 20)
	if s == "" {
		return 0
	}
	n, err := parseAmount(s)
	if err != nil {
		f.fail(name, "FieldAmountInvalid")
	}
	return n
}

func (f *form) email(name string) string {
	s := f.text(name, true, 254)
	if s == "" || f.v.Errors[name] != "" {
		return s
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@"):], ".") {
		f.fail(name, "FieldEmailInvalid")
	}
	return strings.ToLower(s)
}

// password checks the policy: long enough to resist guessing, short enough for bcrypt.
func (f *form) password(name string, required bool) string {
	s := f.c.FormValue(name)
	switch {
	case s == "" && !required:
	case len(s) < 10:
		f.fail(name, "PasswordTooShort")
	case len(s) > 72:
		f.fail(name, "PasswordTooLong")
	}
	return s
}

// parseAmount reads an amount of money typed by a person, on a Persian
// keyboard too (its digits, and ٫ as the decimal separator).
func parseAmount(s string) (int, error) {
	return loyalty.ParseAmount(strings.ReplaceAll(loyalty.LatinDigits(s), "٫", "."))
}

// parseNumber reads a small whole number typed by a person: digits only (a
// Persian keyboard's as well), at most 9 of them, so it never overflows.
func parseNumber(s string) (int, error) {
	s = loyalty.LatinDigits(s)
	if len(s) == 0 || len(s) > 9 {
		return 0, strconv.ErrRange
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, strconv.ErrSyntax
		}
	}
	return strconv.Atoi(s)
}

// pathID reads a positive id from the path; anything else is a 404.
func pathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}

// formID reads a positive id from a form field; anything else is a 400.
func formID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.FormValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrBadRequest
	}
	return id, nil
}

// newKey returns an idempotency key for the forms of one rendered page.
func newKey() string { return loyalty.NewActionKey(time.Now()) }

// formKey reads an idempotency key: what newKey made plus the form's suffix.
func formKey(c echo.Context) (string, error) {
	k := c.FormValue("key")
	if len(k) < 16 || len(k) > 80 {
		return "", echo.ErrBadRequest
	}
	for i := 0; i < len(k); i++ {
		ch := k[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_') {
			return "", echo.ErrBadRequest
		}
	}
	return k, nil
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// safeNext returns next when it is a path of this site, else "". A browser
// drops tabs and newlines from URLs and reads a backslash as a slash, so
// "/\t/evil" and "/\\evil" would leave the site: any such character is refused.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\") {
		return ""
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return next
}
