// Package pdf draws Vaaka's documents as real PDFs: A4, an embedded UTF-8
// font (the Go fonts, so any Latin name prints: ä ö å Ł Ő …), a header with
// the organisation, the title and the confidentiality mark, and a footer
// with "page n/N", the document id, the generation time and the "not legal
// advice" line. It is the only package that imports gofpdf (STYLE §7, §11).
//
// Content is split from drawing: each document has a pure function that
// builds a list of blocks (headings, paragraphs, key-value tables, lists,
// tables, signature blocks) from the domain values, unit-tested for text,
// and one layout engine (layout.go) draws any list of blocks.
package pdf

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"vaaka/monitoring"
)

// OrgInfo is the employer as the documents name it.
type OrgInfo struct {
	Name       string
	BusinessID string // Y-tunnus, 1234567-8
	Address    string
}

// Options are what every document needs besides its content.
type Options struct {
	// Lang is the reader's language (fi, sv, en); it decides date formats.
	Lang monitoring.Language
	// GeneratedAt is printed in the footer and stored as the PDF's creation
	// date (tests fix it, so the output is reproducible).
	GeneratedAt time.Time
	// DocID is the stable document id printed in the footer, e.g.
	// "VAAKA-CASE-12-M4-V2" (see ProposalID, MinutesID).
	DocID string
	Org   OrgInfo
	// T translates a catalog key into Lang, replacing {name} placeholders
	// with kv (name, value, …). Required.
	T func(key string, kv ...string) string
	// Location is the organisation's time zone for times of day; nil is
	// Europe/Helsinki.
	Location *time.Location
	// Names maps an email to a person's display name (approvals and
	// recipients carry emails); unknown emails print as they are.
	Names map[string]string
	// Activities are the names of the monitoring activities a case
	// concerns (Case.ActivityIDs resolved by the caller), in order.
	Activities []string
}

// ErrNoMinutes is returned by Minutes for a meeting without minutes.
var ErrNoMinutes = errors.New("pdf: the meeting has no minutes")

// ErrNoInformation is returned by Proposal without information.
var ErrNoInformation = errors.New("pdf: the case has no written information")

// ProposalID is the document id of a version of a case's written
// information / proposal: "VAAKA-CASE-12-P3".
func ProposalID(caseID int64, version int) string {
	return fmt.Sprintf("VAAKA-CASE-%d-P%d", caseID, version)
}

// MinutesID is the document id of a version of a meeting's minutes:
// "VAAKA-CASE-12-M4-V2".
func MinutesID(caseID, meetingID int64, version int) string {
	return fmt.Sprintf("VAAKA-CASE-%d-M%d-V%d", caseID, meetingID, version)
}

func (o *Options) check() error {
	if o.T == nil {
		return errors.New("pdf: Options.T is required")
	}
	if !o.Lang.Valid() {
		o.Lang = monitoring.Finnish
	}
	if o.Location == nil {
		o.Location = monitoring.Helsinki
	}
	return nil
}

// name returns the display name of an email, or the text itself.
func (o *Options) name(email string) string {
	if n, ok := o.Names[strings.ToLower(strings.TrimSpace(email))]; ok && n != "" {
		return n
	}
	if n, ok := o.Names[email]; ok && n != "" {
		return n
	}
	return email
}

// nameWithEmail returns "Name <email>" when the name is known.
func (o *Options) nameWithEmail(email string) string {
	n := o.name(email)
	if n == email || email == "" {
		return email
	}
	return n + " (" + email + ")"
}

// block kinds.
type kind int

const (
	kHeading    kind = iota + 1 // Text, large bold
	kSubheading                 // Text, bold
	kParagraph                  // Label (bold, optional) and Text
	kKeyValue                   // Rows
	kList                       // Label (optional) and Items, bulleted
	kTable                      // Head, Cells, Widths
	kSignatures                 // Signers
	kNote                       // Text, small
)

// block is one piece of content; which fields count depends on Kind.
type block struct {
	Kind   kind
	Label  string
	Text   string
	Rows   [][2]string
	Items  []string
	Head   []string
	Cells  [][]string
	Widths []float64 // relative column widths of a table
	// Signers of a signature block: Left (employer) and Right (staff)
	// columns with their captions.
	LeftCaption, RightCaption string
	Left, Right               []string
	SignLabel                 string // "date and signature" under each line
}

// document is a built document: what the engine draws.
type document struct {
	Title string
	// Confidential is the mark in the header ("" when not marked) and
	// ConfidentialTold who was told when (R-COOP-11).
	Confidential     string
	ConfidentialTold string
	Blocks           []block
}

// text returns every string of the document in drawing order, one per
// line (for tests and for debugging).
func (d *document) text() string {
	var b strings.Builder
	w := func(s string) {
		if s != "" {
			b.WriteString(s)
			b.WriteByte('\n')
		}
	}
	w(d.Title)
	w(d.Confidential)
	w(d.ConfidentialTold)
	for _, bl := range d.Blocks {
		w(bl.Label)
		w(bl.Text)
		for _, r := range bl.Rows {
			w(r[0] + ": " + r[1])
		}
		for _, it := range bl.Items {
			w(it)
		}
		w(strings.Join(bl.Head, " | "))
		for _, r := range bl.Cells {
			w(strings.Join(r, " | "))
		}
		w(bl.LeftCaption)
		for _, s := range bl.Left {
			w(s)
		}
		w(bl.RightCaption)
		for _, s := range bl.Right {
			w(s)
		}
	}
	return b.String()
}

// builder collects blocks, skipping empty content.
type builder struct {
	o      *Options
	blocks []block
}

func (b *builder) t(key string, kv ...string) string { return b.o.T(key, kv...) }

func (b *builder) heading(s string) { b.blocks = append(b.blocks, block{Kind: kHeading, Text: s}) }
func (b *builder) subheading(s string) {
	b.blocks = append(b.blocks, block{Kind: kSubheading, Text: s})
}
func (b *builder) note(s string) { b.blocks = append(b.blocks, block{Kind: kNote, Text: s}) }

// para adds a labelled paragraph when text is not blank.
func (b *builder) para(label, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	b.blocks = append(b.blocks, block{Kind: kParagraph, Label: label, Text: strings.TrimSpace(text)})
}

// kv collects key-value rows, dropping rows with an empty value.
type kv [][2]string

func (k *kv) add(key, value string) {
	if strings.TrimSpace(value) != "" {
		*k = append(*k, [2]string{key, strings.TrimSpace(value)})
	}
}

func (b *builder) table(rows kv) {
	if len(rows) > 0 {
		b.blocks = append(b.blocks, block{Kind: kKeyValue, Rows: rows})
	}
}

func (b *builder) list(label string, items []string) {
	var keep []string
	for _, it := range items {
		if strings.TrimSpace(it) != "" {
			keep = append(keep, strings.TrimSpace(it))
		}
	}
	if len(keep) > 0 {
		b.blocks = append(b.blocks, block{Kind: kList, Label: label, Items: keep})
	}
}

// confidentiality returns the header mark and the "who was told" line of a
// confidential document (R-COOP-11), or "" twice.
func confidentiality(o *Options, c confidential) (mark, told string) {
	if !c.Confidential {
		return "", ""
	}
	mark = o.T("pdf.confidential")
	switch {
	case strings.TrimSpace(c.ToldTo) != "" && !c.ToldAt.IsZero():
		told = o.T("pdf.confidential_told", "to", strings.TrimSpace(c.ToldTo), "at", o.dateTime(c.ToldAt))
	case strings.TrimSpace(c.ToldTo) != "":
		told = o.T("pdf.confidential_told_to", "to", strings.TrimSpace(c.ToldTo))
	default:
		told = o.T("pdf.confidential_not_told")
	}
	return mark, told
}

// confidential mirrors cooperation.Confidentiality (kept local so that later
// documents can mark themselves too).
type confidential struct {
	Confidential bool
	ToldTo       string
	ToldAt       time.Time
}
