package pdf

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"vaaka/cooperation"
	"vaaka/monitoring"
)

// NoticeID is the document id of a notice: "VAAKA-NOTICE-7-V2" (the
// notice's id and its version for the activity).
func NoticeID(id int64, version int) string {
	return fmt.Sprintf("VAAKA-NOTICE-%d-V%d", id, version)
}

// NoticeDoc is what the notice to employees prints: its content as
// monitoring.BuildNoticeContent assembles it (the same content the web page
// and the API show), and the procedure held before it (R-NOT-3).
type NoticeDoc struct {
	Content monitoring.NoticeContent
	// Procedure is the co-operation procedure the notice refers to (dialogue,
	// change negotiations or hearing); "" when the notice names no case.
	Procedure cooperation.Procedure
	CaseTitle string
}

// Notice writes the notice to employees (R-NOT-1, R-NOT-2, R-NOT-3,
// R-NOT-5): the employer, the purpose, the introduction date and the
// methods as the conclusion defined them, every GDPR Art 13 item as a headed
// section, what the dialogue or hearing handled and decided, the
// plain-language Finnish text (Finnish only) and the link to Act 759/2004.
func Notice(w io.Writer, d NoticeDoc, o Options) error {
	if err := o.check(); err != nil {
		return err
	}
	return render(w, noticeContent(d, &o), &o)
}

// noticeSectionKeys are the Art 13 headings of R-NOT-2, in the order of the
// notice, as "pdf.notice.h.<key>". Every one is printed, with a statement
// where the item does not apply, so a reader sees that nothing is left out.
var noticeSectionKeys = []string{
	"controller", "dpo", "purposes", "legitimate_interests", "recipients", "transfers", "retention",
	"rights", "consent", "complaint", "obligation", "automated",
}

// noticeContent builds the blocks of the notice.
func noticeContent(d NoticeDoc, o *Options) *document {
	nc := d.Content
	b := &builder{o: o}
	title := b.t("pdf.notice.title")
	doc := &document{Title: title + " – " + nc.ActivityName}

	b.heading(title)
	b.subheading(nc.ActivityName)
	if nc.Superseded {
		b.note(b.t("pdf.notice.superseded"))
	}
	var rows kv
	rows.add(b.t("pdf.notice.employer"), orgLine(nc.Controller.Name, nc.Controller.BusinessID, o))
	rows.add(b.t("pdf.notice.introduction_on"), formatDate(o.Lang, nc.IntroductionOn))
	rows.add(b.t("pdf.notice.issued_at"), o.dateTime(nc.IssuedAt))
	rows.add(b.t("pdf.version"), itoa(nc.Version))
	rows.add(b.t("pdf.notice.method"), methodName(b, nc.Method))
	var dirs []string
	for _, dr := range nc.Directions {
		dirs = append(dirs, b.t("pdf.direction."+string(dr)))
	}
	rows.add(b.t("pdf.notice.directions"), strings.Join(dirs, ", "))
	b.table(rows)

	// R-NOT-1: purpose, introduction and methods as the employer defined
	// them after the procedure (R-COOP-10).
	b.para(b.t("pdf.notice.purpose"), nc.Purpose)
	b.para(b.t("pdf.notice.methods"), nc.Methods)
	b.para(b.t("pdf.notice.description"), nc.Description)
	b.para(b.t("pdf.notice.introduction"), b.t("pdf.notice.introduction_text", "date", formatDate(o.Lang, nc.IntroductionOn)))

	// R-NOT-3: the procedure held and what it handled and decided.
	b.subheading(b.t("pdf.notice.h.procedure"))
	if d.Procedure != "" {
		b.para("", b.t("pdf.notice.procedure_held", "procedure", b.t("coop.procedure."+string(d.Procedure)), "case", d.CaseTitle))
	} else {
		b.para("", b.t("pdf.notice.procedure_unknown"))
	}
	b.para(b.t("pdf.notice.handled"), nc.Handled)
	if strings.TrimSpace(nc.Decision) != "" {
		label := b.t("pdf.notice.decision")
		if !nc.DecidedAt.IsZero() {
			label = b.t("pdf.notice.decision_on", "date", o.date(nc.DecidedAt))
		}
		b.para(label, nc.Decision)
	}

	for _, key := range noticeSectionKeys {
		b.subheading(b.t("pdf.notice.h." + key))
		noticeSection(b, key, nc)
	}

	// R-NOT-5: the Act is kept available to employees.
	b.subheading(b.t("pdf.notice.h.act"))
	b.para("", b.t("pdf.notice.act", "url", nc.ActURL))

	// The plain-language Finnish text is printed beside the standard one in
	// the Finnish document only.
	if o.Lang == monitoring.Finnish && strings.TrimSpace(nc.PlainFinnish) != "" {
		b.subheading(b.t("pdf.notice.h.plain_finnish"))
		b.para("", nc.PlainFinnish)
	}
	b.note(b.t("pdf.notice.acknowledge_note"))
	doc.Blocks = b.blocks
	return doc
}

// noticeSection adds the body of one Art 13 section.
func noticeSection(b *builder, key string, nc monitoring.NoticeContent) {
	none := b.t("pdf.notice.not_stated")
	switch key {
	case "controller": // Art 13(1)(a)
		var rows kv
		rows.add(b.t("pdf.name"), nc.Controller.Name)
		rows.add(b.t("pdf.business_id_label"), nc.Controller.BusinessID)
		rows.add(b.t("pdf.address"), nc.Controller.Address)
		rows.add(b.t("pdf.notice.privacy_notice"), nc.PrivacyNoticeURL)
		b.table(rows)
	case "dpo": // Art 13(1)(b)
		b.para("", firstNonBlank(nc.DPOContact, b.t("pdf.notice.no_dpo")))
	case "purposes": // Art 13(1)(c)
		var ps []string
		for _, p := range nc.Purposes {
			ps = append(ps, p.Description+" ("+p.Code+")")
		}
		b.list(b.t("pdf.notice.registered_purposes"), ps)
		basis := none
		if nc.LawfulBasis != "" {
			basis = b.t("web.lawful_basis." + string(nc.LawfulBasis))
		}
		var rows kv
		rows.add(b.t("pdf.lawful_basis"), basis)
		rows.add(b.t("pdf.lawful_basis_detail"), nc.LawfulBasisDetail)
		rows.add(b.t("pdf.data_categories"), strings.Join(nc.DataCategories, ", "))
		rows.add(b.t("pdf.notice.authorized_tasks"), strings.Join(nc.AuthorizedTasks, ", "))
		b.table(rows)
	case "legitimate_interests": // Art 13(1)(d)
		if nc.LawfulBasis == monitoring.LegitimateInterests {
			b.para("", firstNonBlank(nc.LegitimateInterests, none))
		} else {
			b.para("", b.t("pdf.notice.not_legitimate_interests"))
		}
	case "recipients": // Art 13(1)(e)
		b.para("", firstNonBlank(nc.Recipients, b.t("pdf.notice.no_recipients")))
	case "transfers": // Art 13(1)(f)
		b.para("", firstNonBlank(nc.Transfers, b.t("pdf.notice.no_transfers")))
	case "retention": // Art 13(2)(a)
		switch {
		case nc.RetentionDays > 0 && strings.TrimSpace(nc.RetentionCriteria) != "":
			b.para("", b.t("pdf.notice.retention_days_criteria", "days", itoa(nc.RetentionDays), "criteria", strings.TrimSpace(nc.RetentionCriteria)))
		case nc.RetentionDays > 0:
			b.para("", b.t("pdf.notice.retention_days", "days", itoa(nc.RetentionDays)))
		default:
			b.para("", firstNonBlank(nc.RetentionCriteria, none))
		}
	case "rights": // Art 13(2)(b)
		var rs []string
		for _, r := range nc.Rights {
			if r != monitoring.RightWithdrawConsent {
				rs = append(rs, b.t("pdf.notice.right."+r))
			}
		}
		b.list("", rs)
		b.para("", b.t("pdf.notice.rights_how"))
	case "consent": // Art 13(2)(c)
		if slices.Contains(nc.Rights, monitoring.RightWithdrawConsent) {
			b.para("", b.t("pdf.notice.right.withdraw_consent"))
		} else {
			b.para("", b.t("pdf.notice.not_consent"))
		}
	case "complaint": // Art 13(2)(d)
		b.para("", b.t("pdf.notice.complaint", "url", nc.ComplaintURL))
	case "obligation": // Art 13(2)(e)
		b.para("", b.t("pdf.notice."+firstNonBlank(nc.ObligationKey, "obligation.none")))
	case "automated": // Art 13(2)(f)
		b.para("", b.t("pdf.notice."+firstNonBlank(nc.AutomatedKey, "automated.none")))
	}
}

// orgLine is "Name (Business ID 1234567-8)".
func orgLine(name, businessID string, o *Options) string {
	if strings.TrimSpace(businessID) == "" {
		return name
	}
	return name + " (" + o.T("pdf.business_id", "id", businessID) + ")"
}

// methodName translates a known method; the list is open, so another
// method prints as it is.
func methodName(b *builder, m monitoring.Method) string {
	if slices.Contains(monitoring.KnownMethods, m) {
		return b.t("web.method." + string(m))
	}
	return string(m)
}
