package pdf

import (
	"io"
	"strings"

	"vaaka/cooperation"
)

// Minutes writes the current version of a meeting's minutes as a PDF: time,
// place, participants with side and attendance, agenda, main content and
// results, each party's position, the outcome, dissenting opinions (from
// the minutes and from approvals with a dissent), the approvals, whether
// the minutes are signed, and a signature block for both parties (R-COOP-4,
// R-COOP-8). ErrNoMinutes when the meeting has none.
func Minutes(w io.Writer, c *cooperation.Case, m *cooperation.Meeting, o Options) error {
	if err := o.check(); err != nil {
		return err
	}
	if m == nil || m.CurrentMinutes() == nil {
		return ErrNoMinutes
	}
	return render(w, minutesContent(c, m, &o), &o)
}

// minutesContent builds the blocks of the minutes.
func minutesContent(c *cooperation.Case, m *cooperation.Meeting, o *Options) *document {
	// Participants' names take precedence over o.Names for this meeting.
	names := make(map[string]string, len(o.Names)+len(m.Participants))
	for k, v := range o.Names {
		names[strings.ToLower(k)] = v
	}
	for _, p := range m.Participants {
		if p.Name != "" {
			names[strings.ToLower(p.Email)] = p.Name
		}
	}
	oo := *o
	oo.Names = names
	o = &oo

	b := &builder{o: o}
	cur := m.CurrentMinutes()
	title := b.t("pdf.minutes.title")
	d := &document{Title: title + " – " + c.Title}
	d.Confidential, d.ConfidentialTold = confidentiality(o, confidential(m.Confidentiality))

	b.heading(title)
	b.subheading(c.Title)

	signed := m.MinutesSigned()
	var rows kv
	rows.add(b.t("pdf.procedure"), b.t("coop.procedure."+string(c.Procedure)))
	rows.add(b.t("pdf.minutes.held_at"), o.dateTime(m.HeldAt))
	rows.add(b.t("pdf.place"), m.Place)
	rows.add(b.t("pdf.version"), itoa(cur.Version))
	written := o.nameWithEmail(cur.WrittenBy)
	if !cur.WrittenAt.IsZero() {
		written = strings.TrimSpace(written + ", " + o.dateTime(cur.WrittenAt))
	}
	rows.add(b.t("pdf.minutes.written_by"), strings.Trim(written, ", "))
	if m.MinutesRequested {
		rows.add(b.t("pdf.minutes.requested"), b.t("pdf.minutes.requested_yes"))
	}
	if signed {
		rows.add(b.t("pdf.minutes.state"), b.t("pdf.minutes.signed"))
	} else {
		rows.add(b.t("pdf.minutes.state"), b.t("pdf.minutes.not_signed"))
	}
	b.table(rows)

	// Participants with side and attendance.
	if len(m.Participants) > 0 {
		b.subheading(b.t("pdf.minutes.participants"))
		tb := block{Kind: kTable, Widths: []float64{5, 5, 3, 2.2},
			Head: []string{b.t("pdf.name"), b.t("pdf.email"), b.t("pdf.side"), b.t("pdf.minutes.attendance")}}
		for _, p := range m.Participants {
			att := b.t("pdf.minutes.absent")
			if p.Attended {
				att = b.t("pdf.minutes.present")
			}
			tb.Cells = append(tb.Cells, []string{firstNonBlank(p.Name, p.Email), p.Email, sideName(b, p.Side), att})
		}
		b.blocks = append(b.blocks, tb)
	}

	b.para(b.t("pdf.minutes.agenda"), m.Agenda)
	b.para(b.t("pdf.minutes.main_content"), cur.MainContent)
	b.para(b.t("pdf.minutes.employer_position"), cur.EmployerPosition)
	b.para(b.t("pdf.minutes.staff_position"), cur.StaffPosition)
	b.para(b.t("pdf.minutes.outcome"), cur.Outcome)

	// Dissenting opinions: in the minutes, and recorded with approvals of
	// this version.
	var dissent []string
	for _, ds := range cur.Dissent {
		dissent = append(dissent, b.t("pdf.minutes.dissent_by", "by", o.name(ds.By), "text", strings.TrimSpace(ds.Text)))
	}
	for _, a := range m.Approvals {
		if a.Version == cur.Version && strings.TrimSpace(a.Dissent) != "" {
			dissent = append(dissent, b.t("pdf.minutes.dissent_by", "by", o.name(a.By), "text", strings.TrimSpace(a.Dissent)))
		}
	}
	if len(dissent) > 0 {
		b.list(b.t("pdf.minutes.dissent"), dissent)
	}

	// Approvals of every version, oldest first.
	b.subheading(b.t("pdf.minutes.approvals"))
	if len(m.Approvals) == 0 {
		b.para("", b.t("pdf.minutes.no_approvals"))
	} else {
		tb := block{Kind: kTable, Widths: []float64{3.6, 2.3, 1, 3.9, 4.5, 3.5},
			Head: []string{b.t("pdf.name"), b.t("pdf.side"), b.t("pdf.minutes.version_short"), b.t("pdf.minutes.decision"), b.t("pdf.minutes.comment"), b.t("pdf.time")}}
		for _, a := range m.Approvals {
			decision := b.t("pdf.minutes.correction_requested")
			if a.Approve {
				decision = b.t("pdf.minutes.approved")
				if strings.TrimSpace(a.Dissent) != "" {
					decision = b.t("pdf.minutes.approved_with_dissent")
				}
			}
			comment := strings.TrimSpace(a.Comment)
			if ds := strings.TrimSpace(a.Dissent); ds != "" {
				comment = strings.TrimSpace(comment + "\n" + b.t("pdf.minutes.dissent_short") + ": " + ds)
			}
			side := a.Side
			if side == "" {
				side = m.SideOf(a.By)
			}
			tb.Cells = append(tb.Cells, []string{o.name(a.By), sideName(b, side), itoa(a.Version), decision, comment, o.dateTime(a.At)})
		}
		b.blocks = append(b.blocks, tb)
	}
	if signed {
		b.para("", b.t("pdf.minutes.signed_note", "version", itoa(cur.Version)))
	} else {
		b.para("", b.t("pdf.minutes.not_signed_note", "version", itoa(cur.Version)))
	}

	// Signature lines for both parties: the participants who attended.
	sig := block{Kind: kSignatures, LeftCaption: b.t("pdf.minutes.for_employer"), RightCaption: b.t("pdf.minutes.for_staff"),
		SignLabel: b.t("pdf.minutes.sign_label")}
	for _, p := range m.Participants {
		if !p.Attended {
			continue
		}
		switch p.Side {
		case cooperation.EmployerSide:
			sig.Left = append(sig.Left, firstNonBlank(p.Name, p.Email))
		case cooperation.StaffSide:
			sig.Right = append(sig.Right, firstNonBlank(p.Name, p.Email))
		}
	}
	b.subheading(b.t("pdf.minutes.signatures"))
	b.blocks = append(b.blocks, sig)
	d.Blocks = b.blocks
	return d
}

func sideName(b *builder, s cooperation.Side) string {
	if s == "" {
		return ""
	}
	return b.t("coop.side." + string(s))
}
