package app

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"mime"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// Decoding, listing and formatting helpers shared by the API handlers.

// Message keys (under "validation.") used by the API's decoding errors.
const (
	apiKeyMalformed   = "malformed_json"
	apiKeyWrongType   = "wrong_type"
	apiKeyUnknown     = "unknown_field"
	apiKeyEmptyBatch  = "empty_batch"
	apiKeyBatchTooBig = "batch_too_large"
	apiKeyLimit       = "limit"
	apiKeyCursor      = "cursor"
)

// apiErrUnsupportedType answers 415 for a body that is not of the expected type.
var apiErrUnsupportedType = fiber.NewError(fiber.StatusUnsupportedMediaType, "unsupported media type")

// apiErrNotAllowed answers 405; the caller sets the Allow header.
var apiErrNotAllowed = fiber.NewError(fiber.StatusMethodNotAllowed, "method not allowed")

// apiErrNotFound answers 404 without revealing whether the thing exists.
var apiErrNotFound = fiber.NewError(fiber.StatusNotFound, "not found")

// apiIsJSONType reports whether the Content-Type header names JSON
// (application/json or application/*+json, with any parameters).
func apiIsJSONType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// apiJsonBody returns the request body after checking its content type: 415
// for anything but JSON, 400 for an empty body.
func apiJsonBody(c *fiber.Ctx) ([]byte, error) {
	b := c.Body()
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errBadField("", apiKeyMalformed)
	}
	if !apiIsJSONType(c.Get(fiber.HeaderContentType)) {
		return nil, apiErrUnsupportedType
	}
	return b, nil
}

// apiDecodeStrict decodes exactly one JSON value from b into v, refusing
// unknown fields and trailing data. Errors are 400 problems naming the
// field, prefixed with prefix (e.g. "uses[3]."):
// malformed JSON, a wrong type, an unknown field.
func apiDecodeStrict(b []byte, v any, prefix string) error {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return errBadField(strings.TrimSuffix(prefix, "."), apiKeyMalformed)
	}
	// A bare null would decode as a no-op (an empty change answered 200).
	if bytes.Equal(trimmed, []byte("null")) {
		field := strings.TrimSuffix(prefix, ".")
		if field == "" {
			field = "body"
		}
		return errBadField(field, apiKeyWrongType)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apiDecodeError(err, prefix)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errBadField("", apiKeyMalformed)
	}
	return nil
}

// apiDecodeError turns an encoding/json error into a 400 naming the field.
func apiDecodeError(err error, prefix string) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = strings.TrimSuffix(prefix, ".")
			if field == "" {
				field = "body"
			}
		} else {
			field = prefix + field
		}
		return errBadField(field, apiKeyWrongType)
	}
	msg := err.Error()
	if _, name, ok := strings.Cut(msg, "unknown field "); ok {
		if u, err := strconv.Unquote(name); err == nil {
			name = u
		}
		return errBadField(prefix+name, apiKeyUnknown)
	}
	return errBadField("", apiKeyMalformed)
}

// apiSplitBatch reads b as either one object or {"<key>": [objects...]}. It
// returns the raw objects and whether b was a batch. An empty batch and one
// over monitoring.MaxBatch are Invalid naming key.
func apiSplitBatch(b []byte, key string) ([]json.RawMessage, bool, error) {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return nil, false, errBadField("", apiKeyMalformed)
	}
	if trimmed[0] != '{' {
		if !json.Valid(trimmed) {
			return nil, false, errBadField("", apiKeyMalformed)
		}
		return nil, false, errBadField("body", apiKeyWrongType)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &top); err != nil {
		return nil, false, apiDecodeError(err, "")
	}
	raw, ok := top[key]
	if !ok {
		return []json.RawMessage{trimmed}, false, nil
	}
	if len(top) > 1 {
		// Name the first other key in sorted order: the same answer for
		// the same body.
		others := slices.Sorted(maps.Keys(top))
		others = slices.DeleteFunc(others, func(k string) bool { return k == key })
		return nil, true, errBadField(others[0], apiKeyUnknown)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, true, errBadField(key, apiKeyWrongType)
	}
	switch {
	case len(items) == 0:
		return nil, true, apiFieldErr(key, apiKeyEmptyBatch)
	case len(items) > monitoring.MaxBatch:
		return nil, true, apiFieldErr(key, apiKeyBatchTooBig)
	}
	return items, true, nil
}

// apiFieldErr is an Invalid (422) error naming one field.
func apiFieldErr(field, key string) error {
	fe := monitoring.FieldErrors{}
	fe.Add(field, key)
	return fe.Err()
}

// apiMergeInvalid adds the fields of an Invalid error to fe.
func apiMergeInvalid(fe monitoring.FieldErrors, err error) {
	var de *monitoring.Error
	if errors.As(err, &de) {
		for f, k := range de.Fields {
			fe.Add(f, k)
		}
	}
}

// apiRekeyBatch renames the "[i].field" keys of an Invalid error from a batch
// service call to "<key>[i].field" (batch) or "field" (a single object).
func apiRekeyBatch(err error, key string, batch bool) error {
	var de *monitoring.Error
	if !errors.As(err, &de) || len(de.Fields) == 0 {
		return err
	}
	out := &monitoring.Error{Code: de.Code, Message: de.Message, Rules: de.Rules, Fields: map[string]string{}}
	for f, k := range de.Fields {
		switch {
		case batch && strings.HasPrefix(f, "["):
			f = key + f
		case !batch && strings.HasPrefix(f, "[0]."):
			f = strings.TrimPrefix(f, "[0].")
		case !batch && strings.HasPrefix(f, "[0]"):
			f = strings.TrimPrefix(f, "[0]")
		}
		out.Fields[f] = k
	}
	return out
}

// apiParseTimeField parses an RFC 3339 time; "" is the zero time. A bad value
// is recorded in fe under field.
func apiParseTimeField(fe monitoring.FieldErrors, field, v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		fe.Add(field, monitoring.MsgDate)
		return time.Time{}
	}
	return t.UTC()
}

// apiParseDateField parses a YYYY-MM-DD date (midnight UTC, the form every
// stored date has); "" is the zero date.
func apiParseDateField(fe monitoring.FieldErrors, field, v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil || len(v) != 10 {
		fe.Add(field, monitoring.MsgDate)
		return time.Time{}
	}
	return t
}

// apiTimeOut formats a time as RFC 3339 UTC; nil for the zero time.
func apiTimeOut(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}

// apiDateOut formats a date as YYYY-MM-DD; nil for the zero date.
func apiDateOut(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.Format("2006-01-02")
	return &s
}

// apiPage is the list envelope of every API list.
type apiPage[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// apiMap converts every item of a page for the answer (never nil, so an
// empty page is "items": []).
func apiMap[T, U any](xs []T, conv func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, conv(x))
	}
	return out
}

// apiListParams are the parsed limit and raw cursor of a list request.
type apiListParams struct {
	Limit  int
	Cursor string // decoded, "" for the first apiPage
}

// apiParseList reads ?limit (default 50, 1..1000) and ?cursor (opaque
// base64url) and answers 400 naming the parameter when bad.
func apiParseList(c *fiber.Ctx) (apiListParams, error) {
	lp := apiListParams{Limit: 50}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > monitoring.MaxBatch {
			return lp, errBadField("limit", apiKeyLimit)
		}
		lp.Limit = n
	}
	if v := c.Query("cursor"); v != "" {
		b, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || len(b) == 0 {
			return lp, errBadField("cursor", apiKeyCursor)
		}
		lp.Cursor = string(b)
	}
	return lp, nil
}

// seqCursor is the list cursor as a positive integer (0: first page).
func (lp apiListParams) seqCursor() (int64, error) {
	if lp.Cursor == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(lp.Cursor, 10, 64)
	if err != nil || n <= 0 {
		return 0, errBadField("cursor", apiKeyCursor)
	}
	return n, nil
}

// apiEncodeCursor makes a next-page cursor opaque; "" stays "".
func apiEncodeCursor(s string) string {
	if s == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// apiEncodeSeqCursor makes an integer cursor opaque; 0 (last page) is "".
func apiEncodeSeqCursor(n int64) string {
	if n <= 0 {
		return ""
	}
	return apiEncodeCursor(strconv.FormatInt(n, 10))
}

// apiSendJSON writes v as JSON with status.
func apiSendJSON(c *fiber.Ctx, status int, v any) error {
	return apiSendAppended(c, status, func(b []byte) ([]byte, error) {
		buf := bytes.NewBuffer(b)
		err := jsonEncode(buf, v)
		return buf.Bytes(), err
	})
}

// apiSendAppended sends with status the JSON body that build appends to a
// buffer reused from request to request (encoding/json in apiSendJSON, a
// hand-written encoder for GET /statistics). On an error nothing is sent.
func apiSendAppended(c *fiber.Ctx, status int, build func([]byte) ([]byte, error)) error {
	p := jsonBuffers.Get().(*[]byte)
	b, err := build((*p)[:0])
	if err == nil {
		c.Status(status)
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		c.Response().SetBody(b) // copies: the buffer goes back to the pool
	}
	if cap(b) <= 4<<20 { // a huge body's buffer is left to the GC
		*p = b
		jsonBuffers.Put(p)
	}
	return err
}

var jsonBuffers = sync.Pool{New: func() any { return new([]byte) }}

// apiQueryInt64 parses an optional positive integer query parameter.
func apiQueryInt64(c *fiber.Ctx, name string) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, errBadField(name, monitoring.MsgInvalid)
	}
	return n, nil
}

// apiQueryBool parses an optional boolean query parameter.
func apiQueryBool(c *fiber.Ctx, name string) (*bool, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, errBadField(name, monitoring.MsgInvalid)
	}
	return &b, nil
}

// apiQueryTime parses an optional RFC 3339 query parameter.
func apiQueryTime(c *fiber.Ctx, name string) (time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, errBadField(name, monitoring.MsgDate)
	}
	return t.UTC(), nil
}

// apiPathID parses a positive integer path parameter; anything else is a 404
// (an id that cannot exist).
func apiPathID(c *fiber.Ctx, name string) (int64, error) {
	n, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, apiErrNotFound
	}
	return n, nil
}

// apiPathParam returns a path parameter, percent-decoded.
func apiPathParam(c *fiber.Ctx, name string) string {
	v := c.Params(name)
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}

// apiStrs converts typed strings to plain ones, never nil.
func apiStrs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// apiTyped converts plain strings to a typed string slice.
func apiTyped[T ~string](vs []string) []T {
	if vs == nil {
		return nil
	}
	out := make([]T, len(vs))
	for i, v := range vs {
		out[i] = T(v)
	}
	return out
}

// apiNonNil returns vs or an empty slice, so lists marshal as [] not null.
func apiNonNil[T any](vs []T) []T {
	if vs == nil {
		return []T{}
	}
	return vs
}
