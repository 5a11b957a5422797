package app

import (
	"bytes"
	"encoding/json"
	"slices"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// The use log (R-LOG-1): append-only, hash-chained. Ingest never refuses a
// real event for being non-compliant — it is recorded and flagged — only
// malformed input is refused, with the field named, and a batch is
// validated whole before anything is written.

// apiUseIn is one use of POST /uses.
type apiUseIn struct {
	ExternalID       string   `json:"external_id" doc:"the integration's idempotency key"`
	ActivityID       int64    `json:"activity_id" required:"true"`
	RecordingRef     string   `json:"recording_ref" required:"true"`
	CallStartedAt    string   `json:"call_started_at" format:"date-time" required:"true"`
	Direction        string   `json:"direction" enum:"inbound,outbound" required:"true"`
	EmployeeStaffIDs []string `json:"employee_staff_ids" required:"true"`
	UsedBy           string   `json:"used_by" doc:"email; defaults to the token's user"`
	Action           string   `json:"action" enum:"listened,evaluated,downloaded,shared,transcribed,exported" required:"true"`
	Purpose          string   `json:"purpose" doc:"a registered purpose code; absent: flagged purpose_missing"`
	Note             string   `json:"note"`
	OccurredAt       string   `json:"occurred_at" format:"date-time" required:"true"`
	Corrects         string   `json:"corrects" doc:"id of the use this entry corrects"`
}

// apiUseBatchIn documents the batch form of POST /uses.
type apiUseBatchIn struct {
	Uses []apiUseIn `json:"uses" required:"true" doc:"1 to 1000 uses"`
}

// toUse converts the DTO; bad times are collected in fe under prefix.
func (in *apiUseIn) toUse(fe monitoring.FieldErrors, prefix string) *monitoring.Use {
	return &monitoring.Use{
		ExternalID: in.ExternalID, ActivityID: in.ActivityID, RecordingRef: in.RecordingRef,
		CallStartedAt:    apiParseTimeField(fe, prefix+"call_started_at", in.CallStartedAt),
		Direction:        monitoring.Direction(in.Direction),
		EmployeeStaffIDs: in.EmployeeStaffIDs, UsedBy: in.UsedBy, Action: monitoring.Action(in.Action),
		Purpose: in.Purpose, Note: in.Note,
		OccurredAt: apiParseTimeField(fe, prefix+"occurred_at", in.OccurredAt),
		Corrects:   in.Corrects,
	}
}

// decodeUses decodes the body of POST /uses: one use object or
// {"uses": [...]} with 1 to 1000 uses. It reports whether the body was a
// batch. Errors are 400 (malformed JSON, a wrong type, an unknown field)
// or Invalid (empty or oversize batch, bad times), naming the field as
// "uses[i].field" in a batch and "field" otherwise. It is pure: nothing is
// looked up and nothing defaulted.
func decodeUses(b []byte) ([]*monitoring.Use, bool, error) {
	// The common request is one use: decoded in one pass. A batch, and
	// any body that does not decode, take the general path below, which
	// also words every error.
	var one struct {
		apiUseIn
		Uses json.RawMessage `json:"uses"`
	}
	if items, ok := batchItems(b); ok {
		if uses, ok, err := decodeBatchOnePass(items); ok {
			return uses, true, err
		}
		return decodeUsesGeneral(b)
	}
	if apiDecodeStrict(b, &one, "") == nil && one.Uses == nil {
		fe := monitoring.FieldErrors{}
		u := one.apiUseIn.toUse(fe, "")
		if err := fe.Err(); err != nil {
			return nil, false, err
		}
		return []*monitoring.Use{u}, false, nil
	}
	return decodeUsesGeneral(b)
}

// batchItems returns the text between {"uses": and the closing } of a body
// of that form (whitespace allowed where JSON allows it). Whether the text
// is one array and nothing more is for the decoder to find: for
// {"uses":[…],"x":1} it is not.
func batchItems(b []byte) ([]byte, bool) {
	t := bytes.TrimSpace(b)
	if len(t) < 2 || t[0] != '{' || t[len(t)-1] != '}' {
		return nil, false
	}
	inner := bytes.TrimSpace(t[1 : len(t)-1])
	rest, ok := bytes.CutPrefix(inner, []byte(`"uses"`))
	if !ok {
		return nil, false
	}
	rest, ok = bytes.CutPrefix(bytes.TrimSpace(rest), []byte(":"))
	return rest, ok
}

// decodeBatchOnePass decodes the items of a batch in one pass (issue
// "Performance": the general path scanned a 1000-use body five times).
// ok is false when the items are anything but an array of 1 to MaxBatch
// objects that decode: the general path then answers, and words the
// error. Each item decodes into the same struct, strictly, as there.
func decodeBatchOnePass(items []byte) (uses []*monitoring.Use, ok bool, err error) {
	var ins []*apiUseIn
	if apiDecodeStrict(items, &ins, "") != nil || len(ins) == 0 || len(ins) > monitoring.MaxBatch || slices.Contains(ins, nil) {
		return nil, false, nil
	}
	fe := monitoring.FieldErrors{}
	uses = make([]*monitoring.Use, len(ins))
	for i, in := range ins {
		uses[i] = in.toUse(fe, "uses["+itoa(i)+"].")
	}
	if err := fe.Err(); err != nil {
		return nil, true, err
	}
	return uses, true, nil
}

// decodeUsesGeneral decodes one use or a batch {"uses": [...]}, naming the
// field of every error.
func decodeUsesGeneral(b []byte) ([]*monitoring.Use, bool, error) {
	raws, batch, err := apiSplitBatch(b, "uses")
	if err != nil {
		return nil, batch, err
	}
	fe := monitoring.FieldErrors{}
	uses := make([]*monitoring.Use, 0, len(raws))
	for i, raw := range raws {
		prefix := ""
		if batch {
			prefix = "uses[" + itoa(i) + "]."
		}
		var in apiUseIn
		if err := apiDecodeStrict(raw, &in, prefix); err != nil {
			return nil, batch, err
		}
		uses = append(uses, in.toUse(fe, prefix))
	}
	if err := fe.Err(); err != nil {
		return nil, batch, err
	}
	return uses, batch, nil
}

// apiUseResultJSON is the answer for one use of an ingest request.
type apiUseResultJSON struct {
	ID         string   `json:"id"`
	ExternalID string   `json:"external_id"`
	Flags      []string `json:"flags" enum:"activity_not_active,unauthorized_user,purpose_not_registered,purpose_missing,employee_not_covered,employee_not_notified,retention_exceeded,recording_deleted"`
	Duplicate  bool     `json:"duplicate"`
}

type apiUseResultsJSON struct {
	Results []apiUseResultJSON `json:"results"`
}

// apiUseJSON is a use as the API shows it.
type apiUseJSON struct {
	ID               string   `json:"id"`
	ExternalID       string   `json:"external_id"`
	ActivityID       int64    `json:"activity_id"`
	RecordingRef     string   `json:"recording_ref"`
	CallStartedAt    *string  `json:"call_started_at" format:"date-time"`
	Direction        string   `json:"direction" enum:"inbound,outbound"`
	EmployeeStaffIDs []string `json:"employee_staff_ids"`
	UsedBy           string   `json:"used_by"`
	Action           string   `json:"action" enum:"listened,evaluated,downloaded,shared,transcribed,exported"`
	Purpose          string   `json:"purpose"`
	Note             string   `json:"note"`
	OccurredAt       *string  `json:"occurred_at" format:"date-time"`
	RecordedAt       *string  `json:"recorded_at" format:"date-time"`
	Source           string   `json:"source" enum:"web,api,import"`
	Corrects         string   `json:"corrects,omitempty"`
	Flags            []string `json:"flags" enum:"activity_not_active,unauthorized_user,purpose_not_registered,purpose_missing,employee_not_covered,employee_not_notified,retention_exceeded,recording_deleted"`
	Hash             string   `json:"hash" doc:"this entry's hash in the use log chain"`
}

func apiUseOut(u *monitoring.Use) apiUseJSON {
	return apiUseJSON{ID: u.ID, ExternalID: u.ExternalID, ActivityID: u.ActivityID, RecordingRef: u.RecordingRef,
		CallStartedAt: apiTimeOut(u.CallStartedAt), Direction: string(u.Direction), EmployeeStaffIDs: apiNonNil(u.EmployeeStaffIDs),
		UsedBy: u.UsedBy, Action: string(u.Action), Purpose: u.Purpose, Note: u.Note, OccurredAt: apiTimeOut(u.OccurredAt),
		RecordedAt: apiTimeOut(u.RecordedAt), Source: string(u.Source), Corrects: u.Corrects, Flags: apiStrs(u.Flags), Hash: u.Hash}
}

func (s *Server) apiUseCreate(c *fiber.Ctx) error {
	b, err := apiJsonBody(c)
	if err != nil {
		return err
	}
	uses, batch, err := decodeUses(b)
	if err != nil {
		return err
	}
	p := principalOf(c)
	for _, u := range uses {
		if u.UsedBy == "" {
			u.UsedBy = p.User.Email
		}
		u.Source = monitoring.SourceAPI
	}
	rs, err := s.Uses.RecordUses(c.UserContext(), uses)
	if err != nil {
		return apiRekeyBatch(err, "uses", batch)
	}
	out := apiUseResultsJSON{Results: make([]apiUseResultJSON, 0, len(rs))}
	for _, r := range rs {
		out.Results = append(out.Results, apiUseResultJSON{ID: r.Use.ID, ExternalID: r.Use.ExternalID, Flags: apiStrs(r.Use.Flags), Duplicate: r.Duplicate})
	}
	return apiSendJSON(c, fiber.StatusCreated, out)
}

// apiUseScope is what the principal may see of the use log (COMMON table):
// hr and dpo everything; a supervisor the uses they made; an employee the
// uses of their own calls; anyone else nothing.
type apiUseScope struct {
	all        bool
	usedBy     string // supervisor: only uses made by this email
	staffID    string // employee: only uses of this staff id
	supervisor bool
	employee   bool
}

func apiScopeOf(u *monitoring.User) apiUseScope {
	return apiUseScope{
		all:        u.HasAny(monitoring.RoleHR, monitoring.RoleDPO),
		supervisor: u.Has(monitoring.RoleSupervisor),
		employee:   u.Has(monitoring.RoleEmployee) && u.StaffID != "",
		usedBy:     u.Email,
		staffID:    u.StaffID,
	}
}

// canSee reports whether the principal may see use u (row level).
func (sc apiUseScope) canSee(u *monitoring.Use) bool {
	switch {
	case sc.all:
		return true
	case sc.supervisor && apiEqualFold(u.UsedBy, sc.usedBy):
		return true
	case sc.employee && slices.Contains(u.EmployeeStaffIDs, sc.staffID):
		return true
	}
	return false
}

func apiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// apiUseList lists uses with the row-level rules applied: a supervisor is
// held to their own uses, an employee to their own staff id; asking for
// more is a 403. A read of an individual's log by anyone but that
// individual goes to the audit trail (R-LOG-1).
func (s *Server) apiUseList(c *fiber.Ctx) error {
	lp, err := apiParseList(c)
	if err != nil {
		return err
	}
	cur, err := lp.seqCursor()
	if err != nil {
		return err
	}
	f := monitoring.UseFilter{EmployeeStaffID: c.Query("employee"), UsedBy: c.Query("used_by"), Cursor: cur, Limit: lp.Limit}
	if f.ActivityID, err = apiQueryInt64(c, "activity"); err != nil {
		return err
	}
	if fl := monitoring.Flag(c.Query("flag")); fl != "" {
		if !fl.Valid() {
			return errBadField("flag", monitoring.MsgUnknown)
		}
		f.Flag = fl
	}
	if f.From, err = apiQueryTime(c, "from"); err != nil {
		return err
	}
	if f.To, err = apiQueryTime(c, "to"); err != nil {
		return err
	}
	p := principalOf(c)
	sc := apiScopeOf(p.User)
	switch {
	case sc.all:
	case sc.employee && f.EmployeeStaffID == sc.staffID && f.UsedBy == "":
		// An employee reading their own log.
	case sc.supervisor:
		if f.UsedBy != "" && !apiEqualFold(f.UsedBy, sc.usedBy) {
			return errForbidden
		}
		f.UsedBy = sc.usedBy
	case sc.employee:
		if f.EmployeeStaffID != "" && f.EmployeeStaffID != sc.staffID {
			return errForbidden
		}
		if f.UsedBy != "" {
			return errForbidden
		}
		f.EmployeeStaffID = sc.staffID
	default:
		// An employee role without a linked staff id has no log to see.
		if p.User.Has(monitoring.RoleEmployee) && f.EmployeeStaffID == "" && f.UsedBy == "" {
			return apiSendJSON(c, fiber.StatusOK, apiPage[apiUseJSON]{Items: []apiUseJSON{}})
		}
		return errForbidden
	}
	if f.EmployeeStaffID != "" && f.EmployeeStaffID != p.User.StaffID {
		// R-LOG-1: reading another person's use log is itself recorded.
		detail := map[string]any{"filter": apiUseFilterDetail(f)}
		if err := s.Audit.Record(c.UserContext(), p.User.Email, "use_log.read", "employee", f.EmployeeStaffID, detail); err != nil {
			return err
		}
	}
	return s.apiSendUses(c, f)
}

func apiUseFilterDetail(f monitoring.UseFilter) map[string]any {
	d := map[string]any{"employee": f.EmployeeStaffID}
	if f.ActivityID != 0 {
		d["activity"] = f.ActivityID
	}
	if f.Flag != "" {
		d["flag"] = string(f.Flag)
	}
	if f.UsedBy != "" {
		d["used_by"] = f.UsedBy
	}
	if !f.From.IsZero() {
		d["from"] = *apiTimeOut(f.From)
	}
	if !f.To.IsZero() {
		d["to"] = *apiTimeOut(f.To)
	}
	return d
}

func (s *Server) apiSendUses(c *fiber.Ctx, f monitoring.UseFilter) error {
	us, next, err := s.Uses.ListUses(c.UserContext(), f)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiPage[apiUseJSON]{Items: apiMap(us, apiUseOut), NextCursor: apiEncodeSeqCursor(next)})
}

// apiUseGet answers one use if the principal may see it, 404 otherwise (its
// existence is not revealed). A read by anyone but the monitored employee
// is recorded (R-LOG-1).
func (s *Server) apiUseGet(c *fiber.Ctx) error {
	id := c.Params("id")
	if !monitoring.ValidUUID(id) {
		return apiErrNotFound
	}
	u, err := s.Uses.FindUse(c.UserContext(), id)
	if err != nil {
		return err
	}
	p := principalOf(c)
	if !apiScopeOf(p.User).canSee(u) {
		return apiErrNotFound
	}
	if p.User.StaffID == "" || !slices.Contains(u.EmployeeStaffIDs, p.User.StaffID) {
		detail := map[string]any{"employees": u.EmployeeStaffIDs}
		if err := s.Audit.Record(c.UserContext(), p.User.Email, "use_log.read", "use", u.ID, detail); err != nil {
			return err
		}
	}
	return apiSendJSON(c, fiber.StatusOK, apiUseOut(u))
}

// apiUseImmutable answers PUT, PATCH and DELETE on a use: the log is
// append-only; a mistake is corrected by a new entry that names it in
// "corrects".
func (s *Server) apiUseImmutable(c *fiber.Ctx) error {
	c.Set(fiber.HeaderAllow, "GET")
	return apiErrNotAllowed
}

// apiMeUses (GET /me/uses) lives in api_me.go with the rest of the
// principal's own data.
