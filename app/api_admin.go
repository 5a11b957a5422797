package app

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// Audit trail, organisation settings, users and tokens, dashboard, and the
// principal's own data.

// apiChainJSON is the verification result of one hash chain.
type apiChainJSON struct {
	Chain    string `json:"chain" enum:"uses,audit"`
	OK       bool   `json:"ok"`
	Checked  int64  `json:"checked"`
	FirstBad int64  `json:"first_bad" doc:"sequence number of the first bad entry; 0 when ok"`
	Reason   string `json:"reason,omitempty" enum:"gap,prev_hash,hash"`
}

// apiVerifyJSON is the answer of GET /audit/verify: both chains.
type apiVerifyJSON struct {
	OK       bool           `json:"ok"`
	Checked  int64          `json:"checked"`
	FirstBad int64          `json:"first_bad" doc:"first bad entry of the first failing chain (use log first); 0 when ok"`
	Chains   []apiChainJSON `json:"chains"`
}

// apiAuditVerify verifies the use log and the audit trail (R-LOG-1).
func (s *Server) apiAuditVerify(c *fiber.Ctx) error {
	ur, err := s.Uses.VerifyUses(c.UserContext())
	if err != nil {
		return err
	}
	ar, err := s.Audit.VerifyAudit(c.UserContext())
	if err != nil {
		return err
	}
	out := apiVerifyJSON{OK: true, Chains: []apiChainJSON{}}
	for _, r := range []monitoring.ChainReport{ur, ar} {
		out.Chains = append(out.Chains, apiChainJSON{Chain: r.Chain, OK: r.OK, Checked: r.Checked, FirstBad: r.FirstBad, Reason: r.Reason})
		out.Checked += r.Checked
		if !r.OK && out.OK {
			out.OK, out.FirstBad = false, r.FirstBad
		}
	}
	return apiSendJSON(c, fiber.StatusOK, out)
}

// apiAuditJSON is one entry of the audit trail.
type apiAuditJSON struct {
	Seq      int64           `json:"seq"`
	At       *string         `json:"at" format:"date-time"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	Entity   string          `json:"entity"`
	EntityID string          `json:"entity_id"`
	Detail   json.RawMessage `json:"detail" doc:"what changed (JSON object)"`
	Hash     string          `json:"hash"`
}

func (s *Server) apiAuditList(c *fiber.Ctx) error {
	lp, err := apiParseList(c)
	if err != nil {
		return err
	}
	cur, err := lp.seqCursor()
	if err != nil {
		return err
	}
	es, next, err := s.Audit.ListAudit(c.UserContext(), monitoring.AuditFilter{Entity: c.Query("entity"), EntityID: c.Query("entity_id"), Cursor: cur, Limit: lp.Limit})
	if err != nil {
		return err
	}
	out := apiPage[apiAuditJSON]{Items: make([]apiAuditJSON, 0, len(es)), NextCursor: apiEncodeSeqCursor(next)}
	for _, e := range es {
		d := json.RawMessage(e.Detail)
		if !json.Valid(d) {
			b, _ := json.Marshal(e.Detail)
			d = b
		}
		out.Items = append(out.Items, apiAuditJSON{Seq: e.Seq, At: apiTimeOut(e.At), Actor: e.Actor, Action: e.Action,
			Entity: e.Entity, EntityID: e.EntityID, Detail: d, Hash: e.Hash})
	}
	return apiSendJSON(c, fiber.StatusOK, out)
}

// apiSettingsJSON is the organisation (the controller).
type apiSettingsJSON struct {
	Name             string  `json:"name"`
	BusinessID       string  `json:"business_id" doc:"Y-tunnus 1234567-8 with its check digit"`
	Address          string  `json:"address"`
	DPOContact       string  `json:"dpo_contact"`
	PrivacyNoticeURL string  `json:"privacy_notice_url"`
	Sector           string  `json:"sector" enum:"private,municipal,state,church,outside_the_act"`
	Headcount        int     `json:"headcount" doc:"regular headcount (R-COOP-1)"`
	DefaultLanguage  string  `json:"default_language" enum:"fi,sv,en"`
	TimeZone         string  `json:"time_zone" doc:"IANA name, default Europe/Helsinki"`
	UpdatedAt        *string `json:"updated_at" format:"date-time"`
}

// apiSettingsIn is the body of PUT /settings; absent fields keep their value.
type apiSettingsIn struct {
	Name             *string `json:"name"`
	BusinessID       *string `json:"business_id"`
	Address          *string `json:"address"`
	DPOContact       *string `json:"dpo_contact"`
	PrivacyNoticeURL *string `json:"privacy_notice_url"`
	Sector           *string `json:"sector" enum:"private,municipal,state,church,outside_the_act"`
	Headcount        *int    `json:"headcount"`
	DefaultLanguage  *string `json:"default_language" enum:"fi,sv,en"`
	TimeZone         *string `json:"time_zone"`
}

func apiSettingsOut(o monitoring.Organisation) apiSettingsJSON {
	return apiSettingsJSON{Name: o.Name, BusinessID: o.BusinessID, Address: o.Address, DPOContact: o.DPOContact,
		PrivacyNoticeURL: o.PrivacyNoticeURL, Sector: string(o.Sector), Headcount: o.Headcount,
		DefaultLanguage: string(o.DefaultLanguage), TimeZone: o.TimeZone, UpdatedAt: apiTimeOut(o.UpdatedAt)}
}

func (s *Server) apiSettingsGet(c *fiber.Ctx) error {
	o, err := s.Settings.Organisation(c.UserContext())
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiSettingsOut(o))
}

func (s *Server) apiSettingsPut(c *fiber.Ctx) error {
	b, err := apiJsonBody(c)
	if err != nil {
		return err
	}
	var in apiSettingsIn
	if err := apiDecodeStrict(b, &in, ""); err != nil {
		return err
	}
	o, err := s.Settings.Organisation(c.UserContext())
	if err != nil {
		return err
	}
	apiSetStr(&o.Name, in.Name)
	apiSetStr(&o.BusinessID, in.BusinessID)
	apiSetStr(&o.Address, in.Address)
	apiSetStr(&o.DPOContact, in.DPOContact)
	apiSetStr(&o.PrivacyNoticeURL, in.PrivacyNoticeURL)
	if in.Sector != nil {
		o.Sector = monitoring.Sector(*in.Sector)
	}
	if in.Headcount != nil {
		o.Headcount = *in.Headcount
	}
	if in.DefaultLanguage != nil {
		o.DefaultLanguage = monitoring.Language(*in.DefaultLanguage)
	}
	apiSetStr(&o.TimeZone, in.TimeZone)
	if err := o.Validate(); err != nil {
		return err
	}
	p := principalOf(c)
	if err := s.Settings.UpdateOrganisation(c.UserContext(), p.User.Email, o); err != nil {
		return err
	}
	if got, err := s.Settings.Organisation(c.UserContext()); err == nil {
		o = got
	}
	return apiSendJSON(c, fiber.StatusOK, apiSettingsOut(o))
}

// apiUserJSON is an account as the API shows it (never the password hash).
type apiUserJSON struct {
	ID        int64    `json:"id"`
	Email     string   `json:"email"`
	Name      string   `json:"name"`
	Roles     []string `json:"roles" enum:"admin,hr,dpo,representative,supervisor,employee"`
	StaffID   string   `json:"staff_id"`
	Language  string   `json:"language" enum:"fi,sv,en"`
	Active    bool     `json:"active"`
	CreatedAt *string  `json:"created_at" format:"date-time"`
}

func apiUserOut(u *monitoring.User) apiUserJSON {
	return apiUserJSON{ID: u.ID, Email: u.Email, Name: u.Name, Roles: apiStrs(u.Roles), StaffID: u.StaffID,
		Language: string(u.Language), Active: u.Active, CreatedAt: apiTimeOut(u.CreatedAt)}
}

// apiUserCreate is the body of POST /users.
type apiUserCreate struct {
	Email    string   `json:"email" required:"true"`
	Name     string   `json:"name" required:"true"`
	Roles    []string `json:"roles" enum:"admin,hr,dpo,representative,supervisor,employee" required:"true"`
	StaffID  string   `json:"staff_id"`
	Language string   `json:"language" enum:"fi,sv,en" doc:"default fi"`
	Password string   `json:"password" required:"true" doc:"at least 12 characters"`
}

// apiUserPatch is the body of PATCH /users/{id}; absent fields stay.
type apiUserPatch struct {
	Name     *string   `json:"name"`
	Roles    *[]string `json:"roles" enum:"admin,hr,dpo,representative,supervisor,employee"`
	StaffID  *string   `json:"staff_id"`
	Language *string   `json:"language" enum:"fi,sv,en"`
	Active   *bool     `json:"active"`
	Password *string   `json:"password" doc:"at least 12 characters; ends the user's sessions"`
}

func apiCheckPassword(fe monitoring.FieldErrors, pw string) {
	if utf8.RuneCountInString(pw) < monitoring.MinPasswordLength {
		fe.Add("password", monitoring.MsgPassword)
	} else if len(pw) > 1024 {
		fe.Add("password", monitoring.MsgTooLong)
	}
}

func apiCheckRoles(fe monitoring.FieldErrors, rs []string) []monitoring.Role {
	if len(rs) == 0 {
		fe.Add("roles", monitoring.MsgRequired)
	}
	out := make([]monitoring.Role, 0, len(rs))
	for i, r := range rs {
		if !monitoring.Role(r).Valid() {
			fe.Add("roles["+itoa(i)+"]", monitoring.MsgUnknown)
			continue
		}
		out = append(out, monitoring.Role(r))
	}
	return out
}

func (s *Server) apiUserList(c *fiber.Ctx) error {
	us, err := s.Accounts.ListUsers(c.UserContext())
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiPage[apiUserJSON]{Items: apiMap(us, apiUserOut)})
}

func (s *Server) apiUserCreate(c *fiber.Ctx) error {
	b, err := apiJsonBody(c)
	if err != nil {
		return err
	}
	var in apiUserCreate
	if err := apiDecodeStrict(b, &in, ""); err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	u := &monitoring.User{Email: strings.TrimSpace(in.Email), Name: in.Name, StaffID: in.StaffID,
		Language: monitoring.Language(in.Language), Active: true}
	if in.Language == "" {
		u.Language = monitoring.Finnish
	}
	u.Roles = apiCheckRoles(fe, in.Roles)
	apiCheckPassword(fe, in.Password)
	apiMergeInvalid(fe, u.Validate())
	if err := fe.Err(); err != nil {
		return err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return err
	}
	u.PasswordHash = hash
	p := principalOf(c)
	if err := s.Accounts.CreateUser(c.UserContext(), p.User.Email, u); err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusCreated, apiUserOut(u))
}

func (s *Server) apiUserUpdate(c *fiber.Ctx) error {
	id, err := apiPathID(c, "id")
	if err != nil {
		return err
	}
	b, err := apiJsonBody(c)
	if err != nil {
		return err
	}
	var in apiUserPatch
	if err := apiDecodeStrict(b, &in, ""); err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	upd := monitoring.UserUpdate{Name: in.Name, StaffID: in.StaffID, Active: in.Active}
	if in.Name != nil && (strings.TrimSpace(*in.Name) == "" || utf8.RuneCountInString(*in.Name) > monitoring.MaxShort) {
		fe.Add("name", monitoring.MsgRequired)
	}
	if in.Roles != nil {
		upd.Roles = apiCheckRoles(fe, *in.Roles)
	}
	if in.StaffID != nil && *in.StaffID != "" && !monitoring.ValidStaffID(*in.StaffID) {
		fe.Add("staff_id", monitoring.MsgInvalid)
	}
	if in.Language != nil {
		l := monitoring.Language(*in.Language)
		if !l.Valid() {
			fe.Add("language", monitoring.MsgUnknown)
		}
		upd.Language = &l
	}
	if in.Password != nil {
		apiCheckPassword(fe, *in.Password)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if in.Password != nil {
		hash, err := HashPassword(*in.Password)
		if err != nil {
			return err
		}
		upd.PasswordHash = &hash
	}
	p := principalOf(c)
	u, err := s.Accounts.UpdateUser(c.UserContext(), p.User.Email, id, upd, "")
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiUserOut(u))
}

// apiTokenJSON is an API token (never its secret or hash).
type apiTokenJSON struct {
	ID         int64    `json:"id"`
	UserID     int64    `json:"user_id"`
	UserEmail  string   `json:"user_email"`
	Name       string   `json:"name"`
	Scopes     []string `json:"scopes" enum:"read,write,uses:write,recordings:write,register:read"`
	CreatedAt  *string  `json:"created_at" format:"date-time"`
	LastUsedAt *string  `json:"last_used_at" format:"date-time"`
	RevokedAt  *string  `json:"revoked_at" format:"date-time"`
}

// apiTokenCreatedJSON adds the secret, shown once.
type apiTokenCreatedJSON struct {
	apiTokenJSON
	Token string `json:"token" doc:"the bearer secret; shown only in this answer"`
}

func apiTokenOut(t *monitoring.Token) apiTokenJSON {
	return apiTokenJSON{ID: t.ID, UserID: t.UserID, UserEmail: t.UserEmail, Name: t.Name, Scopes: apiStrs(t.Scopes),
		CreatedAt: apiTimeOut(t.CreatedAt), LastUsedAt: apiTimeOut(t.LastUsedAt), RevokedAt: apiTimeOut(t.RevokedAt)}
}

// apiTokenCreate is the body of POST /tokens.
type apiTokenCreate struct {
	UserEmail string   `json:"user_email" required:"true"`
	Name      string   `json:"name" required:"true"`
	Scopes    []string `json:"scopes" enum:"read,write,uses:write,recordings:write,register:read" required:"true"`
}

func (s *Server) apiTokenList(c *fiber.Ctx) error {
	ts, err := s.Accounts.ListTokens(c.UserContext())
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiPage[apiTokenJSON]{Items: apiMap(ts, apiTokenOut)})
}

func (s *Server) apiTokenCreate(c *fiber.Ctx) error {
	b, err := apiJsonBody(c)
	if err != nil {
		return err
	}
	var in apiTokenCreate
	if err := apiDecodeStrict(b, &in, ""); err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	if strings.TrimSpace(in.Name) == "" {
		fe.Add("name", monitoring.MsgRequired)
	} else if utf8.RuneCountInString(in.Name) > monitoring.MaxShort {
		fe.Add("name", monitoring.MsgTooLong)
	}
	if len(in.Scopes) == 0 {
		fe.Add("scopes", monitoring.MsgRequired)
	}
	scopes := make([]monitoring.Scope, 0, len(in.Scopes))
	for i, sc := range in.Scopes {
		if !monitoring.Scope(sc).Valid() {
			fe.Add("scopes["+itoa(i)+"]", monitoring.MsgUnknown)
		}
		scopes = append(scopes, monitoring.Scope(sc))
	}
	var user *monitoring.User
	if !monitoring.ValidEmail(in.UserEmail) {
		fe.Add("user_email", monitoring.MsgEmail)
	} else {
		u, err := s.Accounts.FindUserByEmail(c.UserContext(), in.UserEmail)
		switch {
		case err == nil:
			user = u
		case monitoring.ErrorCodeOf(err) == monitoring.NotFound:
			fe.Add("user_email", monitoring.MsgNotFound)
		default:
			return err
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	secret, hash, err := NewSecret("vaaka_")
	if err != nil {
		return err
	}
	t := &monitoring.Token{UserID: user.ID, UserEmail: user.Email, Name: in.Name, Scopes: scopes, Hash: hash}
	p := principalOf(c)
	if err := s.Accounts.CreateToken(c.UserContext(), p.User.Email, t); err != nil {
		return err
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.Now()
	}
	return apiSendJSON(c, fiber.StatusCreated, apiTokenCreatedJSON{apiTokenJSON: apiTokenOut(t), Token: secret})
}

func (s *Server) apiTokenRevoke(c *fiber.Ctx) error {
	id, err := apiPathID(c, "id")
	if err != nil {
		return err
	}
	p := principalOf(c)
	if err := s.Accounts.RevokeToken(c.UserContext(), p.User.Email, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiMeJSON is the principal.
type apiMeJSON struct {
	Email    string   `json:"email"`
	Name     string   `json:"name"`
	Roles    []string `json:"roles" enum:"admin,hr,dpo,representative,supervisor,employee"`
	StaffID  string   `json:"staff_id"`
	Language string   `json:"language" enum:"fi,sv,en"`
	Scopes   []string `json:"scopes,omitempty" doc:"the token's scopes"`
}

func (s *Server) apiMe(c *fiber.Ctx) error {
	p := principalOf(c)
	out := apiMeJSON{Email: p.User.Email, Name: p.User.Name, Roles: apiStrs(p.User.Roles), StaffID: p.User.StaffID, Language: string(p.User.Language)}
	if p.Token != nil {
		out.Scopes = apiStrs(p.Token.Scopes)
	}
	return apiSendJSON(c, fiber.StatusOK, out)
}

// apiDashboardJSON is the compliance dashboard.
type apiDashboardJSON struct {
	NotReady         []apiNotReadyJSON  `json:"not_ready"`
	FlaggedUses30d   int64              `json:"flagged_uses_30d"`
	FlagCounts30d    map[string]int64   `json:"flag_counts_30d"`
	RecentFlagged    []apiUseJSON       `json:"recent_flagged"`
	OverdueDeletions int64              `json:"overdue_deletions"`
	Overdue          []apiRecordingJSON `json:"overdue"`
	ReviewsDue       []apiActivityBrief `json:"reviews_due"`
}

type apiActivityBrief struct {
	ID       int64   `json:"id"`
	Name     string  `json:"name"`
	Status   string  `json:"status" enum:"draft,in_cooperation,ready,active,suspended,retired"`
	ReviewOn *string `json:"review_on" format:"date"`
}

type apiNotReadyJSON struct {
	Activity apiActivityBrief   `json:"activity"`
	Unmet    []apiReadinessJSON `json:"unmet"`
}

func apiBriefOf(a *monitoring.Activity) apiActivityBrief {
	return apiActivityBrief{ID: a.ID, Name: a.Name, Status: string(a.Status), ReviewOn: apiDateOut(a.ReviewOn)}
}

func (s *Server) apiDashboard(c *fiber.Ctx) error {
	d, err := s.Dashboard.Dashboard(c.UserContext(), s.Now())
	if err != nil {
		return err
	}
	out := apiDashboardJSON{NotReady: []apiNotReadyJSON{}, FlaggedUses30d: d.FlaggedUses30d, FlagCounts30d: map[string]int64{},
		RecentFlagged: []apiUseJSON{}, OverdueDeletions: d.OverdueDeletions, Overdue: []apiRecordingJSON{}, ReviewsDue: []apiActivityBrief{}}
	for _, ar := range d.NotReady {
		out.NotReady = append(out.NotReady, apiNotReadyJSON{Activity: apiBriefOf(ar.Activity), Unmet: s.apiReadinessOut(c, ar.Unmet)})
	}
	for f, n := range d.FlagCounts30d {
		out.FlagCounts30d[string(f)] = n
	}
	for _, u := range d.RecentFlagged {
		out.RecentFlagged = append(out.RecentFlagged, apiUseOut(u))
	}
	for _, r := range d.Overdue {
		out.Overdue = append(out.Overdue, s.apiRecordingOut(r))
	}
	for _, a := range d.ReviewsDue {
		out.ReviewsDue = append(out.ReviewsDue, apiBriefOf(a))
	}
	return apiSendJSON(c, fiber.StatusOK, out)
}
