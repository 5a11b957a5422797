package monitoring

import (
	"sort"
	"strconv"
	"strings"
)

// Flatten returns the activity's register fields as display text keyed by
// the API's field names; it is the basis of the history of changes.
func (a *Activity) Flatten() map[string]string {
	m := map[string]string{
		"name": a.Name, "description": a.Description, "method": string(a.Method), "system": a.System,
		"lawful_basis": string(a.LawfulBasis), "lawful_basis_detail": a.LawfulBasisDetail,
		"necessity.category": string(a.Necessity.Category), "necessity.justification": a.Necessity.Justification,
		"necessity.alternatives": a.Necessity.Alternatives, "necessity.proportionality": a.Necessity.Proportionality,
		"data_categories":              strings.Join(a.DataCategories, ", "),
		"special_categories.biometric": strconv.FormatBool(a.SpecialCategories.Biometric),
		"special_categories.notes":     a.SpecialCategories.Notes,
		"business_lines_only":          strconv.FormatBool(a.BusinessLinesOnly),
		"units":                        strings.Join(a.Units, ", "),
		"queues":                       strings.Join(a.Queues, ", "),
		"retention_days":               strconv.Itoa(a.RetentionDays),
		"retention_criteria":           a.RetentionCriteria, "retention_reason": a.RetentionReason,
		"caller_information.ivr_placement":          a.CallerInformation.IVRPlacement,
		"caller_information.privacy_notice_url":     a.CallerInformation.PrivacyNoticeURL,
		"caller_information.pre_informed_customers": a.CallerInformation.PreInformedCustomers,
		"dpia.required":            strconv.FormatBool(a.DPIA.Required),
		"dpia.completed_on":        dateText(a.DPIA.CompletedOn),
		"dpia.summary":             a.DPIA.Summary,
		"dpia.reason_not_required": a.DPIA.ReasonNotRequired,
		"dpia.file_ref":            a.DPIA.FileRef,
		"recipients":               a.Recipients, "transfers": a.Transfers, "security_measures": a.SecurityMeasures,
		"review_on":       dateText(a.ReviewOn),
		"introduction_on": dateText(a.IntroductionOn),
		"status":          string(a.Status),
	}
	dirs := make([]string, len(a.Directions))
	for i, d := range a.Directions {
		dirs[i] = string(d)
	}
	m["directions"] = strings.Join(dirs, ", ")
	ps := make([]string, len(a.Purposes))
	for i, p := range a.Purposes {
		ps[i] = p.Code + ": " + p.Description
	}
	m["purposes"] = strings.Join(ps, "; ")
	us := make([]string, len(a.AuthorizedUsers))
	for i, u := range a.AuthorizedUsers {
		us[i] = u.Email + " (" + u.Task + ")"
	}
	m["authorized_users"] = strings.Join(us, "; ")
	for _, l := range Languages {
		m["caller_information.inbound."+string(l)] = a.CallerInformation.Inbound[l]
		m["caller_information.outbound."+string(l)] = a.CallerInformation.Outbound[l]
	}
	return m
}

// Diff lists the fields that differ between two versions, by field name.
// A nil old means creation: every non-empty field is listed.
func Diff(old, new *Activity) []FieldChange {
	var o map[string]string
	if old != nil {
		o = old.Flatten()
	}
	n := new.Flatten()
	var out []FieldChange
	for k, v := range n {
		if o[k] != v {
			out = append(out, FieldChange{Field: k, Old: o[k], New: v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

func dateText(t interface {
	IsZero() bool
	Format(string) string
}) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}
