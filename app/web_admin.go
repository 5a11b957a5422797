package app

import (
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// settingsForm is the organisation settings page.
type settingsForm struct {
	O         monitoring.Organisation
	Headcount string
	CanEdit   bool
	Sectors   []monitoring.Sector
	Langs     []monitoring.Language
}

func (s *Server) renderSettings(c *fiber.Ctx, status int, o monitoring.Organisation, headcount string, fields map[string]string) error {
	p := s.newPage(c, "web.settings.title")
	s.setErrors(p, fields, nil)
	p.Data = settingsForm{O: o, Headcount: headcount, CanEdit: p.User.HasAny(rAdmin, rHR),
		Sectors: monitoring.Sectors, Langs: monitoring.Languages}
	return s.render(c, status, "settings", p)
}

func (s *Server) handleSettings(c *fiber.Ctx) error {
	o, err := s.Settings.Organisation(c.UserContext())
	if err != nil {
		return err
	}
	return s.renderSettings(c, fiber.StatusOK, o, strconv.Itoa(o.Headcount), nil)
}

func (s *Server) handleSettingsUpdate(c *fiber.Ctx) error {
	o := monitoring.Organisation{
		Name: formVal(c, "name"), BusinessID: formVal(c, "business_id"), Address: formVal(c, "address"),
		DPOContact: formVal(c, "dpo_contact"), PrivacyNoticeURL: formVal(c, "privacy_notice_url"),
		Sector: monitoring.Sector(formVal(c, "sector")), DefaultLanguage: monitoring.Language(formVal(c, "default_language")),
		TimeZone: formVal(c, "time_zone"),
	}
	headcount := formVal(c, "headcount")
	fe := monitoring.FieldErrors{}
	if headcount != "" {
		n, err := strconv.Atoi(headcount)
		if err != nil {
			fe.Add("headcount", monitoring.MsgInvalid)
		}
		o.Headcount = n
	}
	if err := o.Validate(); err != nil {
		fields, _ := webFields(err)
		for k, v := range fields {
			fe.Add(k, v)
		}
	}
	if len(fe) > 0 {
		return s.renderSettings(c, fiber.StatusUnprocessableEntity, o, headcount, fe)
	}
	if err := s.Settings.UpdateOrganisation(c.UserContext(), principalOf(c).User.Email, o); err != nil {
		if fields, ok := webFields(err); ok {
			return s.renderSettings(c, fiber.StatusUnprocessableEntity, o, headcount, fields)
		}
		return err
	}
	s.views.setLocation(o.Location(), s.Now())
	return c.Redirect("/settings?flash=settings_saved", fiber.StatusSeeOther)
}

// userForm is the user create/edit form.
type userForm struct {
	U        *monitoring.User
	New      bool
	Roles    []monitoring.Role
	Langs    []monitoring.Language
	Password string // a generated password, shown once
}

// usersData is the user administration page.
type usersData struct {
	Users []*monitoring.User
	Form  userForm
}

func (s *Server) renderUsers(c *fiber.Ctx, status int, f userForm, fields map[string]string) error {
	users, err := s.Accounts.ListUsers(c.UserContext())
	if err != nil {
		return err
	}
	p := s.newPage(c, "web.users.title")
	s.setErrors(p, fields, nil)
	f.New, f.Roles, f.Langs = true, monitoring.Roles, monitoring.Languages
	p.Data = usersData{Users: users, Form: f}
	return s.render(c, status, "admin_users", p)
}

func (s *Server) handleUsers(c *fiber.Ctx) error {
	return s.renderUsers(c, fiber.StatusOK, userForm{U: &monitoring.User{Language: monitoring.Finnish, Active: true}}, nil)
}

// formRoles reads the role checkboxes.
func formRoles(c *fiber.Ctx) []monitoring.Role {
	var rs []monitoring.Role
	for _, v := range formList(c, "roles") {
		rs = append(rs, monitoring.Role(v))
	}
	return rs
}

func (s *Server) handleUserCreate(c *fiber.Ctx) error {
	u := &monitoring.User{Email: strings.ToLower(formVal(c, "email")), Name: formVal(c, "name"), Roles: formRoles(c),
		StaffID: formVal(c, "staff_id"), Language: monitoring.Language(formVal(c, "language")), Active: true}
	password := c.FormValue("password")
	fe := monitoring.FieldErrors{}
	if err := u.Validate(); err != nil {
		fields, _ := webFields(err)
		for k, v := range fields {
			fe.Add(k, v)
		}
	}
	if len([]rune(password)) < monitoring.MinPasswordLength {
		fe.Add("password", monitoring.MsgPassword)
	}
	if len(fe) > 0 {
		return s.renderUsers(c, fiber.StatusUnprocessableEntity, userForm{U: u}, fe)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	u.PasswordHash = hash
	if err := s.Accounts.CreateUser(c.UserContext(), principalOf(c).User.Email, u); err != nil {
		if fields, ok := webFields(err); ok {
			return s.renderUsers(c, fiber.StatusUnprocessableEntity, userForm{U: u}, fields)
		}
		if monitoring.ErrorCodeOf(err) == monitoring.Conflict {
			return s.renderUsers(c, fiber.StatusUnprocessableEntity, userForm{U: u}, map[string]string{"email": monitoring.MsgDuplicate})
		}
		return err
	}
	return c.Redirect("/admin/users?flash=user_saved", fiber.StatusSeeOther)
}

func pathInt(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}

func (s *Server) renderUserEdit(c *fiber.Ctx, status int, f userForm, fields map[string]string) error {
	p := s.newPage(c, "web.user.edit_title")
	s.setErrors(p, fields, nil)
	f.Roles, f.Langs = monitoring.Roles, monitoring.Languages
	p.Data = f
	return s.render(c, status, "admin_user_form", p)
}

func (s *Server) handleUserEdit(c *fiber.Ctx) error {
	id, err := pathInt(c)
	if err != nil {
		return err
	}
	u, err := s.Accounts.FindUser(c.UserContext(), id)
	if err != nil {
		return err
	}
	return s.renderUserEdit(c, fiber.StatusOK, userForm{U: u}, nil)
}

func (s *Server) handleUserUpdate(c *fiber.Ctx) error {
	id, err := pathInt(c)
	if err != nil {
		return err
	}
	cur, err := s.Accounts.FindUser(c.UserContext(), id)
	if err != nil {
		return err
	}
	me := principalOf(c).User
	u := *cur
	u.Name, u.Roles, u.StaffID = formVal(c, "name"), formRoles(c), formVal(c, "staff_id")
	u.Language, u.Active = monitoring.Language(formVal(c, "language")), formVal(c, "active") != ""
	fe := monitoring.FieldErrors{}
	if err := u.Validate(); err != nil {
		fields, _ := webFields(err)
		for k, v := range fields {
			fe.Add(k, v)
		}
	}
	// An administrator cannot lock themselves out.
	if u.ID == me.ID && (!slices.Contains(u.Roles, rAdmin) || !u.Active) {
		fe.Add("roles", "web.error.self_lockout")
	}
	if len(fe) > 0 {
		return s.renderUserEdit(c, fiber.StatusUnprocessableEntity, userForm{U: &u}, fe)
	}
	upd := monitoring.UserUpdate{Name: &u.Name, Roles: u.Roles, StaffID: &u.StaffID, Language: &u.Language, Active: &u.Active}
	if _, err := s.Accounts.UpdateUser(c.UserContext(), me.Email, id, upd, ""); err != nil {
		if fields, ok := webFields(err); ok {
			return s.renderUserEdit(c, fiber.StatusUnprocessableEntity, userForm{U: &u}, fields)
		}
		return err
	}
	return c.Redirect("/admin/users?flash=user_saved", fiber.StatusSeeOther)
}

func (s *Server) handleUserDeactivate(c *fiber.Ctx) error {
	id, err := pathInt(c)
	if err != nil {
		return err
	}
	me := principalOf(c).User
	if id == me.ID {
		return fiber.NewError(fiber.StatusConflict, "cannot deactivate oneself")
	}
	off := false
	if _, err := s.Accounts.UpdateUser(c.UserContext(), me.Email, id, monitoring.UserUpdate{Active: &off}, ""); err != nil {
		return err
	}
	return c.Redirect("/admin/users?flash=user_deactivated", fiber.StatusSeeOther)
}

// handleUserResetPassword sets a generated password, shown once; the
// user's sessions end.
func (s *Server) handleUserResetPassword(c *fiber.Ctx) error {
	id, err := pathInt(c)
	if err != nil {
		return err
	}
	secret, _, err := NewSecret("")
	if err != nil {
		return err
	}
	password := secret[:20]
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	u, err := s.Accounts.UpdateUser(c.UserContext(), principalOf(c).User.Email, id, monitoring.UserUpdate{PasswordHash: &hash}, "")
	if err != nil {
		return err
	}
	return s.renderUserEdit(c, fiber.StatusOK, userForm{U: u, Password: password}, nil)
}

// tokensData is the API token page.
type tokensData struct {
	Tokens []*monitoring.Token
	Users  []*monitoring.User
	Scopes []monitoring.Scope
	Secret string // the new token, shown once
	Name   string
	UserID int64
	Chosen []string
}

func (s *Server) renderTokens(c *fiber.Ctx, status int, d tokensData, fields map[string]string) error {
	var err error
	if d.Tokens, err = s.Accounts.ListTokens(c.UserContext()); err != nil {
		return err
	}
	if d.Users, err = s.Accounts.ListUsers(c.UserContext()); err != nil {
		return err
	}
	d.Scopes = monitoring.Scopes
	p := s.newPage(c, "web.tokens.title")
	s.setErrors(p, fields, nil)
	p.Data = d
	return s.render(c, status, "admin_tokens", p)
}

func (s *Server) handleTokens(c *fiber.Ctx) error {
	return s.renderTokens(c, fiber.StatusOK, tokensData{}, nil)
}

func (s *Server) handleTokenCreate(c *fiber.Ctx) error {
	d := tokensData{Name: formVal(c, "name"), Chosen: formList(c, "scopes")}
	fe := monitoring.FieldErrors{}
	uid, err := strconv.ParseInt(formVal(c, "user_id"), 10, 64)
	if err != nil || uid <= 0 {
		fe.Add("user_id", monitoring.MsgRequired)
	}
	d.UserID = uid
	switch {
	case d.Name == "":
		fe.Add("name", monitoring.MsgRequired)
	case len([]rune(d.Name)) > monitoring.MaxShort:
		fe.Add("name", monitoring.MsgTooLong)
	}
	var scopes []monitoring.Scope
	for _, v := range d.Chosen {
		if !monitoring.Scope(v).Valid() {
			fe.Add("scopes", monitoring.MsgUnknown)
		}
		scopes = append(scopes, monitoring.Scope(v))
	}
	if len(scopes) == 0 {
		fe.Add("scopes", monitoring.MsgRequired)
	}
	if len(fe) == 0 {
		if _, err := s.Accounts.FindUser(c.UserContext(), uid); err != nil {
			if monitoring.ErrorCodeOf(err) != monitoring.NotFound {
				return err
			}
			fe.Add("user_id", monitoring.MsgNotFound)
		}
	}
	if len(fe) > 0 {
		return s.renderTokens(c, fiber.StatusUnprocessableEntity, d, fe)
	}
	secret, hash, err := NewSecret("vaaka_")
	if err != nil {
		return err
	}
	t := &monitoring.Token{UserID: uid, Name: d.Name, Scopes: scopes, Hash: hash}
	if err := s.Accounts.CreateToken(c.UserContext(), principalOf(c).User.Email, t); err != nil {
		if fields, ok := webFields(err); ok {
			return s.renderTokens(c, fiber.StatusUnprocessableEntity, d, fields)
		}
		return err
	}
	return s.renderTokens(c, fiber.StatusCreated, tokensData{Secret: secret}, nil)
}

func (s *Server) handleTokenRevoke(c *fiber.Ctx) error {
	id, err := pathInt(c)
	if err != nil {
		return err
	}
	if err := s.Accounts.RevokeToken(c.UserContext(), principalOf(c).User.Email, id); err != nil {
		return err
	}
	return c.Redirect("/admin/tokens?flash=token_revoked", fiber.StatusSeeOther)
}

// handleAccount shows the own-account page: password and language.
func (s *Server) handleAccount(c *fiber.Ctx) error {
	return s.renderAccount(c, fiber.StatusOK, nil)
}

func (s *Server) renderAccount(c *fiber.Ctx, status int, fields map[string]string) error {
	p := s.newPage(c, "web.account.title")
	s.setErrors(p, fields, nil)
	p.Data = struct{ Langs []monitoring.Language }{monitoring.Languages}
	return s.render(c, status, "account", p)
}

// handlePasswordChange changes the own password: the current one is
// required, the new one at least 12 characters; other sessions end.
func (s *Server) handlePasswordChange(c *fiber.Ctx) error {
	pr := principalOf(c)
	now := s.Now()
	key := "acct:" + strings.ToLower(pr.User.Email)
	if s.throttle.blocked(key, throttleMaxFailures, now) {
		return fiber.NewError(fiber.StatusTooManyRequests, "too many attempts")
	}
	cur, next, confirm := c.FormValue("current_password"), c.FormValue("new_password"), c.FormValue("new_password_confirm")
	u, err := s.Accounts.FindUser(c.UserContext(), pr.User.ID)
	if err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	if !CheckPassword(u.PasswordHash, cur) {
		s.throttle.fail(key, now)
		fe.Add("current_password", "web.error.wrong_password")
	}
	if len([]rune(next)) < monitoring.MinPasswordLength {
		fe.Add("new_password", monitoring.MsgPassword)
	} else if next != confirm {
		fe.Add("new_password_confirm", "web.error.password_mismatch")
	}
	if len(fe) > 0 {
		return s.renderAccount(c, fiber.StatusUnprocessableEntity, fe)
	}
	hash, err := HashPassword(next)
	if err != nil {
		return err
	}
	if _, err := s.Accounts.UpdateUser(c.UserContext(), u.Email, u.ID, monitoring.UserUpdate{PasswordHash: &hash}, pr.Session.IDHash); err != nil {
		return err
	}
	return c.Redirect("/account?flash=password_changed", fiber.StatusSeeOther)
}
