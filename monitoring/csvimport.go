package monitoring

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// LineError is one bad line of an imported CSV file: the 1-based line
// number, the column (field name, "" for the whole line) and a message key
// that app translates as "validation.<Key>".
type LineError struct {
	Line  int
	Field string
	Key   string
}

// Message keys of CSV import errors.
const (
	MsgCSVEncoding      = "csv_encoding"
	MsgCSVMissingColumn = "csv_missing_column"
	MsgCSVUnknownColumn = "csv_unknown_column"
	MsgCSVFieldCount    = "csv_field_count"
	MsgCSVQuotes        = "csv_quotes"
	MsgCSVEmpty         = "csv_empty"
	MsgCSVTooManyRows   = "csv_too_many_rows"
)

// MaxImportRows bounds one employee import.
const MaxImportRows = 100_000

// employeeColumns maps the header names an HR export may use (English,
// Finnish, Swedish; case-insensitive) to the employee fields.
var employeeColumns = map[string]string{
	"staff_id": "staff_id", "staffid": "staff_id", "henkilönumero": "staff_id", "henkilonumero": "staff_id",
	"työntekijänumero": "staff_id", "personalnummer": "staff_id", "anställningsnummer": "staff_id",
	"name": "name", "nimi": "name", "namn": "name",
	"email": "email", "e-mail": "email", "sähköposti": "email", "e-post": "email", "epost": "email",
	"unit": "unit", "yksikkö": "unit", "osasto": "unit", "enhet": "unit", "avdelning": "unit",
	"language": "language", "kieli": "language", "språk": "language",
	"active": "active", "aktiivinen": "active", "voimassa": "active", "aktiv": "active",
}

// ParseEmployeesCSV reads an HR system's employee export: a header row and
// one employee per line, UTF-8 with or without BOM, separated by ';' or ','
// (as Finnish Excel writes it). It returns the employees of a clean file, or
// every bad line (with its number and column) of a file that is not; the
// caller writes nothing unless the list of line errors is empty. The error
// return is only for an unreadable input.
func ParseEmployeesCSV(r io.Reader) ([]*Employee, []LineError, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, []LineError{{Line: 1, Key: MsgCSVEmpty}}, nil
	}
	if !utf8.Valid(data) {
		return nil, []LineError{{Line: firstInvalidLine(data), Key: MsgCSVEncoding}}, nil
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffDelimiter(data)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		return nil, []LineError{{Line: 1, Key: MsgCSVQuotes}}, nil
	}
	var errs []LineError
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		f, ok := employeeColumns[name]
		switch {
		case !ok:
			errs = append(errs, LineError{Line: 1, Field: strings.TrimSpace(h), Key: MsgCSVUnknownColumn})
		case seen[f]:
			errs = append(errs, LineError{Line: 1, Field: f, Key: MsgDuplicate})
		}
		cols[i], seen[f] = f, true
	}
	for _, need := range []string{"staff_id", "name", "unit"} {
		if !seen[need] {
			errs = append(errs, LineError{Line: 1, Field: need, Key: MsgCSVMissingColumn})
		}
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	cr.FieldsPerRecord = len(header)
	var out []*Employee
	lineOf := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if errors.Is(pe.Err, csv.ErrFieldCount) {
				errs = append(errs, LineError{Line: pe.StartLine, Key: MsgCSVFieldCount})
				continue
			}
			errs = append(errs, LineError{Line: pe.StartLine, Key: MsgCSVQuotes})
			break // the reader cannot resynchronise after a quoting error
		}
		if err != nil {
			return nil, nil, err
		}
		line, _ := cr.FieldPos(0)
		if len(out) >= MaxImportRows {
			errs = append(errs, LineError{Line: line, Key: MsgCSVTooManyRows})
			break
		}
		e := &Employee{Language: Finnish, Active: true}
		bad := false
		for i, v := range rec {
			v = strings.TrimSpace(v)
			switch cols[i] {
			case "staff_id":
				e.StaffID = v
			case "name":
				e.Name = v
			case "email":
				e.Email = v
			case "unit":
				e.Unit = v
			case "language":
				if v != "" {
					e.Language = Language(strings.ToLower(v))
				}
			case "active":
				active, ok := parseYesNo(v)
				if !ok {
					errs = append(errs, LineError{Line: line, Field: "active", Key: MsgInvalid})
					bad = true
				}
				e.Active = active
			}
		}
		var ve *Error
		if err := e.Validate(); errors.As(err, &ve) {
			for _, f := range sortedKeys(ve.Fields) {
				errs = append(errs, LineError{Line: line, Field: f, Key: ve.Fields[f]})
			}
			bad = true
		}
		if _, dup := lineOf[e.StaffID]; dup && e.StaffID != "" {
			errs = append(errs, LineError{Line: line, Field: "staff_id", Key: MsgDuplicate})
			bad = true
		}
		lineOf[e.StaffID] = line
		if !bad {
			out = append(out, e)
		}
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	if len(out) == 0 {
		return nil, []LineError{{Line: 2, Key: MsgCSVEmpty}}, nil
	}
	return out, nil, nil
}

// sniffDelimiter picks ';' or ',' by which occurs more often in the header
// line (outside quotes).
func sniffDelimiter(data []byte) rune {
	semi, comma, quoted := 0, 0, false
	for _, c := range data {
		switch {
		case c == '"':
			quoted = !quoted
		case c == '\n' && !quoted:
			if semi > comma {
				return ';'
			}
			return ','
		case c == ';' && !quoted:
			semi++
		case c == ',' && !quoted:
			comma++
		}
	}
	if semi > comma {
		return ';'
	}
	return ','
}

func firstInvalidLine(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}

func parseYesNo(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "", "1", "true", "yes", "kyllä", "k", "ja", "x", "y":
		return true, true
	case "0", "false", "no", "ei", "e", "nej", "n":
		return false, true
	}
	return false, false
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
