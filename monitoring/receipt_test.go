package monitoring

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"
)

func testReceipt(t testing.TB) (*Receipt, ed25519.PrivateKey) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	r := &Receipt{Format: ReceiptFormat, InstallationID: "0123456789abcdef0123456789abcdef", Chain: "uses", Count: 42,
		HeadHash: strings.Repeat("ab", 32), IssuedAt: time.Date(2026, 11, 27, 10, 0, 0, 123, time.UTC)}
	r.Sign(priv)
	return r, priv
}

func TestReceipt_SignRoundTrip_R_LOG_1(t *testing.T) {
	r, _ := testReceipt(t)
	if err := r.CheckSignature(); err != nil {
		t.Fatal(err)
	}
	b, err := MarshalReceipt(r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseReceipt(b)
	if err != nil {
		t.Fatal(err)
	}
	if *got != *r {
		t.Errorf("round trip: %+v, want %+v", got, r)
	}
	if err := got.CheckSignature(); err != nil {
		t.Fatal(err)
	}
}

// TestReceipt_Forged_R_LOG_1: any changed field, another key, or a KeyID
// not naming the key breaks the signature.
func TestReceipt_Forged_R_LOG_1(t *testing.T) {
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	for name, change := range map[string]func(r *Receipt){
		"count":        func(r *Receipt) { r.Count++ },
		"head":         func(r *Receipt) { r.HeadHash = strings.Repeat("cd", 32) },
		"time":         func(r *Receipt) { r.IssuedAt = r.IssuedAt.Add(time.Second) },
		"installation": func(r *Receipt) { r.InstallationID = "x" },
		"key id":       func(r *Receipt) { r.KeyID = "0000000000000000" },
		"other key":    func(r *Receipt) { s := r.Signature; r.Sign(other); r.Signature = s },
		"bad base64":   func(r *Receipt) { r.Signature = "!!" },
	} {
		r, _ := testReceipt(t)
		change(r)
		if err := r.CheckSignature(); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: err = %v, want bad signature", name, err)
		}
	}
}

func TestSigningPayload_Unambiguous(t *testing.T) {
	a := signingPayload("ab", "c")
	b := signingPayload("a", "bc")
	if string(a) == string(b) {
		t.Error("length prefixes missing")
	}
}

func TestParseReceipt_Invalid(t *testing.T) {
	r, _ := testReceipt(t)
	good, _ := MarshalReceipt(r)
	for _, c := range []struct {
		name, in, field string
	}{
		{"empty", ``, "receipt"},
		{"not json", `hello`, "receipt"},
		{"array", `[]`, "receipt"},
		{"trailing", string(good) + `{}`, "receipt"},
		{"unknown field", strings.Replace(string(good), `"chain"`, `"extra": 1, "chain"`, 1), "receipt"},
		{"too large", `{"format":"` + strings.Repeat("x", MaxReceiptSize) + `"}`, "receipt"},
		{"wrong format", strings.Replace(string(good), ReceiptFormat, "vaaka-receipt/9", 1), "format"},
		{"count string", strings.Replace(string(good), `"count": 42`, `"count": "42"`, 1), "count"},
		{"negative count", strings.Replace(string(good), `"count": 42`, `"count": -1`, 1), "count"},
		{"missing count", strings.Replace(string(good), `"count": 42,`, ``, 1), "count"},
		{"upper hex", strings.Replace(string(good), strings.Repeat("ab", 32), strings.Repeat("AB", 32), 1), "head_hash"},
		{"bad time", strings.Replace(string(good), "2026-11-27T10:00:00.000000123Z", "yesterday", 1), "issued_at"},
		{"short key", strings.Replace(string(good), r.PublicKey, "AAAA", 1), "public_key"},
		{"null signature", strings.Replace(string(good), `"`+r.Signature+`"`, `null`, 1), "signature"},
	} {
		_, err := ParseReceipt([]byte(c.in))
		var e *Error
		if !errors.As(err, &e) || e.Code != Invalid || e.Fields[c.field] == "" {
			t.Errorf("%s: err = %v, want invalid %s", c.name, err, c.field)
		}
	}
}

func TestCheckpoint_SignAndChain_R_LOG_2(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	pub := priv.Public().(ed25519.PublicKey)
	c := &Checkpoint{ID: 1, ThroughSeq: 10, ThroughHash: strings.Repeat("1", 64), Cutoff: time.Unix(100, 0).UTC(),
		CreatedAt: time.Unix(200, 0).UTC(), Removed: 10, Anchors: []Anchor{{5, strings.Repeat("5", 64)}}}
	c.Sign(priv, "inst", GenesisHash)
	if err := c.CheckSignature(pub, "inst", GenesisHash); err != nil {
		t.Fatal(err)
	}
	if err := c.CheckSignature(pub, "other", GenesisHash); err == nil {
		t.Error("another installation verified")
	}
	c.Anchors[0].Hash = strings.Repeat("6", 64)
	if err := c.CheckSignature(pub, "inst", GenesisHash); err == nil {
		t.Error("changed anchor verified")
	}
	as, err := DecodeAnchors(EncodeAnchors([]Anchor{{1, strings.Repeat("a", 64)}, {3, strings.Repeat("b", 64)}}))
	if err != nil || len(as) != 2 || as[1].Seq != 3 {
		t.Errorf("anchors = %v, %v", as, err)
	}
}

func TestChainVerifierFrom_R_LOG_2(t *testing.T) {
	v := NewChainVerifierFrom("uses", 10, GenesisHash)
	if v.Next(12, GenesisHash, ChainHash(GenesisHash, "x"), []string{"x"}) || v.Report().Reason != "gap" {
		t.Errorf("report = %+v, want gap", v.Report())
	}
	v = NewChainVerifierFrom("uses", 10, GenesisHash)
	h := ChainHash(GenesisHash, "x")
	if !v.Next(11, GenesisHash, h, []string{"x"}) {
		t.Fatalf("report = %+v", v.Report())
	}
	if seq, hash := v.Head(); seq != 11 || hash != h {
		t.Errorf("head = %d %s", seq, hash)
	}
}

// FuzzParseReceipt: no input panics; what parses is valid and marshals
// back to a receipt that parses to the same value.
func FuzzParseReceipt(f *testing.F) {
	r, _ := testReceipt(f)
	good, _ := MarshalReceipt(r)
	f.Add(good)
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParseReceipt(b)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != Invalid || len(e.Fields) == 0 {
				t.Fatalf("error %v is not Invalid with fields", err)
			}
			return
		}
		out, err := MarshalReceipt(got)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseReceipt(out)
		if err != nil || *again != *got {
			t.Fatalf("re-parse: %+v, %v", again, err)
		}
	})
}
