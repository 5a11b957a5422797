package app

import (
	"errors"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"

	"vaaka/cooperation"
	"vaaka/monitoring"
)

// codedError is how any domain package's error tells its code.
type codedError interface{ ErrorCode() string }

// statusOf maps domain error codes to HTTP statuses (the one table).
var statusOf = map[string]int{
	string(monitoring.Invalid):         fiber.StatusUnprocessableEntity,
	string(monitoring.NotFound):        fiber.StatusNotFound,
	string(monitoring.Conflict):        fiber.StatusConflict,
	string(monitoring.Forbidden):       fiber.StatusForbidden,
	string(monitoring.Unauthorized):    fiber.StatusUnauthorized,
	string(monitoring.RuleRefused):     fiber.StatusConflict,
	string(cooperation.DeadlineBroken): fiber.StatusUnprocessableEntity,
}

// FieldError is one entry of a problem's "errors".
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// RuleError is one entry of a problem's "rules".
type RuleError struct {
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Errors []FieldError `json:"errors,omitempty"`
	Rules  []RuleError  `json:"rules,omitempty"`
}

// badRequest is an error for a body that could not be decoded; field names
// the offending field when known.
type badRequest struct {
	field string
	key   string // message key under "validation."
}

func (e *badRequest) Error() string { return "bad request: " + e.field + ": " + e.key }

// errBadField returns a 400 naming field with a message key.
func errBadField(field, key string) error { return &badRequest{field: field, key: key} }

// problemOf turns any error into a Problem in lang. Internal errors get a
// generic message; their text is logged, never sent.
func (s *Server) problemOf(err error, lang monitoring.Language) (Problem, bool) {
	t := func(key string, kv ...string) string { return s.i18n.T(lang, key, kv...) }
	var br *badRequest
	if errors.As(err, &br) {
		p := Problem{Type: "about:blank", Title: t("problem.bad_request"), Status: fiber.StatusBadRequest}
		if br.field != "" {
			p.Errors = []FieldError{{Field: br.field, Message: t("validation."+br.key, "field", br.field)}}
			p.Detail = p.Errors[0].Message
		} else {
			p.Detail = t("validation." + br.key)
		}
		return p, false
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		key := "problem.status_" + itoa(fe.Code)
		title := t(key)
		if title == key {
			title = fe.Message
		}
		p := Problem{Type: "about:blank", Title: title, Status: fe.Code}
		if s.i18n.Has(key + "_detail") {
			p.Detail = t(key + "_detail")
		}
		return p, false
	}
	var ce2 *cooperation.Error
	if errors.As(err, &ce2) {
		err = coopAsDomain(ce2)
	}
	var de *monitoring.Error
	if errors.As(err, &de) {
		status := statusOf[string(de.Code)]
		p := Problem{Type: "about:blank", Title: t("problem." + string(de.Code)), Status: status}
		fields := make([]string, 0, len(de.Fields))
		for f := range de.Fields {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, f := range fields {
			p.Errors = append(p.Errors, FieldError{Field: f, Message: t("validation."+de.Fields[f], "field", f)})
		}
		for _, r := range de.Rules {
			key := r.Key
			if !strings.Contains(key, ".") || !s.i18n.Has(key) {
				key = "readiness." + key
			}
			p.Rules = append(p.Rules, RuleError{Rule: r.Rule, Message: t(key)})
		}
		switch {
		case len(p.Errors) > 0:
			msgs := make([]string, len(p.Errors))
			for i, e := range p.Errors {
				msgs[i] = e.Message
			}
			p.Detail = strings.Join(msgs, " ")
		case len(p.Rules) > 0:
			p.Detail = t("problem.rules_unmet")
		default:
			p.Detail = t("problem." + string(de.Code) + "_detail")
		}
		return p, false
	}
	var ce codedError
	if errors.As(err, &ce) {
		if st, ok := statusOf[ce.ErrorCode()]; ok {
			return Problem{Type: "about:blank", Title: t("problem." + ce.ErrorCode()), Status: st}, false
		}
	}
	if isDiskFull(err) {
		return Problem{Type: "about:blank", Title: t("problem.storage_full"), Status: fiber.StatusInsufficientStorage, Detail: t("problem.storage_full_detail")}, true
	}
	return Problem{Type: "about:blank", Title: t("problem.internal"), Status: fiber.StatusInternalServerError, Detail: t("problem.internal_detail")}, true
}

func isDiskFull(err error) bool {
	return err != nil && strings.Contains(strings.ToLower(err.Error()), "disk is full")
}

// handleError is the one error handler: problem+json under /api/, the HTML
// error page elsewhere.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	s.setSecurityHeaders(c)
	c.Set(fiber.HeaderCacheControl, "no-store")
	lang := s.langOf(c)
	p, internal := s.problemOf(err, lang)
	if internal {
		s.Logger.Error("request failed", "method", c.Method(), "path", c.Path(), "status", p.Status, "err", err)
	}
	if p.Status == fiber.StatusMethodNotAllowed {
		if allow := c.Response().Header.Peek(fiber.HeaderAllow); len(allow) == 0 {
			c.Set(fiber.HeaderAllow, "GET, POST")
		}
	}
	if isAPIPath(c.Path()) || strings.HasPrefix(c.Path(), "/healthz") {
		c.Status(p.Status)
		c.Set(fiber.HeaderContentType, "application/problem+json")
		b, jerr := jsonMarshal(p)
		if jerr != nil {
			return c.SendString(`{"type":"about:blank","title":"error","status":500}`)
		}
		return c.Send(b)
	}
	return s.renderError(c, p)
}

func isAPIPath(p string) bool { return strings.HasPrefix(p, "/api/") }

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	neg := i < 0
	if neg {
		i = -i
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		n--
		b[n] = '-'
	}
	return string(b[n:])
}

// coopAsDomain carries a co-operation error into the monitoring shape so that
// one code path renders every domain error. Rule keys become full catalog
// keys ("coop.rule.<key>").
func coopAsDomain(e *cooperation.Error) *monitoring.Error {
	de := &monitoring.Error{Code: monitoring.Code(e.Code), Message: e.Message, Fields: e.Fields}
	for _, r := range e.Rules {
		de.Rules = append(de.Rules, monitoring.Readiness{Rule: r.Rule, Key: "coop.rule." + r.Key})
	}
	return de
}
