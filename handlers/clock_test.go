package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"regulars/handlers"
)

// TestDrawWaitsForATrustedClock: with the wall clock moved a day ahead
// while the monotonic clock says an hour passed, the raffle looks closed but
// is not: the draw is refused with a message and nothing is drawn (issue 15,
// clock jumps).
func TestDrawWaitsForATrustedClock(t *testing.T) {
	t.Parallel()
	var passed time.Duration
	e := newEnvWith(t, func(cfg *handlers.Config) { cfg.Since = func() time.Duration { return passed } })
	owner := e.signup("Kafe", "owner@example.com")
	// The clock is 2026-03-02 10:00 UTC; entries until 12:00.
	raffle := newRaffle(t, owner, map[string]string{"title": "Spring raffle", "prize": "A coffee machine", "winners": "1",
		"opens_at": "2026-03-02T10:30", "closes_at": "2026-03-02T12:00", "entry_rule": "visit"})
	passed = time.Hour
	e.clock.Advance(24 * time.Hour)
	res := owner.submit(owner.get(raffle), `form[action$="/draw"]`, nil)
	if res.status != http.StatusConflict || !strings.Contains(text(res, `[role="alert"]`), "clock changed") {
		t.Errorf("draw with the clock a day ahead: %d %q", res.status, text(res, `[role="alert"]`))
	}
	if n := e.count(`SELECT count(*) FROM raffles WHERE drawn_at IS NOT NULL`); n != 0 {
		t.Fatalf("%d raffles drawn", n)
	}
	// Once the monotonic clock agrees (time really passed), the draw goes ahead.
	passed = 24*time.Hour + time.Minute
	if res := owner.submit(owner.get(raffle), `form[action$="/draw"]`, nil); res.status != http.StatusSeeOther {
		t.Errorf("draw once the clocks agree: %d", res.status)
	}
}
