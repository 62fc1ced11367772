package loyalty

import (
	"testing"
	"time"
)

// TestQuietHoursSendAt: a marketing message queued in the quiet hours waits
// for their end in the shop's zone, also across a change of summer time;
// outside them it goes at once; equal ends mean no quiet hours.
func TestQuietHoursSendAt(t *testing.T) {
	t.Parallel()
	buc := mustZone(t, "Europe/Bucharest") // summer time from 29 March 2026 03:00, to 25 October 2026 04:00
	night := QuietHours{From: 21 * 60, Until: 9 * 60}
	day := QuietHours{From: 13 * 60, Until: 15*60 + 30}
	local := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, buc) }
	tests := []struct {
		name string
		q    QuietHours
		now  time.Time
		want time.Time
	}{
		{"before the evening", night, local(2026, 6, 1, 20, 59), local(2026, 6, 1, 20, 59)},
		{"evening: next morning", night, local(2026, 6, 1, 21, 0), local(2026, 6, 2, 9, 0)},
		{"small hours: this morning", night, local(2026, 6, 2, 3, 10), local(2026, 6, 2, 9, 0)},
		{"the end itself is not quiet", night, local(2026, 6, 2, 9, 0), local(2026, 6, 2, 9, 0)},
		{"spring forward in the night", night, local(2026, 3, 28, 22, 0), time.Date(2026, 3, 29, 6, 0, 0, 0, time.UTC)},
		{"fall back in the night", night, local(2026, 10, 24, 23, 30), time.Date(2026, 10, 25, 7, 0, 0, 0, time.UTC)},
		{"end of the year", night, local(2026, 12, 31, 22, 0), local(2027, 1, 1, 9, 0)},
		{"within a day: inside", day, local(2026, 6, 1, 14, 0), local(2026, 6, 1, 15, 30)},
		{"within a day: after", day, local(2026, 6, 1, 15, 30), local(2026, 6, 1, 15, 30)},
		{"within a day: before", day, local(2026, 6, 1, 12, 59), local(2026, 6, 1, 12, 59)},
		{"no quiet hours", QuietHours{From: 600, Until: 600}, local(2026, 6, 1, 10, 0), local(2026, 6, 1, 10, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.q.SendAt(tt.now.UTC(), buc); !got.Equal(tt.want) {
				t.Errorf("SendAt(%s) = %s, want %s", tt.now, got.In(buc), tt.want.In(buc))
			}
		})
	}
}
