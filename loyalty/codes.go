package loyalty

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// A card token is the secret in the card's URL /c/{token}: 144 bits from crypto/rand,
// base64url without padding, so it is printable on paper and safe in a URL.
const (
	tokenBytes = 18
	// TokenLen is the length of a card token in characters.
	TokenLen = 24
)

// Short codes are for staff typing a code by hand: no 0/O, 1/I/L or U, which people misread.
const (
	shortCodeAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
	shortCodeLen      = 8
)

var (
	ErrBadToken     = errors.New("malformed card token")
	ErrBadShortCode = errors.New("malformed short code")
)

// NewActionKey returns an idempotency key for the forms of a page made at
// now: the microsecond, in thirteen hexadecimal digits, then 48 random bits,
// base64url. Keys made later sort later, so that the ledger's index of keys
// takes new ones at its end (the same page for the actions of a moment)
// rather than at random places across it, where each action changed a page
// of its own, to be read and written to the WAL.
func NewActionKey(now time.Time) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // rand.Read never fails on supported platforms
	}
	return fmt.Sprintf("%013x", max(now.UnixMicro(), 0)) + base64.RawURLEncoding.EncodeToString(b)
}

// NewCardToken returns a fresh card token.
func NewCardToken() string {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // rand.Read never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseCardToken accepts a bare token or any URL or text ending in /c/{token}
// (what a QR code or a keyboard-wedge scanner delivers) and returns the token.
func ParseCardToken(s string) (string, error) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "/c/"); i >= 0 {
		s = s[i+3:]
	}
	s = strings.TrimRight(s, "/")
	if len(s) != TokenLen {
		return "", ErrBadToken
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return "", ErrBadToken
		}
	}
	return s, nil
}

// NewShortCode returns a fresh short code without its separator, e.g. "K7M2Q9XD".
func NewShortCode() string {
	b := make([]byte, shortCodeLen)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	for i := range b {
		// 256 % 30 leaves a small bias that does not matter for a lookup code.
		b[i] = shortCodeAlphabet[int(b[i])%len(shortCodeAlphabet)]
	}
	return string(b)
}

// FormatShortCode shows a short code the way it is printed: "K7M2-Q9XD".
func FormatShortCode(code string) string {
	if len(code) != shortCodeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// ParseShortCode normalizes what a person typed (any case, spaces or dashes) to
// the stored form, or fails when it cannot be a short code.
func ParseShortCode(s string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r < 128 && strings.IndexByte(shortCodeAlphabet, byte(r)) >= 0:
			b.WriteRune(r)
		default:
			return "", ErrBadShortCode
		}
		if b.Len() > shortCodeLen {
			return "", ErrBadShortCode
		}
	}
	if b.Len() != shortCodeLen {
		return "", ErrBadShortCode
	}
	return b.String(), nil
}

// MaxLookupLen bounds the counter search box.
const MaxLookupLen = 200

// LatinDigits turns the Persian (۰–۹) and Arabic-Indic (٠–٩) digits a phone's
// keyboard types into 0–9, so numbers, amounts and phone numbers typed on a
// Persian keyboard read as the same values; other characters stay as they are.
func LatinDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '۰' && r <= '۹':
			return '0' + r - '۰'
		case r >= '٠' && r <= '٩':
			return '0' + r - '٠'
		}
		return r
	}, s)
}

// NormalizePhone keeps the digits of a phone number (and a leading +), so that
// "0532 123 45 67", "05321234567" and "۰۵۳۲۱۲۳۴۵۶۷" match.
func NormalizePhone(s string) string {
	var b strings.Builder
	for i, r := range LatinDigits(strings.TrimSpace(s)) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' || r == '/':
		default:
			return ""
		}
	}
	return b.String()
}
