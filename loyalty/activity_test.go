package loyalty

import (
	"slices"
	"testing"
	"time"
)

func TestCardDays(t *testing.T) {
	t.Parallel()
	ist := mustZone(t, "Europe/Istanbul") // UTC+3
	at := func(d, h int) time.Time { return time.Date(2026, 5, d, h, 0, 0, 0, time.UTC) }
	day := func(d int) int { return DayNumber(time.Date(2026, 5, d, 0, 0, 0, 0, time.UTC)) }
	rules := Rules{StampsRequired: 3, MaxPerVisit: 5}
	ledger := []Event{
		{ID: 1, Kind: KindBonus, At: at(1, 6), Stamps: 1},       // 09:00 on 1 May: no visit
		{ID: 2, Kind: KindStamp, At: at(1, 8), Stamps: 1},       // 11:00: the visit, and the first reward
		{ID: 3, Kind: KindStamp, At: at(3, 22), Stamps: 2},      // 01:00 on 4 May in Istanbul
		{ID: 4, Kind: KindVoid, At: at(3, 22), VoidOf: 3},       // undone: 4 May has nothing left
		{ID: 5, Kind: KindStamp, At: at(5, 9), Stamps: 4},       // 12:00 on 5 May, a second reward
		{ID: 6, Kind: KindRedeem, At: at(5, 10), RewardSeq: 1},  // same day
		{ID: 7, Kind: KindAdjust, At: at(9, 7), Stamps: -1},     // a correction on 9 May: no visit
		{ID: 8, Kind: KindStamp, At: at(12, 5), Stamps: 1},      // 08:00 on 12 May
		{ID: 9, Kind: KindRedeem, At: at(12, 6), RewardSeq: 2},  // redeemed
		{ID: 10, Kind: KindStamp, At: at(12, 4), Stamps: 0},     // zero stamps are no visit
		{ID: 11, Kind: KindStamp, At: at(20, 9), Stamps: 3},     // 20 May: a third reward
		{ID: 12, Kind: KindRedeem, At: at(20, 9), RewardSeq: 3}, // voided below
		{ID: 13, Kind: KindVoid, At: at(20, 9), VoidOf: 12},     //
		{ID: 14, Kind: KindStamp, At: at(20, 7), Stamps: 1},     // earlier hour, later in the ledger
	}
	got := CardDays([]ProgramLedger{{Versions: []RuleVersion{{Rules: rules}}, Events: ledger}}, ist)
	want := []Day{
		{Day: day(1), Hour: 11, Visited: true, Stamps: 1},
		{Day: day(5), Hour: 12, Visited: true, Gap: 4, Stamps: 4, Rewards: 2, Redeems: 1},
		{Day: day(9), Hour: 10},
		{Day: day(12), Hour: 8, Visited: true, Gap: 7, Stamps: 1, Redeems: 1},
		{Day: day(20), Hour: 10, Visited: true, Gap: 8, Stamps: 4, Rewards: 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	s := Summarize(got, day(21))
	wantSum := Summary{Visits: 4, FirstDay: day(1), LastDay: day(20), PrevDay: day(12), MedianGap: 7, Visits90: 4, Visits365: 4, Stamps: 10, Rewards: 3, Redeems: 2}
	if s != wantSum {
		t.Errorf("summary %+v, want %+v", s, wantSum)
	}
}

func TestMonthNumber(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		date time.Time
		want int
	}{
		{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 2026 * 12},
		{time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), 2026*12 + 11},
		{time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), 1970 * 12},
	} {
		if got := MonthNumber(DayNumber(tt.date)); got != tt.want {
			t.Errorf("%v: got %d, want %d", tt.date, got, tt.want)
		}
		if got := DayStart(DayNumber(tt.date), time.UTC); !got.Equal(tt.date) {
			t.Errorf("DayStart(%v) = %v", tt.date, got)
		}
	}
}
