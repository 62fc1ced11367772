package db

import (
	"sync"
	"time"
)

// readCache keeps what the counter and the card pages read again and again
// unchanged: a session's user, a shop, its clock, a program's rules. On a
// busy counter those reads were a fifth of a stamp's time. Every commit on
// the store's writer outside the counter's batches (sign-ins and sign-outs,
// staff, shop and program changes: everything that could change them)
// empties the cache, so the server never answers from an entry older than its
// own last write; a write by another process (the reset-password command)
// shows within cacheAge.
type readCache struct {
	mu sync.Mutex
	// gen counts the emptyings: a read that began before one does not put
	// what it read into the emptied cache.
	gen      uint64
	sessions memo[string, cachedSession] // by the session's hash
	shops    memo[int64, Shop]
	clocks   memo[int64, shopClock]  // by shop
	programs memo[[2]int64, Program] // by shop and program
	parts    memo[int64, shopParts]  // by shop
	ladders  memo[int64, KeptLadder] // by shop (tiers.go)
}

const (
	cacheAge = 2 * time.Second
	// cacheMax bounds each map; a full one is emptied rather than managed.
	cacheMax = 10_000
)

type cachedSession struct {
	user             User
	expires, created int64
}

// memo is one kind of entry of the cache; the cache's mutex guards it.
type memo[K comparable, V any] map[K]memoEntry[V]

type memoEntry[V any] struct {
	v  V
	at time.Time
}

func (m memo[K, V]) get(k K) (V, bool) {
	e, ok := m[k]
	return e.v, ok && time.Since(e.at) < cacheAge
}

func (m *memo[K, V]) keep(k K, v V) {
	if *m == nil || len(*m) >= cacheMax {
		*m = make(memo[K, V])
	}
	(*m)[k] = memoEntry[V]{v: v, at: time.Now()}
}

// generation is taken before a read whose answer may be kept.
func (c *readCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// forget empties the cache after a write.
func (c *readCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.sessions)
	clear(c.shops)
	clear(c.clocks)
	clear(c.programs)
	clear(c.parts)
	clear(c.ladders)
}

// remembered returns the entry of k in the memo that pick names, or reads it with
// read and keeps it unless the cache was emptied meanwhile.
func remembered[K comparable, V any](c *readCache, pick func(*readCache) *memo[K, V], k K, read func() (V, error)) (V, error) {
	return rememberedSince(c, c.generation(), pick, k, read)
}

// rememberedSince is remembered for a read in a transaction whose snapshot
// began after the caller took gen (generation): an emptying since then means
// the snapshot may be older than the cache must be.
func rememberedSince[K comparable, V any](c *readCache, gen uint64, pick func(*readCache) *memo[K, V], k K, read func() (V, error)) (V, error) {
	c.mu.Lock()
	v, ok := pick(c).get(k)
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := read()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if gen == c.gen {
		pick(c).keep(k, v)
	}
	c.mu.Unlock()
	return v, nil
}
