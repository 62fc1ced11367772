package loyalty

import (
	"errors"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func stamp(id int64, d time.Duration, n int) Event {
	return Event{ID: id, Kind: KindStamp, At: at(d), Stamps: n}
}

func redeem(id int64, d time.Duration, seq int) Event {
	return Event{ID: id, Kind: KindRedeem, At: at(d), RewardSeq: seq}
}

func void(id int64, d time.Duration, of int64) Event {
	return Event{ID: id, Kind: KindVoid, At: at(d), VoidOf: of}
}

const day = 24 * time.Hour

func TestFold(t *testing.T) {
	t.Parallel()
	ten := Rules{StampsRequired: 10, MaxPerVisit: 30}
	tests := []struct {
		name      string
		rules     Rules
		events    []Event
		now       time.Duration
		stamps    int
		available []int // reward seqs
		earned    int
		redeemed  int
		expStamps int
		expRew    int
	}{
		{name: "empty card", rules: ten, stamps: 0},
		{name: "below target", rules: ten, events: []Event{stamp(1, 0, 3), stamp(2, day, 4)}, now: 2 * day, stamps: 7},
		{name: "exactly target earns one", rules: ten, events: []Event{stamp(1, 0, 10)}, stamps: 0, available: []int{1}, earned: 1},
		{name: "carry over", rules: ten, events: []Event{stamp(1, 0, 8), stamp(2, day, 5)}, now: day, stamps: 3, available: []int{1}, earned: 1},
		{name: "25 at once earns two and leaves five", rules: ten, events: []Event{stamp(1, 0, 25)}, stamps: 5, available: []int{1, 2}, earned: 2},
		{name: "redeem consumes named reward", rules: ten, events: []Event{stamp(1, 0, 25), redeem(2, time.Hour, 2)}, now: day, stamps: 5, available: []int{1}, earned: 2, redeemed: 1},
		{name: "redeem of unknown reward changes nothing", rules: ten, events: []Event{stamp(1, 0, 10), redeem(2, time.Hour, 7)}, available: []int{1}, earned: 1},
		{name: "void of stamp", rules: ten, events: []Event{stamp(1, 0, 4), stamp(2, time.Hour, 6), void(3, time.Hour+time.Minute, 2)}, now: day, stamps: 4},
		{name: "void of redeem gives reward back", rules: ten, events: []Event{stamp(1, 0, 10), redeem(2, time.Hour, 1), void(3, time.Hour+time.Minute, 2)}, now: day, available: []int{1}, earned: 1},
		{name: "void of reward-earning stamp removes the reward", rules: ten, events: []Event{stamp(1, 0, 9), stamp(2, time.Hour, 1), void(3, time.Hour+time.Minute, 2)}, now: day, stamps: 9},
		{name: "negative correction removes newest stamps", rules: ten, events: []Event{stamp(1, 0, 3), stamp(2, day, 4), stamp(3, 2*day, -5)}, now: 3 * day, stamps: 2},
		{name: "negative correction never below zero", rules: ten, events: []Event{stamp(1, 0, 3), stamp(2, day, -5)}, now: 3 * day, stamps: 0},
		{
			name:   "stamps expire oldest first",
			rules:  Rules{StampsRequired: 10, MaxPerVisit: 10, StampExpiry: 30 * day},
			events: []Event{stamp(1, 0, 3), stamp(2, 20*day, 2)},
			now:    31 * day, stamps: 2, expStamps: 3,
		},
		{
			name:   "expired stamps do not count toward a reward",
			rules:  Rules{StampsRequired: 5, MaxPerVisit: 10, StampExpiry: 30 * day},
			events: []Event{stamp(1, 0, 4), stamp(2, 31*day, 1)},
			now:    32 * day, stamps: 1, expStamps: 4,
		},
		{
			name:   "carried-over stamps keep their age",
			rules:  Rules{StampsRequired: 5, MaxPerVisit: 10, StampExpiry: 30 * day},
			events: []Event{stamp(1, 0, 7)},
			now:    30 * day, stamps: 0, available: []int{1}, earned: 1, expStamps: 2,
		},
		{
			name:   "reward expires",
			rules:  Rules{StampsRequired: 2, MaxPerVisit: 10, RewardExpiry: 7 * day},
			events: []Event{stamp(1, 0, 2), stamp(2, 5*day, 2)},
			now:    8 * day, available: []int{2}, earned: 2, expRew: 1,
		},
		{
			name:   "expired reward cannot be redeemed",
			rules:  Rules{StampsRequired: 2, MaxPerVisit: 10, RewardExpiry: 7 * day},
			events: []Event{stamp(1, 0, 2), redeem(2, 8*day, 1)},
			now:    9 * day, earned: 1, expRew: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := Fold(tt.rules, tt.events, at(tt.now))
			var seqs []int
			for _, r := range b.Available {
				seqs = append(seqs, r.Seq)
			}
			if b.Stamps != tt.stamps || !equalInts(seqs, tt.available) || b.Earned != tt.earned ||
				b.Redeemed != tt.redeemed || b.ExpiredStamps != tt.expStamps || b.ExpiredRewards != tt.expRew {
				t.Errorf("got stamps=%d available=%v earned=%d redeemed=%d expiredStamps=%d expiredRewards=%d, want %d %v %d %d %d %d",
					b.Stamps, seqs, b.Earned, b.Redeemed, b.ExpiredStamps, b.ExpiredRewards,
					tt.stamps, tt.available, tt.earned, tt.redeemed, tt.expStamps, tt.expRew)
			}
		})
	}
}

func TestFoldRewardExpiryDate(t *testing.T) {
	t.Parallel()
	r := Rules{StampsRequired: 2, MaxPerVisit: 5, RewardExpiry: 7 * day, StampExpiry: 30 * day}
	b := Fold(r, []Event{stamp(1, 0, 3)}, at(day))
	if len(b.Available) != 1 || !b.Available[0].ExpiresAt.Equal(at(7*day)) {
		t.Fatalf("reward expiry = %+v, want one reward expiring at %v", b.Available, at(7*day))
	}
	if !b.NextExpiry.Equal(at(30 * day)) {
		t.Errorf("next stamp expiry = %v, want %v", b.NextExpiry, at(30*day))
	}
	if !b.LastStampAt.Equal(at(0)) {
		t.Errorf("last stamp = %v, want %v", b.LastStampAt, at(0))
	}
}

func TestCheckStamp(t *testing.T) {
	t.Parallel()
	r := Rules{StampsRequired: 10, MaxPerVisit: 3, Cooldown: 10 * time.Minute}
	stamped := Balance{LastStampAt: at(0)}
	tests := []struct {
		name     string
		b        Balance
		n        int
		now      time.Duration
		override bool
		wantErr  error
		wantLeft time.Duration
	}{
		{name: "first stamp", n: 1},
		{name: "max per visit", n: 3, b: stamped, now: time.Hour},
		{name: "zero", n: 0, wantErr: ErrStampCount},
		{name: "negative", n: -1, wantErr: ErrStampCount},
		{name: "over max", n: 4, wantErr: ErrStampCount},
		{name: "in cooldown", n: 1, b: stamped, now: 4 * time.Minute, wantLeft: 6 * time.Minute},
		{name: "cooldown over exactly", n: 1, b: stamped, now: 10 * time.Minute},
		{name: "override", n: 1, b: stamped, now: time.Minute, override: true},
		{name: "override does not lift max", n: 5, b: stamped, override: true, wantErr: ErrStampCount},
		// The clock ran a day ahead for the last stamp, then came back.
		{name: "last stamp a day ahead", n: 1, b: stamped, now: -day, wantLeft: 10 * time.Minute},
		{name: "last stamp a minute ahead", n: 1, b: stamped, now: -time.Minute, wantLeft: 10 * time.Minute},
		{name: "last stamp ahead, overridden", n: 1, b: stamped, now: -day, override: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckStamp(r, tt.b, tt.n, at(tt.now), tt.override)
			var ce *CooldownError
			switch {
			case tt.wantLeft > 0:
				if !errors.As(err, &ce) || ce.Left != tt.wantLeft {
					t.Fatalf("err = %v, want cooldown with %v left", err, tt.wantLeft)
				}
			case !errors.Is(err, tt.wantErr):
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
	if err := CheckStamp(Rules{StampsRequired: 10, MaxPerVisit: 1}, stamped, 1, at(time.Second), false); err != nil {
		t.Errorf("no cooldown configured: err = %v", err)
	}
}

func TestCheckRedeem(t *testing.T) {
	t.Parallel()
	b := Fold(Rules{StampsRequired: 2, MaxPerVisit: 10}, []Event{stamp(1, 0, 4), redeem(2, time.Hour, 1)}, at(day))
	if err := CheckRedeem(b, 2); err != nil {
		t.Errorf("available reward 2: %v", err)
	}
	for _, seq := range []int{0, 1, 3, -1} {
		if err := CheckRedeem(b, seq); !errors.Is(err, ErrRewardUnavailable) {
			t.Errorf("reward %d: err = %v, want ErrRewardUnavailable", seq, err)
		}
	}
}

func TestCanUndo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		e    Event
		now  time.Duration
		want bool
	}{
		{stamp(1, 0, 1), time.Minute, true},
		{stamp(1, 0, 1), UndoWindow, true},
		{stamp(1, 0, 1), UndoWindow + time.Second, false},
		{redeem(1, 0, 1), time.Minute, true},
		{void(2, 0, 1), time.Minute, false},
		// Dated ahead of the clock: the window is bounded both ways.
		{stamp(1, 0, 1), -time.Minute, true},
		{stamp(1, 0, 1), -UndoWindow, true},
		{stamp(1, 0, 1), -UndoWindow - time.Second, false},
		{stamp(1, 0, 1), -3 * time.Hour, false},
	}
	for _, tt := range tests {
		if got := CanUndo(tt.e, at(tt.now)); got != tt.want {
			t.Errorf("CanUndo(%s after %v) = %v, want %v", tt.e.Kind, tt.now, got, tt.want)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
