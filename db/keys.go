package db

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"vaaka/monitoring"
)

// The installation's Ed25519 signing key (issue 5). The private key of the
// current key lives in a file beside the database (<db>.signing-key, mode
// 0600, PKCS#8 PEM) — never in the database, so that a copy of the database
// (a backup) cannot sign. The public keys are in signing_keys; retired ones
// stay so that older receipts and checkpoints verify.
//
// The file's key is used only while it is the current key of signing_keys.
// Otherwise (no file yet, a lost file, a rotation that did not commit) a new
// key is made and registered, retiring the old one: every path ends with the
// file and the table agreeing.

// SetSigningKeyFile sets the path of the private signing key file (default:
// the database path + ".signing-key"). Call it before the key is first used.
func (db *DB) SetSigningKeyFile(path string) {
	db.keys.mu.Lock()
	defer db.keys.mu.Unlock()
	db.keys.file = path
}

// SigningKeyFile is the path of the private signing key file.
func (db *DB) SigningKeyFile() string {
	db.keys.mu.Lock()
	defer db.keys.mu.Unlock()
	if db.keys.file != "" {
		return db.keys.file
	}
	return db.path + ".signing-key"
}

// keyring caches the current private key of one database.
type keyring struct {
	mu    sync.Mutex
	priv  ed25519.PrivateKey
	keyID string
}

func (db *DB) keyring() *keyring { return &db.keyCache }

// currentKeyID is the id of the current signing key ("" when none).
func currentKeyID(ctx context.Context, q querier) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM signing_keys WHERE retired_at = ''`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("db: signing key: %w", err)
	}
	return id, nil
}

// signer returns the current private key inside tx, creating (and
// registering) one when the file and the table do not agree.
func (db *DB) signer(ctx context.Context, tx *Tx) (ed25519.PrivateKey, error) {
	kr := db.keyring()
	kr.mu.Lock()
	defer kr.mu.Unlock()
	current, err := currentKeyID(ctx, tx)
	if err != nil {
		return nil, err
	}
	if kr.priv != nil && kr.keyID == current {
		return kr.priv, nil
	}
	priv, err := readKeyFile(db.SigningKeyFile())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if priv != nil && current != "" && monitoring.KeyIDOf(priv.Public().(ed25519.PublicKey)) == current {
		kr.priv, kr.keyID = priv, current
		return priv, nil
	}
	reason := "created"
	if current != "" {
		reason = "replaced" // the file is missing or holds another key
	}
	k, priv, err := db.newKey(ctx, tx, "system", "key.created", map[string]any{"reason": reason, "retired": current})
	if err != nil {
		return nil, err
	}
	kr.priv, kr.keyID = priv, k.ID
	return priv, nil
}

// newKey makes a key, writes its file, retires the current key and
// registers the new one, audited as action, all inside tx.
func (db *DB) newKey(ctx context.Context, tx *Tx, actor, action string, detail map[string]any) (monitoring.SigningKey, ed25519.PrivateKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return monitoring.SigningKey{}, nil, err
	}
	k := monitoring.SigningKey{ID: monitoring.KeyIDOf(pub), PublicKey: base64.StdEncoding.EncodeToString(pub), CreatedAt: tx.now}
	if _, err := tx.ExecContext(ctx, `UPDATE signing_keys SET retired_at = ? WHERE retired_at = ''`, formatTime(tx.now)); err != nil {
		return k, nil, fmt.Errorf("db: retire signing key: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO signing_keys (id, public_key, created_at) VALUES (?, ?, ?)`,
		k.ID, k.PublicKey, formatTime(k.CreatedAt)); err != nil {
		return k, nil, fmt.Errorf("db: add signing key: %w", err)
	}
	detail["key_id"] = k.ID
	if err := appendAudit(ctx, tx, actor, action, "signing_key", k.ID, detail); err != nil {
		return k, nil, err
	}
	// Last, so that a failure above leaves the old file in place. Should
	// the commit fail after this, the file holds a key unknown to the
	// table, and the next signer call replaces it.
	if err := writeKeyFile(db.SigningKeyFile(), priv); err != nil {
		return k, nil, err
	}
	return k, priv, nil
}

// readKeyFile reads a PKCS#8 PEM Ed25519 private key, tightening the file's
// mode to 0600 if it was wider.
func readKeyFile(path string) (ed25519.PrivateKey, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, fmt.Errorf("db: signing key %s: %w", path, err)
		}
	}
	buf, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(buf)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("db: signing key %s: not a PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("db: signing key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("db: signing key %s: not an Ed25519 key", path)
	}
	return priv, nil
}

// writeKeyFile replaces the key file atomically: a temporary file of mode
// 0600 beside it, synced, renamed over it.
func writeKeyFile(path string, priv ed25519.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	fail := func(err error) error { return fmt.Errorf("db: write signing key %s: %w", path, err) }
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fail(err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // gone after the rename
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fail(err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail(err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// publicKeys returns every key of the installation by id.
func publicKeys(ctx context.Context, q querier) (map[string]ed25519.PublicKey, error) {
	keys, err := queryRows(ctx, q, "db: signing keys", scanSigningKey, `SELECT id, public_key, created_at, retired_at FROM signing_keys`)
	if err != nil {
		return nil, err
	}
	out := make(map[string]ed25519.PublicKey, len(keys))
	for _, k := range keys {
		if pub, err := monitoring.DecodePublicKey(k.PublicKey); err == nil && monitoring.KeyIDOf(pub) == k.ID {
			out[k.ID] = pub
		}
	}
	return out, nil
}

func scanSigningKey(r interface{ Scan(...any) error }) (monitoring.SigningKey, error) {
	var k monitoring.SigningKey
	var created, retired string
	if err := r.Scan(&k.ID, &k.PublicKey, &created, &retired); err != nil {
		return k, fmt.Errorf("db: signing key: %w", err)
	}
	var errs [2]error
	k.CreatedAt, errs[0] = parseTime(created)
	k.RetiredAt, errs[1] = parseTime(retired)
	return k, errors.Join(errs[:]...)
}
