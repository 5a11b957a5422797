package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"vaaka/cooperation"
	"vaaka/monitoring"
)

// CaseService stores co-operation cases (SPEC "Co-operation case"): how the
// employer handles its monitoring activities with the staff before deciding
// (R-COOP-*). Every mutation is one write transaction with its audit entry
// (entity "case", the case id); reads load the whole case from the read
// pool in one read transaction.
//
// A concluded or withdrawn case is closed: only approvals of minutes and
// confidentiality marks may still be recorded on it (Conflict otherwise).
type CaseService struct {
	db *DB
}

var _ cooperation.CaseService = (*CaseService)(nil)

// NewCaseService returns the co-operation cases of d.
func NewCaseService(d *DB) *CaseService { return &CaseService{db: d} }

// CreateCase validates c and stores it as a draft; the linked activities
// still in draft move to in_cooperation (R-SEQ-1: the co-operation follows
// the register entry). Sets c.ID, c.Status, c.CreatedBy and c.CreatedAt.
func (s *CaseService) CreateCase(ctx context.Context, actor string, c *cooperation.Case) error {
	fe := coopFields{}
	c.Title = strings.TrimSpace(c.Title)
	fe.text("title", c.Title, true, cooperation.MaxShort)
	if !c.Procedure.Valid() {
		fe.add("procedure", requiredOr(string(c.Procedure), monitoring.MsgUnknown))
	}
	// R-COOP-1: a departure from the proposed procedure needs a recorded
	// reason (local agreement §38, collective agreement §39, …).
	if c.Override != "" && !validOverride(c.Override) {
		fe.add("override_reason", monitoring.MsgUnknown)
	}
	if c.Procedure.Valid() && c.Procedure != c.Proposed.Procedure && c.Override == "" {
		fe.add("override_reason", monitoring.MsgRequired)
	}
	fe.text("override_detail", c.OverrideDetail, false, cooperation.MaxText)
	if len(c.ActivityIDs) == 0 {
		fe.add("activity_ids", monitoring.MsgRequired)
	}
	c.Units = cleanList(c.Units)
	for i, u := range c.Units {
		fe.text(indexed("units", i), u, true, cooperation.MaxShort)
	}
	validateGroups(fe, c.Groups)

	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var activities []*monitoring.Activity
	var ids []int64
	for i, id := range c.ActivityIDs {
		if slices.Contains(ids, id) {
			continue
		}
		a, _, err := loadActivity(ctx, tx, id)
		var me *monitoring.Error
		if errors.As(err, &me) && me.Code == monitoring.NotFound {
			fe.add(indexed("activity_ids", i), monitoring.MsgNotFound)
			continue
		}
		if err != nil {
			return err
		}
		activities, ids = append(activities, a), append(ids, id)
	}
	reps, err := userEmails(ctx, tx, fe, "representatives", c.Representatives)
	if err != nil {
		return err
	}
	if err := fe.err("invalid case"); err != nil {
		return err
	}
	c.ActivityIDs, c.Representatives = ids, reps
	c.Status, c.CreatedBy, c.CreatedAt = cooperation.StatusDraft, actorOf(actor), tx.now
	proposal, err := json.Marshal(proposalOf(c.Proposed))
	if err != nil {
		return fmt.Errorf("db: encode proposal: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO cases (title, procedure, proposed_procedure, proposal_key, proposal,
		override_reason, override_detail, status, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Title, string(c.Procedure), string(c.Proposed.Procedure), c.Proposed.Key, string(proposal),
		string(c.Override), c.OverrideDetail, string(c.Status), c.CreatedBy, formatTime(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("db: insert case: %w", err)
	}
	if c.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("db: insert case: %w", err)
	}
	for i, id := range c.ActivityIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_activities (case_id, activity_id, position) VALUES (?, ?, ?)`, c.ID, id, i); err != nil {
			return fmt.Errorf("db: link activity %d to case %d: %w", id, c.ID, err)
		}
	}
	for i, u := range c.Units {
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_units (case_id, unit, position) VALUES (?, ?, ?)`, c.ID, u, i); err != nil {
			return fmt.Errorf("db: insert unit of case %d: %w", c.ID, err)
		}
	}
	for i, e := range c.Representatives {
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_representatives (case_id, email, position) VALUES (?, ?, ?)`, c.ID, e, i); err != nil {
			return fmt.Errorf("db: insert representative of case %d: %w", c.ID, err)
		}
	}
	if err := insertGroups(ctx, tx, c.ID, c.Groups); err != nil {
		return err
	}
	if err := appendAudit(ctx, tx, actor, "case.created", "case", caseKey(c.ID),
		map[string]any{"status": c.Status, "changes": auditChanges(nil, caseText(c))}); err != nil {
		return err
	}
	for _, a := range activities {
		if a.Status != monitoring.StatusDraft {
			continue
		}
		if err := moveActivity(ctx, tx, actor, a, monitoring.StatusInCooperation, c.ID); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: create case: %w", err)
	}
	return nil
}

// FindCase returns case id whole. NotFound.
func (s *CaseService) FindCase(ctx context.Context, id int64) (*cooperation.Case, error) {
	tx, err := s.db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("db: find case %d: %w", id, err)
	}
	defer tx.Rollback()
	return loadCase(ctx, tx, id)
}

// ListCases returns a page of cases, newest first, and the id to continue
// before (0 on the last page). The representative filter finds the cases
// where the email is among the case's representatives or a staff group's.
func (s *CaseService) ListCases(ctx context.Context, f cooperation.CaseFilter) ([]*cooperation.Case, int64, error) {
	if f.Status != "" && !slices.Contains([]cooperation.Status{cooperation.StatusDraft, cooperation.StatusInformationDelivered,
		cooperation.StatusInProgress, cooperation.StatusConcluded, cooperation.StatusWithdrawn}, f.Status) {
		return nil, 0, coopFieldErr(cooperation.Invalid, "status", monitoring.MsgUnknown, "unknown case status %q", f.Status)
	}
	limit := limitOf(f.Limit)
	var where []string
	var args []any
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if f.ActivityID != 0 {
		where, args = append(where, "id IN (SELECT case_id FROM case_activities WHERE activity_id = ?)"), append(args, f.ActivityID)
	}
	if e := strings.TrimSpace(f.Representative); e != "" {
		where = append(where, "(id IN (SELECT case_id FROM case_representatives WHERE email = ?)"+
			" OR id IN (SELECT case_id FROM staff_group_representatives WHERE email = ?))")
		args = append(args, e, e)
	}
	if f.Cursor > 0 {
		where, args = append(where, "id < ?"), append(args, f.Cursor)
	}
	q := `SELECT id FROM cases`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit+1)

	tx, err := s.db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("db: list cases: %w", err)
	}
	defer tx.Rollback()
	var ids []int64
	err = eachRow(ctx, tx, q, args, func(rows *sql.Rows) error {
		var id int64
		err := rows.Scan(&id)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("db: list cases: %w", err)
	}
	var next int64
	if len(ids) > limit {
		ids = ids[:limit]
		next = ids[limit-1]
	}
	out := make([]*cooperation.Case, 0, len(ids))
	for _, id := range ids {
		c, err := loadCase(ctx, tx, id)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, next, nil
}

// SetStaffSide replaces the staff groups of the case (R-COOP-3): each group
// has its representatives or takes part with all its employees; a
// co-operation representative's term is at most two years.
func (s *CaseService) SetStaffSide(ctx context.Context, actor string, caseID int64, groups []cooperation.StaffGroup) error {
	return s.mutate(ctx, caseID, func(tx *Tx, c *cooperation.Case) error {
		if err := isOpen(c); err != nil {
			return err
		}
		fe := coopFields{}
		validateGroups(fe, groups)
		if err := fe.err("invalid staff side"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM staff_group_representatives WHERE case_id = ?`, caseID); err != nil {
			return fmt.Errorf("db: staff side of case %d: %w", caseID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM staff_groups WHERE case_id = ?`, caseID); err != nil {
			return fmt.Errorf("db: staff side of case %d: %w", caseID, err)
		}
		if err := insertGroups(ctx, tx, caseID, groups); err != nil {
			return err
		}
		return appendAudit(ctx, tx, actor, "case.staff_side", "case", caseKey(caseID),
			map[string]any{"changes": auditChanges(groupsText(c.Groups), groupsText(groups))})
	})
}

// AddInformation stores a new version of the written information or
// proposal. A statutory time limit it breaks — the 7 days of the dialogue
// without a recorded agreement (R-COOP-2), the proposal before the
// negotiations (R-COOP-6) — refuses it with DeadlineBroken and writes
// nothing. Delivered information moves a draft case to
// information_delivered. Sets in.Version, in.CreatedBy, in.CreatedAt.
func (s *CaseService) AddInformation(ctx context.Context, actor string, caseID int64, in *cooperation.Information, loc *time.Location) error {
	return s.mutate(ctx, caseID, func(tx *Tx, c *cooperation.Case) error {
		if err := isOpen(c); err != nil {
			return err
		}
		if err := in.Validate(); err != nil {
			return err
		}
		fe := coopFields{}
		in.Recipients = cleanList(in.Recipients)
		for i, r := range in.Recipients {
			fe.text(indexed("recipients", i), r, true, cooperation.MaxShort)
		}
		validateConfidentiality(fe, "confidentiality.", &in.Confidentiality, tx.now)
		if err := fe.err("invalid information"); err != nil {
			return err
		}
		loc, err := locationOr(ctx, tx, loc)
		if err != nil {
			return err
		}
		if broken := cooperation.CheckInformationTiming(c.Procedure, in, loc); len(broken) > 0 {
			return &cooperation.Error{Code: cooperation.DeadlineBroken, Rules: broken,
				Message: fmt.Sprintf("case %d: the information breaks %d statutory time limits", caseID, len(broken))}
		}
		prev := c.CurrentInformation()
		in.Version = 1
		if prev != nil {
			in.Version = prev.Version + 1
		}
		in.CreatedBy, in.CreatedAt = actorOf(actor), tx.now
		recipients, err := json.Marshal(nonNil(in.Recipients))
		if err != nil {
			return fmt.Errorf("db: encode recipients: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO case_information (case_id, version, subject, purpose, methods,
			introduction_plan, groups_affected, information_given, first_meeting_at, place, delivered_at, recipients,
			shorter_notice_agreement, confidential, told_to, told_at, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			caseID, in.Version, in.Subject, in.Purpose, in.Methods, in.IntroductionPlan, in.GroupsAffected,
			in.InformationGiven, formatTime(in.FirstMeetingAt), in.Place, formatTime(in.DeliveredAt), string(recipients),
			in.ShorterNoticeAgreement, in.Confidentiality.Confidential, in.Confidentiality.ToldTo,
			formatTime(in.Confidentiality.ToldAt), in.CreatedBy, formatTime(in.CreatedAt))
		if err != nil {
			return fmt.Errorf("db: insert information of case %d: %w", caseID, err)
		}
		detail := map[string]any{"version": in.Version}
		if prev != nil {
			detail["changes"] = auditChanges(informationText(prev), informationText(in))
		} else {
			detail["changes"] = auditChanges(nil, informationText(in))
		}
		if !in.DeliveredAt.IsZero() && c.Status == cooperation.StatusDraft {
			if err := setCaseStatus(ctx, tx, caseID, cooperation.StatusInformationDelivered); err != nil {
				return err
			}
			detail["status"] = cooperation.StatusInformationDelivered
		}
		return appendAudit(ctx, tx, actor, "case.information", "case", caseKey(caseID), detail)
	})
}

// AddComment adds a comment or question on the information, or an answer
// to one (ParentID: a comment of the same case). The comment refers to the
// current information version unless it names one. Sets cm.ID, cm.By
// (the actor), cm.At.
func (s *CaseService) AddComment(ctx context.Context, actor string, caseID int64, cm *cooperation.Comment) error {
	return s.mutate(ctx, caseID, func(tx *Tx, c *cooperation.Case) error {
		if err := isOpen(c); err != nil {
			return err
		}
		fe := coopFields{}
		fe.text("text", cm.Text, true, cooperation.MaxText)
		if cm.ParentID != 0 && !slices.ContainsFunc(c.Comments, func(x *cooperation.Comment) bool { return x.ID == cm.ParentID }) {
			fe.add("parent_id", monitoring.MsgNotFound)
		}
		switch {
		case cm.InformationVersion == 0:
			if in := c.CurrentInformation(); in != nil {
				cm.InformationVersion = in.Version
			}
		case !slices.ContainsFunc(c.Information, func(x *cooperation.Information) bool { return x.Version == cm.InformationVersion }):
			fe.add("information_version", monitoring.MsgNotFound)
		}
		if err := fe.err("invalid comment"); err != nil {
			return err
		}
		cm.By, cm.At = actorOf(actor), tx.now
		res, err := tx.ExecContext(ctx, `INSERT INTO case_comments (case_id, parent_id, information_version, by_email, text, at)
			VALUES (?, ?, ?, ?, ?, ?)`, caseID, cm.ParentID, cm.InformationVersion, cm.By, cm.Text, formatTime(cm.At))
		if err != nil {
			return fmt.Errorf("db: insert comment of case %d: %w", caseID, err)
		}
		if cm.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("db: insert comment of case %d: %w", caseID, err)
		}
		return appendAudit(ctx, tx, actor, "case.comment", "case", caseKey(caseID), map[string]any{
			"comment_id": cm.ID, "parent_id": cm.ParentID, "information_version": cm.InformationVersion, "text": auditClip(cm.Text)})
	})
}

// AddInitiative records a staff initiative or written proposal. It is
// deferred when it arrived less than two weeks before the next meeting
// known — the next meeting held after it, or the first meeting the current
// information announces (R-COOP-5). By defaults to the actor, ReceivedAt to
// now. Sets i.ID and i.Deferred.
func (s *CaseService) AddInitiative(ctx context.Context, actor string, caseID int64, i *cooperation.Initiative, loc *time.Location) error {
	return s.mutate(ctx, caseID, func(tx *Tx, c *cooperation.Case) error {
		if err := isOpen(c); err != nil {
			return err
		}
		fe := coopFields{}
		if i.Kind == "" {
			i.Kind = cooperation.KindInitiative
		}
		if i.Kind != cooperation.KindInitiative && i.Kind != cooperation.KindWrittenProposal {
			fe.add("kind", monitoring.MsgUnknown)
		}
		fe.text("text", i.Text, true, cooperation.MaxText)
		i.By = strings.TrimSpace(i.By)
		fe.text("by", i.By, false, cooperation.MaxShort)
		if err := fe.err("invalid initiative"); err != nil {
			return err
		}
		if i.By == "" {
			i.By = actorOf(actor)
		}
		if i.ReceivedAt.IsZero() {
			i.ReceivedAt = tx.now
		}
		loc, err := locationOr(ctx, tx, loc)
		if err != nil {
			return err
		}
		i.Deferred = false
		if next := nextMeeting(c, i.ReceivedAt); !next.IsZero() {
			i.Deferred = cooperation.InitiativeMayBeDeferred(i.ReceivedAt, next, loc) // R-COOP-5
		}
		i.Response, i.Accepted, i.RespondedAt, i.RespondedBy = "", nil, time.Time{}, ""
		res, err := tx.ExecContext(ctx, `INSERT INTO case_initiatives (case_id, kind, by_email, text, received_at, deferred)
			VALUES (?, ?, ?, ?, ?, ?)`, caseID, string(i.Kind), i.By, i.Text, formatTime(i.ReceivedAt), i.Deferred)
		if err != nil {
			return fmt.Errorf("db: insert initiative of case %d: %w", caseID, err)
		}
		if i.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("db: insert initiative of case %d: %w", caseID, err)
		}
		return appendAudit(ctx, tx, actor, "case.initiative", "case", caseKey(caseID), map[string]any{
			"initiative_id": i.ID, "kind": i.Kind, "by": i.By, "received_at": formatTime(i.ReceivedAt),
			"deferred": i.Deferred, "text": auditClip(i.Text)})
	})
}

// RespondInitiative records the employer's answer to an initiative or
// written proposal; a rejection needs written reasons (R-COOP-5,
// R-COOP-7). NotFound; Conflict when it was answered already.
func (s *CaseService) RespondInitiative(ctx context.Context, actor string, caseID, initiativeID int64, accepted bool, response string) error {
	return s.mutate(ctx, caseID, func(tx *Tx, c *cooperation.Case) error {
		if err := isOpen(c); err != nil {
			return err
		}
		i := findInitiative(c, initiativeID)
		if i == nil {
			return cooperation.Errorf(cooperation.NotFound, "initiative %d of case %d not found", initiativeID, caseID)
		}
		if err := i.ValidateResponse(accepted, response); err != nil {
			return err
		}
		if i.Accepted != nil {
			return cooperation.Errorf(cooperation.Conflict, "initiative %d of case %d was answered already", initiativeID, caseID)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE case_initiatives SET response = ?, accepted = ?, responded_at = ?, responded_by = ?
			WHERE id = ? AND case_id = ?`, response, accepted, formatTime(tx.now), actorOf(actor), initiativeID, caseID); err != nil {
			return fmt.Errorf("db: answer initiative %d: %w", initiativeID, err)
		}
		return appendAudit(ctx, tx, actor, "case.initiative_response", "case", caseKey(caseID), map[string]any{
			"initiative_id": initiativeID, "accepted": accepted, "response": auditClip(response)})
	})
}

// AddMeeting records a meeting; the case becomes in_progress. Participants
// are given by email: a participant is on the staff side when the email is
// among the case's representatives or a staff group's representatives,
// otherwise on the employer side; names come from the users (or the staff
// groups) when known. Sets m.ID and the participants' sides and names.
func (s *CaseService) AddMeeting(ctx context.Context, actor string, caseID int64, m *cooperation.Meeting) error {
	return s.mutate(ctx, caseID, func(tx *Tx, c *cooperation.Case) error {
		if err := isOpen(c); err != nil {
			return err
		}
		fe := coopFields{}
		if m.HeldAt.IsZero() {
			fe.add("held_at", monitoring.MsgRequired)
		}
		fe.text("place", m.Place, false, cooperation.MaxShort)
		fe.text("agenda", m.Agenda, false, cooperation.MaxText)
		if len(m.Participants) == 0 {
			fe.add("participants", monitoring.MsgRequired)
		}
		var ps []cooperation.Participant
		for i, p := range m.Participants {
			p.Email = strings.TrimSpace(p.Email)
			f := indexed("participants", i)
			switch {
			case p.Email == "":
				fe.add(f, monitoring.MsgRequired)
				continue
			case !monitoring.ValidEmail(p.Email):
				fe.add(f, monitoring.MsgEmail)
				continue
			case slices.ContainsFunc(ps, func(x cooperation.Participant) bool { return strings.EqualFold(x.Email, p.Email) }):
				continue
			}
			fe.text(f+".name", p.Name, false, cooperation.MaxShort)
			ps = append(ps, p)
		}
		validateConfidentiality(fe, "confidentiality.", &m.Confidentiality, tx.now)
		if err := fe.err("invalid meeting"); err != nil {
			return err
		}
		for i := range ps {
			if err := fillParticipant(ctx, tx, c, &ps[i]); err != nil {
				return err
			}
		}
		m.Participants, m.Minutes, m.Approvals = ps, nil, nil
		participants, err := json.Marshal(participantsJSON(ps))
		if err != nil {
			return fmt.Errorf("db: encode participants: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO case_meetings (case_id, held_at, place, participants, agenda,
			minutes_requested, confidential, told_to, told_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			caseID, formatTime(m.HeldAt), m.Place, string(participants), m.Agenda, m.MinutesRequested,
			m.Confidentiality.Confidential, m.Confidentiality.ToldTo, formatTime(m.Confidentiality.ToldAt), actorOf(actor), formatTime(tx.now))
		if err != nil {
			return fmt.Errorf("db: insert meeting of case %d: %w", caseID, err)
		}
		if m.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("db: insert meeting of case %d: %w", caseID, err)
		}
		detail := map[string]any{"meeting_id": m.ID, "held_at": formatTime(m.HeldAt), "place": m.Place,
			"minutes_requested": m.MinutesRequested, "participants": participantSummary(ps)}
		if c.Status != cooperation.StatusInProgress {
			if err := setCaseStatus(ctx, tx, caseID, cooperation.StatusInProgress); err != nil {
				return err
			}
			detail["status"] = cooperation.StatusInProgress
		}
		return appendAudit(ctx, tx, actor, "case.meeting", "case", caseKey(caseID), detail)
	})
}

// WriteMinutes stores a new version of a meeting's minutes (R-COOP-4,
// R-COOP-8); approvals are per version, so a new version needs new
// approvals. NotFound, Invalid; Conflict when the current version is
// signed. Sets m.Version, m.WrittenBy, m.WrittenAt.
func (s *CaseService) WriteMinutes(ctx context.Context, actor string, caseID, meetingID int64, m *cooperation.Minutes) error {
	return s.mutate(ctx, caseID, func(tx *Tx, c *cooperation.Case) error {
		mt := findMeeting(c, meetingID)
		if mt == nil {
			return cooperation.Errorf(cooperation.NotFound, "meeting %d of case %d not found", meetingID, caseID)
		}
		if err := isOpen(c); err != nil {
			return err
		}
		if err := m.Validate(); err != nil {
			return err
		}
		if mt.MinutesSigned() {
			return cooperation.Errorf(cooperation.Conflict, "minutes of meeting %d are signed", meetingID)
		}
		prev := mt.CurrentMinutes()
		m.Version = 1
		if prev != nil {
			m.Version = prev.Version + 1
		}
		m.WrittenBy, m.WrittenAt = actorOf(actor), tx.now
		dissent, err := json.Marshal(dissentJSON(m.Dissent))
		if err != nil {
			return fmt.Errorf("db: encode dissent: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO case_minutes (meeting_id, version, main_content, outcome, employer_position,
			staff_position, dissent, written_by, written_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			meetingID, m.Version, m.MainContent, m.Outcome, m.EmployerPosition, m.StaffPosition, string(dissent),
			m.WrittenBy, formatTime(m.WrittenAt))
		if err != nil {
			return fmt.Errorf("db: insert minutes of meeting %d: %w", meetingID, err)
		}
		if err := queueMinutesMail(ctx, tx, c, mt, m, actor); err != nil {
			return err
		}
		var old map[string]string
		if prev != nil {
			old = minutesText(prev)
		}
		return appendAudit(ctx, tx, actor, "case.minutes", "case", caseKey(caseID), map[string]any{
			"meeting_id": meetingID, "version": m.Version, "changes": auditChanges(old, minutesText(m))})
	})
}

// ApproveMinutes records the actor's answer to the current version of a
// meeting's minutes: an approval (with an optional dissent), or a request
// for a correction with a comment (R-COOP-4, R-COOP-8). The side is the
// participant's. Forbidden (a *cooperation.Error) when the actor is not a
// participant; Conflict when there are no minutes, a.Version is not the
// current one, or the actor already answered this version. Sets a.Version,
// a.By, a.Side, a.At.
func (s *CaseService) ApproveMinutes(ctx context.Context, actor string, caseID, meetingID int64, a *cooperation.Approval) error {
	return s.mutate(ctx, caseID, func(tx *Tx, c *cooperation.Case) error {
		mt := findMeeting(c, meetingID)
		if mt == nil {
			return cooperation.Errorf(cooperation.NotFound, "meeting %d of case %d not found", meetingID, caseID)
		}
		side := mt.SideOf(actor)
		if side == "" {
			return cooperation.Errorf(cooperation.Forbidden, "%s is not a participant of meeting %d", actor, meetingID)
		}
		cur := mt.CurrentMinutes()
		if cur == nil {
			return cooperation.Errorf(cooperation.Conflict, "meeting %d has no minutes", meetingID)
		}
		if a.Version != 0 && a.Version != cur.Version {
			return cooperation.Errorf(cooperation.Conflict, "minutes of meeting %d: version %d is not the current %d", meetingID, a.Version, cur.Version)
		}
		fe := coopFields{}
		fe.text("comment", a.Comment, !a.Approve, cooperation.MaxText) // a correction says what to correct
		fe.text("dissent", a.Dissent, false, cooperation.MaxText)
		if err := fe.err("invalid approval"); err != nil {
			return err
		}
		for _, x := range mt.Approvals {
			if x.Version == cur.Version && strings.EqualFold(x.By, actor) {
				return cooperation.Errorf(cooperation.Conflict, "%s already answered version %d of the minutes of meeting %d", actor, cur.Version, meetingID)
			}
		}
		a.Version, a.By, a.Side, a.At = cur.Version, participantEmail(mt, actor), side, tx.now
		_, err := tx.ExecContext(ctx, `INSERT INTO minutes_approvals (meeting_id, version, by_email, side, approve, comment, dissent, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, meetingID, a.Version, a.By, string(a.Side), a.Approve, a.Comment, a.Dissent, formatTime(a.At))
		if isUnique(err) {
			return cooperation.Errorf(cooperation.Conflict, "%s already answered version %d of the minutes of meeting %d", actor, cur.Version, meetingID)
		}
		if err != nil {
			return fmt.Errorf("db: insert approval of meeting %d: %w", meetingID, err)
		}
		signed := cooperation.Signed(cur.Version, append(slices.Clone(mt.Approvals), *a))
		return appendAudit(ctx, tx, actor, "case.minutes_approval", "case", caseKey(caseID), map[string]any{
			"meeting_id": meetingID, "version": a.Version, "side": a.Side, "approve": a.Approve,
			"comment": auditClip(a.Comment), "dissent": auditClip(a.Dissent), "signed": signed})
	})
}

// RecordHearing records or replaces the hearing invitation (R-COOP-9). The
// views in h not recorded yet (the same by, text and time) are added; none
// is removed, so passing the views loaded with the case is safe. A draft
// case becomes in_progress.
func (s *CaseService) RecordHearing(ctx context.Context, actor string, caseID int64, h *cooperation.HearingRecord) error {
	return s.mutate(ctx, caseID, func(tx *Tx, c *cooperation.Case) error {
		if err := isOpen(c); err != nil {
			return err
		}
		if err := h.Validate(); err != nil {
			return err
		}
		fe := coopFields{}
		fe.text("invited", h.Invited, true, cooperation.MaxText)
		fe.text("method", h.Method, true, cooperation.MaxShort)
		for i := range h.Views {
			validateView(fe, indexed("views", i)+".", &h.Views[i])
		}
		if err := fe.err("invalid hearing"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO hearings (case_id, invited, method, invited_at, respond_by, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(case_id) DO UPDATE SET invited = excluded.invited, method = excluded.method,
			invited_at = excluded.invited_at, respond_by = excluded.respond_by, updated_by = excluded.updated_by,
			updated_at = excluded.updated_at`, caseID, h.Invited, h.Method, formatTime(h.InvitedAt), formatTime(h.RespondBy),
			actorOf(actor), formatTime(tx.now))
		if err != nil {
			return fmt.Errorf("db: record hearing of case %d: %w", caseID, err)
		}
		var old map[string]string
		var known []cooperation.View
		if c.Hearing != nil {
			old, known = hearingText(c.Hearing), c.Hearing.Views
		}
		added := 0
		for i := range h.Views {
			v := &h.Views[i]
			if slices.ContainsFunc(known, func(k cooperation.View) bool { return k.By == v.By && k.Text == v.Text && k.At.Equal(v.At) }) {
				continue // recorded already: callers pass the views they loaded
			}
			if err := insertView(ctx, tx, caseID, v); err != nil {
				return err
			}
			added++
		}
		detail := map[string]any{"changes": auditChanges(old, hearingText(h)), "views_added": added}
		if c.Status == cooperation.StatusDraft || c.Status == cooperation.StatusInformationDelivered {
			if err := setCaseStatus(ctx, tx, caseID, cooperation.StatusInProgress); err != nil {
				return err
			}
			detail["status"] = cooperation.StatusInProgress
		}
		return appendAudit(ctx, tx, actor, "case.hearing", "case", caseKey(caseID), detail)
	})
}

// AddView records a view received in the hearing (R-COOP-9). At defaults to
// now. Conflict when no hearing was recorded.
func (s *CaseService) AddView(ctx context.Context, actor string, caseID int64, v *cooperation.View) error {
	return s.mutate(ctx, caseID, func(tx *Tx, c *cooperation.Case) error {
		if err := isOpen(c); err != nil {
			return err
		}
		if c.Hearing == nil {
			return cooperation.Errorf(cooperation.Conflict, "case %d has no hearing", caseID)
		}
		fe := coopFields{}
		validateView(fe, "", v)
		if err := fe.err("invalid view"); err != nil {
			return err
		}
		if err := insertView(ctx, tx, caseID, v); err != nil {
			return err
		}
		return appendAudit(ctx, tx, actor, "case.hearing_view", "case", caseKey(caseID), map[string]any{
			"by": v.By, "at": formatTime(v.At), "text": auditClip(v.Text)})
	})
}

// SetConfidential marks a document of the case confidential (or lifts the
// mark) and records who was told (R-COOP-11: the mark binds only when
// announced, so a confidential mark needs told_to; told_at defaults to
// now). Document: "information" (the current version) or "meeting:<id>".
// NotFound, Invalid.
func (s *CaseService) SetConfidential(ctx context.Context, actor string, caseID int64, document string, conf cooperation.Confidentiality) error {
	return s.mutate(ctx, caseID, func(tx *Tx, c *cooperation.Case) error {
		fe := coopFields{}
		validateConfidentiality(fe, "", &conf, tx.now)
		if err := fe.err("invalid confidentiality"); err != nil {
			return err
		}
		var res sql.Result
		var err error
		switch {
		case document == "information":
			in := c.CurrentInformation()
			if in == nil {
				return cooperation.Errorf(cooperation.NotFound, "case %d has no information", caseID)
			}
			res, err = tx.ExecContext(ctx, `UPDATE case_information SET confidential = ?, told_to = ?, told_at = ?
				WHERE case_id = ? AND version = ?`, conf.Confidential, conf.ToldTo, formatTime(conf.ToldAt), caseID, in.Version)
		case strings.HasPrefix(document, "meeting:"):
			id, perr := strconv.ParseInt(strings.TrimPrefix(document, "meeting:"), 10, 64)
			if perr != nil || findMeeting(c, id) == nil {
				return cooperation.Errorf(cooperation.NotFound, "document %q of case %d not found", document, caseID)
			}
			res, err = tx.ExecContext(ctx, `UPDATE case_meetings SET confidential = ?, told_to = ?, told_at = ?
				WHERE case_id = ? AND id = ?`, conf.Confidential, conf.ToldTo, formatTime(conf.ToldAt), caseID, id)
		default:
			return coopFieldErr(cooperation.Invalid, "document", monitoring.MsgUnknown, "unknown document %q", document)
		}
		if err != nil {
			return fmt.Errorf("db: mark %s of case %d: %w", document, caseID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("db: mark %s of case %d: %d rows, %v", document, caseID, n, err)
		}
		return appendAudit(ctx, tx, actor, "case.confidential", "case", caseKey(caseID), map[string]any{
			"document": document, "confidential": conf.Confidential, "told_to": auditClip(conf.ToldTo), "told_at": formatTime(conf.ToldAt)})
	})
}

// Conclude concludes the case with the employer's definition of the
// monitoring's purpose and methods (R-COOP-10), dated con.ConcludedAt (now
// when zero; not later than now). The preconditions of the procedure are
// evaluated at that time; unmet ones refuse it with RuleRefused. For change
// negotiations the account of the decision and its timing is stored
// (R-COOP-8, §25(3)). The linked activities in in_cooperation whose
// readiness is then met but for the notice and the introduction date
// (R-NOT-1, R-SEQ-1) move to ready; the others stay.
func (s *CaseService) Conclude(ctx context.Context, actor string, caseID int64, con *cooperation.Conclusion, now time.Time) error {
	return s.mutate(ctx, caseID, func(tx *Tx, c *cooperation.Case) error {
		if err := isOpen(c); err != nil {
			return err
		}
		at := con.ConcludedAt
		if at.IsZero() {
			at = now
		}
		if at.After(now) {
			return coopFieldErr(cooperation.Invalid, "concluded_at", monitoring.MsgInFuture, "case %d: conclusion dated in the future", caseID)
		}
		if unmet := cooperation.UnmetRules(cooperation.ConclusionPreconditions(c.Facts(at), at)); len(unmet) > 0 {
			return &cooperation.Error{Code: cooperation.RuleRefused, Rules: unmet,
				Message: fmt.Sprintf("case %d cannot be concluded: %d preconditions unmet", caseID, len(unmet))}
		}
		fe := coopFields{}
		fe.text("conclusion", con.Text, true, cooperation.MaxText)
		fe.text("account", con.Account, false, cooperation.MaxText)
		if err := fe.err("invalid conclusion"); err != nil {
			return err
		}
		if c.Procedure != cooperation.ChangeNegotiations {
			con.Account = "" // R-COOP-8 §25(3): change negotiations only
		}
		con.ConcludedAt, con.By = at.UTC(), actorOf(actor)
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET status = ?, concluded_at = ?, conclusion = ?, account = ?, concluded_by = ?
			WHERE id = ?`, string(cooperation.StatusConcluded), formatTime(con.ConcludedAt), con.Text, con.Account, con.By, caseID); err != nil {
			return fmt.Errorf("db: conclude case %d: %w", caseID, err)
		}
		if err := appendAudit(ctx, tx, actor, "case.concluded", "case", caseKey(caseID), map[string]any{
			"status": cooperation.StatusConcluded, "concluded_at": formatTime(con.ConcludedAt),
			"conclusion": auditClip(con.Text), "account": auditClip(con.Account)}); err != nil {
			return err
		}
		for _, id := range c.ActivityIDs {
			a, _, err := loadActivity(ctx, tx, id)
			if err != nil {
				return err
			}
			if a.Status != monitoring.StatusInCooperation {
				continue
			}
			rc, err := readinessContext(ctx, tx, id)
			if err != nil {
				return err
			}
			unmet := slices.DeleteFunc(monitoring.Unmet(monitoring.CheckReadiness(a, rc, now)), func(r monitoring.Readiness) bool {
				return r.Rule == "R-NOT-1" || r.Rule == "R-SEQ-1"
			})
			if len(unmet) > 0 {
				continue
			}
			if err := moveActivity(ctx, tx, actor, a, monitoring.StatusReady, caseID); err != nil {
				return err
			}
		}
		return nil
	})
}

// Withdraw ends the case without a conclusion; the reason is required.
func (s *CaseService) Withdraw(ctx context.Context, actor string, caseID int64, reason string) error {
	return s.mutate(ctx, caseID, func(tx *Tx, c *cooperation.Case) error {
		if err := isOpen(c); err != nil {
			return err
		}
		fe := coopFields{}
		fe.text("reason", reason, true, cooperation.MaxText)
		if err := fe.err("invalid withdrawal"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET status = ?, withdrawn_reason = ?, withdrawn_by = ?, withdrawn_at = ? WHERE id = ?`,
			string(cooperation.StatusWithdrawn), reason, actorOf(actor), formatTime(tx.now), caseID); err != nil {
			return fmt.Errorf("db: withdraw case %d: %w", caseID, err)
		}
		return appendAudit(ctx, tx, actor, "case.withdrawn", "case", caseKey(caseID), map[string]any{
			"status": cooperation.StatusWithdrawn, "from": c.Status, "reason": auditClip(reason)})
	})
}

// mutate runs fn in one write transaction on case caseID loaded whole, and
// commits when fn succeeds. NotFound.
func (s *CaseService) mutate(ctx context.Context, caseID int64, fn func(tx *Tx, c *cooperation.Case) error) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	c, err := loadCase(ctx, tx, caseID)
	if err != nil {
		return err
	}
	if err := fn(tx, c); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: case %d: %w", caseID, err)
	}
	return nil
}

// moveActivity writes a new version of activity a with status to, audited
// as a status change caused by case caseID.
func moveActivity(ctx context.Context, tx *Tx, actor string, a *monitoring.Activity, to monitoring.Status, caseID int64) error {
	from := a.Status
	a.Status = to
	if err := storeActivityVersion(ctx, tx, a, actor); err != nil {
		return err
	}
	return appendAudit(ctx, tx, actor, "activity.status", "activity", strconv.FormatInt(a.ID, 10),
		map[string]any{"from": from, "to": to, "version": a.Version, "case": caseID})
}

func setCaseStatus(ctx context.Context, tx *Tx, caseID int64, st cooperation.Status) error {
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET status = ? WHERE id = ?`, string(st), caseID); err != nil {
		return fmt.Errorf("db: status of case %d: %w", caseID, err)
	}
	return nil
}

// isOpen refuses a change to a concluded or withdrawn case.
func isOpen(c *cooperation.Case) error {
	if c.Status == cooperation.StatusConcluded || c.Status == cooperation.StatusWithdrawn {
		return cooperation.Errorf(cooperation.Conflict, "case %d is %s", c.ID, c.Status)
	}
	return nil
}

// nextMeeting is the first meeting known after t: a meeting held after it
// or the first meeting the current information announces (R-COOP-5).
func nextMeeting(c *cooperation.Case, t time.Time) time.Time {
	var next time.Time
	consider := func(m time.Time) {
		if m.After(t) && (next.IsZero() || m.Before(next)) {
			next = m
		}
	}
	for _, m := range c.Meetings {
		consider(m.HeldAt)
	}
	if in := c.CurrentInformation(); in != nil {
		consider(in.FirstMeetingAt)
	}
	return next
}

// fillParticipant derives the side of p from the case's staff side and its
// name from the users or the staff groups when not given.
func fillParticipant(ctx context.Context, tx *Tx, c *cooperation.Case, p *cooperation.Participant) error {
	p.Side = cooperation.EmployerSide
	if c.OnStaffSide(p.Email) {
		p.Side = cooperation.StaffSide
	}
	groupName := ""
	for _, g := range c.Groups {
		for _, r := range g.Representatives {
			if strings.EqualFold(r.Email, p.Email) && groupName == "" {
				groupName = r.Name
			}
		}
	}
	var email, name string
	err := tx.QueryRowContext(ctx, `SELECT email, name FROM users WHERE email = ?`, p.Email).Scan(&email, &name)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		name = groupName
	case err != nil:
		return fmt.Errorf("db: look up participant: %w", err)
	default:
		p.Email = email
	}
	if strings.TrimSpace(p.Name) == "" {
		p.Name = name
	}
	return nil
}

// participantEmail is the participant's email as stored in the meeting.
func participantEmail(m *cooperation.Meeting, actor string) string {
	for _, p := range m.Participants {
		if strings.EqualFold(p.Email, actor) {
			return p.Email
		}
	}
	return actor
}

func findMeeting(c *cooperation.Case, id int64) *cooperation.Meeting {
	for _, m := range c.Meetings {
		if m.ID == id {
			return m
		}
	}
	return nil
}

func findInitiative(c *cooperation.Case, id int64) *cooperation.Initiative {
	for _, i := range c.Initiatives {
		if i.ID == id {
			return i
		}
	}
	return nil
}

// userEmails resolves emails of users (field[i]: not_found when unknown),
// deduplicated, in the users' own spelling.
func userEmails(ctx context.Context, q querier, fe coopFields, field string, in []string) ([]string, error) {
	var out []string
	for i, e := range in {
		e = strings.TrimSpace(e)
		f := indexed(field, i)
		if e == "" {
			fe.add(f, monitoring.MsgRequired)
			continue
		}
		var stored string
		err := q.QueryRowContext(ctx, `SELECT email FROM users WHERE email = ?`, e).Scan(&stored)
		if errors.Is(err, sql.ErrNoRows) {
			fe.add(f, monitoring.MsgNotFound)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("db: look up user: %w", err)
		}
		if !slices.ContainsFunc(out, func(x string) bool { return strings.EqualFold(x, stored) }) {
			out = append(out, stored)
		}
	}
	return out, nil
}

// validateGroups checks the staff side (R-COOP-3): a named group with its
// representatives or all its employees; representatives with an email and
// a known type; a co-operation representative's term at most two years.
func validateGroups(fe coopFields, groups []cooperation.StaffGroup) {
	for i := range groups {
		g := &groups[i]
		f := indexed("groups", i)
		g.Name = strings.TrimSpace(g.Name)
		fe.text(f+".name", g.Name, true, cooperation.MaxShort)
		g.Units = cleanList(g.Units)
		for k, u := range g.Units {
			fe.text(indexed(f+".units", k), u, true, cooperation.MaxShort)
		}
		if len(g.Representatives) == 0 && !g.AllEmployees {
			fe.add(f+".representatives", monitoring.MsgRequired)
		}
		for j := range g.Representatives {
			r := &g.Representatives[j]
			rf := indexed(f+".representatives", j)
			r.Email = strings.TrimSpace(r.Email)
			switch {
			case r.Email == "":
				fe.add(rf+".email", monitoring.MsgRequired)
			case !monitoring.ValidEmail(r.Email):
				fe.add(rf+".email", monitoring.MsgEmail)
			}
			fe.text(rf+".name", r.Name, false, cooperation.MaxShort)
			if !r.Type.Valid() {
				fe.add(rf+".type", requiredOr(string(r.Type), monitoring.MsgUnknown))
			} else if !r.ValidTerm() { // R-COOP-3: at most 2 years
				fe.add(rf+".term_end", monitoring.MsgInvalid)
			}
		}
	}
}

func insertGroups(ctx context.Context, tx *Tx, caseID int64, groups []cooperation.StaffGroup) error {
	for i, g := range groups {
		units, err := json.Marshal(nonNil(g.Units))
		if err != nil {
			return fmt.Errorf("db: encode units: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO staff_groups (case_id, position, name, all_employees, units) VALUES (?, ?, ?, ?, ?)`,
			caseID, i, g.Name, g.AllEmployees, string(units))
		if err != nil {
			return fmt.Errorf("db: insert staff group of case %d: %w", caseID, err)
		}
		gid, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("db: insert staff group of case %d: %w", caseID, err)
		}
		for j, r := range g.Representatives {
			if _, err := tx.ExecContext(ctx, `INSERT INTO staff_group_representatives (group_id, case_id, position, email, name,
				type, term_start, term_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, gid, caseID, j, r.Email, r.Name, string(r.Type),
				formatDate(r.TermStart), formatDate(r.TermEnd)); err != nil {
				return fmt.Errorf("db: insert representative of case %d: %w", caseID, err)
			}
		}
	}
	return nil
}

// validateConfidentiality checks a confidentiality mark: it binds only when
// announced, so a confidential document records who was told (R-COOP-11);
// told_at defaults to now.
func validateConfidentiality(fe coopFields, prefix string, c *cooperation.Confidentiality, now time.Time) {
	c.ToldTo = strings.TrimSpace(c.ToldTo)
	fe.text(prefix+"told_to", c.ToldTo, c.Confidential, cooperation.MaxText)
	if c.ToldTo != "" && c.ToldAt.IsZero() {
		c.ToldAt = now
	}
}

func validateView(fe coopFields, prefix string, v *cooperation.View) {
	v.By = strings.TrimSpace(v.By)
	fe.text(prefix+"by", v.By, true, cooperation.MaxShort)
	fe.text(prefix+"text", v.Text, true, cooperation.MaxText)
}

func insertView(ctx context.Context, tx *Tx, caseID int64, v *cooperation.View) error {
	if v.At.IsZero() {
		v.At = tx.now
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO hearing_views (case_id, author, text, at) VALUES (?, ?, ?, ?)`,
		caseID, v.By, v.Text, formatTime(v.At)); err != nil {
		return fmt.Errorf("db: insert view of case %d: %w", caseID, err)
	}
	return nil
}

func locationOr(ctx context.Context, q querier, loc *time.Location) (*time.Location, error) {
	if loc != nil {
		return loc, nil
	}
	org, err := loadOrganisation(ctx, q)
	if err != nil {
		return nil, err
	}
	return org.Location(), nil
}

func validOverride(o cooperation.OverrideReason) bool {
	return slices.Contains([]cooperation.OverrideReason{cooperation.LocalAgreement, cooperation.CollectiveAgreement,
		cooperation.SubstantialChange, cooperation.OtherReason}, o)
}

// ---- loading ----

// loadCase reads case id whole. NotFound.
func loadCase(ctx context.Context, q querier, id int64) (*cooperation.Case, error) {
	c := &cooperation.Case{}
	var p timeParser
	var procedure, proposedProc, proposal, override, status, created, concludedAt, conclusion, account, concludedBy string
	err := q.QueryRowContext(ctx, `SELECT id, title, procedure, proposed_procedure, proposal_key, proposal, override_reason,
		override_detail, status, created_by, created_at, concluded_at, conclusion, account, concluded_by FROM cases WHERE id = ?`, id).Scan(
		&c.ID, &c.Title, &procedure, &proposedProc, &c.Proposed.Key, &proposal, &override, &c.OverrideDetail, &status,
		&c.CreatedBy, &created, &concludedAt, &conclusion, &account, &concludedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cooperation.Errorf(cooperation.NotFound, "case %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("db: find case %d: %w", id, err)
	}
	c.Procedure, c.Proposed.Procedure = cooperation.Procedure(procedure), cooperation.Procedure(proposedProc)
	c.Override, c.Status = cooperation.OverrideReason(override), cooperation.Status(status)
	c.CreatedAt = p.time(created)
	var pj proposalJSON
	if err := json.Unmarshal([]byte(proposal), &pj); err != nil {
		return nil, fmt.Errorf("db: decode proposal of case %d: %w", id, err)
	}
	c.Proposed.Lighter, c.Proposed.ToVerify = pj.Lighter, pj.ToVerify
	if pj.Threshold != nil {
		c.Proposed.Threshold = cooperation.Threshold{From: p.date(pj.Threshold.From), Dialogue: pj.Threshold.Dialogue,
			Lighter: pj.Threshold.Lighter, LighterToVerify: pj.Threshold.LighterToVerify}
	}
	if c.Status == cooperation.StatusConcluded {
		c.Conclusion = &cooperation.Conclusion{Text: conclusion, ConcludedAt: p.time(concludedAt), Account: account, By: concludedBy}
	}
	wrap := func(what string, err error) error {
		if err == nil {
			return nil
		}
		return fmt.Errorf("db: find case %d: %s: %w", id, what, err)
	}
	err = eachRow(ctx, q, `SELECT activity_id FROM case_activities WHERE case_id = ? ORDER BY position`, []any{id}, func(rows *sql.Rows) error {
		var a int64
		err := rows.Scan(&a)
		c.ActivityIDs = append(c.ActivityIDs, a)
		return err
	})
	if err := wrap("activities", err); err != nil {
		return nil, err
	}
	err = eachRow(ctx, q, `SELECT unit FROM case_units WHERE case_id = ? ORDER BY position`, []any{id}, func(rows *sql.Rows) error {
		var u string
		err := rows.Scan(&u)
		c.Units = append(c.Units, u)
		return err
	})
	if err := wrap("units", err); err != nil {
		return nil, err
	}
	err = eachRow(ctx, q, `SELECT email FROM case_representatives WHERE case_id = ? ORDER BY position`, []any{id}, func(rows *sql.Rows) error {
		var e string
		err := rows.Scan(&e)
		c.Representatives = append(c.Representatives, e)
		return err
	})
	if err := wrap("representatives", err); err != nil {
		return nil, err
	}
	if err := wrap("staff side", loadGroups(ctx, q, c, &p)); err != nil {
		return nil, err
	}
	err = eachRow(ctx, q, `SELECT version, subject, purpose, methods, introduction_plan, groups_affected, information_given,
		first_meeting_at, place, delivered_at, recipients, shorter_notice_agreement, confidential, told_to, told_at, created_by, created_at
		FROM case_information WHERE case_id = ? ORDER BY version`, []any{id}, func(rows *sql.Rows) error {
		in := &cooperation.Information{}
		var first, delivered, recipients, toldAt, createdAt string
		if err := rows.Scan(&in.Version, &in.Subject, &in.Purpose, &in.Methods, &in.IntroductionPlan, &in.GroupsAffected,
			&in.InformationGiven, &first, &in.Place, &delivered, &recipients, &in.ShorterNoticeAgreement,
			&in.Confidentiality.Confidential, &in.Confidentiality.ToldTo, &toldAt, &in.CreatedBy, &createdAt); err != nil {
			return err
		}
		in.FirstMeetingAt, in.DeliveredAt, in.Confidentiality.ToldAt, in.CreatedAt = p.time(first), p.time(delivered), p.time(toldAt), p.time(createdAt)
		c.Information = append(c.Information, in)
		return json.Unmarshal([]byte(recipients), &in.Recipients)
	})
	if err := wrap("information", err); err != nil {
		return nil, err
	}
	if err := wrap("meetings", loadMeetings(ctx, q, c, &p)); err != nil {
		return nil, err
	}
	err = eachRow(ctx, q, `SELECT id, kind, by_email, text, received_at, deferred, response, accepted, responded_at, responded_by
		FROM case_initiatives WHERE case_id = ? ORDER BY id`, []any{id}, func(rows *sql.Rows) error {
		i := &cooperation.Initiative{}
		var kind, received, responded string
		var accepted sql.NullBool
		if err := rows.Scan(&i.ID, &kind, &i.By, &i.Text, &received, &i.Deferred, &i.Response, &accepted, &responded, &i.RespondedBy); err != nil {
			return err
		}
		i.Kind, i.ReceivedAt, i.RespondedAt = cooperation.InitiativeKind(kind), p.time(received), p.time(responded)
		if accepted.Valid {
			i.Accepted = &accepted.Bool
		}
		c.Initiatives = append(c.Initiatives, i)
		return nil
	})
	if err := wrap("initiatives", err); err != nil {
		return nil, err
	}
	err = eachRow(ctx, q, `SELECT id, parent_id, information_version, by_email, text, at FROM case_comments WHERE case_id = ? ORDER BY id`,
		[]any{id}, func(rows *sql.Rows) error {
			cm := &cooperation.Comment{}
			var at string
			if err := rows.Scan(&cm.ID, &cm.ParentID, &cm.InformationVersion, &cm.By, &cm.Text, &at); err != nil {
				return err
			}
			cm.At = p.time(at)
			c.Comments = append(c.Comments, cm)
			return nil
		})
	if err := wrap("comments", err); err != nil {
		return nil, err
	}
	if err := wrap("hearing", loadHearing(ctx, q, c, &p)); err != nil {
		return nil, err
	}
	if p.err != nil {
		return nil, fmt.Errorf("db: find case %d: %w", id, p.err)
	}
	return c, nil
}

func loadGroups(ctx context.Context, q querier, c *cooperation.Case, p *timeParser) error {
	var gids []int64
	err := eachRow(ctx, q, `SELECT id, name, all_employees, units FROM staff_groups WHERE case_id = ? ORDER BY position`, []any{c.ID},
		func(rows *sql.Rows) error {
			var g cooperation.StaffGroup
			var gid int64
			var units string
			if err := rows.Scan(&gid, &g.Name, &g.AllEmployees, &units); err != nil {
				return err
			}
			c.Groups, gids = append(c.Groups, g), append(gids, gid)
			return json.Unmarshal([]byte(units), &c.Groups[len(c.Groups)-1].Units)
		})
	if err != nil {
		return err
	}
	for i, gid := range gids {
		g := &c.Groups[i]
		err := eachRow(ctx, q, `SELECT email, name, type, term_start, term_end FROM staff_group_representatives
			WHERE group_id = ? ORDER BY position`, []any{gid}, func(rows *sql.Rows) error {
			var r cooperation.Representative
			var typ, start, end string
			if err := rows.Scan(&r.Email, &r.Name, &typ, &start, &end); err != nil {
				return err
			}
			r.Type, r.TermStart, r.TermEnd = cooperation.RepresentativeType(typ), p.date(start), p.date(end)
			g.Representatives = append(g.Representatives, r)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func loadMeetings(ctx context.Context, q querier, c *cooperation.Case, p *timeParser) error {
	err := eachRow(ctx, q, `SELECT id, held_at, place, participants, agenda, minutes_requested, confidential, told_to, told_at
		FROM case_meetings WHERE case_id = ? ORDER BY held_at, id`, []any{c.ID}, func(rows *sql.Rows) error {
		m := &cooperation.Meeting{}
		var held, participants, toldAt string
		if err := rows.Scan(&m.ID, &held, &m.Place, &participants, &m.Agenda, &m.MinutesRequested,
			&m.Confidentiality.Confidential, &m.Confidentiality.ToldTo, &toldAt); err != nil {
			return err
		}
		m.HeldAt, m.Confidentiality.ToldAt = p.time(held), p.time(toldAt)
		var ps []participantJSON
		if err := json.Unmarshal([]byte(participants), &ps); err != nil {
			return err
		}
		for _, x := range ps {
			m.Participants = append(m.Participants, cooperation.Participant{Email: x.Email, Name: x.Name, Side: cooperation.Side(x.Side), Attended: x.Attended})
		}
		c.Meetings = append(c.Meetings, m)
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range c.Meetings {
		err := eachRow(ctx, q, `SELECT version, main_content, outcome, employer_position, staff_position, dissent, written_by, written_at
			FROM case_minutes WHERE meeting_id = ? ORDER BY version`, []any{m.ID}, func(rows *sql.Rows) error {
			mn := &cooperation.Minutes{}
			var dissent, at string
			if err := rows.Scan(&mn.Version, &mn.MainContent, &mn.Outcome, &mn.EmployerPosition, &mn.StaffPosition, &dissent, &mn.WrittenBy, &at); err != nil {
				return err
			}
			mn.WrittenAt = p.time(at)
			var ds []dissentItem
			if err := json.Unmarshal([]byte(dissent), &ds); err != nil {
				return err
			}
			for _, d := range ds {
				mn.Dissent = append(mn.Dissent, cooperation.Dissent{By: d.By, Text: d.Text})
			}
			m.Minutes = append(m.Minutes, mn)
			return nil
		})
		if err != nil {
			return err
		}
		err = eachRow(ctx, q, `SELECT version, by_email, side, approve, comment, dissent, at FROM minutes_approvals
			WHERE meeting_id = ? ORDER BY version, at, rowid`, []any{m.ID}, func(rows *sql.Rows) error {
			var a cooperation.Approval
			var side, at string
			if err := rows.Scan(&a.Version, &a.By, &side, &a.Approve, &a.Comment, &a.Dissent, &at); err != nil {
				return err
			}
			a.Side, a.At = cooperation.Side(side), p.time(at)
			m.Approvals = append(m.Approvals, a)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func loadHearing(ctx context.Context, q querier, c *cooperation.Case, p *timeParser) error {
	h := &cooperation.HearingRecord{}
	var invitedAt, respondBy string
	err := q.QueryRowContext(ctx, `SELECT invited, method, invited_at, respond_by FROM hearings WHERE case_id = ?`, c.ID).Scan(
		&h.Invited, &h.Method, &invitedAt, &respondBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	h.InvitedAt, h.RespondBy = p.time(invitedAt), p.time(respondBy)
	err = eachRow(ctx, q, `SELECT author, text, at FROM hearing_views WHERE case_id = ? ORDER BY id`, []any{c.ID}, func(rows *sql.Rows) error {
		var v cooperation.View
		var at string
		if err := rows.Scan(&v.By, &v.Text, &at); err != nil {
			return err
		}
		v.At = p.time(at)
		h.Views = append(h.Views, v)
		return nil
	})
	c.Hearing = h
	return err
}

// eachRow runs query and calls fn for every row.
func eachRow(ctx context.Context, q querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// timeParser parses stored times and dates, keeping the first error.
type timeParser struct{ err error }

func (p *timeParser) time(s string) time.Time {
	t, err := parseTime(s)
	if err != nil && p.err == nil {
		p.err = err
	}
	return t
}

func (p *timeParser) date(s string) time.Time {
	t, err := parseDate(s)
	if err != nil && p.err == nil {
		p.err = err
	}
	return t
}

// ---- storage forms ----

type proposalJSON struct {
	Lighter   bool           `json:"lighter,omitempty"`
	ToVerify  bool           `json:"to_verify,omitempty"`
	Threshold *thresholdJSON `json:"threshold,omitempty"`
}

type thresholdJSON struct {
	From            string `json:"from"`
	Dialogue        int    `json:"dialogue"`
	Lighter         int    `json:"lighter,omitempty"`
	LighterToVerify bool   `json:"lighter_to_verify,omitempty"`
}

func proposalOf(p cooperation.Proposal) proposalJSON {
	j := proposalJSON{Lighter: p.Lighter, ToVerify: p.ToVerify}
	if th := p.Threshold; th != (cooperation.Threshold{}) {
		j.Threshold = &thresholdJSON{From: formatDate(th.From), Dialogue: th.Dialogue, Lighter: th.Lighter, LighterToVerify: th.LighterToVerify}
	}
	return j
}

type participantJSON struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Side     string `json:"side"`
	Attended bool   `json:"attended"`
}

func participantsJSON(ps []cooperation.Participant) []participantJSON {
	out := make([]participantJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, participantJSON{Email: p.Email, Name: p.Name, Side: string(p.Side), Attended: p.Attended})
	}
	return out
}

type dissentItem struct {
	By   string `json:"by"`
	Text string `json:"text"`
}

func dissentJSON(ds []cooperation.Dissent) []dissentItem {
	out := make([]dissentItem, 0, len(ds))
	for _, d := range ds {
		out = append(out, dissentItem{By: d.By, Text: d.Text})
	}
	return out
}

// ---- audit text ----

func caseKey(id int64) string { return strconv.FormatInt(id, 10) }

func caseText(c *cooperation.Case) map[string]string {
	ids := make([]string, 0, len(c.ActivityIDs))
	for _, id := range c.ActivityIDs {
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	m := map[string]string{
		"title": c.Title, "procedure": string(c.Procedure), "proposed_procedure": string(c.Proposed.Procedure),
		"proposal_key": c.Proposed.Key, "override_reason": string(c.Override), "override_detail": c.OverrideDetail,
		"activity_ids": strings.Join(ids, ", "), "representatives": strings.Join(c.Representatives, ", "),
		"units": strings.Join(c.Units, ", "),
	}
	for k, v := range groupsText(c.Groups) {
		m[k] = v
	}
	return m
}

func groupsText(gs []cooperation.StaffGroup) map[string]string {
	m := map[string]string{}
	for i, g := range gs {
		var reps []string
		for _, r := range g.Representatives {
			s := r.Email + " (" + string(r.Type)
			if !r.TermStart.IsZero() || !r.TermEnd.IsZero() {
				s += " " + formatDate(r.TermStart) + "–" + formatDate(r.TermEnd)
			}
			reps = append(reps, s+")")
		}
		s := g.Name + ": " + strings.Join(reps, ", ")
		if g.AllEmployees {
			s += " [all employees]"
		}
		if len(g.Units) > 0 {
			s += " [" + strings.Join(g.Units, ", ") + "]"
		}
		m[indexed("groups", i)] = s
	}
	return m
}

func informationText(in *cooperation.Information) map[string]string {
	return map[string]string{
		"subject": in.Subject, "purpose": in.Purpose, "methods": in.Methods, "introduction_plan": in.IntroductionPlan,
		"groups_affected": in.GroupsAffected, "information_given": in.InformationGiven,
		"first_meeting_at": formatTime(in.FirstMeetingAt), "place": in.Place, "delivered_at": formatTime(in.DeliveredAt),
		"recipients": strings.Join(in.Recipients, ", "), "shorter_notice_agreement": in.ShorterNoticeAgreement,
		"confidential": strconv.FormatBool(in.Confidentiality.Confidential), "told_to": in.Confidentiality.ToldTo,
	}
}

func minutesText(m *cooperation.Minutes) map[string]string {
	var ds []string
	for _, d := range m.Dissent {
		ds = append(ds, d.By+": "+d.Text)
	}
	return map[string]string{
		"main_content": m.MainContent, "outcome": m.Outcome, "employer_position": m.EmployerPosition,
		"staff_position": m.StaffPosition, "dissent": strings.Join(ds, "; "),
	}
}

func hearingText(h *cooperation.HearingRecord) map[string]string {
	return map[string]string{"invited": h.Invited, "method": h.Method,
		"invited_at": formatTime(h.InvitedAt), "respond_by": formatTime(h.RespondBy)}
}

func participantSummary(ps []cooperation.Participant) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Email+" ("+string(p.Side)+")")
	}
	return out
}

// ---- validation ----

// coopFields collects field errors of the co-operation domain.
type coopFields map[string]string

func (f coopFields) add(field, key string) {
	if _, ok := f[field]; !ok {
		f[field] = key
	}
}

// text checks free text: required (not blank), valid UTF-8, at most max
// characters.
func (f coopFields) text(field, v string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(v) == "":
		f.add(field, monitoring.MsgRequired)
	case !utf8.ValidString(v):
		f.add(field, monitoring.MsgInvalid)
	case utf8.RuneCountInString(v) > max:
		f.add(field, monitoring.MsgTooLong)
	}
}

func (f coopFields) err(msg string) error {
	if len(f) == 0 {
		return nil
	}
	return &cooperation.Error{Code: cooperation.Invalid, Message: msg, Fields: map[string]string(f)}
}

func coopFieldErr(code cooperation.Code, field, key, format string, args ...any) error {
	return &cooperation.Error{Code: code, Message: fmt.Sprintf(format, args...), Fields: map[string]string{field: key}}
}

func requiredOr(v, key string) string {
	if strings.TrimSpace(v) == "" {
		return monitoring.MsgRequired
	}
	return key
}

func indexed(name string, i int) string { return name + "[" + strconv.Itoa(i) + "]" }

// cleanList trims the values and drops blank ones and repeats.
func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func actorOf(actor string) string {
	if actor == "" {
		return "system"
	}
	return actor
}
