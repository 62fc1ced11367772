package handlers

import "time"

// maxClockDrift is how far the wall clock may move from the process's
// monotonic clock before the server stops trusting it for what cannot be
// undone: NTP slews a clock by far less, a jump (a hand-set date, a
// container restored from a snapshot) by more.
const maxClockDrift = 2 * time.Minute

// wallClock tells how far the wall clock has moved away from the monotonic
// clock since the server started (issue 15: with the clock a month ahead a
// raffle could be drawn before its close). The wall clock dates everything;
// the monotonic one cannot be set, so only it measures time passing.
type wallClock struct {
	start time.Time            // the wall clock at start
	now   func() time.Time     // the wall clock
	since func() time.Duration // monotonic time passed since start
}

// newWallClock watches now. With the real clock, time passing is measured by
// the monotonic reading time.Now carries; a test's clock measures it itself
// unless since is given.
func newWallClock(now func() time.Time, since func() time.Duration) wallClock {
	start := now()
	if since == nil {
		since = func() time.Duration { return now().Sub(start) }
	}
	return wallClock{start: start.Round(0), now: now, since: since}
}

// drift is how far the wall clock is from where the monotonic clock says it
// should be: positive when it jumped ahead.
func (w wallClock) drift() time.Duration {
	return w.now().Round(0).Sub(w.start.Add(w.since()))
}

// trusted reports whether the wall clock has kept to the monotonic one.
func (w wallClock) trusted() bool {
	d := w.drift()
	return d < maxClockDrift && d > -maxClockDrift
}
