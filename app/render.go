package app

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// pageNames are the pages every installation must have; a missing one fails
// start-up.
var pageNames = []string{
	"login", "error", "dashboard",
	"activities", "activity", "activity_form",
	"uses", "use", "use_form",
	"recordings",
	"employees", "employee_form", "employee_import", "units",
	"settings", "admin_users", "admin_user_form", "admin_tokens",
	"account", "audit", "me", "representative",
}

// views holds the parsed templates: one set per language, so that the
// translation func is bound at start-up and html/template escapes each webPage
// once (no per-request Clone).
type views struct {
	pages  map[monitoring.Language]*pageSet
	cat    *Catalog
	static map[string]string // static file name → content hash, for cache busting
	fsys   fs.FS

	mu    sync.Mutex
	loc   *time.Location
	locAt time.Time
}

// option is one entry of a select or checkbox group.
type webOption struct {
	Value string
	Label string
}

// navItem is one link of the main navigation.
type navItem struct {
	Href   string
	Label  string
	Active bool
}

// fieldMsg is one entry of the error summary at the top of a form.
type fieldMsg struct {
	Field   string
	ID      string
	Message string
}

// webPage is what every template receives.
type webPage struct {
	Lang      monitoring.Language
	Langs     []webOption
	Title     string
	User      *monitoring.User
	CSRF      string
	Flash     string
	FlashErr  bool
	Demo      bool
	Nav       []navItem
	Path      string // current path and query, for the language switcher
	Errors    map[string]string
	Summary   []fieldMsg
	Data      any
	Principal *Principal
}

// Can reports whether the signed-in user holds one of roles (used by
// templates to show buttons).
func (p *webPage) Can(roles ...string) bool {
	if p.User == nil {
		return false
	}
	for _, r := range roles {
		if p.User.Has(monitoring.Role(r)) {
			return true
		}
	}
	return false
}

// Err returns the message for field, "" when it has none.
func (p *webPage) Err(field string) string { return p.Errors[field] }

// pageSet is the page templates of one language, parsed when first needed:
// each is a clone of the layout and partials with the language's functions,
// about 7 MB a language. The default language is parsed at start, which
// checks every template; a language nobody reads costs nothing.
type pageSet struct {
	once  sync.Once
	pages map[string]*template.Template
	err   error
}

// set returns the pages of lang.
func (v *views) set(lang monitoring.Language) (map[string]*template.Template, error) {
	ps := v.pages[lang]
	if ps == nil {
		ps = v.pages[monitoring.Finnish]
		lang = monitoring.Finnish
	}
	ps.once.Do(func() { ps.pages, ps.err = v.parse(lang) })
	return ps.pages, ps.err
}

func loadViewsFS(fsys fs.FS, cat *Catalog) (*views, error) {
	v := &views{pages: map[monitoring.Language]*pageSet{}, cat: cat, static: map[string]string{}, fsys: fsys}
	// Static file versions for long-lived caching (?v=hash).
	err := fs.WalkDir(fsys, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		v.static[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("app: static files: %w", err)
	}
	for _, lang := range monitoring.Languages {
		v.pages[lang] = &pageSet{}
	}
	if _, err := v.set(monitoring.Finnish); err != nil {
		return nil, err
	}
	return v, nil
}

// parse parses the page templates with the functions of lang.
func (v *views) parse(lang monitoring.Language) (map[string]*template.Template, error) {
	fsys := v.fsys
	layout, err := fs.ReadFile(fsys, "layout.html")
	if err != nil {
		return nil, fmt.Errorf("app: templates: %w", err)
	}
	partials, err := fs.Glob(fsys, "partials/*.html")
	if err != nil {
		return nil, err
	}
	base := template.New("layout").Funcs(v.funcs(lang))
	if _, err := base.Parse(string(layout)); err != nil {
		return nil, fmt.Errorf("app: layout.html: %w", err)
	}
	for _, p := range partials {
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		if _, err := base.New(path.Base(p)).Parse(string(b)); err != nil {
			return nil, fmt.Errorf("app: %s: %w", p, err)
		}
	}
	set := map[string]*template.Template{}
	for _, name := range pageNames {
		b, err := fs.ReadFile(fsys, name+".html")
		if err != nil {
			return nil, fmt.Errorf("app: webPage %s missing: %w", name, err)
		}
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.New(name + ".html").Parse(string(b)); err != nil {
			return nil, fmt.Errorf("app: %s.html: %w", name, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("app: %s.html defines no \"content\"", name)
		}
		set[name] = t
	}
	return set, nil
}

// webFormatDate and webFormatClock write dates and times as Finns write
// them (monitoring.FormatDate, FormatClock); the PDFs use the same.
var (
	webFormatDate  = monitoring.FormatDate
	webFormatClock = monitoring.FormatClock
)

// location is the organisation's time zone, cached for a minute.
func (v *views) location() *time.Location {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.loc == nil {
		return monitoring.Helsinki
	}
	return v.loc
}

func (v *views) setLocation(loc *time.Location, at time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.loc, v.locAt = loc, at
}

func (v *views) locationStale(now time.Time) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.loc == nil || now.Sub(v.locAt) > time.Minute || now.Before(v.locAt)
}

var fidUnsafe = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// fid is the HTML id of a form field name such as "purposes[0].code".
func fid(name string) string { return "f-" + strings.Trim(fidUnsafe.ReplaceAllString(name, "-"), "-") }

var indexRE = regexp.MustCompile(`\[\d+\]`)

// labelOf is the translated label of a field path: "purposes[2].code" is
// looked up as "web.field.purposes.code"; unknown fields keep their name.
func webLabel(cat *Catalog, lang monitoring.Language, field string) string {
	base := strings.TrimPrefix(indexRE.ReplaceAllString(field, ""), ".")
	base = strings.TrimPrefix(base, ".")
	if key := "web.field." + base; cat.Has(key) {
		return cat.T(lang, key)
	}
	return field
}

// funcs are the template functions bound to lang.
func (v *views) funcs(lang monitoring.Language) template.FuncMap {
	return template.FuncMap{
		"t": func(key string, kv ...any) string {
			ss := make([]string, len(kv))
			for i, x := range kv {
				ss[i] = fmt.Sprint(x)
			}
			return v.cat.T(lang, key, ss...)
		},
		// tk translates a key built from a prefix and a value (enums).
		"tk": func(prefix string, value any) string {
			key := prefix + fmt.Sprint(value)
			if !v.cat.Has(key) {
				return fmt.Sprint(value)
			}
			return v.cat.T(lang, key)
		},
		"label": func(field string) string { return webLabel(v.cat, lang, field) },
		"date":  func(t time.Time) string { return webFormatDate(lang, t) },
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			lt := t.In(v.location())
			return webFormatDate(lang, lt) + " " + webFormatClock(lang, lt)
		},
		"isoDate": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.Format("2006-01-02")
		},
		"isoTime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.Format(time.RFC3339)
		},
		"fid":      fid,
		"static":   func(name string) string { return "/static/" + name + "?v=" + v.static[name] },
		"dict":     webDict,
		"contains": webContains,
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i
			}
			return out
		},
		"add":      func(a, b int) int { return a + b },
		"flagRule": func(f monitoring.Flag) string { return monitoring.FlagRules[f] },
		"join":     strings.Join,
		"list":     func(xs ...string) []string { return xs },
		"lines":    func(ss []string) string { return strings.Join(ss, "\n") },
		"idx": func(name string, i int, field string) string {
			return fmt.Sprintf("%s[%d].%s", name, i, field)
		},
	}
}

// dict builds a map for passing several values to a partial.
func webDict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, errors.New("dict: key is not a string")
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// contains reports whether the slice list holds v (compared as text).
func webContains(list any, v any) bool {
	rv := reflect.ValueOf(list)
	if rv.Kind() != reflect.Slice {
		return false
	}
	want := fmt.Sprint(v)
	for i := 0; i < rv.Len(); i++ {
		if fmt.Sprint(rv.Index(i).Interface()) == want {
			return true
		}
	}
	return false
}

// render executes webPage name into a buffer and sends it with status; a
// template failure becomes a clean 500 instead of half a page.
func (s *Server) render(c *fiber.Ctx, status int, name string, p *webPage) error {
	set, err := s.views.set(p.Lang)
	if err != nil {
		return err
	}
	t := set[name]
	if t == nil {
		return fmt.Errorf("app: no webPage %q", name)
	}
	// Straight into the response's body buffer, which fasthttp reuses from
	// request to request (a large page allocates nothing of its own).
	resp := c.Response()
	resp.ResetBody()
	if err := t.ExecuteTemplate(resp.BodyWriter(), "layout", p); err != nil {
		s.Logger.Error("render", "page", name, "err", err)
		resp.ResetBody()
		c.Status(fiber.StatusInternalServerError)
		c.Type("html", "utf-8")
		resp.AppendBodyString("<!doctype html><title>500</title><p>")
		template.HTMLEscape(resp.BodyWriter(), []byte(s.i18n.T(p.Lang, "problem.internal_detail")))
		return nil
	}
	c.Status(status)
	c.Type("html", "utf-8")
	return nil
}

// refreshLocation reloads the organisation's time zone once a minute.
func (s *Server) refreshLocation(c *fiber.Ctx) {
	now := s.Now()
	if !s.views.locationStale(now) || s.Settings == nil {
		return
	}
	o, err := s.Settings.Organisation(c.UserContext())
	if err != nil {
		s.Logger.Warn("organisation settings", "err", err)
		s.views.setLocation(monitoring.Helsinki, now)
		return
	}
	s.views.setLocation(o.Location(), now)
}

// newPage builds the common webPage data for the request.
func (s *Server) newPage(c *fiber.Ctx, titleKey string) *webPage {
	s.refreshLocation(c)
	lang := s.langOf(c)
	p := &webPage{Lang: lang, Demo: s.cfg.Demo, Path: c.OriginalURL()}
	for _, l := range monitoring.Languages {
		p.Langs = append(p.Langs, webOption{Value: string(l), Label: s.i18n.T(l, "web.lang.self")})
	}
	if titleKey != "" {
		p.Title = s.i18n.T(lang, titleKey)
	}
	if pr := principalOf(c); pr != nil && pr.Session != nil {
		p.Principal = pr
		p.User = pr.User
		p.CSRF = pr.Session.CSRFToken
		p.Nav = s.navFor(c, pr.User, lang)
	} else {
		p.CSRF = s.anonCSRF(c)
	}
	if key := c.Query("flash"); key != "" && s.i18n.Has("web.flash."+key) {
		p.Flash = s.i18n.T(lang, "web.flash."+key)
	}
	return p
}

// setErrors translates domain field errors (field → validation key) into
// messages naming the field in the page's language, and the summary.
func (s *Server) setErrors(p *webPage, fields map[string]string, rename func(string) string) {
	s.putErrors(p, fields, rename, func(field, _ string) string { return webLabel(s.i18n, p.Lang, field) })
}

// putErrors is the one way field errors reach a page: each message (a
// "validation." key, or a "web." key as it is) names its field with
// label(field, name), where name is the field after rename — the form
// control the message stands next to — and the summary lists them in
// field order.
func (s *Server) putErrors(p *webPage, fields map[string]string, rename func(string) string, label func(field, name string) string) {
	if len(fields) == 0 {
		return
	}
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	for _, f := range slices.Sorted(maps.Keys(fields)) {
		name := f
		if rename != nil {
			name = rename(f)
		}
		if _, dup := p.Errors[name]; dup {
			continue
		}
		key := fields[f]
		msgKey := "validation." + key
		if strings.HasPrefix(key, "web.") {
			msgKey = key
		}
		if !s.i18n.Has(msgKey) {
			msgKey = "validation.invalid"
		}
		msg := s.i18n.T(p.Lang, msgKey, "field", label(f, name))
		p.Errors[name] = msg
		p.Summary = append(p.Summary, fieldMsg{Field: name, ID: fid(name), Message: msg})
	}
}

// fieldsOf returns the field errors of an Invalid domain error.
func webFields(err error) (map[string]string, bool) {
	var de *monitoring.Error
	if errors.As(err, &de) && de.Code == monitoring.Invalid && len(de.Fields) > 0 {
		return de.Fields, true
	}
	return nil, false
}

// webCursor is a list page's ?cursor= (an id or sequence number; 0 when
// absent); anything else is a 400 naming the field.
func webCursor(c *fiber.Ctx) (int64, error) {
	v := c.Query("cursor")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, errBadField("cursor", "cursor")
	}
	return n, nil
}
