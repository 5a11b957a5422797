package app

import (
	"vaaka/monitoring"
)

// WebKeys lists the catalog keys that the web UI builds at run time rather
// than naming them literally: enumerations translated with the templates'
// tk func, navigation, flash messages, error pages and the field labels of
// the history of changes. The catalog test checks that each exists in every
// language.
func WebKeys() []string {
	var keys []string
	add := func(prefix string, vs ...string) {
		for _, v := range vs {
			keys = append(keys, prefix+v)
		}
	}
	for _, n := range navDefs {
		keys = append(keys, n.key)
	}
	for _, s := range monitoring.Statuses {
		add("web.status.", string(s))
	}
	for _, s := range []monitoring.Status{monitoring.StatusActive, monitoring.StatusSuspended, monitoring.StatusRetired} {
		add("web.flash.status_", string(s))
	}
	for _, m := range monitoring.KnownMethods {
		add("web.method.", string(m))
	}
	add("web.direction.", string(monitoring.Inbound), string(monitoring.Outbound))
	for _, a := range monitoring.Actions {
		add("web.action.", string(a))
	}
	for _, b := range monitoring.LawfulBases {
		add("web.lawful_basis.", string(b))
	}
	for _, c := range monitoring.NecessityCategories {
		add("web.necessity.", string(c))
	}
	add("web.data_category.", knownDataCategories...)
	for _, r := range monitoring.Roles {
		add("web.role.", string(r))
	}
	for _, s := range monitoring.Sectors {
		add("web.sector.", string(s))
	}
	for _, l := range monitoring.Languages {
		add("web.lang.", string(l))
	}
	for _, s := range monitoring.Scopes {
		add("web.scope.", string(s))
	}
	for _, f := range monitoring.AllFlags {
		add("flag.", string(f))
	}
	add("web.audit.chain_", "uses", "audit")
	add("web.error.detail_", "400", "401", "403", "404", "405", "409", "413", "429")
	// History of changes: every field of the register entry has a label.
	for f := range (&monitoring.Activity{}).Flatten() {
		add("web.field.", f)
	}
	keys = append(keys, CaseWebKeys()...)
	keys = append(keys, NoticeWebKeys()...)
	return keys
}
