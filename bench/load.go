package main

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// result is what one load run measured: answers that were right (ok), answers
// that were not (failed), and the latency of every right one.
type result struct {
	ok, failed int
	elapsed    time.Duration
	latencies  []time.Duration
	firstError string
}

func (r result) perSecond() float64 { return float64(r.ok) / r.elapsed.Seconds() }

// quantile returns the q-th quantile of the latencies (0 < q ≤ 1).
func (r result) quantile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[min(len(r.latencies)-1, int(q*float64(len(r.latencies))))]
}

// load runs workers clients in a closed loop for d (or until do says there is
// no more to ask): each sends a request, waits for its answer, sends the next.
// do returns whether the answer was the expected one; done ends the worker.
func load(workers int, d time.Duration, do func(worker, i int) (ok, done bool, err error)) result {
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		all result
	)
	start := time.Now()
	deadline := start.Add(d)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine result
			for i := 0; time.Now().Before(deadline); i++ {
				t := time.Now()
				ok, done, err := do(w, i)
				if done {
					break
				}
				if ok {
					mine.ok++
					mine.latencies = append(mine.latencies, time.Since(t))
				} else {
					mine.failed++
					if mine.firstError == "" && err != nil {
						mine.firstError = err.Error()
					}
				}
			}
			mu.Lock()
			all.ok += mine.ok
			all.failed += mine.failed
			all.latencies = append(all.latencies, mine.latencies...)
			if all.firstError == "" {
				all.firstError = mine.firstError
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	all.elapsed = time.Since(start)
	slices.Sort(all.latencies)
	return all
}

// client is an HTTP client for loopback load: connections kept for every
// worker, redirects not followed (a 303 is the answer being measured).
func newClient(workers int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			MaxIdleConns:        workers * 2,
			MaxIdleConnsPerHost: workers * 2,
			DisableCompression:  true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       time.Minute,
	}
}

// expect sends req and reads the whole answer; it is ok when the status is
// one of want.
func expect(c *http.Client, req *http.Request, want ...int) (bool, error) {
	res, err := c.Do(req)
	if err != nil {
		return false, err
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil {
		return false, err
	}
	if !slices.Contains(want, res.StatusCode) {
		return false, fmt.Errorf("%s %s: %d, want %v", req.Method, req.URL.Path, res.StatusCode, want)
	}
	return true, nil
}

// merge is the result of a and b run one after the other.
func merge(a, b result) result {
	m := result{ok: a.ok + b.ok, failed: a.failed + b.failed, elapsed: a.elapsed + b.elapsed, firstError: a.firstError}
	if m.firstError == "" {
		m.firstError = b.firstError
	}
	m.latencies = append(append(m.latencies, a.latencies...), b.latencies...)
	slices.Sort(m.latencies)
	return m
}
