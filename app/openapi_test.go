package app_test

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPI_CoversRoutes keeps the OpenAPI document true: every route
// under /api/v1 is described, and every described operation is routed.
func TestOpenAPI_CoversRoutes(t *testing.T) {
	ts := newTestServer(t)
	resp := ts.do(t, "GET", "/api/openapi.json", "", "")
	raw := readBody(t, resp)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Servers []struct {
			URL string `json:"url"`
		} `json:"servers"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas         map[string]json.RawMessage `json:"schemas"`
			Responses       map[string]json.RawMessage `json:"responses"`
			SecuritySchemes map[string]json.RawMessage `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") || len(doc.Servers) != 1 || doc.Servers[0].URL != "/api/v1" {
		t.Fatalf("openapi %q servers %v", doc.OpenAPI, doc.Servers)
	}
	if doc.Components.SecuritySchemes["bearer"] == nil {
		t.Error("no bearer security scheme")
	}
	for _, name := range []string{"Activity", "ActivityInput", "Use", "UseInput", "UseResult", "Problem", "Employee", "Recording", "Verify", "Readiness"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("no schema %s", name)
		}
	}

	param := regexp.MustCompile(`:([A-Za-z_]+)`)
	routed := map[string]bool{}
	for _, r := range ts.App().GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Method == "HEAD" {
			continue
		}
		p := param.ReplaceAllString(strings.TrimPrefix(r.Path, "/api/v1"), "{$1}")
		key := strings.ToLower(r.Method) + " " + p
		routed[key] = true
		if doc.Paths[p][strings.ToLower(r.Method)] == nil {
			t.Errorf("route %s %s is not in the OpenAPI document", r.Method, r.Path)
		}
	}
	if len(routed) == 0 {
		t.Fatal("no API routes")
	}
	var extra []string
	for p, ops := range doc.Paths {
		for m := range ops {
			if !routed[m+" "+p] {
				extra = append(extra, m+" "+p)
			}
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("the OpenAPI document describes operations without a route: %v", extra)
	}

	// Every $ref resolves.
	refs := regexp.MustCompile(`"\$ref":"#/components/(schemas|responses)/([^"]+)"`).FindAllStringSubmatch(raw, -1)
	if len(refs) == 0 {
		t.Fatal("no $refs")
	}
	for _, r := range refs {
		var ok bool
		if r[1] == "schemas" {
			ok = doc.Components.Schemas[r[2]] != nil
		} else {
			ok = doc.Components.Responses[r[2]] != nil
		}
		if !ok {
			t.Errorf("unresolved $ref %s/%s", r[1], r[2])
		}
	}
}

// TestOpenAPI_UseInputMatchesContract: the use fields of the contract are
// in the UseInput schema, and unknown fields are refused there too.
func TestOpenAPI_UseInputMatchesContract(t *testing.T) {
	ts := newTestServer(t)
	raw := readBody(t, ts.do(t, "GET", "/api/openapi.json", "", ""))
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties           map[string]any `json:"properties"`
				Required             []string       `json:"required"`
				AdditionalProperties *bool          `json:"additionalProperties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	in := doc.Components.Schemas["UseInput"]
	for _, f := range []string{"external_id", "activity_id", "recording_ref", "call_started_at", "direction", "employee_staff_ids", "used_by", "action", "purpose", "note", "occurred_at"} {
		if in.Properties[f] == nil {
			t.Errorf("UseInput lacks %s", f)
		}
	}
	if in.AdditionalProperties == nil || *in.AdditionalProperties {
		t.Error("UseInput allows additional properties")
	}
	act := doc.Components.Schemas["ActivityInput"]
	for _, f := range []string{"name", "purposes", "necessity", "caller_information", "dpia", "review_on", "authorized_users", "retention_days"} {
		if act.Properties[f] == nil {
			t.Errorf("ActivityInput lacks %s", f)
		}
	}
}
