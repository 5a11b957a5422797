package app

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// FuzzActivityForm: the web form decoding of a register entry never panics,
// and what it accepts is a valid activity or comes with field errors that
// name fields.
func FuzzActivityForm(f *testing.F) {
	app := fiber.New(fiber.Config{Immutable: true})
	var got struct {
		a  *monitoring.Activity
		fe monitoring.FieldErrors
	}
	app.Post("/", func(c *fiber.Ctx) error {
		got.a, _, got.fe = parseActivityForm(c)
		return c.SendStatus(fiber.StatusNoContent)
	})
	full := url.Values{
		"name": {"Puhelujen tallennus"}, "method": {"call_recording"}, "directions": {"inbound", "outbound"},
		"purposes[0].code": {"quality"}, "purposes[0].description": {"Laatu"}, "lawful_basis": {"legitimate_interests"},
		"necessity.category": {"rights_and_obligations"}, "retention_days": {"90"}, "review_on": {"2027-11-01"},
		"dpia.required": {"yes"}, "dpia.completed_on": {"2026-10-01"}, "authorized_users[0].email": {"a@b.fi"},
		"authorized_users[0].task": {"tiiminvetäjä"}, "queues": {"1\n2"}, "business_lines_only": {"1"},
	}
	f.Add(full.Encode())
	f.Add("name=%C3%A4&retention_days=-1&review_on=31.2.2026&purposes[99999999999].code=x")
	f.Add("directions=sideways&dpia.required=maybe&purposes[0].code=Misuse&purposes[-1].code=x")
	f.Add("name=" + strings.Repeat("x", 300) + "&retention_days=99999999999999999999")
	f.Add("%zz=1&name&=&&")
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(fiber.MethodPost, "/", strings.NewReader(body))
		req.Header.Set(fiber.HeaderContentType, fiber.MIMEApplicationForm)
		got.a, got.fe = nil, nil
		resp, err := app.Test(req, -1)
		if err != nil || resp.StatusCode != fiber.StatusNoContent {
			return // refused before the handler (malformed request)
		}
		if got.a == nil {
			t.Fatal("no activity and no panic: decoding returned nil")
		}
		for field, key := range got.fe {
			if field == "" || key == "" {
				t.Fatalf("field error without a field or key: %q=%q", field, key)
			}
		}
		if len(got.fe) == 0 {
			// Accepted input must be valid by the domain's own check, or
			// its errors must name fields.
			if err := got.a.Validate(); err != nil {
				if e, ok := err.(*monitoring.Error); !ok || len(e.Fields) == 0 {
					t.Fatalf("validation error without fields: %v", err)
				}
			}
		}
	})
}
