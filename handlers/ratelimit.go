package handlers

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// loginLimiter slows password guessing: a few tries per account and a few more
// per address, refilled slowly. It lives in memory: one process serves a deployment.
type loginLimiter struct {
	mu       sync.Mutex
	now      func() time.Time
	accounts map[string]*rate.Limiter
	addrs    map[string]*rate.Limiter
}

const (
	accountBurst = 5
	addrBurst    = 20
	// one more try per account every minute, per address every 6 seconds
	accountRefill = rate.Limit(1.0 / 60)
	addrRefill    = rate.Limit(1.0 / 6)
	// how many accounts and addresses are tracked at most, so a flood cannot exhaust memory
	maxTracked = 100_000
)

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{now: now, accounts: map[string]*rate.Limiter{}, addrs: map[string]*rate.Limiter{}}
}

// allow takes one try for both the account and the address. A refused try
// records nothing, so refused requests cannot crowd out the ones tracked.
func (l *loginLimiter) allow(account, addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	a, aok := l.accounts[account]
	b, bok := l.addrs[addr]
	if aok && a.TokensAt(now) < 1 || bok && b.TokensAt(now) < 1 {
		return false
	}
	if !aok {
		if a = track(l.accounts, now, accountRefill, accountBurst); a == nil {
			return false
		}
		l.accounts[account] = a
	}
	if !bok {
		if b = track(l.addrs, now, addrRefill, addrBurst); b == nil {
			return false
		}
		l.addrs[addr] = b
	}
	a.AllowN(now, 1)
	b.AllowN(now, 1)
	return true
}

// track makes a limiter for a new key. When the map is full it forgets the
// limiters that have refilled (they are the same as new ones); if that frees
// nothing, the key is refused rather than letting a flood reset the rest.
func track(m map[string]*rate.Limiter, now time.Time, r rate.Limit, burst int) *rate.Limiter {
	if len(m) >= maxTracked {
		for k, lim := range m {
			if lim.TokensAt(now) >= float64(burst) {
				delete(m, k)
			}
		}
		if len(m) >= maxTracked {
			return nil
		}
	}
	return rate.NewLimiter(r, burst)
}

// addrLimiter limits one kind of request per client address: burst requests
// at once, refilled at refill per second. Like loginLimiter, it lives in memory.
type addrLimiter struct {
	mu     sync.Mutex
	now    func() time.Time
	burst  int
	refill rate.Limit
	addrs  map[string]*rate.Limiter
}

func newAddrLimiter(now func() time.Time, burst int, refill rate.Limit) *addrLimiter {
	return &addrLimiter{now: now, burst: burst, refill: refill, addrs: map[string]*rate.Limiter{}}
}

// allow takes one request for addr; a refused request records nothing.
func (l *addrLimiter) allow(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	lim, ok := l.addrs[addr]
	if !ok {
		if lim = track(l.addrs, now, l.refill, l.burst); lim == nil {
			return false
		}
		l.addrs[addr] = lim
	}
	return lim.AllowN(now, 1)
}
