package app

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
	"vaaka/templates"
)

// Catalog holds the UI, error and document texts of every language. The
// messages live in templates/locales/<lang>/*.json as flat "key": "text"
// objects, merged per language; placeholders are written {name}.
type Catalog struct {
	msgs map[monitoring.Language]map[string]string
}

// LoadCatalog reads the embedded catalogs and fails when a language lacks a
// key that another has (a test does the same on every build).
func LoadCatalog() (*Catalog, error) {
	c := &Catalog{msgs: map[monitoring.Language]map[string]string{}}
	for _, l := range monitoring.Languages {
		m := map[string]string{}
		files, err := fs.Glob(templates.FS, path.Join("locales", string(l), "*.json"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			b, err := fs.ReadFile(templates.FS, f)
			if err != nil {
				return nil, err
			}
			var part map[string]string
			if err := json.Unmarshal(b, &part); err != nil {
				return nil, fmt.Errorf("app: catalog %s: %w", f, err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("app: catalog %s: key %q defined twice", f, k)
				}
				m[k] = v
			}
		}
		c.msgs[l] = m
	}
	if missing := c.Missing(); len(missing) > 0 {
		return nil, fmt.Errorf("app: catalogs incomplete: %s", strings.Join(missing, ", "))
	}
	return c, nil
}

// Missing lists "lang:key" for every key that one language has and another
// lacks.
func (c *Catalog) Missing() []string {
	all := map[string]bool{}
	for _, m := range c.msgs {
		for k := range m {
			all[k] = true
		}
	}
	var out []string
	for _, l := range monitoring.Languages {
		for k := range all {
			if _, ok := c.msgs[l][k]; !ok {
				out = append(out, string(l)+":"+k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Has reports whether key exists.
func (c *Catalog) Has(key string) bool { _, ok := c.msgs[monitoring.Finnish][key]; return ok }

// T translates key into lang, replacing {name} placeholders with the
// values of kv (name, value, name, value, ...). An unknown key returns the
// key itself, so a missing text shows up rather than vanishing.
func (c *Catalog) T(lang monitoring.Language, key string, kv ...string) string {
	m := c.msgs[lang]
	if m == nil {
		m = c.msgs[monitoring.Finnish]
	}
	s, ok := m[key]
	if !ok {
		if s, ok = c.msgs[monitoring.Finnish][key]; !ok {
			return key
		}
	}
	if len(kv) == 0 || !strings.Contains(s, "{") {
		return s
	}
	pairs := make([]string, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, "{"+kv[i]+"}", kv[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// langOf is the language of the request: the signed-in user's choice, then
// the "lang" cookie, then ?lang=, then Finnish.
func (s *Server) langOf(c *fiber.Ctx) monitoring.Language {
	if l := monitoring.Language(c.Query("lang")); l.Valid() {
		return l
	}
	if p := principalOf(c); p != nil && p.User.Language.Valid() {
		return p.User.Language
	}
	if l := monitoring.Language(c.Cookies("lang")); l.Valid() {
		return l
	}
	return monitoring.Finnish
}
