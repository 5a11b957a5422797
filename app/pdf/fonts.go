package pdf

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/encoding/charmap"
)

// Fonts, prepared once per process.
//
// gofpdf's UTF-8 font path (AddUTF8FontFromBytes) parses the whole TTF,
// allocates 64K-entry tables, JSON-encodes them to hash a font id, and at
// output subsets and compresses the font and a 128 KB CIDToGIDMap again —
// about 10 ms and 6 MB of garbage per document, for two fonts. Its font
// table is private, so a parsed font cannot be shared between documents.
//
// Instead the Go fonts are prepared here once: subset to the Latin
// repertoire (Basic Latin, Latin-1, Latin Extended-A/B and Additional,
// spacing modifiers, punctuation, currency and letterlike symbols — any
// Latin-script name), compressed once, and split into single-byte
// "groups" of at most 222 characters: group 0 is WinAnsi (cp1252, what
// Finnish, Swedish and English need), further groups carry the rest with
// a /Differences encoding of "uniXXXX" glyph names (so text extraction
// maps every code back to its character). gofpdf loads such a font from a
// small JSON definition and the pre-compressed font program
// (AddFontFromBytes) in microseconds and embeds the program as it is; all
// groups of a style share one embedded program. The layout engine draws
// each line as runs of one group (engine.text) and measures text with the
// widths computed here, so drawing and measuring agree.

// styles of the font.
const (
	styleRegular = iota
	styleBold
	nStyles
)

// styleName is gofpdf's style string.
var styleName = [nStyles]string{"", "B"}

// groupSize is the number of codes a group beyond WinAnsi uses: 0x21–0xFF
// without 0x7F.
const groupSize = 0xFF - 0x21 + 1 - 1

// fontStyle is one style's prepared data.
type fontStyle struct {
	// width is each rune's advance in 1/1000 em (0 when not drawable).
	width []uint16
	// defs are gofpdf's JSON font definitions, one per group.
	defs [][]byte
	// z is the zlib-compressed subset font program.
	z []byte
}

// fontSet is the prepared font data of both styles.
type fontSet struct {
	// enc maps a rune to group<<8 | code; 0 when the font cannot draw it.
	enc    []uint16
	groups int
	styles [nStyles]fontStyle
}

// groupFamily is the gofpdf family name of a group.
func groupFamily(g int) string { return "vk" + itoa(g) }

// lookup returns the group and code of r, and whether it is drawable.
func (fs *fontSet) lookup(r rune) (int, byte, bool) {
	if r < 0 || int(r) >= len(fs.enc) || fs.enc[r] == 0 {
		return 0, 0, false
	}
	v := fs.enc[r]
	return int(v >> 8), byte(v), true
}

// latinRepertoire reports whether r belongs to the characters the
// documents print.
func latinRepertoire(r rune) bool {
	switch {
	case r >= 0x20 && r <= 0x7E, // Basic Latin
		r >= 0xA0 && r <= 0x24F,    // Latin-1 Supplement, Latin Extended-A and -B
		r >= 0x2B0 && r <= 0x2FF,   // spacing modifier letters (ˆ ˇ ˘ ˙ ˚ ˛ ˜ ˝)
		r >= 0x1E00 && r <= 0x1EFF, // Latin Extended Additional
		r >= 0x2000 && r <= 0x206F, // general punctuation (– — ‘ ’ “ ” • …)
		r >= 0x20A0 && r <= 0x20CF, // currency (€)
		r >= 0x2100 && r <= 0x214F, // letterlike (№ ™)
		r == 0x2212:                // minus sign
		return true
	}
	return false
}

// fonts is built on first use and shared by every document.
var fonts = sync.OnceValues(func() (*fontSet, error) {
	return buildFonts([nStyles][]byte{goregular.TTF, gobold.TTF})
})

// buildFonts prepares the styles from their TTF files.
func buildFonts(ttfs [nStyles][]byte) (*fontSet, error) {
	// The repertoire: runes of the Latin ranges that every style draws.
	var runes []rune
	parsed := make([]*sfnt.Font, nStyles)
	var buf sfnt.Buffer
	for i, ttf := range ttfs {
		f, err := sfnt.Parse(ttf)
		if err != nil {
			return nil, fmt.Errorf("pdf: parse font %d: %w", i, err)
		}
		parsed[i] = f
	}
	for r := rune(0x20); r < 0x2300; r++ {
		if !latinRepertoire(r) {
			continue
		}
		ok := true
		for _, f := range parsed {
			if gi, err := f.GlyphIndex(&buf, r); err != nil || gi == 0 {
				ok = false
			}
		}
		if ok {
			runes = append(runes, r)
		}
	}

	fs := &fontSet{enc: make([]uint16, 0x10000)}
	// Group 0: WinAnsi.
	var rest []rune
	for _, r := range runes {
		if b, ok := charmap.Windows1252.EncodeRune(r); ok && b >= 0x20 && b != 0x7F {
			fs.enc[r] = uint16(b)
		} else {
			rest = append(rest, r)
		}
	}
	// Groups 1…: the rest, codes 0x21–0xFF without 0x7F.
	fs.groups = 1
	var groupRunes [][]rune
	for len(rest) > 0 {
		n := min(groupSize, len(rest))
		chunk := rest[:n]
		rest = rest[n:]
		g := fs.groups
		fs.groups++
		code := 0x21
		for _, r := range chunk {
			if code == 0x7F {
				code++
			}
			fs.enc[r] = uint16(g)<<8 | uint16(code)
			code++
		}
		groupRunes = append(groupRunes, chunk)
	}

	cutset := string(runes)
	for st, ttf := range ttfs {
		// Subset the font program to the repertoire with gofpdf's own
		// subsetter (the one its UTF-8 path uses per document).
		cut := gofpdf.UTF8CutFont(ttf, cutset)
		f, err := sfnt.Parse(cut)
		if err != nil {
			return nil, fmt.Errorf("pdf: parse subset font %d: %w", st, err)
		}
		upem := f.UnitsPerEm()
		ppem := fixed.I(int(upem))
		scale := func(v fixed.Int26_6) int { return int(math.Round(float64(v) / 64 * 1000 / float64(upem))) }
		sty := &fs.styles[st]
		sty.width = make([]uint16, 0x10000)
		for _, r := range runes {
			gi, err := f.GlyphIndex(&buf, r)
			if err != nil || gi == 0 {
				return nil, fmt.Errorf("pdf: subset font %d lacks %U", st, r)
			}
			adv, err := f.GlyphAdvance(&buf, gi, ppem, font.HintingNone)
			if err != nil {
				return nil, fmt.Errorf("pdf: advance of %U: %w", r, err)
			}
			sty.width[r] = uint16(max(scale(adv), 1))
		}
		missing, err := f.GlyphAdvance(&buf, 0, ppem, font.HintingNone)
		if err != nil {
			return nil, fmt.Errorf("pdf: advance of .notdef: %w", err)
		}
		m, err := f.Metrics(&buf, ppem, font.HintingNone)
		if err != nil {
			return nil, fmt.Errorf("pdf: metrics: %w", err)
		}
		bb, err := f.Bounds(&buf, ppem, font.HintingNone)
		if err != nil {
			return nil, fmt.Errorf("pdf: bounds: %w", err)
		}
		name, err := f.Name(&buf, sfnt.NameIDPostScript)
		if err != nil || name == "" {
			name = "Go" + [nStyles]string{"-Regular", "-Bold"}[st]
		}
		name = strings.ReplaceAll(name, " ", "")

		var z bytes.Buffer
		zw, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
		if err != nil {
			return nil, err
		}
		if _, err := zw.Write(cut); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
		sty.z = z.Bytes()

		desc := fontDesc{Ascent: scale(m.Ascent), Descent: -scale(m.Descent), CapHeight: scale(m.CapHeight),
			Flags:    1 << 5, // nonsymbolic: the encoding's glyph names are used
			FontBBox: fontBox{Xmin: scale(bb.Min.X), Ymin: -scale(bb.Max.Y), Xmax: scale(bb.Max.X), Ymax: -scale(bb.Min.Y)},
			StemV:    [nStyles]int{70, 120}[st], MissingWidth: scale(missing)}
		if desc.CapHeight == 0 {
			desc.CapHeight = desc.Ascent
		}
		file := "vaaka-" + strings.ToLower(name) + ".z"
		for g := 0; g < fs.groups; g++ {
			def := fontDef{Tp: "TrueType", Name: name, Desc: desc, Up: -100, Ut: 50, Cw: make([]int, 256),
				File: file, OriginalSize: len(cut)}
			for i := range def.Cw {
				def.Cw[i] = desc.MissingWidth
			}
			if g == 0 {
				def.Enc = "cp1252"
				for _, r := range runes {
					if v := fs.enc[r]; v>>8 == 0 {
						def.Cw[v&0xFF] = int(sty.width[r])
					}
				}
			} else {
				def.Enc = "vaaka" + itoa(g)
				var diff strings.Builder
				for i, r := range groupRunes[g-1] {
					code := fs.enc[r] & 0xFF
					def.Cw[code] = int(sty.width[r])
					if i == 0 || fs.enc[groupRunes[g-1][i-1]]&0xFF != code-1 {
						if i > 0 {
							diff.WriteByte(' ')
						}
						diff.WriteString(itoa(int(code)))
					}
					fmt.Fprintf(&diff, " /uni%04X", r)
				}
				def.Diff = diff.String()
			}
			b, err := json.Marshal(def)
			if err != nil {
				return nil, err
			}
			sty.defs = append(sty.defs, b)
		}
	}
	return fs, nil
}

// fontDef mirrors gofpdf's JSON font definition (makefont's output).
type fontDef struct {
	Tp           string
	Name         string
	Desc         fontDesc
	Up, Ut       int
	Cw           []int
	Enc          string
	Diff         string
	File         string
	Size1, Size2 int
	OriginalSize int
}

type fontDesc struct {
	Ascent, Descent, CapHeight, Flags int
	FontBBox                          fontBox
	ItalicAngle, StemV, MissingWidth  int
}

type fontBox struct{ Xmin, Ymin, Xmax, Ymax int }

// ptToMM converts points to millimetres.
const ptToMM = 25.4 / 72

// textWidth is the width of s in millimetres in a style and size (points);
// a rune the font cannot draw counts as "?" (clean replaces it so).
func (fs *fontSet) textWidth(s string, style int, size float64) float64 {
	w := fs.styles[style].width
	q := int(w['?'])
	sum := 0
	for _, r := range s {
		if r >= 0 && int(r) < len(w) && w[r] != 0 {
			sum += int(w[r])
		} else {
			sum += q
		}
	}
	return float64(sum) * size * ptToMM / 1000
}

// wrap splits text into lines at most w millimetres wide (less the cell
// margins), breaking at spaces and, for a word longer than the line, inside
// it; a newline always breaks. It follows gofpdf's SplitText.
func (fs *fontSet) wrap(text string, w, margin float64, style int, size float64) []string {
	cw := fs.styles[style].width
	q := int(cw['?'])
	wmax := int(math.Ceil((w - 2*margin) * 1000 / (size * ptToMM)))
	s := []rune(text)
	for len(s) > 0 && s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
	}
	var lines []string
	sep, i, j, l := -1, 0, 0, 0
	for i < len(s) {
		c := s[i]
		if c >= 0 && int(c) < len(cw) && cw[c] != 0 {
			l += int(cw[c])
		} else if c != '\n' {
			l += q
		}
		if c == ' ' || c == '\n' {
			sep = i
		}
		if c == '\n' || l > wmax {
			if sep == -1 {
				if i == j {
					i++
				}
				sep = i
			} else {
				i = sep + 1
			}
			lines = append(lines, string(s[j:sep]))
			sep, j, l = -1, i, 0
		} else {
			i++
		}
	}
	if i != j {
		lines = append(lines, string(s[j:i]))
	}
	return lines
}

// used records which group fonts of which style a document has added.
type usedFonts struct {
	added [nStyles][]bool
}

// add registers group g of style st with the document on first use.
func (u *usedFonts) add(f *gofpdf.Fpdf, fs *fontSet, st, g int) {
	if u.added[st] == nil {
		u.added[st] = make([]bool, fs.groups)
	}
	if !u.added[st][g] {
		u.added[st][g] = true
		f.AddFontFromBytes(groupFamily(g), styleName[st], fs.styles[st].defs[g], fs.styles[st].z)
	}
}

// Warm prepares the fonts now (about 150 ms once per process) so that the
// first document after start-up does not pay for it. Servers call it in the
// background after they start listening.
func Warm() error {
	_, err := fonts()
	return err
}
