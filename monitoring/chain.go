package monitoring

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// GenesisHash is the previous hash of the first entry of every chain.
var GenesisHash = strings.Repeat("0", 64)

// ChainHash computes the hash of one chain entry: SHA-256 over the previous
// entry's hash (hex) and the entry's fields, each length-prefixed so that no
// two different field lists hash alike. This is the tamper evidence of the
// use log and the audit trail (R-LOG-1): changing, removing or reordering a
// row breaks the chain from that row on.
func ChainHash(prev string, fields ...string) string {
	var buf [512]byte
	b := appendChainField(buf[:0], prev)
	for _, f := range fields {
		b = appendChainField(b, f)
	}
	return chainSum(b)
}

// appendChainField appends s, length-prefixed, to a hash input.
func appendChainField[S string | []byte](b []byte, s S) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func chainSum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// chainTime is the canonical text of a time in a chain entry.
func chainTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// ChainFields are the fields of a use covered by its hash, in a fixed order.
// Changing this list changes every hash: it is a storage format.
func (u *Use) ChainFields() []string {
	flags := make([]string, len(u.Flags))
	for i, f := range u.Flags {
		flags[i] = string(f)
	}
	return []string{
		"use/v1",
		strconv.FormatInt(u.Seq, 10), u.ID, u.ExternalID, strconv.FormatInt(u.ActivityID, 10),
		u.RecordingRef, chainTime(u.CallStartedAt), string(u.Direction),
		strings.Join(u.EmployeeStaffIDs, "\x1f"), u.UsedBy, string(u.Action), u.Purpose, u.Note,
		chainTime(u.OccurredAt), chainTime(u.RecordedAt), string(u.Source), u.Corrects,
		strings.Join(flags, ","),
	}
}

// hash is ChainHash(prev, u.ChainFields()...), written without building
// the field list: the writer seals every use and verify checks every use
// of the log, so this is what 10M uses cost (TestUseHash_IsChainHash).
func (u *Use) hash(prev string) string {
	var buf [1024]byte
	var tmp [64]byte
	b := appendChainField(buf[:0], prev)
	b = appendChainField(b, "use/v1")
	b = appendChainField(b, strconv.AppendInt(tmp[:0], u.Seq, 10))
	b = appendChainField(b, u.ID)
	b = appendChainField(b, u.ExternalID)
	b = appendChainField(b, strconv.AppendInt(tmp[:0], u.ActivityID, 10))
	b = appendChainField(b, u.RecordingRef)
	b = appendChainField(b, appendChainTime(tmp[:0], u.CallStartedAt))
	b = appendChainField(b, string(u.Direction))
	b = appendChainJoin(b, u.EmployeeStaffIDs, '\x1f')
	b = appendChainField(b, u.UsedBy)
	b = appendChainField(b, string(u.Action))
	b = appendChainField(b, u.Purpose)
	b = appendChainField(b, u.Note)
	b = appendChainField(b, appendChainTime(tmp[:0], u.OccurredAt))
	b = appendChainField(b, appendChainTime(tmp[:0], u.RecordedAt))
	b = appendChainField(b, string(u.Source))
	b = appendChainField(b, u.Corrects)
	b = appendChainJoin(b, u.Flags, ',')
	return chainSum(b)
}

// appendChainTime appends chainTime(t).
func appendChainTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return b
	}
	return t.UTC().AppendFormat(b, time.RFC3339Nano)
}

// appendChainJoin appends strings.Join(xs, sep) as one field.
func appendChainJoin[S ~string](b []byte, xs []S, sep byte) []byte {
	n := max(len(xs)-1, 0)
	for _, x := range xs {
		n += len(x)
	}
	b = binary.AppendUvarint(b, uint64(n))
	for i, x := range xs {
		if i > 0 {
			b = append(b, sep)
		}
		b = append(b, x...)
	}
	return b
}

// Seal sets u.PrevHash and u.Hash given the previous entry's hash.
func (u *Use) Seal(prev string) {
	u.PrevHash = prev
	u.Hash = u.hash(prev)
}

// AuditEntry is one entry of the hash-chained audit trail: who did what to
// which entity, when, and what changed (a JSON document of the change).
type AuditEntry struct {
	Seq      int64
	At       time.Time
	Actor    string // user email, or "system"
	Action   string // e.g. "activity.created", "use_log.read"
	Entity   string // e.g. "activity"
	EntityID string
	Detail   string // JSON
	PrevHash string
	Hash     string
}

// ChainFields are the fields of an audit entry covered by its hash.
func (e *AuditEntry) ChainFields() []string {
	return []string{"audit/v1", strconv.FormatInt(e.Seq, 10), chainTime(e.At), e.Actor, e.Action, e.Entity, e.EntityID, e.Detail}
}

// Seal sets e.PrevHash and e.Hash given the previous entry's hash.
func (e *AuditEntry) Seal(prev string) {
	e.PrevHash = prev
	e.Hash = ChainHash(prev, e.ChainFields()...)
}

// ChainReport is the result of verifying one chain.
type ChainReport struct {
	Chain   string // "uses" or "audit"
	OK      bool
	Checked int64
	// FirstBad is the sequence number of the first entry that does not
	// verify (changed, or following a removed or reordered entry); 0 if OK.
	FirstBad int64
	Reason   string
}

// ChainVerifier checks a chain entry by entry in sequence order with
// constant memory. Feed it every entry; Report tells the result.
type ChainVerifier struct {
	r       ChainReport
	prev    string
	lastSeq int64
}

// NewChainVerifier starts verifying the named chain from its genesis.
func NewChainVerifier(chain string) *ChainVerifier {
	return &ChainVerifier{r: ChainReport{Chain: chain, OK: true}, prev: GenesisHash}
}

// Next checks one entry: its sequence number follows the previous one, its
// stored previous hash is the previous entry's hash, and its stored hash is
// the hash of its fields. It returns false at the first bad entry.
func (v *ChainVerifier) Next(seq int64, prevHash, hash string, fields []string) bool {
	return v.check(seq, prevHash, hash, func() string { return ChainHash(prevHash, fields...) })
}

// NextUse is Next for a use, with its fields as ChainFields gives them.
func (v *ChainVerifier) NextUse(u *Use) bool {
	return v.check(u.Seq, u.PrevHash, u.Hash, func() string { return u.hash(u.PrevHash) })
}

func (v *ChainVerifier) check(seq int64, prevHash, hash string, computed func() string) bool {
	if !v.r.OK {
		return false
	}
	fail := func(reason string) bool {
		v.r.OK, v.r.FirstBad, v.r.Reason = false, seq, reason
		return false
	}
	switch {
	case seq != v.lastSeq+1:
		return fail("gap")
	case prevHash != v.prev:
		return fail("prev_hash")
	case computed() != hash:
		return fail("hash")
	}
	v.prev, v.lastSeq = hash, seq
	v.r.Checked++
	return true
}

// Report returns the verification result so far.
func (v *ChainVerifier) Report() ChainReport { return v.r }
