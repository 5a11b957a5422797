package app

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"vaaka/app/pdf"
	"vaaka/monitoring"
)

// The evidence pages (issue 5): legal holds on the recordings page
// (R-RET-2), the receipts of the use log with their JSON and PDF
// downloads and the verification form (R-LOG-1), and the log's retention
// (R-LOG-2). Routes in routes_evidence.go.

func init() { pageNames = append(pageNames, "receipts", "receipt_verify", "log_retention") }

// ---- legal holds on /recordings ----

// recordingHolds fills the holds in force of the ledger page's recordings.
func (s *Server) recordingHolds(c *fiber.Ctx, d *recordingsData) error {
	if s.Holds == nil {
		return nil
	}
	var refs []string
	for _, r := range d.Items {
		if r.OnHold {
			refs = append(refs, r.Ref)
		}
	}
	if len(refs) == 0 {
		return nil
	}
	hs, err := s.Holds.ActiveHolds(c.UserContext(), refs)
	if err != nil {
		return err
	}
	d.Holds = hs
	return nil
}

// holdFieldName is the form control of a recording's hold or release
// reason (unique per row of the ledger).
func holdFieldName(ref string) string { return "hold_reason_" + ref }

// handleHoldSet puts a recording on legal hold from the ledger page.
func (s *Server) handleHoldSet(c *fiber.Ctx) error { return s.handleHold(c, true) }

// handleHoldRelease releases a recording's hold from the ledger page.
func (s *Server) handleHoldRelease(c *fiber.Ctx) error { return s.handleHold(c, false) }

func (s *Server) handleHold(c *fiber.Ctx, set bool) error {
	ref, reason := formVal(c, "ref"), formVal(c, "reason")
	if ref == "" {
		return errBadField("ref", monitoring.MsgRequired)
	}
	overdue := formVal(c, "overdue") != ""
	var err error
	if set {
		_, err = s.Holds.SetHold(c.UserContext(), principalOf(c).User.Email, ref, reason)
	} else {
		_, err = s.Holds.ReleaseHold(c.UserContext(), principalOf(c).User.Email, ref, reason)
	}
	back := func(flash string) error {
		q := url.Values{"flash": {flash}}
		if overdue {
			q.Set("overdue", "1")
		}
		return c.Redirect("/recordings?"+q.Encode(), fiber.StatusSeeOther)
	}
	if fields, ok := webFields(err); ok {
		return s.renderRecordingsHoldError(c, ref, set, reason, overdue, fields)
	}
	switch {
	case err == nil && set:
		return back("hold_set")
	case err == nil:
		return back("hold_released")
	case monitoring.ErrorCodeOf(err) == monitoring.Conflict && set:
		return back("hold_conflict")
	case monitoring.ErrorCodeOf(err) == monitoring.Conflict:
		return back("hold_not_held")
	}
	return err
}

// renderRecordingsHoldError shows the ledger again with the reason's error
// next to the recording's form (422).
func (s *Server) renderRecordingsHoldError(c *fiber.Ctx, ref string, set bool, reason string, overdue bool, fields map[string]string) error {
	now := s.Now()
	f := monitoring.RecordingFilter{Limit: 50, Overdue: overdue}
	items, next, err := s.Recordings.ListRecordings(c.UserContext(), f, now)
	if err != nil {
		return err
	}
	// The recording in question stays on the page even when it is not on
	// the first page of the list.
	found := false
	for _, r := range items {
		found = found || r.Ref == ref
	}
	if !found {
		r, err := s.Recordings.FindRecording(c.UserContext(), ref)
		if err != nil {
			return err
		}
		items = append([]*monitoring.Recording{r}, items...)
	}
	d := recordingsData{Items: items, Overdue: overdue, Next: next, Now: now, HoldRef: ref, HoldReason: reason, HoldSet: set}
	if next != "" {
		q := url.Values{"cursor": {next}}
		if overdue {
			q.Set("overdue", "1")
		}
		d.NextURL = "/recordings?" + q.Encode()
	}
	if err := s.recordingHolds(c, &d); err != nil {
		return err
	}
	p := s.newPage(c, "web.recordings.title")
	label := s.i18n.T(p.Lang, "web.evidence.hold.reason")
	s.putErrors(p, fields, func(string) string { return holdFieldName(ref) }, func(string, string) string { return label })
	p.Data = d
	return s.render(c, fiber.StatusUnprocessableEntity, "recordings", p)
}

// ---- receipts ----

// receiptsData is the receipts page.
type receiptsData struct {
	Items   []*monitoring.ReceiptRecord
	Keys    []monitoring.SigningKey
	NextURL string
}

// handleReceipts lists the issued receipts with their downloads.
func (s *Server) handleReceipts(c *fiber.Ctx) error {
	cursor, err := webCursor(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	items, next, err := s.Evidence.ListReceipts(ctx, monitoring.ReceiptFilter{Cursor: cursor, Limit: 50})
	if err != nil {
		return err
	}
	keys, err := s.Evidence.SigningKeys(ctx)
	if err != nil {
		return err
	}
	d := receiptsData{Items: items, Keys: keys}
	if next > 0 {
		d.NextURL = "/receipts?cursor=" + strconv.FormatInt(next, 10)
	}
	p := s.newPage(c, "web.evidence.receipts.title")
	p.Data = d
	return s.render(c, fiber.StatusOK, "receipts", p)
}

// handleReceiptIssue signs the log's head now (the form sends issue=1).
func (s *Server) handleReceiptIssue(c *fiber.Ctx) error {
	if c.FormValue("issue") != "1" { // the form's own field: nothing else issues
		return errBadField("issue", monitoring.MsgRequired)
	}
	if _, err := s.Evidence.IssueReceipt(c.UserContext(), principalOf(c).User.Email, false); err != nil {
		return err
	}
	return c.Redirect("/receipts?flash=receipt_issued", fiber.StatusSeeOther)
}

// loadReceipt reads the receipt of the :id path parameter (404 when bad).
func (s *Server) loadReceipt(c *fiber.Ctx) (*monitoring.ReceiptRecord, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, fiber.ErrNotFound
	}
	return s.Evidence.FindReceipt(c.UserContext(), id)
}

// handleReceiptJSON downloads the receipt file, exactly the signed JSON.
func (s *Server) handleReceiptJSON(c *fiber.Ctx) error {
	rec, err := s.loadReceipt(c)
	if err != nil {
		return err
	}
	b, err := receiptFile(rec.Receipt)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+receiptFileName(rec)+`.json"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(append(b, '\n'))
}

// receiptFileName names a receipt's downloads.
func receiptFileName(rec *monitoring.ReceiptRecord) string {
	return "vaaka-receipt-" + strconv.FormatInt(rec.ID, 10) + "-" + rec.Receipt.IssuedAt.UTC().Format("20060102")
}

// handleReceiptPDF: the receipt as a one-page PDF printing the same data.
func (s *Server) handleReceiptPDF(c *fiber.Ctx) error {
	rec, err := s.loadReceipt(c)
	if err != nil {
		return err
	}
	o, _, err := s.docOptions(c)
	if err != nil {
		return err
	}
	file, err := receiptFile(rec.Receipt)
	if err != nil {
		return err
	}
	s.addUserName(c.UserContext(), o.Names, rec.IssuedBy)
	o.DocID = pdf.ReceiptID(rec.ID)
	var buf bytes.Buffer
	if err := pdf.Receipt(&buf, pdf.ReceiptDoc{ID: rec.ID, IssuedBy: rec.IssuedBy, Auto: rec.Auto, Receipt: rec.Receipt, File: string(file)}, o); err != nil {
		return err
	}
	return sendPDF(c, o.DocID, &buf)
}

// ---- verification ----

// verifyData is the verification page: the form, and after an upload the
// result in plain words.
type verifyData struct {
	Checked  bool
	Receipt  *monitoring.Receipt
	Check    monitoring.ReceiptCheck
	Message  string // the result in plain words
	CheckpAt string // the covering checkpoint's date, when one covers it
}

func (s *Server) handleReceiptVerifyForm(c *fiber.Ctx) error {
	p := s.newPage(c, "web.evidence.verify.title")
	p.Data = verifyData{}
	return s.render(c, fiber.StatusOK, "receipt_verify", p)
}

// handleReceiptVerify checks an uploaded receipt file (or pasted JSON).
func (s *Server) handleReceiptVerify(c *fiber.Ctx) error {
	var content []byte
	if fh, err := c.FormFile("file"); err == nil {
		f, err := fh.Open()
		if err != nil {
			return errBadField("file", monitoring.MsgInvalid)
		}
		content, err = io.ReadAll(io.LimitReader(f, 64<<10))
		f.Close()
		if err != nil {
			return errBadField("file", monitoring.MsgInvalid)
		}
	}
	if len(bytes.TrimSpace(content)) == 0 {
		content = []byte(c.FormValue("content"))
	}
	p := s.newPage(c, "web.evidence.verify.title")
	fail := func(key string, kv ...string) error {
		s.putErrors(p, map[string]string{"file": key}, nil, func(string, string) string { return s.i18n.T(p.Lang, "web.evidence.verify.file") })
		if key != monitoring.MsgRequired {
			msg := s.i18n.T(p.Lang, "web.evidence.verify.bad_file", kv...)
			p.Errors["file"] = msg
			p.Summary[0].Message = msg
		}
		p.Data = verifyData{}
		return s.render(c, fiber.StatusUnprocessableEntity, "receipt_verify", p)
	}
	if len(bytes.TrimSpace(content)) == 0 {
		return fail(monitoring.MsgRequired)
	}
	r, err := parseReceiptFile(content)
	if err != nil {
		var br *badRequest
		field := ""
		if errors.As(err, &br) {
			field = br.field
		} else if fields, ok := webFields(err); ok {
			for f := range fields {
				if field == "" || f < field {
					field = f
				}
			}
		} else {
			return err
		}
		if field == "" || field == "body" {
			field = "JSON"
		}
		return fail(monitoring.MsgInvalid, "field", field)
	}
	rc, err := s.Evidence.VerifyReceipt(c.UserContext(), r)
	if err != nil {
		return err
	}
	d := verifyData{Checked: true, Receipt: r, Check: rc}
	count := strconv.FormatInt(r.Count, 10)
	first := strconv.FormatInt(rc.FirstBad, 10)
	switch {
	case rc.OK && rc.Checkpoint != nil:
		d.CheckpAt = webFormatDate(p.Lang, rc.Checkpoint.CreatedAt.In(s.views.location()))
		d.Message = s.i18n.T(p.Lang, "web.evidence.verify.ok_checkpoint", "count", count, "date", d.CheckpAt,
			"through", strconv.FormatInt(rc.Checkpoint.ThroughSeq, 10))
	case rc.OK:
		d.Message = s.i18n.T(p.Lang, "web.evidence.verify.ok", "count", count)
	default:
		key := "web.evidence.verify.reason." + rc.Reason
		if !s.i18n.Has(key) {
			key = "web.evidence.verify.reason.other"
		}
		d.Message = s.i18n.T(p.Lang, key, "entry", first, "count", count)
	}
	p.Data = d
	return s.render(c, fiber.StatusOK, "receipt_verify", p)
}

// ---- the log's retention (R-LOG-2) ----

// logRetentionData is the DPO's page on the log's own retention.
type logRetentionData struct {
	Days        int
	Default     bool
	Checkpoints []*monitoring.Checkpoint
}

func (s *Server) handleLogRetention(c *fiber.Ctx) error {
	cps, err := s.Evidence.Checkpoints(c.UserContext())
	if err != nil {
		return err
	}
	p := s.newPage(c, "web.evidence.retention.title")
	days := s.logRetentionDays()
	p.Data = logRetentionData{Days: days, Default: days == defaultLogRetentionDays, Checkpoints: cps}
	return s.render(c, fiber.StatusOK, "log_retention", p)
}

// ---- the representatives' portal ----

// latestReceipts are the newest receipts for the representatives' portal
// (the weekly automatic ones among them); none without the service.
func (s *Server) latestReceipts(c *fiber.Ctx) ([]*monitoring.ReceiptRecord, error) {
	if s.Evidence == nil {
		return nil, nil
	}
	rs, _, err := s.Evidence.ListReceipts(c.UserContext(), monitoring.ReceiptFilter{Limit: 5})
	return rs, err
}
