package main

import "sync"

// budget is a bounded amount shared by all clients (connections, next-hop sessions, bytes of
// memory or disk), optionally also bounded per key (a client address). take and give are safe
// for concurrent use.
type budget struct {
	mu     sync.Mutex
	max    int64 // over all keys
	perKey int64 // per key; 0: no per-key bound
	used   int64
	byKey  map[string]int64
}

func newBudget(max, perKey int64) *budget {
	return &budget{max: max, perKey: perKey, byKey: map[string]int64{}}
}

// take reserves n for key, or reserves nothing and reports false when that would exceed a bound.
func (b *budget) take(key string, n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.max || (b.perKey > 0 && b.byKey[key]+n > b.perKey) {
		return false
	}
	b.used += n
	if b.perKey > 0 {
		b.byKey[key] += n
	}
	return true
}

// give returns n taken for key.
func (b *budget) give(key string, n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
	if b.perKey > 0 {
		if b.byKey[key] -= n; b.byKey[key] <= 0 {
			delete(b.byKey, key)
		}
	}
}

// inUse returns the amount taken, over all keys.
func (b *budget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}
