package app

import (
	"sync"
	"time"
)

// throttle limits failed logins per account and per client address: after
// maxFailures failures within window, further attempts are refused until
// the window has passed.
type throttle struct {
	mu       sync.Mutex
	failures map[string][]time.Time
}

const (
	throttleMaxFailures = 5
	throttleWindow      = 15 * time.Minute
	throttleMaxIPFail   = 20
)

func newThrottle() *throttle { return &throttle{failures: map[string][]time.Time{}} }

// blocked reports whether key has too many recent failures.
func (t *throttle) blocked(key string, max int, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.recent(key, now)) >= max
}

// fail records a failure for key.
func (t *throttle) fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failures[key] = append(t.recent(key, now), now)
	if len(t.failures) > 100_000 { // bound memory under a spray attack
		for k := range t.failures {
			if len(t.recent(k, now)) == 0 {
				delete(t.failures, k)
			}
		}
	}
}

// reset forgets key's failures (after a successful login).
func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, key)
}

func (t *throttle) recent(key string, now time.Time) []time.Time {
	fs := t.failures[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) > throttleWindow {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(t.failures, key)
		return nil
	}
	t.failures[key] = fs
	return fs
}
