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
	tokens   authEntries[monitoring.Token]
	sessions authEntries[monitoring.Session]
}

// authCacheTTL bounds the life of an entry; authCacheMax the entries of a
// kind (the map is emptied when it is full).
const (
	authCacheTTL = 10 * time.Second
	authCacheMax = 4096
)

// authEntries are the cached entries of one kind (tokens or sessions), by
// the hash of their secret.
type authEntries[T any] map[string]authEntry[T]

type authEntry[T any] struct {
	v    T
	user monitoring.User
	gen  uint64
	at   time.Time
}

// invalidate ends every entry: called after a change of users, tokens or
// sessions is committed.
func (c *authCache) invalidate() { c.gen.Add(1) }

// token returns copies of the cached token and user of hash.
func (c *authCache) token(hash string) (*monitoring.Token, *monitoring.User, bool) {
	return authGet(c, &c.tokens, hash, cloneToken)
}

// putToken stores what a lookup that began at gen found.
func (c *authCache) putToken(hash string, gen uint64, t *monitoring.Token, u *monitoring.User) {
	authPut(c, &c.tokens, hash, gen, *t, u, cloneToken)
}

// session returns copies of the cached session and user of idHash.
func (c *authCache) session(idHash string) (*monitoring.Session, *monitoring.User, bool) {
	return authGet(c, &c.sessions, idHash, nil)
}

// putSession stores what a lookup that began at gen found.
func (c *authCache) putSession(idHash string, gen uint64, s *monitoring.Session, u *monitoring.User) {
	authPut(c, &c.sessions, idHash, gen, *s, u, nil)
}

// cloneToken copies what of a token its holder could change (a Session
// holds no slice: a copy of the struct is a copy).
func cloneToken(t monitoring.Token) monitoring.Token {
	t.Scopes = slices.Clone(t.Scopes)
	return t
}

// authGet returns copies of the entry of key and its user while it is
// fresh: stored by a lookup that began at the current generation, less than
// authCacheTTL ago.
func authGet[T any](c *authCache, m *authEntries[T], key string, clone func(T) T) (*T, *monitoring.User, bool) {
	c.mu.Lock()
	e, ok := (*m)[key]
	c.mu.Unlock()
	if !ok || e.gen != c.gen.Load() || time.Since(e.at) >= authCacheTTL {
		return nil, nil, false
	}
	v, u := e.v, e.user
	if clone != nil {
		v = clone(v)
	}
	u.Roles = slices.Clone(u.Roles)
	return &v, &u, true
}

// authPut stores copies of v and u, found by a lookup that began at gen.
func authPut[T any](c *authCache, m *authEntries[T], key string, gen uint64, v T, u *monitoring.User, clone func(T) T) {
	if clone != nil {
		v = clone(v)
	}
	e := authEntry[T]{v: v, user: *u, gen: gen, at: time.Now()}
	e.user.Roles = slices.Clone(u.Roles)
	c.mu.Lock()
	defer c.mu.Unlock()
	if *m == nil || len(*m) >= authCacheMax {
		*m = authEntries[T]{}
	}
	(*m)[key] = e
}
