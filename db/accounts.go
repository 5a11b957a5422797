package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"vaaka/monitoring"
)

// AccountService keeps users, browser sessions and API tokens. User and
// token changes are audited; sessions are not (they change on every
// request and say nothing about what was done).
type AccountService struct {
	db *DB
}

var _ monitoring.AccountService = (*AccountService)(nil)

// NewAccountService returns the accounts of d.
func NewAccountService(d *DB) *AccountService { return &AccountService{db: d} }

const userColumns = `id, email, name, roles, staff_id, language, active, password_hash, password_changed_at, created_at`

// CreateUser stores u (u.PasswordHash set by the caller) and sets u.ID and
// the times. Invalid, Conflict (email exists, case-insensitively).
func (s *AccountService) CreateUser(ctx context.Context, actor string, u *monitoring.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if u.PasswordHash == "" {
		return fieldErr(monitoring.Invalid, "password", monitoring.MsgRequired, "user without a password hash")
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u.PasswordChangedAt, u.CreatedAt = tx.now, tx.now
	res, err := tx.ExecContext(ctx, `INSERT INTO users (email, name, roles, staff_id, language, active, password_hash,
		password_changed_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.Email, u.Name, joinRoles(u.Roles), u.StaffID, string(u.Language), u.Active, u.PasswordHash,
		formatTime(tx.now), formatTime(tx.now))
	if isUnique(err) {
		return fieldErr(monitoring.Conflict, "email", monitoring.MsgDuplicate, "user %s exists", u.Email)
	}
	if err != nil {
		return fmt.Errorf("db: insert user: %w", err)
	}
	if u.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("db: insert user: %w", err)
	}
	if err := appendAudit(ctx, tx, actor, "user.created", "user", strconv.FormatInt(u.ID, 10),
		map[string]any{"changes": auditChanges(nil, userText(u))}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: create user: %w", err)
	}
	return nil
}

// FindUser returns user id. NotFound.
func (s *AccountService) FindUser(ctx context.Context, id int64) (*monitoring.User, error) {
	return loadUser(ctx, s.db.read, `id = ?`, id)
}

// FindUserByEmail returns the user with email, compared case-insensitively
// (the column is COLLATE NOCASE). NotFound.
func (s *AccountService) FindUserByEmail(ctx context.Context, email string) (*monitoring.User, error) {
	return loadUser(ctx, s.db.read, `email = ?`, email)
}

// ListUsers lists every user by name.
func (s *AccountService) ListUsers(ctx context.Context) ([]*monitoring.User, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name COLLATE NOCASE, id`)
	if err != nil {
		return nil, fmt.Errorf("db: list users: %w", err)
	}
	defer rows.Close()
	var out []*monitoring.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: list users: %w", err)
	}
	return out, nil
}

// UpdateUser applies upd. A new password hash sets PasswordChangedAt and
// ends the user's sessions except keepSession; deactivation ends all of
// them (the user is kept: the audit trail names them). The audit entry
// names a password change, never the hash. NotFound, Invalid.
func (s *AccountService) UpdateUser(ctx context.Context, actor string, id int64, upd monitoring.UserUpdate, keepSession string) (*monitoring.User, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	old, err := loadUser(ctx, tx, `id = ?`, id)
	if err != nil {
		return nil, err
	}
	u := *old
	u.Roles = slices.Clone(old.Roles)
	if upd.Name != nil {
		u.Name = *upd.Name
	}
	if upd.Roles != nil {
		u.Roles = slices.Clone(upd.Roles)
	}
	if upd.StaffID != nil {
		u.StaffID = *upd.StaffID
	}
	if upd.Language != nil {
		u.Language = *upd.Language
	}
	if upd.Active != nil {
		u.Active = *upd.Active
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	changes := auditChanges(userText(old), userText(&u))
	if upd.PasswordHash != nil {
		if *upd.PasswordHash == "" {
			return nil, fieldErr(monitoring.Invalid, "password", monitoring.MsgRequired, "empty password hash")
		}
		u.PasswordHash, u.PasswordChangedAt = *upd.PasswordHash, tx.now
		changes = append(changes, auditChange{Field: "password", New: "changed"})
	}
	if len(changes) == 0 {
		return old, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE users SET name = ?, roles = ?, staff_id = ?, language = ?, active = ?,
		password_hash = ?, password_changed_at = ? WHERE id = ?`,
		u.Name, joinRoles(u.Roles), u.StaffID, string(u.Language), u.Active, u.PasswordHash, formatTime(u.PasswordChangedAt), id)
	if err != nil {
		return nil, fmt.Errorf("db: update user %d: %w", id, err)
	}
	switch {
	case !u.Active:
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id)
	case upd.PasswordHash != nil:
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?`, id, keepSession)
	}
	if err != nil {
		return nil, fmt.Errorf("db: end sessions of user %d: %w", id, err)
	}
	if err := appendAudit(ctx, tx, actor, "user.updated", "user", strconv.FormatInt(id, 10), map[string]any{"changes": changes}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("db: update user %d: %w", id, err)
	}
	s.db.auth.invalidate() // roles, activity and sessions are read from the cache
	return &u, nil
}

// CreateSession stores s; zero times default to now.
func (s *AccountService) CreateSession(ctx context.Context, sess *monitoring.Session) error {
	if sess.IDHash == "" {
		return fieldErr(monitoring.Invalid, "id", monitoring.MsgRequired, "session without id")
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if sess.CreatedAt.IsZero() {
		sess.CreatedAt = tx.now
	}
	if sess.LastSeen.IsZero() {
		sess.LastSeen = sess.CreatedAt
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen, ip) VALUES (?, ?, ?, ?, ?, ?)`,
		sess.IDHash, sess.UserID, sess.CSRFToken, formatTime(sess.CreatedAt), formatTime(sess.LastSeen), sess.IP)
	if isUnique(err) {
		return fieldErr(monitoring.Conflict, "id", monitoring.MsgDuplicate, "session exists")
	}
	if err != nil {
		return fmt.Errorf("db: create session: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: create session: %w", err)
	}
	return nil
}

// FindSession returns the session and its user. NotFound when there is no
// such session or its user is inactive.
func (s *AccountService) FindSession(ctx context.Context, idHash string) (*monitoring.Session, *monitoring.User, error) {
	if sess, u, ok := s.db.auth.session(idHash); ok {
		return sess, u, nil
	}
	gen := s.db.auth.gen.Load() // before the lookup: a change during it is not cached
	var sess monitoring.Session
	var created, seen string
	err := s.db.read.QueryRowContext(ctx, `SELECT id_hash, user_id, csrf_token, created_at, last_seen, ip FROM sessions WHERE id_hash = ?`,
		idHash).Scan(&sess.IDHash, &sess.UserID, &sess.CSRFToken, &created, &seen, &sess.IP)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, notFound("session not found")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("db: find session: %w", err)
	}
	var err1, err2 error
	sess.CreatedAt, err1 = parseTime(created)
	sess.LastSeen, err2 = parseTime(seen)
	if err := errors.Join(err1, err2); err != nil {
		return nil, nil, err
	}
	u, err := loadUser(ctx, s.db.read, `id = ? AND active = 1`, sess.UserID)
	if err != nil {
		if monitoring.ErrorCodeOf(err) == monitoring.NotFound {
			return nil, nil, notFound("session not found")
		}
		return nil, nil, err
	}
	s.db.auth.putSession(idHash, gen, &sess, u)
	return &sess, u, nil
}

// TouchSession sets the session's last activity. NotFound.
func (s *AccountService) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	return s.execOne(ctx, "touch session", notFound("session not found"),
		`UPDATE sessions SET last_seen = ? WHERE id_hash = ?`, formatTime(at), idHash)
}

// DeleteSession ends a session; ending one that does not exist is no error.
func (s *AccountService) DeleteSession(ctx context.Context, idHash string) error {
	return s.execOne(ctx, "delete session", nil, `DELETE FROM sessions WHERE id_hash = ?`, idHash)
}

// DeleteSessionsBefore removes sessions idle since before idle or created
// before absolute (a zero time matches nothing).
func (s *AccountService) DeleteSessionsBefore(ctx context.Context, idle, absolute time.Time) error {
	return s.execOne(ctx, "expire sessions", nil, `DELETE FROM sessions WHERE last_seen < ? OR created_at < ?`,
		formatTime(idle), formatTime(absolute))
}

// CreateToken stores t (t.Hash set by the caller) and sets t.ID,
// t.UserEmail and t.CreatedAt. The audit entry names the token, its scopes
// and user, never the hash. Invalid.
func (s *AccountService) CreateToken(ctx context.Context, actor string, t *monitoring.Token) error {
	fe := monitoring.FieldErrors{}
	switch {
	case strings.TrimSpace(t.Name) == "":
		fe.Add("name", monitoring.MsgRequired)
	case !utf8.ValidString(t.Name):
		fe.Add("name", monitoring.MsgInvalid)
	case utf8.RuneCountInString(t.Name) > monitoring.MaxShort:
		fe.Add("name", monitoring.MsgTooLong)
	}
	if len(t.Scopes) == 0 {
		fe.Add("scopes", monitoring.MsgRequired)
	}
	for _, sc := range t.Scopes {
		if !sc.Valid() {
			fe.Add("scopes", monitoring.MsgUnknown)
		}
	}
	if t.Hash == "" {
		fe.Add("hash", monitoring.MsgRequired)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u, err := loadUser(ctx, tx, `id = ?`, t.UserID)
	if monitoring.ErrorCodeOf(err) == monitoring.NotFound {
		return fieldErr(monitoring.Invalid, "user", monitoring.MsgNotFound, "user %d not found", t.UserID)
	}
	if err != nil {
		return err
	}
	t.UserEmail, t.CreatedAt = u.Email, tx.now
	res, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (user_id, name, scopes, hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		t.UserID, t.Name, joinScopes(t.Scopes), t.Hash, formatTime(tx.now))
	if isUnique(err) {
		return fieldErr(monitoring.Conflict, "hash", monitoring.MsgDuplicate, "token hash exists")
	}
	if err != nil {
		return fmt.Errorf("db: insert token: %w", err)
	}
	if t.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("db: insert token: %w", err)
	}
	if err := appendAudit(ctx, tx, actor, "token.created", "token", strconv.FormatInt(t.ID, 10),
		map[string]any{"name": auditClip(t.Name), "scopes": joinScopes(t.Scopes), "user": u.Email}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: create token: %w", err)
	}
	return nil
}

const tokenColumns = `t.id, t.user_id, u.email, t.name, t.scopes, t.hash, t.created_at, t.last_used_at, t.revoked_at`

// FindTokenByHash returns the unrevoked token with hash and its user.
// NotFound when unknown, revoked, or the user is inactive.
func (s *AccountService) FindTokenByHash(ctx context.Context, hash string) (*monitoring.Token, *monitoring.User, error) {
	if t, u, ok := s.db.auth.token(hash); ok {
		return t, u, nil
	}
	gen := s.db.auth.gen.Load() // before the lookup: a change during it is not cached
	t, err := scanToken(s.db.read.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = ? AND t.revoked_at = '' AND u.active = 1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, notFound("token not found")
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := loadUser(ctx, s.db.read, `id = ? AND active = 1`, t.UserID)
	if err != nil {
		if monitoring.ErrorCodeOf(err) == monitoring.NotFound {
			return nil, nil, notFound("token not found")
		}
		return nil, nil, err
	}
	s.db.auth.putToken(hash, gen, t, u)
	return t, u, nil
}

// ListTokens lists every token, revoked ones too, with its user's email.
// The hash is left out.
func (s *AccountService) ListTokens(ctx context.Context) ([]*monitoring.Token, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id`)
	if err != nil {
		return nil, fmt.Errorf("db: list tokens: %w", err)
	}
	defer rows.Close()
	var out []*monitoring.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		t.Hash = ""
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: list tokens: %w", err)
	}
	return out, nil
}

// RevokeToken revokes token id. NotFound, Conflict (already revoked).
func (s *AccountService) RevokeToken(ctx context.Context, actor string, id int64) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("token %d not found", id)
	}
	if err != nil {
		return err
	}
	if !t.RevokedAt.IsZero() {
		return monitoring.Errorf(monitoring.Conflict, "token %d already revoked", id)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, formatTime(tx.now), id); err != nil {
		return fmt.Errorf("db: revoke token %d: %w", id, err)
	}
	if err := appendAudit(ctx, tx, actor, "token.revoked", "token", strconv.FormatInt(id, 10),
		map[string]any{"name": auditClip(t.Name), "user": t.UserEmail}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: revoke token %d: %w", id, err)
	}
	s.db.auth.invalidate() // refused from the next request on
	return nil
}

// TouchToken records the token's last use. NotFound.
func (s *AccountService) TouchToken(ctx context.Context, id int64, at time.Time) error {
	return s.execOne(ctx, "touch token", notFound("token %d not found", id),
		`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, formatTime(at), id)
}

// execOne runs one statement in its own write transaction; when no row was
// affected it returns none (nil: no error).
func (s *AccountService) execOne(ctx context.Context, what string, none error, query string, args ...any) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("db: %s: %w", what, err)
	}
	if none != nil {
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("db: %s: %w", what, err)
		}
		if n == 0 {
			return none
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: %s: %w", what, err)
	}
	s.db.auth.invalidate() // every caller changes a session or token
	return nil
}

// loadUser reads the user matching cond (a WHERE clause on users). NotFound.
func loadUser(ctx context.Context, q querier, cond string, args ...any) (*monitoring.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+cond, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("user not found")
	}
	return u, err
}

func scanUser(row interface{ Scan(...any) error }) (*monitoring.User, error) {
	var u monitoring.User
	var roles, lang, changed, created string
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &roles, &u.StaffID, &lang, &u.Active, &u.PasswordHash, &changed, &created); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("db: scan user: %w", err)
	}
	for _, r := range strings.Split(roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			u.Roles = append(u.Roles, monitoring.Role(r))
		}
	}
	u.Language = monitoring.Language(lang)
	var err1, err2 error
	u.PasswordChangedAt, err1 = parseTime(changed)
	u.CreatedAt, err2 = parseTime(created)
	return &u, errors.Join(err1, err2)
}

func scanToken(row interface{ Scan(...any) error }) (*monitoring.Token, error) {
	var t monitoring.Token
	var scopes, created, used, revoked string
	if err := row.Scan(&t.ID, &t.UserID, &t.UserEmail, &t.Name, &scopes, &t.Hash, &created, &used, &revoked); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("db: scan token: %w", err)
	}
	for _, sc := range strings.Split(scopes, ",") {
		if sc = strings.TrimSpace(sc); sc != "" {
			t.Scopes = append(t.Scopes, monitoring.Scope(sc))
		}
	}
	var err1, err2, err3 error
	t.CreatedAt, err1 = parseTime(created)
	t.LastUsedAt, err2 = parseTime(used)
	t.RevokedAt, err3 = parseTime(revoked)
	return &t, errors.Join(err1, err2, err3)
}

// userText is u as display text by API field name, for the audit (never
// the password hash).
func userText(u *monitoring.User) map[string]string {
	return map[string]string{"email": u.Email, "name": u.Name, "roles": joinRoles(u.Roles), "staff_id": u.StaffID,
		"language": string(u.Language), "active": strconv.FormatBool(u.Active)}
}

func joinRoles(rs []monitoring.Role) string {
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return strings.Join(ss, ",")
}

func joinScopes(scs []monitoring.Scope) string {
	ss := make([]string, len(scs))
	for i, s := range scs {
		ss[i] = string(s)
	}
	return strings.Join(ss, ",")
}
