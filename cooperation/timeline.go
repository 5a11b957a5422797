package cooperation

import (
	"sort"
	"time"
)

// Timeline lists every statutory time limit of the case with its state at
// now, in calendar days of loc (Europe/Helsinki): the written information
// before the first meeting (R-COOP-2, R-COOP-6), each initiative at the
// next meeting (R-COOP-5), the requested minutes signed (R-COOP-4,
// R-COOP-8), the hearing opportunity (R-COOP-9) and, after change
// negotiations, the employer's account (R-COOP-8). Limits without a day
// count in the law have a zero Due.
func (c *Case) Timeline(now time.Time, loc *time.Location) []Deadline {
	var ds []Deadline
	in := c.CurrentInformation()
	switch c.Procedure {
	case Dialogue:
		if in != nil && !in.FirstMeetingAt.IsZero() {
			d := Deadline{Rule: "R-COOP-2", Key: "information", Due: LatestInformationDate(in.FirstMeetingAt, loc), DoneAt: in.DeliveredAt}
			d.Status = EvaluateDeadline(d.Due, d.DoneAt, now, loc)
			if !blank(in.ShorterNoticeAgreement) {
				d.Status = Waived
			}
			ds = append(ds, d)
		}
	case ChangeNegotiations:
		if in != nil && !in.FirstMeetingAt.IsZero() {
			due := dateOf(in.FirstMeetingAt, loc)
			d := Deadline{Rule: "R-COOP-6", Key: "proposal", Due: due, DoneAt: in.DeliveredAt}
			switch {
			case !in.DeliveredAt.IsZero() && in.DeliveredAt.Before(in.FirstMeetingAt):
				d.Status = Met
			case !in.DeliveredAt.IsZero() || !now.Before(in.FirstMeetingAt):
				d.Status = Missed
			default:
				d.Status = Pending
			}
			ds = append(ds, d)
		}
	case Hearing:
		if h := c.Hearing; h != nil && !h.RespondBy.IsZero() {
			d := Deadline{Rule: "R-COOP-9", Key: "hearing", Due: dateOf(h.RespondBy, loc), Status: Pending}
			if !now.Before(h.RespondBy) {
				d.Status, d.DoneAt = Met, h.RespondBy
			}
			ds = append(ds, d)
		}
	}
	meetings := c.meetingTimes(in)
	for _, i := range c.Initiatives {
		next := firstAfter(meetings, i.ReceivedAt)
		if i.Deferred && !next.IsZero() {
			next = firstAfter(meetings, next)
		}
		d := Deadline{Rule: "R-COOP-5", Key: "initiative", DoneAt: i.RespondedAt}
		if i.Kind == KindWrittenProposal {
			d.Rule, d.Key = "R-COOP-7", "written_proposal"
		}
		if next.IsZero() {
			d.Status = Pending
			if !i.RespondedAt.IsZero() {
				d.Status = Met
			}
		} else {
			d.Due = dateOf(next, loc)
			d.Status = EvaluateDeadline(d.Due, d.DoneAt, now, loc)
		}
		ds = append(ds, d)
	}
	minutesRule := "R-COOP-4"
	if c.Procedure == ChangeNegotiations {
		minutesRule = "R-COOP-8"
	}
	for _, m := range c.Meetings {
		if !m.MinutesRequested {
			continue
		}
		d := Deadline{Rule: minutesRule, Key: "minutes", Status: Pending}
		if m.MinutesSigned() {
			d.Status = Met
			for _, a := range m.Approvals {
				if a.At.After(d.DoneAt) {
					d.DoneAt = a.At
				}
			}
		}
		ds = append(ds, d)
	}
	if c.Procedure == ChangeNegotiations && c.Conclusion != nil {
		d := Deadline{Rule: "R-COOP-8", Key: "account", Status: Pending}
		if !blank(c.Conclusion.Account) {
			d.Status, d.DoneAt = Met, c.Conclusion.ConcludedAt
		}
		ds = append(ds, d)
	}
	return ds
}

// meetingTimes are the known meeting times, sorted: the meetings held and
// the first meeting the information announced.
func (c *Case) meetingTimes(in *Information) []time.Time {
	var ts []time.Time
	for _, m := range c.Meetings {
		ts = append(ts, m.HeldAt)
	}
	if in != nil && !in.FirstMeetingAt.IsZero() {
		ts = append(ts, in.FirstMeetingAt)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	return ts
}

func firstAfter(ts []time.Time, t time.Time) time.Time {
	for _, x := range ts {
		if x.After(t) {
			return x
		}
	}
	return time.Time{}
}

// dateOf is the calendar date of t in loc as midnight UTC.
func dateOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
