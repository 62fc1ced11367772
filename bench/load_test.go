package main

import (
	"errors"
	"testing"
	"time"
)

func TestLoadCountsAndQuantiles(t *testing.T) {
	r := load(4, time.Minute, func(w, i int) (bool, bool, error) {
		if i == 25 {
			return false, true, nil // each worker asks 25 times
		}
		if i%5 == 0 {
			return false, false, errors.New("refused")
		}
		time.Sleep(time.Duration(w+1) * time.Millisecond)
		return true, false, nil
	})
	if r.ok != 4*20 || r.failed != 4*5 || r.firstError != "refused" {
		t.Errorf("ok %d failed %d first error %q, want 80, 20, refused", r.ok, r.failed, r.firstError)
	}
	if len(r.latencies) != r.ok {
		t.Fatalf("%d latencies for %d answers", len(r.latencies), r.ok)
	}
	p50, p99 := r.quantile(0.5), r.quantile(0.99)
	if p50 < time.Millisecond || p99 < p50 || p99 < 4*time.Millisecond {
		t.Errorf("p50 %s p99 %s: the slowest worker sleeps 4 ms", p50, p99)
	}
	if r.perSecond() <= 0 || r.elapsed > 10*time.Second {
		t.Errorf("%f per second over %s", r.perSecond(), r.elapsed)
	}
}
