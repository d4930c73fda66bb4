package main

import "sync"

// memo remembers the values build makes from their keys, for every session at once: each next
// hop's TLS client configuration (clientConfigs) and each verdict field as the next hop receives
// it (verdictFields). A value is built once per key and then shared, so it must never be
// changed. An error is returned and not remembered; past the caller's bound nothing more is kept
// and the values are built each time. The zero value is ready.
type memo[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]V
}

// get returns the value for k, calling build when there is none, and keeps it while fewer than
// bound are kept.
func (c *memo[K, V]) get(k K, bound int, build func() (V, error)) (V, error) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return v, nil
	}
	v, err := build()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[K]V{}
	}
	if len(c.m) < bound {
		c.m[k] = v
	}
	c.mu.Unlock()
	return v, nil
}
