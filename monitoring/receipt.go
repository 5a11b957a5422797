package monitoring

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Chain receipts and the retention of the use log (R-LOG-1, R-LOG-2).
//
// A receipt is a signed statement of the use log's head: "entries 1..Count
// existed and the hash of entry Count was HeadHash". The staff side keeps
// it; later, `vaaka verify --receipt` proves that every entry up to Count is
// still there unchanged (or was removed by the retention job, which left a
// signed checkpoint naming the receipt's head), or names the first entry
// that is not.

// ReceiptFormat is the format tag of a receipt file.
const ReceiptFormat = "vaaka-receipt/1"

// Receipt is the signed statement, exactly as its JSON file holds it.
type Receipt struct {
	Format         string    `json:"format"`
	InstallationID string    `json:"installation_id"`
	Chain          string    `json:"chain"` // "uses"
	Count          int64     `json:"count"` // entries ever appended; the head's seq
	HeadHash       string    `json:"head_hash"`
	IssuedAt       time.Time `json:"issued_at"`
	KeyID          string    `json:"key_id"`
	PublicKey      string    `json:"public_key"` // base64 (std) Ed25519 public key
	Signature      string    `json:"signature"`  // base64 (std) Ed25519 signature of SigningPayload
}

// ReceiptRecord is an issued receipt as the installation lists it.
type ReceiptRecord struct {
	ID       int64
	IssuedBy string // user email, or "system" for the weekly receipts
	Auto     bool   // issued by the weekly job for the representatives
	Receipt  Receipt
}

// SigningKey is one of the installation's Ed25519 keys. Only the newest
// signs; retired ones are kept so that older receipts still verify.
type SigningKey struct {
	ID        string // first 16 hex digits of SHA-256 of the public key
	PublicKey string // base64 (std)
	CreatedAt time.Time
	RetiredAt time.Time // zero while current
}

// Anchor is a chain position and its hash.
type Anchor struct {
	Seq  int64
	Hash string
}

// Checkpoint is written by the log retention job before it removes entries
// 1..ThroughSeq (R-LOG-2): the chain continues from ThroughHash, and the
// heads of the receipts issued inside the removed range are kept as
// anchors so that those receipts still verify. Checkpoints are signed and
// chained to each other.
type Checkpoint struct {
	ID          int64
	ThroughSeq  int64
	ThroughHash string
	Cutoff      time.Time // entries recorded before this were due
	CreatedAt   time.Time
	Removed     int64    // entries this checkpoint removed
	Anchors     []Anchor // receipt heads within (previous ThroughSeq, ThroughSeq]
	PrevHash    string   // the previous checkpoint's Hash (GenesisHash for the first)
	Hash        string   // ChainHash over the fields above
	KeyID       string
	Signature   string
}

// ReceiptCheck is the result of verifying a receipt against the log.
type ReceiptCheck struct {
	OK bool
	// Reason when not OK: "format", "signature", "unknown_key",
	// "installation", "chain" (the log itself does not verify; see
	// FirstBad), "missing" (entry FirstBad is gone and no checkpoint covers
	// it), "head" (entry Count's hash differs from the receipt: the log up
	// to it was rewritten; FirstBad is the first entry after the last head
	// of an earlier issued receipt that still matches), "checkpoint" (a
	// retention checkpoint does not verify; FirstBad is its ThroughSeq).
	Reason   string
	FirstBad int64 // the first entry that is not there unchanged; 0 if OK
	Checked  int64 // entries verified up to the receipt's head
	// Checkpoint is set when the receipt's head lies in a range removed by
	// the retention job and the checkpoint's anchor matches it.
	Checkpoint *Checkpoint
}

// PurgeResult is what one run of the log retention job did.
type PurgeResult struct {
	Cutoff     time.Time
	Removed    int64
	Checkpoint *Checkpoint // nil when nothing was due
}

// ReceiptFilter pages the issued receipts, newest first.
type ReceiptFilter struct {
	Cursor int64
	Limit  int
}

// EvidenceService issues and verifies chain receipts and runs the
// retention of the use log.
type EvidenceService interface {
	// IssueReceipt signs the current head of the use log and records it
	// (audit "receipt.issued"). auto marks the weekly receipts.
	IssueReceipt(ctx context.Context, actor string, auto bool) (*ReceiptRecord, error)
	// FindReceipt by id. NotFound.
	FindReceipt(ctx context.Context, id int64) (*ReceiptRecord, error)
	// ListReceipts pages the issued receipts, newest first.
	ListReceipts(ctx context.Context, f ReceiptFilter) ([]*ReceiptRecord, int64, error)
	// VerifyReceipt checks the signature against the installation's keys
	// and the log against the receipt, walking the chain with constant
	// memory. A receipt that fails is not an error: see ReceiptCheck.
	VerifyReceipt(ctx context.Context, r *Receipt) (ReceiptCheck, error)
	// SigningKeys lists the installation's keys, newest first.
	SigningKeys(ctx context.Context) ([]SigningKey, error)
	// RotateKey creates a new signing key; the old public key is kept.
	RotateKey(ctx context.Context, actor string) (SigningKey, error)
	// PurgeLog removes the uses recorded before cutoff (R-LOG-2), behind a
	// checkpoint, with the rollups decremented in the same transactions;
	// the run and its result go to the audit trail.
	PurgeLog(ctx context.Context, cutoff time.Time) (PurgeResult, error)
	// Checkpoints lists the retention checkpoints, newest first.
	Checkpoints(ctx context.Context) ([]*Checkpoint, error)
}

// MaxReceiptSize is the largest receipt file ParseReceipt reads; a real one
// is about 500 bytes.
const MaxReceiptSize = 4096

// KeyIDOf is the id of a public key: the first 16 hex digits of its SHA-256.
func KeyIDOf(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// signingPayload concatenates the fields, each length-prefixed as in
// ChainHash, so that no two different field lists give the same bytes.
func signingPayload(fields ...string) []byte {
	var b []byte
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// SigningPayload is the canonical byte string a receipt's signature covers:
// every field but the signature, in a fixed order, length-prefixed. It is a
// storage format: changing it invalidates every receipt ever issued.
func (r *Receipt) SigningPayload() []byte {
	return signingPayload("vaaka-receipt/1", r.Format, r.InstallationID, r.Chain,
		strconv.FormatInt(r.Count, 10), r.HeadHash, chainTime(r.IssuedAt), r.KeyID, r.PublicKey)
}

// Sign sets PublicKey, KeyID and Signature from priv.
func (r *Receipt) Sign(priv ed25519.PrivateKey) {
	pub := priv.Public().(ed25519.PublicKey)
	r.PublicKey = base64.StdEncoding.EncodeToString(pub)
	r.KeyID = KeyIDOf(pub)
	r.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(priv, r.SigningPayload()))
}

// ErrBadSignature is returned by the signature checks when a signature does
// not verify (a forged or altered document).
var ErrBadSignature = Errorf(Invalid, "signature does not verify")

// CheckSignature verifies the signature against the receipt's own public
// key, and that KeyID names that key. Whether the key is one of the
// installation's is the caller's check (VerifyReceipt).
func (r *Receipt) CheckSignature() error {
	pub, err := decodeKey(r.PublicKey)
	if err != nil {
		return err
	}
	if KeyIDOf(pub) != r.KeyID {
		return ErrBadSignature
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(r.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize || !ed25519.Verify(pub, r.SigningPayload(), sig) {
		return ErrBadSignature
	}
	return nil
}

// DecodePublicKey reads a base64 (std) Ed25519 public key.
func DecodePublicKey(s string) (ed25519.PublicKey, error) { return decodeKey(s) }

func decodeKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, ErrBadSignature
	}
	return ed25519.PublicKey(b), nil
}

// receiptFile is the JSON as read: pointers tell a missing field from a
// zero one.
type receiptFile struct {
	Format         *string `json:"format"`
	InstallationID *string `json:"installation_id"`
	Chain          *string `json:"chain"`
	Count          *int64  `json:"count"`
	HeadHash       *string `json:"head_hash"`
	IssuedAt       *string `json:"issued_at"`
	KeyID          *string `json:"key_id"`
	PublicKey      *string `json:"public_key"`
	Signature      *string `json:"signature"`
}

// ParseReceipt reads a receipt file strictly: one JSON object of at most
// MaxReceiptSize bytes, no unknown or missing fields, every value in its
// canonical form. Errors are Invalid with the field named ("receipt" for
// the file as a whole). It does not check the signature (CheckSignature).
func ParseReceipt(b []byte) (*Receipt, error) {
	fe := FieldErrors{}
	if len(b) > MaxReceiptSize {
		fe.Add("receipt", MsgTooLong)
		return nil, fe.Err()
	}
	var f receiptFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			fe.Add(te.Field, MsgInvalid)
		} else {
			fe.Add("receipt", MsgInvalid)
		}
		return nil, fe.Err()
	}
	if _, err := dec.Token(); err != io.EOF {
		fe.Add("receipt", MsgInvalid) // trailing data
		return nil, fe.Err()
	}
	r := &Receipt{}
	str := func(field string, p *string, dst *string, ok func(string) bool) {
		switch {
		case p == nil || *p == "":
			fe.Add(field, MsgRequired)
		case !ok(*p):
			fe.Add(field, MsgInvalid)
		default:
			*dst = *p
		}
	}
	str("format", f.Format, &r.Format, func(s string) bool { return s == ReceiptFormat })
	str("installation_id", f.InstallationID, &r.InstallationID, func(s string) bool { return isToken(s, 64) })
	str("chain", f.Chain, &r.Chain, func(s string) bool { return s == "uses" })
	switch {
	case f.Count == nil:
		fe.Add("count", MsgRequired)
	case *f.Count < 0:
		fe.Add("count", MsgInvalid)
	default:
		r.Count = *f.Count
	}
	str("head_hash", f.HeadHash, &r.HeadHash, func(s string) bool { return isHex(s, 64) })
	var issued string
	str("issued_at", f.IssuedAt, &issued, func(s string) bool {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || t.Year() < 2000 || t.Year() > 9999 {
			return false
		}
		r.IssuedAt = t.UTC()
		return true
	})
	str("key_id", f.KeyID, &r.KeyID, func(s string) bool { return isHex(s, 16) })
	str("public_key", f.PublicKey, &r.PublicKey, func(s string) bool {
		b, err := base64.StdEncoding.Strict().DecodeString(s)
		return err == nil && len(b) == ed25519.PublicKeySize
	})
	str("signature", f.Signature, &r.Signature, func(s string) bool {
		b, err := base64.StdEncoding.Strict().DecodeString(s)
		return err == nil && len(b) == ed25519.SignatureSize
	})
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return r, nil
}

// isHex reports whether s is n lowercase hex digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// isToken reports whether s is 1..n characters of [A-Za-z0-9_-].
func isToken(s string, n int) bool {
	if len(s) == 0 || len(s) > n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// MarshalReceipt is the receipt file: indented JSON with a final newline.
func MarshalReceipt(r *Receipt) ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// EncodeAnchors is the canonical text of anchors: "seq:hash" joined by ",",
// in the given order (callers sort by seq).
func EncodeAnchors(as []Anchor) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = strconv.FormatInt(a.Seq, 10) + ":" + a.Hash
	}
	return strings.Join(parts, ",")
}

// DecodeAnchors reads EncodeAnchors' text.
func DecodeAnchors(s string) ([]Anchor, error) {
	if s == "" {
		return nil, nil
	}
	var out []Anchor
	for _, p := range strings.Split(s, ",") {
		seq, hash, ok := strings.Cut(p, ":")
		n, err := strconv.ParseInt(seq, 10, 64)
		if !ok || err != nil || n < 1 || !isHex(hash, 64) {
			return nil, fmt.Errorf("monitoring: bad anchor %q", p)
		}
		out = append(out, Anchor{Seq: n, Hash: hash})
	}
	return out, nil
}

// ChainFields are the fields of a checkpoint covered by its hash, in a
// fixed order (a storage format).
func (c *Checkpoint) ChainFields() []string {
	return []string{"checkpoint/v1", strconv.FormatInt(c.ID, 10), strconv.FormatInt(c.ThroughSeq, 10), c.ThroughHash,
		chainTime(c.Cutoff), chainTime(c.CreatedAt), strconv.FormatInt(c.Removed, 10), EncodeAnchors(c.Anchors), c.KeyID}
}

// Seal sets PrevHash and Hash given the previous checkpoint's hash.
func (c *Checkpoint) Seal(prev string) {
	c.PrevHash = prev
	c.Hash = ChainHash(prev, c.ChainFields()...)
}

// SigningPayload is what a checkpoint's signature covers: its hash (which
// covers every other field and the previous checkpoint) and the
// installation.
func (c *Checkpoint) SigningPayload(installationID string) []byte {
	return signingPayload("vaaka-checkpoint/1", installationID, c.Hash)
}

// Sign sets KeyID (covered by the hash), seals the checkpoint over prev and
// signs it.
func (c *Checkpoint) Sign(priv ed25519.PrivateKey, installationID, prev string) {
	c.KeyID = KeyIDOf(priv.Public().(ed25519.PublicKey))
	c.Seal(prev)
	c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(priv, c.SigningPayload(installationID)))
}

// CheckSignature verifies the checkpoint's hash over its fields and prev,
// and its signature with pub (whose id must be KeyID).
func (c *Checkpoint) CheckSignature(pub ed25519.PublicKey, installationID, prev string) error {
	if c.PrevHash != prev || ChainHash(prev, c.ChainFields()...) != c.Hash {
		return Errorf(Invalid, "checkpoint %d: hash does not verify", c.ID)
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(c.Signature)
	if KeyIDOf(pub) != c.KeyID || err != nil || len(sig) != ed25519.SignatureSize ||
		!ed25519.Verify(pub, c.SigningPayload(installationID), sig) {
		return ErrBadSignature
	}
	return nil
}

// NewChainVerifierFrom starts verifying the named chain after entry seq
// whose hash is hash (the retention checkpoint, R-LOG-2).
func NewChainVerifierFrom(chain string, seq int64, hash string) *ChainVerifier {
	v := NewChainVerifier(chain)
	v.lastSeq, v.prev = seq, hash
	return v
}

// Head returns the last entry verified (or the starting point) and its hash.
func (v *ChainVerifier) Head() (int64, string) { return v.lastSeq, v.prev }
