package pdf

import (
	"io"
	"strings"

	"vaaka/cooperation"
)

// Proposal writes the written information / negotiation proposal / hearing
// invitation of a case (R-COOP-2, R-COOP-6, R-COOP-9) as a PDF. in is the
// version to print (usually c.CurrentInformation()); the names of the
// activities concerned come in o.Activities.
func Proposal(w io.Writer, c *cooperation.Case, in *cooperation.Information, o Options) error {
	if err := o.check(); err != nil {
		return err
	}
	if in == nil {
		return ErrNoInformation
	}
	return render(w, proposalContent(c, in, &o), &o)
}

// proposalTitleKey is the document's title per procedure (GLOSSARY):
// written information (dialogue), negotiation proposal (change
// negotiations), invitation to be heard (hearing).
func proposalTitleKey(p cooperation.Procedure) string {
	switch p {
	case cooperation.ChangeNegotiations:
		return "pdf.proposal.title.change_negotiations"
	case cooperation.Hearing:
		return "pdf.proposal.title.hearing"
	}
	return "pdf.proposal.title.dialogue"
}

// proposalContent builds the blocks of the proposal.
func proposalContent(c *cooperation.Case, in *cooperation.Information, o *Options) *document {
	b := &builder{o: o}
	title := b.t(proposalTitleKey(c.Procedure))
	d := &document{Title: title}
	d.Confidential, d.ConfidentialTold = confidentiality(o, confidential(in.Confidentiality))

	b.heading(title)
	b.subheading(firstNonBlank(in.Subject, c.Title))

	var rows kv
	rows.add(b.t("pdf.case"), c.Title)
	rows.add(b.t("pdf.procedure"), b.t("coop.procedure."+string(c.Procedure)))
	rows.add(b.t("pdf.version"), itoa(in.Version))
	if in.DeliveredAt.IsZero() {
		rows.add(b.t("pdf.proposal.delivered_at"), b.t("pdf.proposal.not_delivered"))
	} else {
		rows.add(b.t("pdf.proposal.delivered_at"), o.dateTime(in.DeliveredAt))
	}
	firstKey := "pdf.proposal.first_meeting"
	if c.Procedure == cooperation.ChangeNegotiations {
		firstKey = "pdf.proposal.negotiations_start"
	}
	rows.add(b.t(firstKey), o.dateTime(in.FirstMeetingAt))
	rows.add(b.t("pdf.place"), in.Place)
	var recips []string
	for _, r := range in.Recipients {
		recips = append(recips, o.nameWithEmail(r))
	}
	rows.add(b.t("pdf.proposal.recipients"), strings.Join(recips, "\n"))
	rows.add(b.t("pdf.proposal.activities"), strings.Join(o.Activities, "\n"))
	rows.add(b.t("pdf.units"), strings.Join(c.Units, ", "))
	rows.add(b.t("pdf.proposal.created_by"), o.nameWithEmail(in.CreatedBy))
	b.table(rows)

	b.para(b.t("pdf.proposal.subject"), in.Subject)
	b.para(b.t("pdf.proposal.purpose"), in.Purpose)
	b.para(b.t("pdf.proposal.methods"), in.Methods)
	b.para(b.t("pdf.proposal.introduction_plan"), in.IntroductionPlan)
	b.para(b.t("pdf.proposal.groups_affected"), in.GroupsAffected)
	b.para(b.t("pdf.proposal.information_given"), in.InformationGiven)
	if strings.TrimSpace(in.ShorterNoticeAgreement) != "" {
		// R-COOP-2: an agreement on a notice shorter than seven days.
		b.para(b.t("pdf.proposal.shorter_notice"), in.ShorterNoticeAgreement)
	}
	b.note(b.t("pdf.proposal.note." + string(c.Procedure)))
	d.Blocks = b.blocks
	return d
}

func firstNonBlank(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}
