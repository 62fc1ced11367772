package loyalty

import (
	"testing"
	"time"
)

func TestReferralBonuses(t *testing.T) {
	t.Parallel()
	// A friend's first cashier stamp, bonus 2, a referrer well under the cap.
	base := Referral{Bonus: 2, FirstStamp: true, ReferrerPaidThisMonth: 1, Cap: 5}
	tests := []struct {
		name string
		edit func(*Referral)
		want ReferralBonus
	}{
		{name: "both get the bonus", want: ReferralBonus{Friend: 2, Referrer: 2}},
		{name: "bonus off", edit: func(r *Referral) { r.Bonus = 0 }},
		{name: "negative bonus is off", edit: func(r *Referral) { r.Bonus = -1 }},
		{name: "not the first stamp", edit: func(r *Referral) { r.FirstStamp = false }},
		{name: "paid once already", edit: func(r *Referral) { r.Paid = true }},
		{name: "card referring itself", edit: func(r *Referral) { r.SameCard = true }},
		{name: "same person with two cards", edit: func(r *Referral) { r.SamePerson = true }},
		{name: "last bonus under the cap", edit: func(r *Referral) { r.ReferrerPaidThisMonth = 4 }, want: ReferralBonus{Friend: 2, Referrer: 2}},
		{name: "referrer at the cap: friend still paid", edit: func(r *Referral) { r.ReferrerPaidThisMonth = 5 }, want: ReferralBonus{Friend: 2}},
		{name: "referrer over the cap", edit: func(r *Referral) { r.ReferrerPaidThisMonth = 9 }, want: ReferralBonus{Friend: 2}},
		{name: "cap zero pays friends only", edit: func(r *Referral) { r.Cap, r.ReferrerPaidThisMonth = 0, 0 }, want: ReferralBonus{Friend: 2}},
		{name: "referrer erased: friend still paid", edit: func(r *Referral) { r.ReferrerErased = true }, want: ReferralBonus{Friend: 2}},
		{name: "self referral wins over everything", edit: func(r *Referral) { r.SamePerson, r.ReferrerErased = true, true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := base
			if tt.edit != nil {
				tt.edit(&r)
			}
			if got := r.Bonuses(); got != tt.want {
				t.Errorf("Bonuses() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSamePerson(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                           string
		phoneA, emailA, phoneB, emailB string
		want                           bool
	}{
		{name: "nothing given", want: false},
		{name: "same phone", phoneA: "+905551112233", phoneB: "+905551112233", want: true},
		{name: "same phone written differently", phoneA: "0555 111 22 33", phoneB: "0555-111-2233", want: true},
		{name: "different phones", phoneA: "05551112233", phoneB: "05551112234", want: false},
		{name: "same email in another case", emailA: "Ayla@Example.com", emailB: "ayla@example.com ", want: true},
		{name: "different emails", emailA: "a@example.com", emailB: "b@example.com", want: false},
		{name: "one empty phone", phoneA: "05551112233", emailA: "a@example.com", emailB: "b@example.com", want: false},
		{name: "email matches, phones differ", phoneA: "1111", phoneB: "2222", emailA: "a@x.org", emailB: "a@x.org", want: true},
	}
	for _, tt := range tests {
		if got := SamePerson(tt.phoneA, tt.emailA, tt.phoneB, tt.emailB); got != tt.want {
			t.Errorf("%s: SamePerson = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCalendarMonth(t *testing.T) {
	t.Parallel()
	istanbul, _ := time.LoadLocation("Europe/Istanbul") // UTC+3
	tests := []struct {
		name       string
		now        time.Time
		loc        *time.Location
		start, end time.Time
	}{
		{name: "mid month", now: time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC), loc: time.UTC,
			start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), end: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)},
		{name: "already next month in the shop's zone", now: time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC), loc: istanbul,
			start: time.Date(2026, 4, 1, 0, 0, 0, 0, istanbul), end: time.Date(2026, 5, 1, 0, 0, 0, 0, istanbul)},
		{name: "December runs into the next year", now: time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC), loc: time.UTC,
			start: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), end: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		start, end := CalendarMonth(tt.now, tt.loc)
		if !start.Equal(tt.start) || !end.Equal(tt.end) {
			t.Errorf("%s: CalendarMonth = %v, %v; want %v, %v", tt.name, start, end, tt.start, tt.end)
		}
	}
}
