package pdf

import (
	"fmt"
	"io"

	"vaaka/monitoring"
)

// ReceiptDoc is a signed chain receipt of the use log (R-LOG-1) as its
// one-page PDF prints it: the same data as the JSON file, as plain text
// that can be typed back into a file, and how to verify it.
type ReceiptDoc struct {
	ID       int64
	IssuedBy string // user email, or "system" for the weekly receipts
	Auto     bool
	Receipt  monitoring.Receipt
	File     string // the receipt file's JSON, exactly as downloaded
}

// ReceiptID is the document id of a receipt: "VAAKA-RECEIPT-7".
func ReceiptID(id int64) string { return fmt.Sprintf("VAAKA-RECEIPT-%d", id) }

// Receipt writes the receipt's PDF.
func Receipt(w io.Writer, d ReceiptDoc, o Options) error {
	if err := o.check(); err != nil {
		return err
	}
	return render(w, receiptContent(d, &o), &o)
}

func receiptContent(d ReceiptDoc, o *Options) *document {
	b := &builder{o: o}
	title := b.t("pdf.receipt.title")
	b.heading(title)
	b.para("", b.t("pdf.receipt.intro", "count", itoa64(d.Receipt.Count)))
	r := d.Receipt
	var rows kv
	rows.add(b.t("pdf.receipt.format"), r.Format)
	rows.add(b.t("pdf.receipt.installation_id"), r.InstallationID)
	rows.add(b.t("pdf.receipt.chain"), r.Chain)
	rows.add(b.t("pdf.receipt.count"), itoa64(r.Count))
	rows.add(b.t("pdf.receipt.head_hash"), r.HeadHash)
	rows.add(b.t("pdf.receipt.issued_at"), o.dateTime(r.IssuedAt))
	rows.add(b.t("pdf.receipt.key_id"), r.KeyID)
	rows.add(b.t("pdf.receipt.public_key"), r.PublicKey)
	rows.add(b.t("pdf.receipt.signature"), r.Signature)
	issuedBy := o.nameWithEmail(d.IssuedBy)
	if d.Auto {
		issuedBy = b.t("pdf.receipt.auto")
	}
	rows.add(b.t("pdf.receipt.issued_by"), issuedBy)
	b.table(rows)
	b.subheading(b.t("pdf.receipt.file"))
	b.para("", d.File)
	b.subheading(b.t("pdf.receipt.how_title"))
	b.list("", []string{b.t("pdf.receipt.how_keep"), b.t("pdf.receipt.how_upload"), b.t("pdf.receipt.how_cli"), b.t("pdf.receipt.how_result")})
	b.note(b.t("pdf.receipt.note"))
	return &document{Title: title, Blocks: b.blocks}
}
