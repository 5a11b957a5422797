package pdf

import (
	"io"
	"strings"

	"vaaka/monitoring"
)

// ReportID is the document id of an employee's report generated at
// o.GeneratedAt: "VAAKA-REPORT-E1001-20261127".
func ReportID(staffID string, o Options) string {
	loc := o.Location
	if loc == nil {
		loc = monitoring.Helsinki
	}
	return "VAAKA-REPORT-" + staffID + "-" + o.GeneratedAt.In(loc).Format("20060102")
}

// ReportNotice is one notice the employee received, with their copy.
type ReportNotice struct {
	Notice       *monitoring.Notice
	ActivityName string
	Recipient    *monitoring.NoticeRecipient
}

// ReportDoc is what an employee's own report prints (R-DSR-1): the notices
// they received and every use of the recordings of their calls.
type ReportDoc struct {
	Employee monitoring.Employee
	Notices  []ReportNotice
	// Uses are every use naming the employee, newest first.
	Uses []*monitoring.Use
	// Activities resolve a use's activity name and purpose description.
	Activities map[int64]*monitoring.Activity
	// Task returns the task that entitled the user to the use (R-ACC-1),
	// "" when none; nil uses the activity's current authorised users.
	Task func(u *monitoring.Use) string
}

// Report writes an employee's report: the copy of their data GDPR Art 15
// entitles them to (R-DSR-1) — the notices received (version, issued, read,
// acknowledged) and every use of the recordings of their calls (recording
// and call time, when, by whom with their task, action, purpose, flags),
// as logged (R-LOG-1).
func Report(w io.Writer, d ReportDoc, o Options) error {
	if err := o.check(); err != nil {
		return err
	}
	return render(w, reportContent(d, &o), &o)
}

// reportContent builds the blocks of the report.
func reportContent(d ReportDoc, o *Options) *document {
	b := &builder{o: o}
	title := b.t("pdf.report.title")
	doc := &document{Title: title + " – " + d.Employee.Name}
	b.heading(title)
	b.subheading(d.Employee.Name)
	var rows kv
	rows.add(b.t("pdf.report.staff_id"), d.Employee.StaffID)
	rows.add(b.t("pdf.report.unit"), d.Employee.Unit)
	rows.add(b.t("pdf.email"), d.Employee.Email)
	rows.add(b.t("pdf.report.uses_count"), itoa(len(d.Uses)))
	if n := len(d.Uses); n > 0 {
		rows.add(b.t("pdf.report.period"), o.date(d.Uses[n-1].OccurredAt)+" – "+o.date(d.Uses[0].OccurredAt))
	}
	b.table(rows)
	b.para("", b.t("pdf.report.intro"))

	b.subheading(b.t("pdf.report.h.notices"))
	if len(d.Notices) == 0 {
		b.para("", b.t("pdf.report.no_notices"))
	} else {
		tb := block{Kind: kTable, Widths: []float64{4.5, 1.2, 2.6, 2.6, 2.6, 2.6},
			Head: []string{b.t("pdf.report.activity"), b.t("pdf.minutes.version_short"), b.t("pdf.notice.introduction_on"),
				b.t("pdf.report.issued"), b.t("pdf.report.read"), b.t("pdf.report.acknowledged")}}
		for _, rn := range d.Notices {
			n := rn.Notice
			read, ack := "–", "–"
			if r := rn.Recipient; r != nil {
				read = firstNonBlank(o.dateTime(r.ReadAt), "–")
				ack = firstNonBlank(o.dateTime(r.AcknowledgedAt), "–")
			}
			name := rn.ActivityName
			if n.Superseded {
				name += "\n" + b.t("pdf.report.superseded")
			}
			tb.Cells = append(tb.Cells, []string{name, itoa(n.Version), formatDate(o.Lang, n.IntroductionOn), o.dateTime(n.IssuedAt), read, ack})
		}
		b.blocks = append(b.blocks, tb)
	}

	b.subheading(b.t("pdf.report.h.uses"))
	if len(d.Uses) == 0 {
		b.para("", b.t("pdf.report.no_uses"))
	} else {
		tb := block{Kind: kTable, Widths: []float64{2.3, 3.3, 3.4, 2, 3.4, 3.2},
			Head: []string{b.t("pdf.report.when"), b.t("pdf.report.recording"), b.t("pdf.report.by"), b.t("pdf.report.action"),
				b.t("pdf.report.purpose"), b.t("pdf.report.flags")}}
		for _, u := range d.Uses {
			tb.Cells = append(tb.Cells, useRow(b, o, u, d.Activities, d.Task))
		}
		b.blocks = append(b.blocks, tb)
	}
	b.note(b.t("pdf.report.note"))
	doc.Blocks = b.blocks
	return doc
}

// useRow is the cells of one use: when, recording and call, by whom and
// their task, action, purpose (and the note), flags with their rule ids.
func useRow(b *builder, o *Options, u *monitoring.Use, acts map[int64]*monitoring.Activity, task func(*monitoring.Use) string) []string {
	a := acts[u.ActivityID]
	rec := u.RecordingRef + "\n" + b.t("pdf.report.call", "at", o.dateTime(u.CallStartedAt))
	by := o.name(u.UsedBy)
	t := ""
	switch {
	case task != nil:
		t = task(u)
	case a != nil:
		t = a.TaskOf(u.UsedBy)
	}
	if t != "" {
		by += "\n" + t
	}
	action := b.t("web.action." + string(u.Action))
	if u.Corrects != "" {
		action += "\n" + b.t("pdf.report.correction")
	}
	purpose := "–"
	if u.Purpose != "" {
		purpose = u.Purpose
		if a != nil {
			for _, p := range a.Purposes {
				if p.Code == u.Purpose && strings.TrimSpace(p.Description) != "" {
					purpose = p.Description + " (" + p.Code + ")"
				}
			}
		}
	}
	if a != nil {
		purpose += "\n" + a.Name
	}
	if n := strings.TrimSpace(u.Note); n != "" {
		purpose += "\n" + b.t("pdf.report.note_label") + ": " + n
	}
	return []string{o.dateTime(u.OccurredAt), rec, by, action, purpose, flagText(b, u.Flags)}
}

// flagText lists flags with their rule ids, one a line.
func flagText(b *builder, fs []monitoring.Flag) string {
	if len(fs) == 0 {
		return "–"
	}
	ls := make([]string, 0, len(fs))
	for _, f := range fs {
		ls = append(ls, b.t("flag."+string(f))+" ("+monitoring.FlagRules[f]+")")
	}
	return strings.Join(ls, "\n")
}
