package handlers

import (
	"testing"
	"time"
)

func TestWallClockTrusted(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		wall, mono  time.Duration // how far each clock moved since start
		wantTrusted bool
	}{
		{"both ran an hour", time.Hour, time.Hour, true},
		{"NTP slewed 30 s", time.Hour + 30*time.Second, time.Hour, true},
		{"set a month ahead", 30 * 24 * time.Hour, time.Hour, false},
		{"set back an hour", 0, time.Hour, false},
		{"set back after running ahead", time.Minute, 31 * time.Minute, false},
	}
	for _, tt := range tests {
		w := newWallClock(func() time.Time { return start }, func() time.Duration { return tt.mono })
		w.now = func() time.Time { return start.Add(tt.wall) }
		if got := w.trusted(); got != tt.wantTrusted {
			t.Errorf("%s: trusted %v (drift %s), want %v", tt.name, got, w.drift(), tt.wantTrusted)
		}
	}
	// A test's clock measures time passing itself: moving it is no jump.
	now := start
	w := newWallClock(func() time.Time { return now }, nil)
	now = now.Add(48 * time.Hour)
	if !w.trusted() {
		t.Errorf("a moved test clock counts as a jump (drift %s)", w.drift())
	}
}
