package pdf

import (
	"io"
	"strings"
	"time"

	"vaaka/monitoring"
)

// ComplianceID is the document id of a compliance report for a period:
// "VAAKA-COMPLIANCE-20261101-20261130".
func ComplianceID(from, to time.Time) string {
	return "VAAKA-COMPLIANCE-" + from.Format("20060102") + "-" + to.Format("20060102")
}

// ComplianceActivity is an activity with its unmet readiness rules.
type ComplianceActivity struct {
	Activity *monitoring.Activity
	Unmet    []monitoring.Readiness
}

// ComplianceNotice is a current notice with the recipients who have not
// acknowledged it.
type ComplianceNotice struct {
	Notice       *monitoring.Notice
	ActivityName string
	Pending      []*monitoring.NoticeRecipient
	// PendingTotal counts every unacknowledged recipient; Pending may be
	// capped.
	PendingTotal int
}

// ComplianceDoc is what the compliance report for a period prints.
type ComplianceDoc struct {
	From, To time.Time // calendar dates, inclusive
	// Today decides which access requests are due or overdue.
	Today      time.Time
	Activities []ComplianceActivity
	// FlagCounts count the flagged uses of the period per flag; Flagged
	// lists the newest of them (at most a cap), FlaggedTotal all of them.
	FlagCounts   map[monitoring.Flag]int64
	Flagged      []*monitoring.Use
	FlaggedTotal int
	// Overdue are recordings past their deletion date (R-RET-2), oldest
	// first; OverdueTotal counts all of them.
	Overdue      []*monitoring.Recording
	OverdueTotal int
	Notices      []ComplianceNotice
	// Requests are the open access requests (R-DSR-1).
	Requests []*monitoring.AccessRequest
	// ActivityNames name the activities of the listed uses and recordings.
	ActivityNames map[int64]string
}

// DueSoonDays is how close a due date makes an access request "due".
const DueSoonDays = 7

// Compliance writes the compliance report for a period: every activity's
// readiness with the unmet rules and their ids (R-SEQ-1), the flagged uses
// of the period counted per flag and listed (capped, with a note), overdue
// deletions (R-RET-2), unacknowledged notices (R-NOT-1) and access requests
// open, coming due and overdue (R-DSR-1).
func Compliance(w io.Writer, d ComplianceDoc, o Options) error {
	if err := o.check(); err != nil {
		return err
	}
	return render(w, complianceContent(d, &o), &o)
}

// complianceContent builds the blocks of the report.
func complianceContent(d ComplianceDoc, o *Options) *document {
	b := &builder{o: o}
	title := b.t("pdf.compliance.title")
	period := formatDate(o.Lang, d.From) + " – " + formatDate(o.Lang, d.To)
	doc := &document{Title: title + " " + period}
	b.heading(title)
	b.subheading(b.t("pdf.compliance.period", "period", period))

	// Summary.
	open, due, overdue := requestCounts(d.Requests, d.Today)
	pending := 0
	for _, n := range d.Notices {
		pending += n.PendingTotal
	}
	notReady := 0
	for _, a := range d.Activities {
		if len(a.Unmet) > 0 {
			notReady++
		}
	}
	var sum kv
	sum.add(b.t("pdf.compliance.activities_not_ready"), itoa(notReady)+" / "+itoa(len(d.Activities)))
	sum.add(b.t("pdf.compliance.flagged_uses"), itoa(d.FlaggedTotal))
	sum.add(b.t("pdf.compliance.overdue_deletions"), itoa(d.OverdueTotal))
	sum.add(b.t("pdf.compliance.unacknowledged"), itoa(pending))
	sum.add(b.t("pdf.compliance.requests"), b.t("pdf.compliance.requests_counts", "open", itoa(open), "due", itoa(due), "overdue", itoa(overdue)))
	b.table(sum)

	// Activities and their readiness (R-SEQ-1).
	b.subheading(b.t("pdf.compliance.h.activities"))
	if len(d.Activities) == 0 {
		b.para("", b.t("pdf.compliance.no_activities"))
	} else {
		tb := block{Kind: kTable, Widths: []float64{4, 2.2, 8},
			Head: []string{b.t("pdf.report.activity"), b.t("pdf.register.status"), b.t("pdf.compliance.unmet")}}
		for _, ca := range d.Activities {
			a := ca.Activity
			var ls []string
			for _, r := range ca.Unmet {
				ls = append(ls, r.Rule+": "+b.t("readiness."+r.Key))
			}
			unmet := b.t("pdf.compliance.ready")
			if len(ls) > 0 {
				unmet = strings.Join(ls, "\n")
			}
			tb.Cells = append(tb.Cells, []string{a.Name + " (#" + itoa64(a.ID) + ")", b.t("web.status." + string(a.Status)), unmet})
		}
		b.blocks = append(b.blocks, tb)
	}

	// Flagged uses of the period.
	b.subheading(b.t("pdf.compliance.h.flags"))
	if d.FlaggedTotal == 0 {
		b.para("", b.t("pdf.compliance.no_flags"))
	} else {
		tb := block{Kind: kTable, Widths: []float64{6, 1.5, 2},
			Head: []string{b.t("pdf.report.flags"), b.t("pdf.compliance.rule"), b.t("pdf.compliance.count")}}
		for _, f := range monitoring.AllFlags {
			if n := d.FlagCounts[f]; n > 0 {
				tb.Cells = append(tb.Cells, []string{b.t("flag." + string(f)), monitoring.FlagRules[f], itoa64(n)})
			}
		}
		b.blocks = append(b.blocks, tb)
		lt := block{Kind: kTable, Widths: []float64{2.3, 3, 2.8, 2, 3, 3.2},
			Head: []string{b.t("pdf.report.when"), b.t("pdf.report.activity"), b.t("pdf.report.recording"), b.t("pdf.compliance.employees"),
				b.t("pdf.report.by"), b.t("pdf.report.flags")}}
		for _, u := range d.Flagged {
			lt.Cells = append(lt.Cells, []string{o.dateTime(u.OccurredAt), firstNonBlank(d.ActivityNames[u.ActivityID], "#"+itoa64(u.ActivityID)),
				u.RecordingRef, strings.Join(u.EmployeeStaffIDs, ", "), o.name(u.UsedBy), flagText(b, u.Flags)})
		}
		b.blocks = append(b.blocks, lt)
		if len(d.Flagged) < d.FlaggedTotal {
			b.note(b.t("pdf.compliance.capped", "shown", itoa(len(d.Flagged)), "total", itoa(d.FlaggedTotal)))
		}
	}

	// Overdue deletions (R-RET-2).
	b.subheading(b.t("pdf.compliance.h.overdue"))
	if d.OverdueTotal == 0 {
		b.para("", b.t("pdf.compliance.no_overdue"))
	} else {
		tb := block{Kind: kTable, Widths: []float64{3.5, 3.5, 2.5, 3.5},
			Head: []string{b.t("pdf.report.recording"), b.t("pdf.report.activity"), b.t("pdf.compliance.call_started"), b.t("pdf.compliance.deletion_due")}}
		for _, r := range d.Overdue {
			tb.Cells = append(tb.Cells, []string{r.Ref, firstNonBlank(d.ActivityNames[r.ActivityID], "#"+itoa64(r.ActivityID)),
				o.dateTime(r.CallStartedAt), o.dateTime(r.DeletionDue)})
		}
		b.blocks = append(b.blocks, tb)
		if len(d.Overdue) < d.OverdueTotal {
			b.note(b.t("pdf.compliance.capped", "shown", itoa(len(d.Overdue)), "total", itoa(d.OverdueTotal)))
		}
	}

	// Unacknowledged notices (R-NOT-1).
	b.subheading(b.t("pdf.compliance.h.notices"))
	if pending == 0 {
		b.para("", b.t("pdf.compliance.no_unacknowledged"))
	} else {
		tb := block{Kind: kTable, Widths: []float64{4, 1.2, 2.5, 1.6, 6},
			Head: []string{b.t("pdf.report.activity"), b.t("pdf.minutes.version_short"), b.t("pdf.report.issued"),
				b.t("pdf.compliance.pending"), b.t("pdf.compliance.pending_who")}}
		for _, n := range d.Notices {
			if n.PendingTotal == 0 {
				continue
			}
			var who []string
			for _, r := range n.Pending {
				who = append(who, firstNonBlank(r.Name, r.StaffID)+" ("+r.StaffID+")")
			}
			w := strings.Join(who, ", ")
			if len(n.Pending) < n.PendingTotal {
				w += " " + b.t("pdf.compliance.and_more", "n", itoa(n.PendingTotal-len(n.Pending)))
			}
			tb.Cells = append(tb.Cells, []string{n.ActivityName, itoa(n.Notice.Version), o.dateTime(n.Notice.IssuedAt), itoa(n.PendingTotal), w})
		}
		b.blocks = append(b.blocks, tb)
	}

	// Access requests (R-DSR-1).
	b.subheading(b.t("pdf.compliance.h.requests"))
	if len(d.Requests) == 0 {
		b.para("", b.t("pdf.compliance.no_requests"))
	} else {
		tb := block{Kind: kTable, Widths: []float64{1, 2, 4, 2.3, 2.3, 3},
			Head: []string{"#", b.t("pdf.compliance.requester_kind"), b.t("pdf.compliance.requester"), b.t("pdf.compliance.received"),
				b.t("pdf.compliance.due"), b.t("pdf.register.status")}}
		for _, r := range d.Requests {
			who := firstNonBlank(r.Requester, r.StaffID)
			if r.StaffID != "" && r.Requester != "" {
				who = r.Requester + " (" + r.StaffID + ")"
			}
			tb.Cells = append(tb.Cells, []string{itoa64(r.ID), b.t("pdf.compliance.kind." + string(r.Kind)), who,
				formatDate(o.Lang, r.ReceivedOn), formatDate(o.Lang, r.DueOn), requestState(b, r, d.Today)})
		}
		b.blocks = append(b.blocks, tb)
	}
	b.note(b.t("pdf.compliance.note"))
	doc.Blocks = b.blocks
	return doc
}

// requestCounts counts open requests, those due within DueSoonDays and
// those overdue at today.
func requestCounts(rs []*monitoring.AccessRequest, today time.Time) (open, due, overdue int) {
	for _, r := range rs {
		if !r.DeliveredOn.IsZero() {
			continue
		}
		open++
		switch {
		case today.After(r.DueOn):
			overdue++
		case !r.DueOn.After(today.AddDate(0, 0, DueSoonDays)):
			due++
		}
	}
	return open, due, overdue
}

func requestState(b *builder, r *monitoring.AccessRequest, today time.Time) string {
	var s string
	switch {
	case !r.DeliveredOn.IsZero():
		s = b.t("pdf.compliance.state.delivered", "date", formatDate(b.o.Lang, r.DeliveredOn))
	case today.After(r.DueOn):
		s = b.t("pdf.compliance.state.overdue")
	case !r.DueOn.After(today.AddDate(0, 0, DueSoonDays)):
		s = b.t("pdf.compliance.state.due")
	default:
		s = b.t("pdf.compliance.state.open")
	}
	if !r.ExtendedOn.IsZero() {
		s += "\n" + b.t("pdf.compliance.state.extended")
	}
	return s
}

func itoa64(i int64) string { return itoa(int(i)) }
