package outbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"regulars/db"
)

// TestPointsExpiringSaysHowManyAndWhen: "points about to expire" names the
// count and the day from its payload, in the message's language with the
// shop's digits and calendar. A message queued before the payload carried
// them goes out with the text that sends the customer to the card, never
// with a gap or a zero, even when the owner's text names {points} or
// {date}; an owner's text that names neither is kept.
func TestPointsExpiringSaysHowManyAndWhen(t *testing.T) {
	t.Parallel()
	expires := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	dated := db.OutboxPayload{ProgramID: 1, Points: 27, Expires: expires.Unix()}
	undated := db.OutboxPayload{ProgramID: 1}
	tests := []struct {
		name, lang string
		shop       db.Shop
		own        *db.AutomationText
		payload    db.OutboxPayload
		want       []string // in the subject and the text, each
		wantText   []string // in the text
		never      []string
	}{
		{"Turkish", "tr", db.Shop{Name: "Kafe", TimeZone: "Europe/Istanbul", Digits: "latin", Calendar: "gregorian"}, nil, dated,
			[]string{"27 puan", "1 Nis 2026"}, []string{"Ayla", "Kafe", "bedava kahve"}, nil},
		{"Persian digits and calendar", "fa", db.Shop{Name: "کافه", TimeZone: "Asia/Tehran", Digits: "persian", Calendar: "jalali"}, nil, dated,
			[]string{"۲۷ امتیاز", "۱۲ فروردین ۱۴۰۵"}, []string{"Ayla", "کافه"}, []string{"27", "2026"}},
		{"Romanian, twenty and more", "ro", db.Shop{Name: "Cafea", TimeZone: "Europe/Bucharest", Digits: "latin", Calendar: "gregorian"}, nil, dated,
			[]string{"27 de puncte", "1 apr. 2026"}, nil, nil},
		{"queued before, English", "en", db.Shop{Name: "Kafe", TimeZone: "UTC"}, nil, undated,
			nil, []string{"Kafe", "expire in a few days", "Your card shows how many and when"}, []string{" 0 ", "expire on"}},
		{"queued before, Persian", "fa", db.Shop{Name: "کافه", TimeZone: "Asia/Tehran", Digits: "persian", Calendar: "jalali"}, nil, undated,
			nil, []string{"تا چند روز دیگر"}, []string{"۰"}},
		{"queued before, the owner's text naming the count", "en", db.Shop{Name: "Kafe", TimeZone: "UTC"},
			&db.AutomationText{Subject: "{points} go on {date}", Body: "Hey {name}, {points} go on {date}."}, undated,
			nil, []string{"expire in a few days"}, []string{"go on"}},
		{"queued before, the owner's own text", "en", db.Shop{Name: "Kafe", TimeZone: "UTC"},
			&db.AutomationText{Subject: "Points at {shop}", Body: "Hey {name}, some points go soon."}, undated,
			nil, []string{"Hey Ayla, some points go soon."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := db.OutboxMessage{ID: 1, Template: db.AutomationPointsExpiring, Language: tt.lang, Channel: db.ChannelEmail,
				Purpose: db.PurposeMarketing, Payload: tt.payload}
			f := db.MessageFacts{Shop: tt.shop, Card: db.Card{FirstName: "Ayla", Email: "a@example.com", Token: "tok"},
				Text: tt.own, Program: db.Program{RewardText: "bedava kahve"}}
			msg, err := render(context.Background(), m, f, "https://example.com", "/u/1")
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg.Subject, w) || !strings.Contains(msg.Text, w) {
					t.Errorf("%q is not in both the subject %q and the text %q", w, msg.Subject, msg.Text)
				}
			}
			for _, w := range tt.wantText {
				if !strings.Contains(msg.Text, w) {
					t.Errorf("%q is not in the text %q", w, msg.Text)
				}
			}
			for _, w := range append(tt.never, "{", "}") {
				if strings.Contains(msg.Subject+"\n"+msg.Text, w) {
					t.Errorf("%q is in %q / %q", w, msg.Subject, msg.Text)
				}
			}
		})
	}
}
