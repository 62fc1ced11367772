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
	// the maps are cleared past this size so a flood cannot exhaust memory
	maxTracked = 100_000
)

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{now: now, accounts: map[string]*rate.Limiter{}, addrs: map[string]*rate.Limiter{}}
}

// allow takes one try for both the account and the address.
func (l *loginLimiter) allow(account, addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.accounts) > maxTracked || len(l.addrs) > maxTracked {
		l.accounts, l.addrs = map[string]*rate.Limiter{}, map[string]*rate.Limiter{}
	}
	now := l.now()
	a := limiter(l.accounts, account, accountRefill, accountBurst)
	b := limiter(l.addrs, addr, addrRefill, addrBurst)
	// Both are checked before either is spent, so a refused try costs nothing.
	if a.TokensAt(now) < 1 || b.TokensAt(now) < 1 {
		return false
	}
	a.AllowN(now, 1)
	b.AllowN(now, 1)
	return true
}

func limiter(m map[string]*rate.Limiter, key string, r rate.Limit, burst int) *rate.Limiter {
	lim, ok := m[key]
	if !ok {
		lim = rate.NewLimiter(r, burst)
		m[key] = lim
	}
	return lim
}
