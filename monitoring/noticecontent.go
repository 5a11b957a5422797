package monitoring

import (
	"strings"
	"time"

	"vaaka/cooperation"
)

// The content of a notice to employees, assembled in one pure function so
// that the API, the web page and the PDF say the same thing (R-NOT-1,
// R-NOT-2, R-NOT-3, R-NOT-5).

// DataProtectionOmbudsmanURL is where a data subject complains to the
// supervisory authority (GDPR Art 13(2)(d), Art 77).
const DataProtectionOmbudsmanURL = "https://tietosuoja.fi"

// WorkingLifePrivacyActURL is Act 759/2004 on the Protection of Privacy in
// Working Life, kept available to employees (R-NOT-5).
const WorkingLifePrivacyActURL = "https://www.finlex.fi/fi/laki/ajantasa/2004/20040759"

// Data subject rights of GDPR Art 13(2)(b)–(c).
const (
	RightAccess          = "access"           // Art 15
	RightRectification   = "rectification"    // Art 16
	RightErasure         = "erasure"          // Art 17
	RightRestriction     = "restriction"      // Art 18
	RightObjection       = "objection"        // Art 21: bases (e) and (f)
	RightPortability     = "portability"      // Art 20: consent or contract
	RightWithdrawConsent = "withdraw_consent" // Art 7(3): consent
)

// NoticeController is the controller's identity and contacts
// (Art 13(1)(a)).
type NoticeController struct {
	Name       string
	BusinessID string
	Address    string
}

// NoticeContent is everything a notice says. The fixed statements are
// message keys, translated by the reader as "apinotice.<key>" (see
// templates/locales/*/api_notices.json), so that every language says them.
type NoticeContent struct {
	NoticeID       int64
	Version        int
	ActivityID     int64
	ActivityName   string
	Description    string
	Method         Method
	Directions     []Direction
	IntroductionOn time.Time // R-NOT-1: when the monitoring starts
	IssuedAt       time.Time
	Superseded     bool

	// R-NOT-1, R-NOT-3: the purpose and methods as the employer defined them
	// after the co-operation procedure, and what was handled in it.
	Purpose      string
	Methods      string
	Handled      string
	PlainFinnish string
	// Decision is the case's conclusion (R-COOP-10); zero DecidedAt when the
	// conclusion was not at hand.
	Decision  string
	DecidedAt time.Time

	// GDPR Art 13(1)(a)–(b).
	Controller       NoticeController
	DPOContact       string
	PrivacyNoticeURL string
	// Art 13(1)(c)–(d).
	Purposes          []Purpose
	LawfulBasis       LawfulBasis
	LawfulBasisDetail string
	// LegitimateInterests are the interests pursued where the basis is
	// Art 6(1)(f) (R-LAW-1); "" otherwise.
	LegitimateInterests string
	DataCategories      []string
	SpecialCategories   SpecialCategories
	// Art 13(1)(e)–(f).
	Recipients string
	Transfers  string
	// Art 13(2)(a).
	RetentionDays     int
	RetentionCriteria string
	// AuthorizedTasks are the tasks (not the persons) that entitle someone
	// to use the recordings (R-ACC-1).
	AuthorizedTasks []string
	// Art 13(2)(b)–(c): the rights that apply (Right* constants).
	Rights []string
	// Art 13(2)(d): the right to complain to the Data Protection Ombudsman.
	ComplaintURL string
	// Art 13(2)(e): whether providing the data is an obligation (message
	// key "obligation.<…>").
	ObligationKey string
	// Art 13(2)(f): automated decision-making (message key "automated.<…>").
	AutomatedKey string
	// R-NOT-5: the Act 759/2004.
	ActURL string
}

// BuildNoticeContent assembles the notice n of activity a for the controller
// org. con is the conclusion of the co-operation case n refers to, or nil.
// It is pure: nothing is looked up.
func BuildNoticeContent(n *Notice, a *Activity, org Organisation, con *cooperation.Conclusion) NoticeContent {
	c := NoticeContent{
		NoticeID: n.ID, Version: n.Version, ActivityID: a.ID, ActivityName: a.Name, Description: a.Description,
		Method: a.Method, Directions: a.Directions, IntroductionOn: n.IntroductionOn, IssuedAt: n.IssuedAt,
		Superseded: n.Superseded,
		Purpose:    n.Purpose, Methods: n.Methods, Handled: n.Handled, PlainFinnish: n.PlainFinnish,
		Controller:        NoticeController{Name: org.Name, BusinessID: org.BusinessID, Address: org.Address},
		DPOContact:        org.DPOContact,
		PrivacyNoticeURL:  a.CallerInformation.PrivacyNoticeURL,
		Purposes:          append([]Purpose(nil), a.Purposes...),
		LawfulBasis:       a.LawfulBasis,
		LawfulBasisDetail: a.LawfulBasisDetail,
		DataCategories:    append([]string(nil), a.DataCategories...),
		SpecialCategories: a.SpecialCategories,
		Recipients:        a.Recipients,
		Transfers:         a.Transfers,
		RetentionDays:     a.RetentionDays,
		RetentionCriteria: a.RetentionCriteria,
		ComplaintURL:      DataProtectionOmbudsmanURL,
		ActURL:            WorkingLifePrivacyActURL,
	}
	if blank(c.PrivacyNoticeURL) {
		c.PrivacyNoticeURL = org.PrivacyNoticeURL
	}
	if con != nil {
		c.Decision, c.DecidedAt = con.Text, con.ConcludedAt
		// The conclusion defines purpose and methods (R-COOP-10) when the
		// notice does not restate them.
		if blank(c.Purpose) && blank(c.Methods) {
			c.Methods = con.Text
		}
	}
	if blank(c.Purpose) {
		ps := make([]string, 0, len(a.Purposes))
		for _, p := range a.Purposes {
			ps = append(ps, p.Description)
		}
		c.Purpose = strings.Join(ps, "; ")
	}
	if a.LawfulBasis == LegitimateInterests {
		c.LegitimateInterests = a.LawfulBasisDetail // R-LAW-1, Art 13(1)(d)
	}
	seen := map[string]bool{}
	for _, u := range a.AuthorizedUsers {
		if t := strings.TrimSpace(u.Task); t != "" && !seen[strings.ToLower(t)] {
			seen[strings.ToLower(t)] = true
			c.AuthorizedTasks = append(c.AuthorizedTasks, t)
		}
	}
	c.Rights = NoticeRights(a.LawfulBasis)
	switch a.LawfulBasis {
	case Contract:
		c.ObligationKey = "obligation.contract"
	case LegalObligation:
		c.ObligationKey = "obligation.statutory"
	default:
		c.ObligationKey = "obligation.none"
	}
	switch a.Method {
	case QualityScoring, SpeechAnalytics:
		c.AutomatedKey = "automated.assisted"
	default:
		c.AutomatedKey = "automated.none"
	}
	return c
}

// NoticeRights lists the data subject's rights that apply on basis (GDPR
// Art 13(2)(b)–(c)): access, rectification, erasure and restriction always;
// objection on public task or legitimate interests (Art 21); portability on
// consent or contract (Art 20); withdrawal of consent on consent (Art 7(3)).
func NoticeRights(basis LawfulBasis) []string {
	rs := []string{RightAccess, RightRectification, RightErasure, RightRestriction}
	if basis == PublicTask || basis == LegitimateInterests {
		rs = append(rs, RightObjection)
	}
	if basis == Consent || basis == Contract {
		rs = append(rs, RightPortability)
	}
	if basis == Consent {
		rs = append(rs, RightWithdrawConsent)
	}
	return rs
}
