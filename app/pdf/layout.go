package pdf

import (
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"unicode"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/text/unicode/norm"
)

// Page geometry in millimetres (A4 portrait).
const (
	pageW        = 210.0
	pageH        = 297.0
	marginL      = 20.0
	marginR      = 20.0
	marginBottom = 24.0 // the footer lives below this
	headerTop    = 10.0
	bodyW        = pageW - marginL - marginR
	family       = "go"
	kvLabelW     = 60.0
)

var (
	colText  = [3]int{25, 25, 25}
	colMuted = [3]int{95, 95, 95}
	colMark  = [3]int{165, 0, 0}
	colRule  = [3]int{150, 150, 150}
	colFill  = [3]int{232, 232, 232}
)

// engine draws a document's blocks onto one gofpdf document.
type engine struct {
	f      *gofpdf.Fpdf
	fs     *fontSet
	used   usedFonts
	style  int     // styleRegular or styleBold
	size   float64 // points
	cm     float64 // cell margin, mm
	o      *Options
	d      *document
	top    float64 // body top (below the header)
	bottom float64 // page-break trigger
}

// render draws d into w: A4, header, footer with "page n/N", blocks with
// page breaks and wrapping. gofpdf's error is sticky; Output returns it.
func render(w io.Writer, d *document, o *Options) error {
	fs, err := fonts()
	if err != nil {
		return err
	}
	f := gofpdf.NewCustom(&gofpdf.InitType{OrientationStr: "P", UnitStr: "mm", Size: gofpdf.SizeType{Wd: pageW, Ht: pageH}})
	f.AliasNbPages("{nb}")
	f.SetCatalogSort(true)
	f.SetCreationDate(o.GeneratedAt)
	f.SetModificationDate(o.GeneratedAt)
	f.SetTitle(clean(d.Title), true)
	f.SetSubject(clean(o.DocID), true)
	f.SetAuthor(clean(o.Org.Name), true)
	f.SetCreator("Vaaka", true)
	f.SetProducer("Vaaka", true)
	f.SetAutoPageBreak(false, marginBottom)
	f.SetMargins(marginL, 30, marginR)
	e := &engine{f: f, fs: fs, o: o, d: d, bottom: pageH - marginBottom, cm: 1}
	f.SetHeaderFunc(e.header)
	f.SetFooterFunc(e.footer)
	e.top = e.headerHeight()
	f.SetTopMargin(e.top)
	f.AddPage()
	for i := range d.Blocks {
		if f.Err() {
			break
		}
		e.draw(&d.Blocks[i])
	}
	if f.Err() {
		return fmt.Errorf("pdf: %w", f.Error())
	}
	// Compressing a page stream costs gofpdf a new 1 MB zlib writer per
	// page (most of a short document's time); a short document's pages are
	// written as they are, a long one's compressed. gofpdf reads the flag
	// when it writes the pages, at Output.
	f.SetCompression(f.PageNo() > uncompressedPages)
	return f.Output(w)
}

// uncompressedPages is the most pages a document may have for its page
// streams to be written uncompressed.
var uncompressedPages = 3

func (e *engine) color(c [3]int) { e.f.SetTextColor(c[0], c[1], c[2]) }

// font selects the style ("" or "B") and size (points) of the text drawn
// next; the group fonts are chosen per run (engine.text).
func (e *engine) font(style string, size float64) {
	e.style, e.size = styleRegular, size
	if style == "B" {
		e.style = styleBold
	}
}

// margin sets the cell margin (the padding left of a cell's text).
func (e *engine) margin(m float64) { e.cm = m }

// cell draws one line of text in a cell w wide and h high at the current
// position, left-aligned after the cell margin, like gofpdf's CellFormat;
// ln moves the position afterwards: 0 to the right of the cell, 1 to the
// start of the next line, 2 below the cell.
func (e *engine) cell(w, h float64, text string, ln int) {
	x, y := e.f.GetXY()
	if text != "" {
		e.text(x+e.cm, y+0.5*h+0.3*e.size*ptToMM, text)
	}
	switch ln {
	case 0:
		e.f.SetXY(x+w, y)
	case 1:
		e.f.SetXY(marginL, y+h)
	default:
		e.f.SetXY(x, y+h)
	}
}

// text draws s with its baseline at (x, y) as runs of one font group each,
// each run's x advanced by the widths of the runs before it.
func (e *engine) text(x, y float64, s string) {
	var buf []byte
	g, units := -1, 0
	w := e.fs.styles[e.style].width
	flush := func() {
		if len(buf) == 0 {
			return
		}
		e.used.add(e.f, e.fs, e.style, g)
		e.f.SetFont(groupFamily(g), styleName[e.style], e.size)
		e.f.Text(x, y, string(buf))
		x += float64(units) * e.size * ptToMM / 1000
		buf, units = buf[:0], 0
	}
	for _, r := range s {
		rg, code, ok := e.fs.lookup(r)
		if !ok {
			r = '?'
			rg, code, _ = e.fs.lookup(r)
		}
		if rg != g {
			flush()
			g = rg
		}
		buf = append(buf, code)
		units += int(w[r])
	}
	flush()
}

// lineH is the line height for a font size in points.
func lineH(size float64) float64 { return size * 0.3528 * 1.3 }

// split wraps text to width w with the current font; "" gives no lines.
func (e *engine) split(text string, w float64) []string {
	text = clean(text)
	if strings.TrimSpace(text) == "" {
		return nil
	}
	return e.fs.wrap(text, w, e.cm, e.style, e.size)
}

// fit shortens one line of text to width w with an ellipsis.
func (e *engine) fit(text string, w float64) string {
	text = strings.ReplaceAll(clean(text), "\n", " ")
	if e.fs.textWidth(text, e.style, e.size) <= w-2*0.5 {
		return text
	}
	r := []rune(text)
	for len(r) > 0 && e.fs.textWidth(string(r)+"…", e.style, e.size) > w-2*0.5 {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// headerHeight is where the body starts: the header's lines plus a gap.
func (e *engine) headerHeight() float64 {
	h := headerTop + lineH(9)*2
	if e.d.Confidential != "" {
		h += lineH(10)
		if e.d.ConfidentialTold != "" {
			h += lineH(8)
		}
	}
	return h + 6
}

// header: organisation, title, confidentiality mark (R-COOP-11), a rule.
func (e *engine) header() {
	f := e.f
	e.margin(0.5)
	f.SetXY(marginL, headerTop)
	e.font("B", 9)
	e.color(colText)
	org := e.o.Org.Name
	if e.o.Org.BusinessID != "" {
		org += " · " + e.o.T("pdf.business_id", "id", e.o.Org.BusinessID)
	}
	if e.o.Org.Address != "" {
		org += " · " + e.o.Org.Address
	}
	e.cell(bodyW, lineH(9), e.fit(org, bodyW), 2)
	e.font("", 9)
	e.color(colMuted)
	e.cell(bodyW, lineH(9), e.fit(e.d.Title, bodyW), 2)
	if e.d.Confidential != "" {
		e.font("B", 10)
		e.color(colMark)
		e.cell(bodyW, lineH(10), e.fit(e.d.Confidential, bodyW), 2)
		if e.d.ConfidentialTold != "" {
			e.font("", 8)
			e.cell(bodyW, lineH(8), e.fit(e.d.ConfidentialTold, bodyW), 2)
		}
	}
	y := f.GetY() + 2
	f.SetDrawColor(colRule[0], colRule[1], colRule[2])
	f.SetLineWidth(0.3)
	f.Line(marginL, y, pageW-marginR, y)
	e.color(colText)
	e.margin(1)
	f.SetXY(marginL, e.top)
}

// footer: rule; document id and generation time; "page n/N"; not legal advice.
func (e *engine) footer() {
	f := e.f
	e.margin(0.5)
	y := pageH - marginBottom + 6
	f.SetDrawColor(colRule[0], colRule[1], colRule[2])
	f.SetLineWidth(0.3)
	f.Line(marginL, y, pageW-marginR, y)
	e.font("", 8)
	e.color(colMuted)
	left := e.o.T("pdf.footer.doc_id", "id", e.o.DocID) + " · " + e.o.T("pdf.footer.generated", "at", e.o.dateTime(e.o.GeneratedAt))
	pageW0 := 28.0
	f.SetXY(marginL, y+1.5)
	e.cell(bodyW-pageW0, lineH(8), e.fit(left, bodyW-pageW0), 0)
	// Left-aligned at a fixed place: the {nb} alias is wider than N.
	e.cell(pageW0, lineH(8), e.o.T("pdf.footer.page", "n", itoa(f.PageNo()), "total", "{nb}"), 1)
	f.SetX(marginL)
	e.cell(bodyW, lineH(8), e.fit(e.o.T("pdf.footer.disclaimer"), bodyW), 1)
	e.color(colText)
	e.margin(1)
}

// need starts a new page when h does not fit on this one.
func (e *engine) need(h float64) {
	if e.f.GetY()+h > e.bottom {
		e.f.AddPage()
	}
}

// keep starts a new page when h does not fit here but would fit on an
// empty page (keeps small things together).
func (e *engine) keep(h float64) {
	if e.f.GetY()+h > e.bottom && h <= e.bottom-e.top {
		e.f.AddPage()
	}
}

// text draws wrapped lines at x with width w, breaking pages line by line.
func (e *engine) lines(ls []string, x, w, lh float64) {
	for _, l := range ls {
		e.need(lh)
		e.f.SetX(x)
		e.cell(w, lh, l, 2)
	}
	e.f.SetX(marginL)
}

func (e *engine) space(h float64) {
	if e.f.GetY()+h <= e.bottom {
		e.f.SetY(e.f.GetY() + h)
	}
	e.f.SetX(marginL)
}

func (e *engine) draw(b *block) {
	switch b.Kind {
	case kHeading:
		e.font("B", 15)
		ls := e.split(b.Text, bodyW)
		e.keep(float64(len(ls))*lineH(15) + 10)
		e.lines(ls, marginL, bodyW, lineH(15))
		e.space(2)
	case kSubheading:
		e.space(2)
		e.font("B", 11.5)
		ls := e.split(b.Text, bodyW)
		e.keep(float64(len(ls))*lineH(11.5) + 12) // not alone at a page's foot
		e.lines(ls, marginL, bodyW, lineH(11.5))
		e.space(1)
	case kNote:
		e.font("", 8.5)
		e.color(colMuted)
		e.lines(e.split(b.Text, bodyW), marginL, bodyW, lineH(8.5))
		e.color(colText)
		e.space(2)
	case kParagraph:
		if b.Label != "" {
			e.font("B", 10)
			ls := e.split(b.Label, bodyW)
			e.keep(float64(len(ls)+2) * lineH(10))
			e.lines(ls, marginL, bodyW, lineH(10))
		}
		e.font("", 10)
		e.lines(e.split(b.Text, bodyW), marginL, bodyW, lineH(10))
		e.space(3)
	case kKeyValue:
		e.keyValue(b.Rows)
		e.space(3)
	case kList:
		e.list(b)
		e.space(3)
	case kTable:
		e.table(b)
		e.space(3)
	case kSignatures:
		e.signatures(b)
		e.space(3)
	}
}

// keyValue draws rows of a bold label column and a wrapped value column.
func (e *engine) keyValue(rows [][2]string) {
	lh := lineH(10)
	for _, r := range rows {
		e.font("B", 9.5)
		ll := e.split(r[0], kvLabelW-2)
		e.font("", 10)
		vl := e.split(r[1], bodyW-kvLabelW)
		n := max(len(ll), len(vl))
		e.keep(float64(n) * lh)
		for i := 0; i < n; i++ {
			e.need(lh)
			y := e.f.GetY()
			if i < len(ll) {
				e.font("B", 9.5)
				e.color(colMuted)
				e.f.SetXY(marginL, y)
				e.cell(kvLabelW, lh, ll[i], 0)
				e.color(colText)
			}
			if i < len(vl) {
				e.font("", 10)
				e.f.SetXY(marginL+kvLabelW, y)
				e.cell(bodyW-kvLabelW, lh, vl[i], 0)
			}
			e.f.SetXY(marginL, y+lh)
		}
		e.space(0.8)
	}
}

// list draws an optional bold label and bulleted items.
func (e *engine) list(b *block) {
	lh := lineH(10)
	if b.Label != "" {
		e.font("B", 10)
		ls := e.split(b.Label, bodyW)
		e.keep(float64(len(ls)+1) * lh)
		e.lines(ls, marginL, bodyW, lh)
	}
	e.font("", 10)
	for _, it := range b.Items {
		ls := e.split(it, bodyW-6)
		for i, l := range ls {
			e.need(lh)
			y := e.f.GetY()
			if i == 0 {
				e.f.SetXY(marginL+1, y)
				e.cell(5, lh, "•", 0)
			}
			e.f.SetXY(marginL+6, y)
			e.cell(bodyW-6, lh, l, 2)
		}
		e.space(0.8)
	}
}

// table draws a bordered table with a header row repeated on every page; a
// row taller than the rest of the page continues on the next one.
func (e *engine) table(b *block) {
	const size, pad = 9.0, 1.6
	lh := lineH(size)
	ws := columnWidths(b.Widths, len(b.Head))
	head := func() {
		e.font("B", size)
		cells := make([][]string, len(b.Head))
		n := 1
		for i, h := range b.Head {
			cells[i] = e.split(h, ws[i])
			n = max(n, len(cells[i]))
		}
		e.row(cells, ws, 0, n, lh, pad, true)
	}
	e.font("B", size)
	e.keep(2*(lh+pad) + lh)
	head()
	for _, r := range b.Cells {
		e.font("", size)
		cells := make([][]string, len(ws))
		n := 1
		for i := range ws {
			if i < len(r) {
				cells[i] = e.split(r[i], ws[i])
			}
			n = max(n, len(cells[i]))
		}
		if h := float64(n)*lh + pad; e.f.GetY()+h > e.bottom && h <= e.bottom-e.top-(lh+pad) {
			e.f.AddPage()
			head()
			e.font("", size)
		}
		for from := 0; from < n; {
			avail := int(math.Floor((e.bottom - e.f.GetY() - pad) / lh))
			if avail <= 0 {
				e.f.AddPage()
				head()
				e.font("", size)
				continue
			}
			k := min(avail, n-from)
			e.row(cells, ws, from, from+k, lh, pad, false)
			from += k
		}
	}
}

// row draws lines [from, to) of each cell as one bordered band.
func (e *engine) row(cells [][]string, ws []float64, from, to int, lh, pad float64, fill bool) {
	f := e.f
	y := f.GetY()
	h := float64(to-from)*lh + pad
	f.SetDrawColor(colRule[0], colRule[1], colRule[2])
	f.SetLineWidth(0.2)
	if fill {
		f.SetFillColor(colFill[0], colFill[1], colFill[2])
	}
	x := marginL
	for i, w := range ws {
		style := "D"
		if fill {
			style = "FD"
		}
		f.Rect(x, y, w, h, style)
		for j := from; j < to && j < len(cells[i]); j++ {
			f.SetXY(x, y+pad/2+float64(j-from)*lh)
			e.cell(w, lh, cells[i][j], 0)
		}
		x += w
	}
	f.SetXY(marginL, y+h)
}

// columnWidths scales relative widths to the body width.
func columnWidths(rel []float64, n int) []float64 {
	ws := make([]float64, n)
	sum := 0.0
	for i := range ws {
		ws[i] = 1
		if i < len(rel) && rel[i] > 0 {
			ws[i] = rel[i]
		}
		sum += ws[i]
	}
	for i := range ws {
		ws[i] = ws[i] / sum * bodyW
	}
	return ws
}

// signatures draws two columns of signature lines with names under them.
func (e *engine) signatures(b *block) {
	colW := (bodyW - 10) / 2
	rows := max(len(b.Left), len(b.Right), 1)
	per := 20.0
	e.font("B", 10)
	e.keep(lineH(10) + float64(min(rows, 3))*per)
	y := e.f.GetY()
	e.f.SetXY(marginL, y)
	e.cell(colW, lineH(10), e.fit(b.LeftCaption, colW), 0)
	e.f.SetXY(marginL+colW+10, y)
	e.cell(colW, lineH(10), e.fit(b.RightCaption, colW), 0)
	e.f.SetXY(marginL, y+lineH(10))
	for i := 0; i < rows; i++ {
		e.need(per)
		y := e.f.GetY() + 11
		e.f.SetDrawColor(colText[0], colText[1], colText[2])
		e.f.SetLineWidth(0.3)
		for c, names := range [][]string{b.Left, b.Right} {
			x := marginL + float64(c)*(colW+10)
			e.f.Line(x, y, x+colW, y)
			name := ""
			if i < len(names) {
				name = names[i]
			}
			e.font("", 10)
			e.f.SetXY(x, y+0.5)
			e.cell(colW, lineH(10), e.fit(name, colW), 0)
			e.font("", 8)
			e.color(colMuted)
			e.f.SetXY(x, y+0.5+lineH(10))
			e.cell(colW, lineH(8), e.fit(b.SignLabel, colW), 0)
			e.color(colText)
		}
		e.f.SetXY(marginL, y+0.5+lineH(10)+lineH(8))
	}
}

// coverage tells which runes the documents can draw: the prepared fonts'
// repertoire (fonts.go), the same for both styles; built once per process.
var coverage = sync.OnceValue(func() []bool {
	cov := make([]bool, 0x10000)
	fs, err := fonts()
	if err != nil {
		return cov
	}
	for r := range cov {
		_, _, cov[r] = fs.lookup(rune(r))
	}
	return cov
})

// clean makes text safe for gofpdf and the font: line ends normalised, tabs
// and control characters become spaces, characters the font lacks become
// "?" (gofpdf would otherwise fail on characters beyond the BMP, or draw
// nothing).
func clean(s string) string {
	cov := coverage()
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s) // "a" + combining diaeresis → "ä"
	}
	ok := true
	for _, r := range s {
		if r != '\n' && (int(r) >= len(cov) || !cov[r]) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
		case r == '\r' || r == '\t' || unicode.IsControl(r) || unicode.IsSpace(r):
			b.WriteByte(' ')
		case int(r) < len(cov) && cov[r]:
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r):
			// a combining mark the font lacks: drop it
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}
