package app

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// The recording retention ledger (R-RET-2).

// apiRecordingIn is one recording of POST /recordings.
type apiRecordingIn struct {
	Ref             string `json:"ref" required:"true"`
	CallStartedAt   string `json:"call_started_at" format:"date-time" required:"true"`
	Direction       string `json:"direction" enum:"inbound,outbound" required:"true"`
	ActivityID      int64  `json:"activity_id" required:"true"`
	EmployeeStaffID string `json:"employee_staff_id"`
}

// apiRecordingBatchIn documents the batch form of POST /recordings.
type apiRecordingBatchIn struct {
	Recordings []apiRecordingIn `json:"recordings" required:"true" doc:"1 to 1000 recordings"`
}

// apiRecordingJSON is a ledger entry as the API shows it.
type apiRecordingJSON struct {
	Ref             string  `json:"ref"`
	CallStartedAt   *string `json:"call_started_at" format:"date-time"`
	Direction       string  `json:"direction" enum:"inbound,outbound"`
	ActivityID      int64   `json:"activity_id"`
	EmployeeStaffID string  `json:"employee_staff_id"`
	DeletionDue     *string `json:"deletion_due" format:"date-time" doc:"call start + retention; null without a period"`
	DeletedAt       *string `json:"deleted_at" format:"date-time"`
	DeletedBy       string  `json:"deleted_by"`
	FirstSeenAt     *string `json:"first_seen_at" format:"date-time"`
	Source          string  `json:"source" enum:"api,web,use"`
	Overdue         bool    `json:"overdue" doc:"past its deletion deadline and not deleted (never while on hold)"`
	// R-RET-2: a legal hold suspends the deletion deadline (api_evidence.go).
	OnHold            bool `json:"on_hold" doc:"a legal hold is in force"`
	DeletionSuspended bool `json:"deletion_suspended" doc:"the deletion deadline is suspended by a legal hold"`
}

func (s *Server) apiRecordingOut(r *monitoring.Recording) apiRecordingJSON {
	return apiRecordingJSON{Ref: r.Ref, CallStartedAt: apiTimeOut(r.CallStartedAt), Direction: string(r.Direction),
		ActivityID: r.ActivityID, EmployeeStaffID: r.EmployeeStaffID, DeletionDue: apiTimeOut(r.DeletionDue),
		DeletedAt: apiTimeOut(r.DeletedAt), DeletedBy: r.DeletedBy, FirstSeenAt: apiTimeOut(r.FirstSeenAt),
		Source: r.Source, Overdue: r.Overdue(s.Now()), OnHold: r.OnHold, DeletionSuspended: r.OnHold && r.DeletedAt.IsZero()}
}

// apiDecodeRecordings decodes one recording or {"recordings": [...]}.
func apiDecodeRecordings(b []byte) ([]*monitoring.Recording, bool, error) {
	raws, batch, err := apiSplitBatch(b, "recordings")
	if err != nil {
		return nil, batch, err
	}
	fe := monitoring.FieldErrors{}
	rs := make([]*monitoring.Recording, 0, len(raws))
	for i, raw := range raws {
		prefix := ""
		if batch {
			prefix = "recordings[" + itoa(i) + "]."
		}
		var in apiRecordingIn
		if err := apiDecodeStrict(raw, &in, prefix); err != nil {
			return nil, batch, err
		}
		rs = append(rs, &monitoring.Recording{Ref: in.Ref, CallStartedAt: apiParseTimeField(fe, prefix+"call_started_at", in.CallStartedAt),
			Direction: monitoring.Direction(in.Direction), ActivityID: in.ActivityID, EmployeeStaffID: in.EmployeeStaffID, Source: "api"})
	}
	if err := fe.Err(); err != nil {
		return nil, batch, err
	}
	return rs, batch, nil
}

func (s *Server) apiRecordingCreate(c *fiber.Ctx) error {
	b, err := apiJsonBody(c)
	if err != nil {
		return err
	}
	rs, batch, err := apiDecodeRecordings(b)
	if err != nil {
		return err
	}
	p := principalOf(c)
	got, err := s.Recordings.RegisterRecordings(c.UserContext(), p.User.Email, rs)
	if err != nil {
		return apiRekeyBatch(err, "recordings", batch)
	}
	return apiSendJSON(c, fiber.StatusCreated, apiPage[apiRecordingJSON]{Items: apiMap(got, s.apiRecordingOut)})
}

func (s *Server) apiRecordingList(c *fiber.Ctx) error {
	lp, err := apiParseList(c)
	if err != nil {
		return err
	}
	f := monitoring.RecordingFilter{Cursor: lp.Cursor, Limit: lp.Limit}
	if f.ActivityID, err = apiQueryInt64(c, "activity"); err != nil {
		return err
	}
	overdue, err := apiQueryBool(c, "overdue")
	if err != nil {
		return err
	}
	f.Overdue = overdue != nil && *overdue
	rs, next, err := s.Recordings.ListRecordings(c.UserContext(), f, s.Now())
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiPage[apiRecordingJSON]{Items: apiMap(rs, s.apiRecordingOut), NextCursor: apiEncodeCursor(next)})
}

// apiRecordingDeletedIn is the optional body of POST /recordings/{ref}/deleted.
type apiRecordingDeletedIn struct {
	DeletedAt string `json:"deleted_at" format:"date-time" doc:"default: now"`
}

// apiRecordingDeleted confirms a recording's deletion (R-RET-2).
func (s *Server) apiRecordingDeleted(c *fiber.Ctx) error {
	var in apiRecordingDeletedIn
	if len(bytes.TrimSpace(c.Body())) > 0 {
		b, err := apiJsonBody(c)
		if err != nil {
			return err
		}
		if err := apiDecodeStrict(b, &in, ""); err != nil {
			return err
		}
	}
	fe := monitoring.FieldErrors{}
	at := apiParseTimeField(fe, "deleted_at", in.DeletedAt)
	now := s.Now()
	if at.IsZero() {
		at = now
	} else if at.After(now.Add(monitoring.MaxClockSkew)) {
		fe.Add("deleted_at", monitoring.MsgInFuture)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	p := principalOf(c)
	r, err := s.Recordings.ConfirmDeletion(c.UserContext(), p.User.Email, apiPathParam(c, "ref"), at)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, s.apiRecordingOut(r))
}
