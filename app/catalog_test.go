package app_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"vaaka/app"
	"vaaka/monitoring"
	"vaaka/templates"
)

// TestCatalogComplete: the catalogs load (every language has every key),
// and every key the templates and the Go code use exists in fi, sv and en.
func TestCatalogComplete(t *testing.T) {
	cat, err := app.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if m := cat.Missing(); len(m) > 0 {
		t.Fatalf("missing: %v", m)
	}
	used := map[string]string{} // key → where
	// Templates: {{t "key"}} and (t "key" …) calls.
	tcall := regexp.MustCompile(`[{(\s]t "([a-z0-9_.]+)"`)
	err = fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := fs.ReadFile(templates.FS, p)
		if err != nil {
			return err
		}
		for _, m := range tcall.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = p
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 100 {
		t.Fatalf("found only %d keys in templates", len(used))
	}
	// Go code: literal "web.…" keys (not prefixes) and ?flash= keys.
	lit := regexp.MustCompile(`"(web\.[a-z0-9_.]*[a-z0-9])"`)
	flash := regexp.MustCompile(`flash=([a-z_]*[a-z])\b`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = f
		}
		for _, m := range flash.FindAllStringSubmatch(string(b), -1) {
			used["web.flash."+m[1]] = f
		}
	}
	for _, k := range app.WebKeys() {
		used[k] = "WebKeys"
	}
	var missing []string
	for k, where := range used {
		if !cat.Has(k) {
			missing = append(missing, k+" ("+where+")")
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("keys used but not in the catalogs:\n%s", strings.Join(missing, "\n"))
	}
	// Every language answers each used key with its own text (not the key).
	for _, l := range monitoring.Languages {
		for k := range used {
			if got := cat.T(l, k); got == k || strings.TrimSpace(got) == "" {
				t.Errorf("%s: %s has no text", l, k)
			}
		}
	}
}

// TestCatalogWebKeysPrefixed: the web catalog holds only "web." keys.
func TestCatalogWebKeysPrefixed(t *testing.T) {
	for _, l := range monitoring.Languages {
		b, err := fs.ReadFile(templates.FS, "locales/"+string(l)+"/web.json")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`(?m)^\s*"([^"]+)":`).FindAllStringSubmatch(string(b), -1) {
			if !strings.HasPrefix(m[1], "web.") {
				t.Errorf("%s/web.json: key %q lacks the web. prefix", l, m[1])
			}
		}
	}
}
