package pdf

import (
	"bytes"
	"strings"
	"testing"

	"vaaka/monitoring"
)

// latinNames are letters of Latin-script names beyond Finnish and Swedish:
// Polish, Hungarian, Czech, Romanian, Turkish, Croatian, Icelandic and
// German, and the punctuation the documents print.
const latinNames = "Łukasz Őrs Űrő Čapek Šťastný Žižek Ștefan Țurcan İpek Ğül Şahin Đurić Þórður Straße € – — ” … •"

// TestFontRepertoire: WinAnsi carries Finnish and Swedish in group 0, the
// rest of the Latin repertoire is in further groups, anything else is not
// drawable (clean makes it "?"), and widths exist for every drawable rune.
func TestFontRepertoire(t *testing.T) {
	fs, err := fonts()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range "AaÄäÖöÅåÉé€–”•…" {
		if g, _, ok := fs.lookup(r); !ok || g != 0 {
			t.Errorf("%q: group %d ok %v, want WinAnsi", r, g, ok)
		}
	}
	for _, r := range "ŁŐűȘțĞİĐ" {
		if g, _, ok := fs.lookup(r); !ok || g == 0 {
			t.Errorf("%q: group %d ok %v, want a further group", r, g, ok)
		}
	}
	for _, r := range "Ωж中😀\t" {
		if _, _, ok := fs.lookup(r); ok {
			t.Errorf("%q should not be drawable", r)
		}
	}
	for st := range fs.styles {
		for r, ok := range coverage() {
			if ok && fs.styles[st].width[r] == 0 {
				t.Errorf("style %d: no width for %U", st, r)
			}
		}
	}
	if got := clean("Ωmega"); got != "?mega" {
		t.Errorf("clean: %q", got)
	}
	// Wrapping measures with the same widths the drawing uses.
	ls := fs.wrap(strings.Repeat("Łukasz Őrs ", 30), 60, 1, styleRegular, 10)
	for _, l := range ls {
		if w := fs.textWidth(l, styleRegular, 10); w > 58+0.01 {
			t.Errorf("line %q is %.1f mm wide", l, w)
		}
	}
	if len(ls) < 3 {
		t.Errorf("lines %q", ls)
	}
}

// TestFontExtraction: every group's text is extractable (the /Differences
// glyph names map back to the characters) in both styles.
func TestFontExtraction(t *testing.T) {
	o := opts(t, monitoring.Finnish)
	o.check()
	d := &document{Title: latinNames, Blocks: []block{{Kind: kHeading, Text: latinNames}, {Kind: kParagraph, Label: "Nimet", Text: latinNames}}}
	var buf bytes.Buffer
	if err := render(&buf, d, &o); err != nil {
		t.Fatal(err)
	}
	text := extract(t, buf.Bytes())
	for _, w := range strings.Fields(latinNames) {
		if strings.Count(text, w) < 2 {
			t.Errorf("%q extracted %d times\n%s", w, strings.Count(text, w), text)
		}
	}
}
