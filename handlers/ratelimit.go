package handlers

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// loginLimiter slows password guessing without letting a guesser lock the
// account's owner out (issue 15: five wrong passwords from anywhere locked an
// account for everyone). A guesser is limited by:
//   - account and address: a few tries at one account from one address;
//   - address: a few more across accounts;
//   - account, from devices it never signed in on: a ceiling for guessers
//     spread over many addresses, several times what one address may try, so
//     that one guesser never reaches it.
//
// The account's own people sign in from a device it signed in on before
// (device.go) under that device's budget alone, which no guess from elsewhere
// spends; from a new device at a new address under the address's budgets,
// which only guesses from that address spend. It lives in memory: one
// process serves a deployment.
type loginLimiter struct {
	mu       sync.Mutex
	now      func() time.Time
	pairs    map[string]*rate.Limiter // account and address
	addrs    map[string]*rate.Limiter
	accounts map[string]*rate.Limiter // tries from devices not known to the account
	devices  map[string]*rate.Limiter // account and known device
}

const (
	// five tries at an account from one address or one known device, then one a minute
	pairBurst  = 5
	pairRefill = rate.Limit(1.0 / 60)
	// twenty tries from one address, then one every 6 seconds
	addrBurst  = 20
	addrRefill = rate.Limit(1.0 / 6)
	// twenty tries at an account from unknown devices, then one every 30
	// seconds: one address's steady one a minute leaves it full, and
	// guessers at three addresses or more are held to two a minute together
	accountBurst  = 20
	accountRefill = rate.Limit(1.0 / 30)
	// how many keys of one kind are tracked at most, so a flood cannot exhaust memory
	maxTracked = 100_000
)

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{
		now:   now,
		pairs: map[string]*rate.Limiter{}, addrs: map[string]*rate.Limiter{},
		accounts: map[string]*rate.Limiter{}, devices: map[string]*rate.Limiter{},
	}
}

// budget is one limiter of a try: its map, key and rate.
type budget struct {
	m     map[string]*rate.Limiter
	key   string
	limit rate.Limit
	burst int
}

// allow takes one try at account from addr, a device the account never
// signed in on.
func (l *loginLimiter) allow(account, addr string) bool {
	addr = addrKey(addr)
	return l.take(
		budget{l.pairs, account + "\x00" + addr, pairRefill, pairBurst},
		budget{l.addrs, addr, addrRefill, addrBurst},
		budget{l.accounts, account, accountRefill, accountBurst},
	)
}

// allowDevice takes one try at account from a device it signed in on before.
func (l *loginLimiter) allowDevice(account, device string) bool {
	return l.take(budget{l.devices, account + "\x00" + device, pairRefill, pairBurst})
}

// take takes a token from every budget, or from none when one is empty: a
// refused try records nothing, so refused requests cannot crowd out the
// ones tracked.
func (l *loginLimiter) take(budgets ...budget) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	lims := make([]*rate.Limiter, len(budgets))
	for i, b := range budgets {
		if lim, ok := b.m[b.key]; ok {
			if lim.TokensAt(now) < 1 {
				return false
			}
			lims[i] = lim
		}
	}
	for i, b := range budgets {
		if lims[i] == nil {
			if lims[i] = track(b.m, now, b.limit, b.burst); lims[i] == nil {
				return false
			}
			b.m[b.key] = lims[i]
		}
	}
	for _, lim := range lims {
		lim.AllowN(now, 1)
	}
	return true
}

// addrKey is the key of a client address in the limits: an IPv4 address
// itself, an IPv6 address's /64, which one subscriber holds whole (one
// machine can take a new address in it for every try).
func addrKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is4() {
		return ip.String()
	}
	p, _ := ip.Prefix(64) // no error: an IPv6 address without zone
	return p.String()
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
	addr = addrKey(addr)
	lim, ok := l.addrs[addr]
	if !ok {
		if lim = track(l.addrs, now, l.refill, l.burst); lim == nil {
			return false
		}
		l.addrs[addr] = lim
	}
	return lim.AllowN(now, 1)
}
