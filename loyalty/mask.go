package loyalty

import (
	"strings"
	"unicode/utf8"
)

// Managers run the counter, the dashboard and the programs, and look
// customers up; the phone numbers and addresses themselves are the owner's
// (export is owner-only). So a manager sees them masked: enough to tell two
// customers apart and to check with the person at the counter, not enough to
// write to them or copy the list.

// MaskPhone keeps the phone's last four digits: "…4567", or "" when it has
// fewer (as the counter shows them).
func MaskPhone(phone string) string {
	if end := PhoneEnd(phone); end != "" {
		return "…" + end
	}
	return ""
}

// MaskEmail keeps an address's first character and its domain: "a…@example.com".
func MaskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return ""
	}
	first, _ := utf8.DecodeRuneInString(local)
	return string(first) + "…@" + domain
}
