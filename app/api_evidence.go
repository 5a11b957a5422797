package app

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// The evidence API (issue 5): legal holds on recordings (R-RET-2), chain
// receipts of the use log (R-LOG-1), the installation's signing keys and
// the retention of the log itself (R-LOG-2). Routes in routes_evidence.go.

// defaultLogRetentionDays is the log's retention when none is configured
// (two years, R-LOG-2).
const defaultLogRetentionDays = 730

// ---- legal holds ----

// apiHoldIn is the body of POST /recordings/{ref}/hold and /release.
type apiHoldIn struct {
	Reason string `json:"reason" required:"true" doc:"why the hold is set or released"`
}

// apiHoldJSON is one legal hold.
type apiHoldJSON struct {
	ID            int64   `json:"id"`
	RecordingRef  string  `json:"recording_ref"`
	Reason        string  `json:"reason"`
	SetBy         string  `json:"set_by"`
	SetAt         *string `json:"set_at" format:"date-time"`
	Active        bool    `json:"active" doc:"in force: the recording's deletion deadline is suspended"`
	ReleasedAt    *string `json:"released_at" format:"date-time" doc:"null while in force"`
	ReleasedBy    string  `json:"released_by"`
	ReleaseReason string  `json:"release_reason"`
}

func apiHoldOut(h *monitoring.Hold) apiHoldJSON {
	return apiHoldJSON{ID: h.ID, RecordingRef: h.RecordingRef, Reason: h.Reason, SetBy: h.SetBy, SetAt: apiTimeOut(h.SetAt),
		Active: h.Active(), ReleasedAt: apiTimeOut(h.ReleasedAt), ReleasedBy: h.ReleasedBy, ReleaseReason: h.ReleaseReason}
}

// apiHoldReason decodes the {"reason"} body; a missing reason is 422
// naming "reason" (the domain's check).
func apiHoldReason(c *fiber.Ctx) (string, error) {
	b, err := apiJsonBody(c)
	if err != nil {
		return "", err
	}
	var in apiHoldIn
	if err := apiDecodeStrict(b, &in, ""); err != nil {
		return "", err
	}
	if err := monitoring.ValidateHoldReason(in.Reason); err != nil {
		return "", err
	}
	return in.Reason, nil
}

// apiHoldSet puts a recording on legal hold (R-RET-2).
func (s *Server) apiHoldSet(c *fiber.Ctx) error {
	reason, err := apiHoldReason(c)
	if err != nil {
		return err
	}
	h, err := s.Holds.SetHold(c.UserContext(), principalOf(c).User.Email, apiPathParam(c, "ref"), reason)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusCreated, apiHoldOut(h))
}

// apiHoldRelease releases the hold in force (R-RET-2).
func (s *Server) apiHoldRelease(c *fiber.Ctx) error {
	reason, err := apiHoldReason(c)
	if err != nil {
		return err
	}
	h, err := s.Holds.ReleaseHold(c.UserContext(), principalOf(c).User.Email, apiPathParam(c, "ref"), reason)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiHoldOut(h))
}

// apiHoldList lists a recording's holds, newest first.
func (s *Server) apiHoldList(c *fiber.Ctx) error {
	hs, err := s.Holds.ListHolds(c.UserContext(), apiPathParam(c, "ref"))
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiPage[apiHoldJSON]{Items: apiNonNil(apiMap(hs, apiHoldOut))})
}

// ---- receipts ----

// apiReceiptFileJSON is a receipt exactly as its JSON file holds it
// (monitoring.Receipt; issued_at as the file writes it).
type apiReceiptFileJSON struct {
	Format         string `json:"format" enum:"vaaka-receipt/1" required:"true"`
	InstallationID string `json:"installation_id" required:"true"`
	Chain          string `json:"chain" enum:"uses" required:"true"`
	Count          int64  `json:"count" required:"true" doc:"entries ever appended to the use log; the head's position"`
	HeadHash       string `json:"head_hash" required:"true" doc:"hex SHA-256 of entry count"`
	IssuedAt       string `json:"issued_at" format:"date-time" required:"true"`
	KeyID          string `json:"key_id" required:"true"`
	PublicKey      string `json:"public_key" required:"true" doc:"base64 Ed25519 public key"`
	Signature      string `json:"signature" required:"true" doc:"base64 Ed25519 signature"`
}

// receiptFile is the receipt's file: the JSON of monitoring.Receipt,
// indented, as downloaded and as the API embeds it.
func receiptFile(r monitoring.Receipt) ([]byte, error) {
	return json.MarshalIndent(r, "", "  ")
}

func apiReceiptFileOut(r monitoring.Receipt) (apiReceiptFileJSON, error) {
	var out apiReceiptFileJSON
	b, err := json.Marshal(r)
	if err != nil {
		return out, err
	}
	err = json.Unmarshal(b, &out)
	return out, err
}

// apiReceiptJSON is an issued receipt.
type apiReceiptJSON struct {
	ID       int64              `json:"id"`
	IssuedBy string             `json:"issued_by" doc:"user email, or system for the weekly receipts"`
	Auto     bool               `json:"auto" doc:"issued by the weekly job for the representatives"`
	Receipt  apiReceiptFileJSON `json:"receipt" doc:"exactly the receipt file's JSON"`
}

func apiReceiptOut(r *monitoring.ReceiptRecord) (apiReceiptJSON, error) {
	f, err := apiReceiptFileOut(r.Receipt)
	return apiReceiptJSON{ID: r.ID, IssuedBy: r.IssuedBy, Auto: r.Auto, Receipt: f}, err
}

// apiReceiptIssueIn is the optional body of POST /receipts: an empty
// object (anything else is refused, so that no malformed request issues a
// receipt).
type apiReceiptIssueIn struct{}

// apiReceiptIssue signs the use log's head now (representative, dpo).
func (s *Server) apiReceiptIssue(c *fiber.Ctx) error {
	if len(bytes.TrimSpace(c.Body())) > 0 {
		b, err := apiJsonBody(c)
		if err != nil {
			return err
		}
		if err := apiDecodeStrict(b, &apiReceiptIssueIn{}, ""); err != nil {
			return err
		}
	}
	rec, err := s.Evidence.IssueReceipt(c.UserContext(), principalOf(c).User.Email, false)
	if err != nil {
		return err
	}
	out, err := apiReceiptOut(rec)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusCreated, out)
}

// apiReceiptList pages the issued receipts, newest first.
func (s *Server) apiReceiptList(c *fiber.Ctx) error {
	lp, err := apiParseList(c)
	if err != nil {
		return err
	}
	cur, err := lp.seqCursor()
	if err != nil {
		return err
	}
	rs, next, err := s.Evidence.ListReceipts(c.UserContext(), monitoring.ReceiptFilter{Cursor: cur, Limit: lp.Limit})
	if err != nil {
		return err
	}
	items := make([]apiReceiptJSON, 0, len(rs))
	for _, r := range rs {
		out, err := apiReceiptOut(r)
		if err != nil {
			return err
		}
		items = append(items, out)
	}
	return apiSendJSON(c, fiber.StatusOK, apiPage[apiReceiptJSON]{Items: items, NextCursor: apiEncodeSeqCursor(next)})
}

// apiReceiptGet is one issued receipt.
func (s *Server) apiReceiptGet(c *fiber.Ctx) error {
	id, err := apiPathID(c, "id")
	if err != nil {
		return err
	}
	rec, err := s.Evidence.FindReceipt(c.UserContext(), id)
	if err != nil {
		return err
	}
	out, err := apiReceiptOut(rec)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, out)
}

// parseReceiptFile reads a receipt file: malformed JSON, an unknown field
// or a wrong type is 400 naming the field; a value that cannot be a
// receipt is 422 naming the field.
func parseReceiptFile(b []byte) (*monitoring.Receipt, error) {
	var in apiReceiptFileJSON
	if err := apiDecodeStrict(b, &in, ""); err != nil {
		return nil, err
	}
	fe := monitoring.FieldErrors{}
	if in.Format == "" {
		fe.Add("format", monitoring.MsgRequired)
	} else if in.Format != monitoring.ReceiptFormat {
		fe.Add("format", monitoring.MsgUnknown)
	}
	if in.InstallationID == "" {
		fe.Add("installation_id", monitoring.MsgRequired)
	}
	if in.Chain == "" {
		fe.Add("chain", monitoring.MsgRequired)
	} else if in.Chain != "uses" {
		fe.Add("chain", monitoring.MsgUnknown)
	}
	if in.Count < 0 {
		fe.Add("count", monitoring.MsgInvalid)
	}
	if h, err := hex.DecodeString(in.HeadHash); in.HeadHash == "" {
		fe.Add("head_hash", monitoring.MsgRequired)
	} else if err != nil || len(h) != 32 {
		fe.Add("head_hash", monitoring.MsgInvalid)
	}
	var at time.Time
	if in.IssuedAt == "" {
		fe.Add("issued_at", monitoring.MsgRequired)
	} else if t, err := time.Parse(time.RFC3339Nano, in.IssuedAt); err != nil {
		fe.Add("issued_at", monitoring.MsgInvalid)
	} else {
		at = t
	}
	if in.KeyID == "" {
		fe.Add("key_id", monitoring.MsgRequired)
	}
	if k, err := base64.StdEncoding.DecodeString(in.PublicKey); in.PublicKey == "" {
		fe.Add("public_key", monitoring.MsgRequired)
	} else if err != nil || len(k) != 32 {
		fe.Add("public_key", monitoring.MsgInvalid)
	}
	if sig, err := base64.StdEncoding.DecodeString(in.Signature); in.Signature == "" {
		fe.Add("signature", monitoring.MsgRequired)
	} else if err != nil || len(sig) != 64 {
		fe.Add("signature", monitoring.MsgInvalid)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return &monitoring.Receipt{Format: in.Format, InstallationID: in.InstallationID, Chain: in.Chain, Count: in.Count,
		HeadHash: in.HeadHash, IssuedAt: at, KeyID: in.KeyID, PublicKey: in.PublicKey, Signature: in.Signature}, nil
}

// apiCheckpointJSON is a retention checkpoint of the use log (R-LOG-2).
type apiCheckpointJSON struct {
	ID          int64   `json:"id"`
	ThroughSeq  int64   `json:"through_seq" doc:"entries 1..through_seq were removed; the chain continues from through_hash"`
	ThroughHash string  `json:"through_hash"`
	Cutoff      *string `json:"cutoff" format:"date-time" doc:"entries recorded before this were due"`
	CreatedAt   *string `json:"created_at" format:"date-time"`
	Removed     int64   `json:"removed"`
	Anchors     int     `json:"anchors" doc:"receipt heads kept so that older receipts still verify"`
	KeyID       string  `json:"key_id"`
}

func apiCheckpointOut(cp *monitoring.Checkpoint) apiCheckpointJSON {
	return apiCheckpointJSON{ID: cp.ID, ThroughSeq: cp.ThroughSeq, ThroughHash: cp.ThroughHash, Cutoff: apiTimeOut(cp.Cutoff),
		CreatedAt: apiTimeOut(cp.CreatedAt), Removed: cp.Removed, Anchors: len(cp.Anchors), KeyID: cp.KeyID}
}

// apiReceiptCheckJSON is the result of verifying a receipt.
type apiReceiptCheckJSON struct {
	OK         bool               `json:"ok"`
	Reason     string             `json:"reason" enum:",format,signature,unknown_key,installation,chain,missing,head" doc:"why not; empty when ok"`
	FirstBad   int64              `json:"first_bad" doc:"the first entry that is not there unchanged; 0 when ok"`
	Checked    int64              `json:"checked"`
	Checkpoint *apiCheckpointJSON `json:"checkpoint" doc:"the retention checkpoint that covers the receipt's head, if any"`
}

func apiReceiptCheckOut(rc monitoring.ReceiptCheck) apiReceiptCheckJSON {
	out := apiReceiptCheckJSON{OK: rc.OK, Reason: rc.Reason, FirstBad: rc.FirstBad, Checked: rc.Checked}
	if rc.Checkpoint != nil {
		cp := apiCheckpointOut(rc.Checkpoint)
		out.Checkpoint = &cp
	}
	return out
}

// apiReceiptVerify checks an uploaded receipt file against the log.
func (s *Server) apiReceiptVerify(c *fiber.Ctx) error {
	b, err := apiJsonBody(c)
	if err != nil {
		return err
	}
	r, err := parseReceiptFile(b)
	if err != nil {
		return err
	}
	rc, err := s.Evidence.VerifyReceipt(c.UserContext(), r)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiReceiptCheckOut(rc))
}

// apiSigningKeyJSON is one of the installation's public keys.
type apiSigningKeyJSON struct {
	ID        string  `json:"id"`
	PublicKey string  `json:"public_key" doc:"base64 Ed25519 public key"`
	CreatedAt *string `json:"created_at" format:"date-time"`
	RetiredAt *string `json:"retired_at" format:"date-time" doc:"null for the current key"`
	Current   bool    `json:"current"`
}

func apiSigningKeyOut(k monitoring.SigningKey) apiSigningKeyJSON {
	return apiSigningKeyJSON{ID: k.ID, PublicKey: k.PublicKey, CreatedAt: apiTimeOut(k.CreatedAt), RetiredAt: apiTimeOut(k.RetiredAt), Current: k.RetiredAt.IsZero()}
}

func (s *Server) apiSigningKeys(c *fiber.Ctx) error {
	ks, err := s.Evidence.SigningKeys(c.UserContext())
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiPage[apiSigningKeyJSON]{Items: apiNonNil(apiMap(ks, apiSigningKeyOut))})
}

// logRetentionDays is the configured retention of the use log (R-LOG-2).
func (s *Server) logRetentionDays() int {
	if d := s.cfg.LogRetentionDays; d > 0 {
		return d
	}
	return defaultLogRetentionDays
}

// apiLogRetentionJSON is the log's retention setting and checkpoints.
type apiLogRetentionJSON struct {
	RetentionDays int                 `json:"retention_days" doc:"uses older than this are removed by the daily job (configurable)"`
	DefaultDays   int                 `json:"default_days"`
	Checkpoints   []apiCheckpointJSON `json:"checkpoints" doc:"newest first"`
}

func (s *Server) apiLogRetention(c *fiber.Ctx) error {
	cps, err := s.Evidence.Checkpoints(c.UserContext())
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiLogRetentionJSON{RetentionDays: s.logRetentionDays(), DefaultDays: defaultLogRetentionDays,
		Checkpoints: apiNonNil(apiMap(cps, apiCheckpointOut))})
}

func init() {
	apiOperations = append(apiOperations,
		apiOperation{method: "post", path: "/recordings/{ref}/hold", tag: "recordings", summary: "Put a recording on legal hold: its deletion deadline is suspended and it is not overdue (R-RET-2)",
			roles: "hr", scope: "recordings:write", body: []any{apiHoldIn{}}, status: 201, resp: apiHoldJSON{}, errors: []int{400, 404, 409, 413, 415, 422}},
		apiOperation{method: "post", path: "/recordings/{ref}/release", tag: "recordings", summary: "Release the legal hold in force, with a reason (R-RET-2)",
			roles: "hr", scope: "recordings:write", body: []any{apiHoldIn{}}, status: 200, resp: apiHoldJSON{}, errors: []int{400, 404, 409, 413, 415, 422}},
		apiOperation{method: "get", path: "/recordings/{ref}/holds", tag: "recordings", summary: "Every legal hold of a recording, newest first",
			roles: "hr, dpo", scope: "read", status: 200, resp: apiList{apiHoldJSON{}}, errors: []int{404}},
		apiOperation{method: "post", path: "/receipts", tag: "evidence", summary: "Issue a signed receipt of the use log's head now (R-LOG-1)",
			roles: "representative, dpo", scope: "read", body: []any{apiReceiptIssueIn{}}, status: 201, resp: apiReceiptJSON{}, errors: []int{400, 413, 415}},
		apiOperation{method: "get", path: "/receipts", tag: "evidence", summary: "The issued receipts, newest first (including the weekly automatic ones)",
			roles: "representative, dpo", scope: "read", query: []apiParam{oaLimit, oaCursor}, status: 200, resp: apiList{apiReceiptJSON{}}, errors: []int{400}},
		apiOperation{method: "get", path: "/receipts/{id}", tag: "evidence", summary: "One issued receipt",
			roles: "representative, dpo", scope: "read", status: 200, resp: apiReceiptJSON{}, errors: []int{404}},
		apiOperation{method: "post", path: "/receipts/verify", tag: "evidence", summary: "Verify a receipt file against the use log: ok, or the first entry that is not there unchanged (R-LOG-1, R-LOG-2)",
			roles: "representative, dpo, hr", scope: "read", body: []any{apiReceiptFileJSON{}}, status: 200, resp: apiReceiptCheckJSON{}, errors: []int{400, 413, 415, 422}},
		apiOperation{method: "get", path: "/signing-keys", tag: "evidence", summary: "The installation's public signing keys, newest first (retired keys are kept)",
			roles: "any signed-in user", scope: "read", status: 200, resp: apiList{apiSigningKeyJSON{}}},
		apiOperation{method: "get", path: "/log-retention", tag: "evidence", summary: "The use log's configured retention period and its retention checkpoints (R-LOG-2)",
			roles: "dpo", scope: "read", status: 200, resp: apiLogRetentionJSON{}},
	)
}
