package loyalty

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NameKey is how a first name is searched at the counter: the way people
// type it on any keyboard finds it. Letter case and accents do not count
// (Turkish İ, I, ı and i are one letter; Romanian ș/ş, ț/ţ, ă, â and î are
// s, t, a, a and i), nor do the Arabic and Persian forms of the same letter
// (ي and ی, ك and ک, the hamza forms of alef), the zero-width non-joiner,
// short vowels and the tatweel; digits are Latin.
func NameKey(name string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(LatinDigits(name)) {
		switch {
		case unicode.Is(unicode.Mn, r), r == '\u200c', r == '\u200d', r == 'ـ':
			continue
		case r == 'ı' || r == 'I':
			r = 'i'
		case r == 'ي' || r == 'ى':
			r = 'ی'
		case r == 'ك':
			r = 'ک'
		case r == 'ة':
			r = 'ه'
		default:
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	// Trimmed last: a mark dropped above may have stood before a space.
	return strings.TrimSpace(b.String())
}

// PhoneKey is how a phone number is searched: its digits from the last one
// back, so that the end of a number, typed with or without its leading 0 or
// country code, is the start of the key and an index finds it.
func PhoneKey(phone string) string {
	digits := []rune(strings.TrimPrefix(NormalizePhone(phone), "+"))
	for i, j := 0, len(digits)-1; i < j; i, j = i+1, j-1 {
		digits[i], digits[j] = digits[j], digits[i]
	}
	return string(digits)
}

// PhoneQueryKey is the PhoneKey a counter search for phone matches the start
// of: at most the number's last PhoneMatchDigits digits, so that a number
// typed with its country code finds one stored with its leading 0, and the
// other way round. A shorter number is the end of one, zeros included.
func PhoneQueryKey(phone string) string {
	key := PhoneKey(phone)
	return key[:min(len(key), PhoneMatchDigits)]
}

// PhoneMatchDigits is how many of a number's last digits a search compares:
// the shortest national numbers of the countries the product serves
// (Moldova's) have eight. Two customers of one shop whose numbers end alike
// over eight digits are both listed.
const PhoneMatchDigits = 8

// MinPhoneSearch is the fewest digits a phone search takes: the last four.
const MinPhoneSearch = 4

// PhoneEnd is what a list of customers shows of a phone number: its last
// four digits, enough to tell two people apart and not enough to call them.
func PhoneEnd(phone string) string {
	digits := strings.TrimPrefix(NormalizePhone(phone), "+")
	if len(digits) < MinPhoneSearch {
		return ""
	}
	return digits[len(digits)-MinPhoneSearch:]
}
