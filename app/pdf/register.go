package pdf

import (
	"fmt"
	"io"
	"strings"

	"vaaka/monitoring"
)

// RegisterID is the document id of a register extract generated on a day:
// "VAAKA-REGISTER-20261127".
func RegisterID(o Options) string {
	loc := o.Location
	if loc == nil {
		loc = monitoring.Helsinki
	}
	return "VAAKA-REGISTER-" + o.GeneratedAt.In(loc).Format("20060102")
}

// Register writes the register extract (R-ROPA-1): the controller and the
// DPO once, then per activity the GDPR Art 30(1) items — purposes,
// categories of data subjects and of data, recipients, third-country
// transfers, erasure time limits and security measures — with the lawful
// basis, units, authorised users and dates beside them. The extract is
// assembled by monitoring.RegisterExtract, the same as the CSV and JSON.
func Register(w io.Writer, d monitoring.RegisterDocument, o Options) error {
	if err := o.check(); err != nil {
		return err
	}
	return render(w, registerContent(d, &o), &o)
}

// registerContent builds the blocks of the extract.
func registerContent(d monitoring.RegisterDocument, o *Options) *document {
	b := &builder{o: o}
	title := b.t("pdf.register.title")
	doc := &document{Title: title}
	b.heading(title)
	b.para("", b.t("pdf.register.intro", "count", itoa(len(d.Entries))))

	// Art 30(1)(a): the controller and the DPO.
	c := d.Controller
	b.subheading(b.t("pdf.register.h.controller"))
	var rows kv
	rows.add(b.t("pdf.register.controller"), c.Name)
	rows.add(b.t("pdf.business_id_label"), c.BusinessID)
	rows.add(b.t("pdf.address"), c.Address)
	rows.add(b.t("pdf.register.dpo"), firstNonBlank(c.DPOContact, b.t("pdf.notice.no_dpo")))
	rows.add(b.t("pdf.notice.privacy_notice"), c.PrivacyNoticeURL)
	b.table(rows)

	if len(d.Entries) == 0 {
		b.para("", b.t("pdf.register.empty"))
	}
	none := b.t("pdf.notice.not_stated")
	for _, e := range d.Entries {
		b.subheading(fmt.Sprintf("%s (#%d)", e.Name, e.ActivityID))
		var rows kv
		rows.add(b.t("pdf.register.status"), b.t("web.status."+string(e.Status))+", "+b.t("pdf.version")+" "+itoa(e.Version))
		rows.add(b.t("pdf.notice.method"), methodName(b, e.Method))
		var dirs []string
		for _, dr := range e.Directions {
			dirs = append(dirs, b.t("pdf.direction."+string(dr)))
		}
		rows.add(b.t("pdf.notice.directions"), strings.Join(dirs, ", "))
		rows.add(b.t("pdf.register.description"), e.Description)
		// Art 30(1)(b)
		var ps []string
		for _, p := range e.Purposes {
			ps = append(ps, p.Description+" ("+p.Code+")")
		}
		rows.add(b.t("pdf.register.purposes"), firstNonBlank(strings.Join(ps, "\n"), none))
		basis := none
		if e.LawfulBasis != "" {
			basis = b.t("web.lawful_basis." + string(e.LawfulBasis))
		}
		rows.add(b.t("pdf.lawful_basis"), basis)
		rows.add(b.t("pdf.lawful_basis_detail"), e.LawfulBasisDetail)
		// Art 30(1)(c)
		var subjects []string
		for _, s := range e.DataSubjects {
			subjects = append(subjects, b.t("pdf.register.subject."+s))
		}
		rows.add(b.t("pdf.register.data_subjects"), strings.Join(subjects, "; "))
		rows.add(b.t("pdf.units"), strings.Join(e.Units, ", "))
		rows.add(b.t("pdf.data_categories"), firstNonBlank(strings.Join(e.DataCategories, ", "), none))
		special := b.t("pdf.register.special_no")
		if e.SpecialCategories.Biometric {
			special = b.t("pdf.register.special_biometric")
		}
		if n := strings.TrimSpace(e.SpecialCategories.Notes); n != "" {
			special += "\n" + n
		}
		rows.add(b.t("pdf.register.special"), special)
		// Art 30(1)(d)–(g)
		rows.add(b.t("pdf.register.recipients"), firstNonBlank(e.Recipients, none))
		rows.add(b.t("pdf.register.transfers"), firstNonBlank(e.Transfers, b.t("pdf.notice.no_transfers")))
		erasure := firstNonBlank(e.RetentionCriteria, none)
		if e.RetentionDays > 0 {
			erasure = b.t("pdf.notice.retention_days", "days", itoa(e.RetentionDays))
			if c := strings.TrimSpace(e.RetentionCriteria); c != "" {
				erasure += "\n" + c
			}
		}
		rows.add(b.t("pdf.register.erasure"), erasure)
		rows.add(b.t("pdf.register.security"), firstNonBlank(e.SecurityMeasures, none))
		var us []string
		for _, u := range e.AuthorizedUsers {
			us = append(us, o.nameWithEmail(u.Email)+" – "+u.Task)
		}
		rows.add(b.t("pdf.register.authorized_users"), strings.Join(us, "\n"))
		dpia := b.t("pdf.register.dpia_not_required")
		if e.DPIARequired {
			dpia = b.t("pdf.register.dpia_required")
			if !e.DPIACompletedOn.IsZero() {
				dpia = b.t("pdf.register.dpia_completed", "date", formatDate(o.Lang, e.DPIACompletedOn))
			}
		}
		rows.add(b.t("pdf.register.dpia"), dpia)
		rows.add(b.t("pdf.notice.introduction_on"), formatDate(o.Lang, e.IntroductionOn))
		rows.add(b.t("pdf.register.review_on"), formatDate(o.Lang, e.ReviewOn))
		b.table(rows)
	}
	b.note(b.t("pdf.register.note"))
	doc.Blocks = b.blocks
	return doc
}
