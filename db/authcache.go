package db

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"vaaka/monitoring"
)

// authCache keeps the API tokens and browser sessions that authenticated a
// request, with their users, so that a busy client is not looked up in the
// database on every request (two queries, a quarter of the CPU of a
// single-use POST: docs/PERFORMANCE.md).
//
// Invalidation: every change of users, tokens or sessions goes through
// AccountService, which bumps gen after its commit; an entry is served only
// while gen is the value read before the entry's lookup began, so a lookup
// that raced a revocation is never served. A revoked token, a deactivated
// user or an ended session is refused from the next request on. Entries also
// expire after authCacheTTL, which bounds how long a change made around the
// application (by another process on the same file) can go unseen.
type authCache struct {
	gen atomic.Uint64

	mu       sync.Mutex
	tokens   map[string]tokenEntry
	sessions map[string]sessionEntry
}

// authCacheTTL bounds the life of an entry; authCacheMax the entries of a
// kind (the map is emptied when it is full).
const (
	authCacheTTL = 10 * time.Second
	authCacheMax = 4096
)

type tokenEntry struct {
	tok  monitoring.Token
	user monitoring.User
	gen  uint64
	at   time.Time
}

type sessionEntry struct {
	sess monitoring.Session
	user monitoring.User
	gen  uint64
	at   time.Time
}

// invalidate ends every entry: called after a change of users, tokens or
// sessions is committed.
func (c *authCache) invalidate() { c.gen.Add(1) }

// fresh reports whether an entry of gen stored at at may be served.
func (c *authCache) fresh(gen uint64, at time.Time) bool {
	return gen == c.gen.Load() && time.Since(at) < authCacheTTL
}

// token returns copies of the cached token and user of hash.
func (c *authCache) token(hash string) (*monitoring.Token, *monitoring.User, bool) {
	c.mu.Lock()
	e, ok := c.tokens[hash]
	c.mu.Unlock()
	if !ok || !c.fresh(e.gen, e.at) {
		return nil, nil, false
	}
	t, u := e.tok, e.user
	t.Scopes, u.Roles = slices.Clone(t.Scopes), slices.Clone(u.Roles)
	return &t, &u, true
}

// putToken stores what a lookup that began at gen found.
func (c *authCache) putToken(hash string, gen uint64, t *monitoring.Token, u *monitoring.User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tokens == nil || len(c.tokens) >= authCacheMax {
		c.tokens = map[string]tokenEntry{}
	}
	e := tokenEntry{tok: *t, user: *u, gen: gen, at: time.Now()}
	e.tok.Scopes, e.user.Roles = slices.Clone(t.Scopes), slices.Clone(u.Roles)
	c.tokens[hash] = e
}

// session returns copies of the cached session and user of idHash.
func (c *authCache) session(idHash string) (*monitoring.Session, *monitoring.User, bool) {
	c.mu.Lock()
	e, ok := c.sessions[idHash]
	c.mu.Unlock()
	if !ok || !c.fresh(e.gen, e.at) {
		return nil, nil, false
	}
	s, u := e.sess, e.user
	u.Roles = slices.Clone(u.Roles)
	return &s, &u, true
}

// putSession stores what a lookup that began at gen found.
func (c *authCache) putSession(idHash string, gen uint64, s *monitoring.Session, u *monitoring.User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sessions == nil || len(c.sessions) >= authCacheMax {
		c.sessions = map[string]sessionEntry{}
	}
	e := sessionEntry{sess: *s, user: *u, gen: gen, at: time.Now()}
	e.user.Roles = slices.Clone(u.Roles)
	c.sessions[idHash] = e
}
