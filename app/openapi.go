package app

import (
	"encoding/json"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// The OpenAPI 3.1 document of /api/v1, served at /api/openapi.json. The
// schemas are generated from the API's own DTO types (json names, and the
// tags required, enum, format and doc), so they cannot drift from the
// handlers; a test checks that every route is described and every
// described operation is routed.

// apiParam is a query parameter of an operation.
type apiParam struct {
	name, typ, format, doc string
	enum                   []string
}

// apiOperation describes one route.
type apiOperation struct {
	method, path string // path in OpenAPI form, e.g. /uses/{id}
	tag, summary string
	roles        string // who may call it
	scope        string // the token scope needed
	query        []apiParam
	body         []any  // request body schemas (oneOf when several)
	bodyType     string // default application/json
	status       int    // success status
	resp         any    // success body (nil: none)
	errors       []int  // error statuses besides 401 and 403
}

// apiList marks a response that is the list envelope of T.
type apiList struct{ item any }

var (
	oaLimit  = apiParam{name: "limit", typ: "integer", doc: "page size, 1–1000 (default 50)"}
	oaCursor = apiParam{name: "cursor", typ: "string", doc: "opaque cursor from next_cursor"}
)

// apiOperations is the catalogue of the API.
var apiOperations = []apiOperation{
	{method: "post", path: "/employees", tag: "employees", summary: "Create an employee", roles: "hr", scope: "write",
		body: []any{apiEmployeeCreate{}}, status: 201, resp: apiEmployeeJSON{}, errors: []int{400, 409, 413, 415, 422}},
	{method: "get", path: "/employees", tag: "employees", summary: "List employees by staff id", roles: "hr, dpo", scope: "read",
		query: []apiParam{{name: "unit", typ: "string"}, {name: "q", typ: "string", doc: "part of name, staff id or email"},
			{name: "active", typ: "boolean"}, oaLimit, oaCursor},
		status: 200, resp: apiList{apiEmployeeJSON{}}, errors: []int{400}},
	{method: "post", path: "/employees/import", tag: "employees", summary: "Import employees from an HR system's CSV export",
		roles: "hr", scope: "write", bodyType: "text/csv",
		query:  []apiParam{{name: "dry_run", typ: "boolean", doc: "report only; write nothing"}},
		status: 200, resp: apiImportResult{}, errors: []int{400, 413, 415, 422}},
	{method: "get", path: "/employees/{staff_id}", tag: "employees", summary: "One employee", roles: "hr, dpo", scope: "read",
		status: 200, resp: apiEmployeeJSON{}, errors: []int{404}},
	{method: "patch", path: "/employees/{staff_id}", tag: "employees", summary: "Change an employee", roles: "hr", scope: "write",
		body: []any{apiEmployeePatch{}}, status: 200, resp: apiEmployeeJSON{}, errors: []int{400, 404, 413, 415, 422}},
	{method: "get", path: "/units", tag: "employees", summary: "List units with their active employee counts", roles: "hr, dpo", scope: "read",
		status: 200, resp: apiList{apiUnitJSON{}}},
	{method: "post", path: "/units", tag: "employees", summary: "Create a unit", roles: "hr", scope: "write",
		body: []any{apiUnitCreate{}}, status: 201, resp: apiUnitJSON{}, errors: []int{400, 409, 413, 415, 422}},

	{method: "post", path: "/activities", tag: "register", summary: "Create a register entry (draft)", roles: "hr", scope: "write",
		body: []any{apiActivityIn{}}, status: 201, resp: apiActivityJSON{}, errors: []int{400, 413, 415, 422}},
	{method: "get", path: "/activities", tag: "register", summary: "List register entries", roles: "hr, dpo, representative, supervisor",
		scope:  "register:read",
		query:  []apiParam{{name: "status", typ: "string", enum: []string{"draft", "in_cooperation", "ready", "active", "suspended", "retired"}}, oaLimit, oaCursor},
		status: 200, resp: apiList{apiActivityJSON{}}, errors: []int{400}},
	{method: "get", path: "/activities/{id}", tag: "register", summary: "A register entry with its readiness checklist (R-SEQ-1)",
		roles: "hr, dpo, representative, supervisor", scope: "register:read", status: 200, resp: apiActivityJSON{}, errors: []int{404}},
	{method: "patch", path: "/activities/{id}", tag: "register", summary: "Change any subset of an entry's fields (a material change sends an active entry back to in_cooperation, R-SEQ-2)",
		roles: "hr", scope: "write", body: []any{apiActivityIn{}}, status: 200, resp: apiActivityJSON{}, errors: []int{400, 404, 413, 415, 422}},
	{method: "post", path: "/activities/{id}/activate", tag: "register", summary: "Activate; refused with 409 and the unmet rules unless every readiness condition holds (R-SEQ-1)",
		roles: "hr", scope: "write", status: 200, resp: apiActivityJSON{}, errors: []int{404, 409, 422}},
	{method: "post", path: "/activities/{id}/suspend", tag: "register", summary: "Suspend an active entry",
		roles: "hr", scope: "write", status: 200, resp: apiActivityJSON{}, errors: []int{404, 422}},
	{method: "post", path: "/activities/{id}/retire", tag: "register", summary: "Retire an entry",
		roles: "hr", scope: "write", status: 200, resp: apiActivityJSON{}, errors: []int{404, 422}},
	{method: "get", path: "/activities/{id}/history", tag: "register", summary: "The versions of an entry with the fields changed",
		roles: "hr, dpo, representative, supervisor", scope: "register:read", status: 200, resp: apiList{apiActivityChangeJSON{}}, errors: []int{404}},

	{method: "post", path: "/uses", tag: "uses", summary: "Record uses of recordings (one, or a batch of up to 1000); never refused for being non-compliant, flagged instead (R-LOG-1). A repeated external_id returns the original with duplicate: true.",
		roles: "supervisor, hr", scope: "uses:write", body: []any{apiUseIn{}, apiUseBatchIn{}},
		status: 201, resp: apiUseResultsJSON{}, errors: []int{400, 413, 415, 422}},
	{method: "get", path: "/uses", tag: "uses", summary: "List uses, newest first. hr and dpo see all, a supervisor the uses they made, an employee those of their own calls; a read of another person's log is audited (R-LOG-1).",
		roles: "hr, dpo, supervisor (own), employee (own)", scope: "read",
		query: []apiParam{{name: "employee", typ: "string", doc: "staff id"}, {name: "activity", typ: "integer"},
			{name: "flag", typ: "string", enum: []string{"activity_not_active", "unauthorized_user", "purpose_not_registered", "purpose_missing", "employee_not_covered", "employee_not_notified", "retention_exceeded", "recording_deleted"}},
			{name: "used_by", typ: "string", doc: "email"}, {name: "from", typ: "string", format: "date-time"},
			{name: "to", typ: "string", format: "date-time"}, oaLimit, oaCursor},
		status: 200, resp: apiList{apiUseJSON{}}, errors: []int{400}},
	{method: "get", path: "/uses/{id}", tag: "uses", summary: "One use (404 when not visible to the caller)",
		roles: "hr, dpo, supervisor (own), employee (own)", scope: "read", status: 200, resp: apiUseJSON{}, errors: []int{404}},
	{method: "put", path: "/uses/{id}", tag: "uses", summary: "Not allowed: the log is append-only (correct with a new use naming it in corrects)",
		roles: "any", status: 405, errors: []int{405}},
	{method: "patch", path: "/uses/{id}", tag: "uses", summary: "Not allowed: the log is append-only",
		roles: "any", status: 405, errors: []int{405}},
	{method: "delete", path: "/uses/{id}", tag: "uses", summary: "Not allowed: the log is append-only",
		roles: "any", status: 405, errors: []int{405}},

	{method: "post", path: "/recordings", tag: "recordings", summary: "Register recordings in the retention ledger (one or a batch); a known ref is returned unchanged (R-RET-2)",
		roles: "hr, supervisor", scope: "recordings:write", body: []any{apiRecordingIn{}, apiRecordingBatchIn{}},
		status: 201, resp: apiList{apiRecordingJSON{}}, errors: []int{400, 413, 415, 422}},
	{method: "get", path: "/recordings", tag: "recordings", summary: "The retention ledger",
		roles: "hr, dpo", scope: "read",
		query:  []apiParam{{name: "activity", typ: "integer"}, {name: "overdue", typ: "boolean", doc: "only recordings past their deletion deadline"}, oaLimit, oaCursor},
		status: 200, resp: apiList{apiRecordingJSON{}}, errors: []int{400}},
	{method: "post", path: "/recordings/{ref}/deleted", tag: "recordings", summary: "Confirm a recording's deletion",
		roles: "hr", scope: "recordings:write", body: []any{apiRecordingDeletedIn{}},
		status: 200, resp: apiRecordingJSON{}, errors: []int{400, 404, 409, 415, 422}},

	{method: "get", path: "/audit/verify", tag: "audit", summary: "Verify both hash chains (use log and audit trail)",
		roles: "dpo", scope: "read", status: 200, resp: apiVerifyJSON{}},
	{method: "get", path: "/audit", tag: "audit", summary: "The audit trail, newest first",
		roles: "dpo", scope: "read",
		query:  []apiParam{{name: "entity", typ: "string"}, {name: "entity_id", typ: "string"}, oaLimit, oaCursor},
		status: 200, resp: apiList{apiAuditJSON{}}, errors: []int{400}},

	{method: "get", path: "/settings", tag: "settings", summary: "Organisation settings", roles: "any", scope: "read",
		status: 200, resp: apiSettingsJSON{}},
	{method: "put", path: "/settings", tag: "settings", summary: "Change organisation settings (absent fields stay)",
		roles: "admin, hr", scope: "write", body: []any{apiSettingsIn{}}, status: 200, resp: apiSettingsJSON{}, errors: []int{400, 413, 415, 422}},

	{method: "get", path: "/users", tag: "accounts", summary: "List users", roles: "admin", scope: "read",
		status: 200, resp: apiList{apiUserJSON{}}},
	{method: "post", path: "/users", tag: "accounts", summary: "Create a user", roles: "admin", scope: "write",
		body: []any{apiUserCreate{}}, status: 201, resp: apiUserJSON{}, errors: []int{400, 409, 413, 415, 422}},
	{method: "patch", path: "/users/{id}", tag: "accounts", summary: "Change a user", roles: "admin", scope: "write",
		body: []any{apiUserPatch{}}, status: 200, resp: apiUserJSON{}, errors: []int{400, 404, 413, 415, 422}},
	{method: "get", path: "/tokens", tag: "accounts", summary: "List API tokens (never their secrets)", roles: "admin", scope: "read",
		status: 200, resp: apiList{apiTokenJSON{}}},
	{method: "post", path: "/tokens", tag: "accounts", summary: "Create an API token; the secret is shown once", roles: "admin", scope: "write",
		body: []any{apiTokenCreate{}}, status: 201, resp: apiTokenCreatedJSON{}, errors: []int{400, 413, 415, 422}},
	{method: "delete", path: "/tokens/{id}", tag: "accounts", summary: "Revoke an API token", roles: "admin", scope: "write",
		status: 204, errors: []int{404}},

	{method: "get", path: "/cases/procedure-proposal", tag: "cases", summary: "The procedure Vaaka would propose today from the organisation's sector and regular headcount, with the reason and the configured thresholds (R-COOP-1)",
		roles: "hr", scope: "read", status: 200, resp: apiProcedureProposalJSON{}},
	{method: "post", path: "/cases", tag: "cases", summary: "Open a co-operation case; a procedure other than the proposed one needs override_reason (R-COOP-1)",
		roles: "hr", scope: "write", body: []any{apiCaseIn{}}, status: 201, resp: apiCaseCreatedJSON{}, errors: []int{400, 413, 415, 422}},
	{method: "get", path: "/cases", tag: "cases", summary: "List cases, newest first; a representative sees the cases where they are on the staff side",
		roles: "hr, dpo, representative (own)", scope: "read",
		query: []apiParam{{name: "status", typ: "string", enum: []string{"draft", "information_delivered", "in_progress", "concluded", "withdrawn"}},
			{name: "activity", typ: "integer", doc: "cases concerning this register entry"}, oaLimit, oaCursor},
		status: 200, resp: apiList{apiCaseSummaryJSON{}}, errors: []int{400}},
	{method: "get", path: "/cases/{id}", tag: "cases", summary: "A case with its written information, meetings, minutes, approvals, initiatives, comments, hearing, conclusion and the statutory deadlines",
		roles: "hr, dpo, representative (own)", scope: "read", status: 200, resp: apiCaseJSON{}, errors: []int{404}},
	{method: "put", path: "/cases/{id}/staff-side", tag: "cases", summary: "Replace the staff side: staff groups with their representatives, or all employees of a group without one (R-COOP-3)",
		roles: "hr", scope: "write", body: []any{apiStaffSideIn{}}, status: 200, resp: apiCaseJSON{}, errors: []int{400, 404, 409, 413, 415, 422}},
	{method: "post", path: "/cases/{id}/proposal", tag: "cases", summary: "A new version of the written information / proposal; a broken statutory time limit is refused with 422 and rules (R-COOP-2, R-COOP-6)",
		roles: "hr", scope: "write", body: []any{apiInformationIn{}}, status: 201, resp: apiInformationJSON{}, errors: []int{400, 404, 409, 413, 415, 422}},
	{method: "post", path: "/cases/{id}/meetings", tag: "cases", summary: "Record a meeting with its participants and attendance; whether the staff side asked for minutes (R-COOP-4)",
		roles: "hr", scope: "write", body: []any{apiMeetingIn{}}, status: 201, resp: apiMeetingJSON{}, errors: []int{400, 404, 409, 413, 415, 422}},
	{method: "put", path: "/cases/{id}/meetings/{meeting_id}/minutes", tag: "cases", summary: "Write a new version of the minutes; it needs the participants' approvals again (R-COOP-4, R-COOP-8)",
		roles: "hr", scope: "write", body: []any{apiMinutesIn{}}, status: 200, resp: apiMeetingJSON{}, errors: []int{400, 404, 409, 413, 415, 422}},
	{method: "post", path: "/cases/{id}/meetings/{meeting_id}/minutes/approvals", tag: "cases", summary: "The caller, a participant of the meeting, approves the current minutes (optionally with a dissent) or asks for a correction, once per version; signed when both sides approved (R-COOP-4, R-COOP-8)",
		roles: "hr, representative (participants only)", scope: "write", body: []any{apiApprovalIn{}}, status: 201, resp: apiMeetingJSON{}, errors: []int{400, 404, 409, 413, 415, 422}},
	{method: "post", path: "/cases/{id}/conclude", tag: "cases", summary: "Conclude with the employer's definition of purpose and methods; refused with 409 and the unmet rules before the procedure was carried out (R-COOP-10)",
		roles: "hr", scope: "write", body: []any{apiConcludeIn{}}, status: 200, resp: apiCaseJSON{}, errors: []int{400, 404, 409, 413, 415, 422}},
	{method: "post", path: "/cases/{id}/comments", tag: "cases", summary: "A representative's comment or question on the proposal, or an answer (parent_id; hr answers only)",
		roles: "hr, representative (own cases)", scope: "write", body: []any{apiCommentIn{}}, status: 201, resp: apiCommentJSON{}, errors: []int{400, 404, 409, 413, 415, 422}},
	{method: "post", path: "/cases/{id}/initiatives", tag: "cases", summary: "A representative's initiative or written proposal; deferred, with a message to the initiator, when it arrived less than two weeks before the next meeting (R-COOP-5, R-COOP-7)",
		roles: "representative (own cases)", scope: "write", body: []any{apiInitiativeIn{}}, status: 201, resp: apiInitiativeJSON{}, errors: []int{400, 404, 409, 413, 415, 422}},
	{method: "post", path: "/cases/{id}/initiatives/{initiative_id}/response", tag: "cases", summary: "The employer's written answer; a rejection needs its reasons (R-COOP-5, R-COOP-7)",
		roles: "hr", scope: "write", body: []any{apiInitiativeResponseIn{}}, status: 200, resp: apiInitiativeJSON{}, errors: []int{400, 404, 409, 413, 415, 422}},
	{method: "put", path: "/cases/{id}/hearing", tag: "cases", summary: "Record the hearing: who was invited, how, when, and until when they may be heard (R-COOP-9)",
		roles: "hr", scope: "write", body: []any{apiHearingIn{}}, status: 200, resp: apiHearingJSON{}, errors: []int{400, 404, 409, 413, 415, 422}},
	{method: "post", path: "/cases/{id}/hearing/views", tag: "cases", summary: "Record a view received in the hearing (R-COOP-9)",
		roles: "hr", scope: "write", body: []any{apiViewIn{}}, status: 201, resp: apiHearingJSON{}, errors: []int{400, 404, 409, 413, 415, 422}},
	{method: "post", path: "/cases/{id}/confidentiality", tag: "cases", summary: "Mark a document confidential and record who was told (R-COOP-11)",
		roles: "hr", scope: "write", body: []any{apiConfidentialityIn{}}, status: 200, resp: apiCaseJSON{}, errors: []int{400, 404, 409, 413, 415, 422}},
	{method: "post", path: "/cases/{id}/withdraw", tag: "cases", summary: "Withdraw a case without a conclusion",
		roles: "hr", scope: "write", body: []any{apiWithdrawIn{}}, status: 200, resp: apiCaseJSON{}, errors: []int{400, 404, 409, 413, 415, 422}},

	{method: "get", path: "/dashboard", tag: "dashboard", summary: "The compliance dashboard", roles: "hr, dpo", scope: "read",
		status: 200, resp: apiDashboardJSON{}},
	{method: "get", path: "/outbox", tag: "outbox", summary: "The e-mail outbox, newest first: every message queued with its delivery state; unsent ones are retried with back-off and stay here while no SMTP server is configured",
		roles: "hr", scope: "read", query: []apiParam{{name: "unsent", typ: "boolean", doc: "only messages not yet sent"}, oaLimit, oaCursor},
		status: 200, resp: apiList{apiOutboxJSON{}}, errors: []int{400}},
	{method: "get", path: "/me", tag: "me", summary: "The caller", roles: "any", status: 200, resp: apiMeJSON{}},
	{method: "get", path: "/me/uses", tag: "me", summary: "Uses of the caller's own calls, each with the user's name and the task that entitled them at the time (empty without a linked staff id)",
		roles: "any", scope: "read", query: []apiParam{oaLimit, oaCursor}, status: 200, resp: apiList{apiMyUseJSON{}}, errors: []int{400}},
	{method: "get", path: "/me/notices", tag: "me", summary: "The notices issued to the caller with their read and acknowledgement state, newest first (empty without a linked staff id)",
		roles: "any", scope: "read", query: []apiParam{oaLimit, oaCursor}, status: 200, resp: apiList{apiMyNoticeJSON{}}, errors: []int{400}},
	{method: "get", path: "/me/notices/{id}", tag: "me", summary: "One of the caller's notices with its content; records the first read",
		roles: "any (own)", scope: "read", status: 200, resp: apiMyNoticeDetailJSON{}, errors: []int{404}},

	{method: "post", path: "/activities/{id}/notices", tag: "notices", summary: "Issue the notice to every active employee of the affected units, in each one's language, and queue the e-mails (R-NOT-1, R-NOT-2); refused with 409 and rules while the co-operation case is not concluded (R-SEQ-1, R-COOP-10)",
		roles: "hr", scope: "write", body: []any{apiNoticeIn{}}, status: 201, resp: apiNoticeJSON{}, errors: []int{400, 404, 409, 413, 415, 422}},
	{method: "get", path: "/activities/{id}/notices", tag: "notices", summary: "The notices of an activity, newest first",
		roles: "hr, dpo, representative", scope: "read", query: []apiParam{oaLimit, oaCursor}, status: 200, resp: apiList{apiNoticeJSON{}}, errors: []int{400, 404}},
	{method: "get", path: "/notices/{id}", tag: "notices", summary: "A notice with its content: purpose, introduction and methods (R-NOT-1), what was handled (R-NOT-3) and the GDPR Art 13 items (R-NOT-2); an employee reads only a notice issued to them (recorded as read)",
		roles: "hr, dpo, representative, employee (own)", scope: "read", status: 200, resp: apiNoticeDetailJSON{}, errors: []int{404}},
	{method: "get", path: "/notices/{id}/acknowledgements", tag: "notices", summary: "Each recipient's delivery, first read, acknowledgement and last reminder, by staff id",
		roles: "hr, dpo", scope: "read",
		query: []apiParam{{name: "unacknowledged", typ: "boolean", doc: "only recipients who have not acknowledged"},
			{name: "unread", typ: "boolean", doc: "only recipients who have not read it"}, oaLimit, oaCursor},
		status: 200, resp: apiList{apiRecipientJSON{}}, errors: []int{400, 404}},
	{method: "post", path: "/notices/{id}/remind", tag: "notices", summary: "Queue a reminder e-mail to every recipient who has not acknowledged",
		roles: "hr", scope: "write", status: 200, resp: apiRemindJSON{}, errors: []int{404}},
	{method: "post", path: "/notices/{id}/acknowledge", tag: "notices", summary: "The caller acknowledges a notice issued to them (403 without a linked staff id; 404 when not a recipient); the first acknowledgement stays",
		roles: "the employee it was issued to", scope: "write", status: 200, resp: apiRecipientJSON{}, errors: []int{404}},
	{method: "get", path: "/activities/{id}/caller-information", tag: "register", summary: "What callers are told: the announcement script per covered direction and language, where it plays in the IVR, the privacy notice (R-INF-1, R-INF-2)",
		roles: "hr, dpo, representative, supervisor", scope: "register:read", status: 200, resp: apiCallerInformationOutJSON{}, errors: []int{404}},
	{method: "get", path: "/register", tag: "register", summary: "The register extract: the GDPR Art 30(1) items of every activity with the controller and DPO contacts (R-ROPA-1)",
		roles: "hr, dpo, representative, supervisor", scope: "register:read", status: 200, resp: apiRegisterJSON{}},

	{method: "post", path: "/access-requests", tag: "access-requests", summary: "Record an employee's or a caller's access request; due one month after receipt (R-DSR-1)",
		roles: "hr, dpo", scope: "write", body: []any{apiAccessRequestIn{}}, status: 201, resp: apiAccessRequestJSON{}, errors: []int{400, 413, 415, 422}},
	{method: "get", path: "/access-requests", tag: "access-requests", summary: "Access requests, with their due dates",
		roles: "hr, dpo", scope: "read", query: []apiParam{{name: "open", typ: "boolean", doc: "only requests not delivered"}, oaLimit, oaCursor},
		status: 200, resp: apiList{apiAccessRequestJSON{}}, errors: []int{400}},
	{method: "get", path: "/access-requests/{id}", tag: "access-requests", summary: "One access request",
		roles: "hr, dpo", scope: "read", status: 200, resp: apiAccessRequestJSON{}, errors: []int{404}},
	{method: "post", path: "/access-requests/{id}/extend", tag: "access-requests", summary: "Extend the due date by two months with the reasons told to the requester (R-DSR-1); 409 when already extended or delivered",
		roles: "hr, dpo", scope: "write", body: []any{apiAccessRequestExtendIn{}}, status: 200, resp: apiAccessRequestJSON{}, errors: []int{400, 404, 409, 413, 415, 422}},
	{method: "post", path: "/access-requests/{id}/deliver", tag: "access-requests", summary: "Record what was delivered (a recording as a complete copy or a complete transcript) and when (R-DSR-1)",
		roles: "hr, dpo", scope: "write", body: []any{apiAccessRequestDeliverIn{}}, status: 200, resp: apiAccessRequestJSON{}, errors: []int{400, 404, 409, 413, 415, 422}},
}

// openAPIDocument returns the OpenAPI 3.1 description of the API.
func openAPIDocument() map[string]any {
	sg := &oaSchemaGen{schemas: map[string]any{"Problem": oaProblemSchema()}}
	paths := map[string]any{}
	for _, op := range apiOperations {
		item, _ := paths[op.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[op.path] = item
		}
		item[op.method] = sg.operation(op)
	}
	responses := map[string]any{}
	for _, code := range []int{400, 401, 403, 404, 405, 409, 413, 415, 422} {
		responses[strconv.Itoa(code)] = map[string]any{
			"description": oaStatusText(code),
			"content":     map[string]any{"application/problem+json": map[string]any{"schema": oaRef("Problem")}},
		}
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "Vaaka API",
			"version": "1",
			"description": "The integration contract of Vaaka: the register of monitoring activities, the append-only use log of " +
				"call recordings with its compliance flags, and the recording retention ledger. JSON in snake_case, times RFC 3339 " +
				"(UTC out), dates YYYY-MM-DD. Errors are application/problem+json (RFC 9457) with errors [{field, message}] or " +
				"rules [{rule, message}]. Lists answer {items, next_cursor} (next_cursor absent on the last page).",
		},
		"servers":    []any{map[string]any{"url": "/api/v1"}},
		"security":   []any{map[string]any{"bearer": []any{}}},
		"tags":       apiTags(),
		"paths":      paths,
		"components": map[string]any{"schemas": sg.schemas, "responses": responses, "securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "An API token (vaaka_…); it acts as its user, limited to its scopes: read, write (implies every scope), uses:write, recordings:write, register:read."}}},
	}
}

func apiTags() []any {
	var out []any
	seen := map[string]bool{}
	for _, op := range apiOperations {
		if !seen[op.tag] {
			seen[op.tag] = true
			out = append(out, map[string]any{"name": op.tag})
		}
	}
	return out
}

func oaRef(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func oaStatusText(code int) string {
	switch code {
	case 400:
		return "Malformed request: bad JSON, a wrong type, an unknown field or a bad parameter (the field is named)"
	case 401:
		return "No or invalid bearer token"
	case 403:
		return "The caller's roles or the token's scopes do not allow this"
	case 404:
		return "Not found, or not visible to the caller"
	case 405:
		return "Method not allowed"
	case 409:
		return "Conflict: it exists already, or a statutory rule refused the action (rules lists them)"
	case 413:
		return "Request body too large"
	case 415:
		return "Unsupported content type"
	case 422:
		return "Invalid data (errors names every field)"
	}
	return "Error"
}

func oaProblemSchema() map[string]any {
	return map[string]any{
		"type":     "object",
		"required": []string{"type", "title", "status"},
		"properties": map[string]any{
			"type":   map[string]any{"type": "string"},
			"title":  map[string]any{"type": "string"},
			"status": map[string]any{"type": "integer"},
			"detail": map[string]any{"type": "string"},
			"errors": map[string]any{"type": "array", "items": map[string]any{"type": "object", "required": []string{"field", "message"},
				"properties": map[string]any{"field": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"}}}},
			"rules": map[string]any{"type": "array", "items": map[string]any{"type": "object", "required": []string{"rule", "message"},
				"properties": map[string]any{"rule": map[string]any{"type": "string", "description": "LAW.md rule id, e.g. R-SEQ-1"}, "message": map[string]any{"type": "string"}}}},
		},
	}
}

// oaSchemaGen builds component schemas from Go types.
type oaSchemaGen struct{ schemas map[string]any }

func (sg *oaSchemaGen) operation(op apiOperation) map[string]any {
	o := map[string]any{
		"tags":        []string{op.tag},
		"summary":     op.summary,
		"operationId": op.method + strings.NewReplacer("/", "_", "{", "", "}", "").Replace(op.path),
		"description": "Roles: " + op.roles + "." + func() string {
			if op.scope == "" {
				return ""
			}
			return " Token scope: " + op.scope + "."
		}(),
	}
	var params []any
	for _, seg := range strings.Split(op.path, "/") {
		if strings.HasPrefix(seg, "{") {
			name := strings.Trim(seg, "{}")
			typ := "string"
			if (name == "id" && !strings.HasPrefix(op.path, "/uses")) || name == "meeting_id" || name == "initiative_id" {
				typ = "integer"
			}
			params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": typ}})
		}
	}
	for _, q := range op.query {
		s := map[string]any{"type": q.typ}
		if q.format != "" {
			s["format"] = q.format
		}
		if len(q.enum) > 0 {
			s["enum"] = q.enum
		}
		p := map[string]any{"name": q.name, "in": "query", "schema": s}
		if q.doc != "" {
			p["description"] = q.doc
		}
		params = append(params, p)
	}
	if len(params) > 0 {
		o["parameters"] = params
	}
	switch {
	case op.bodyType == "text/csv":
		o["requestBody"] = map[string]any{"required": true, "content": map[string]any{"text/csv": map[string]any{
			"schema": map[string]any{"type": "string", "description": "header row (staff_id, name, email, unit, language, active; Finnish and Swedish names accepted), UTF-8 with or without BOM, ';' or ','"}}}}
	case len(op.body) == 1:
		o["requestBody"] = map[string]any{"required": op.method != "post" || !strings.HasSuffix(op.path, "/deleted"),
			"content": map[string]any{"application/json": map[string]any{"schema": sg.schemaOf(reflect.TypeOf(op.body[0]))}}}
	case len(op.body) > 1:
		var one []any
		for _, b := range op.body {
			one = append(one, sg.schemaOf(reflect.TypeOf(b)))
		}
		o["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"oneOf": one}}}}
	}
	responses := map[string]any{}
	if op.status != 405 {
		r := map[string]any{"description": "OK"}
		if op.resp != nil {
			r["content"] = map[string]any{"application/json": map[string]any{"schema": sg.respSchema(op.resp)}}
		}
		responses[strconv.Itoa(op.status)] = r
	}
	codes := append([]int{401}, op.errors...)
	if op.status != 405 {
		codes = append(codes, 403)
	}
	sort.Ints(codes)
	for _, c := range codes {
		responses[strconv.Itoa(c)] = map[string]any{"$ref": "#/components/responses/" + strconv.Itoa(c)}
	}
	o["responses"] = responses
	return o
}

func (sg *oaSchemaGen) respSchema(v any) map[string]any {
	if l, ok := v.(apiList); ok {
		return map[string]any{
			"type":     "object",
			"required": []string{"items"},
			"properties": map[string]any{
				"items":       map[string]any{"type": "array", "items": sg.schemaOf(reflect.TypeOf(l.item))},
				"next_cursor": map[string]any{"type": "string", "description": "absent on the last page"},
			},
		}
	}
	return sg.schemaOf(reflect.TypeOf(v))
}

// schemaName names a DTO type in components: apiUseJSON → Use,
// apiUseIn → UseInput, apiUserCreate → UserCreate.
func oaSchemaName(t reflect.Type) string {
	n := strings.TrimPrefix(t.Name(), "api")
	switch {
	case strings.HasSuffix(n, "JSON"):
		n = strings.TrimSuffix(n, "JSON")
	case strings.HasSuffix(n, "In"):
		n = strings.TrimSuffix(n, "In") + "Input"
	}
	return strings.ToUpper(n[:1]) + n[1:]
}

var oaRawMessage = reflect.TypeOf(json.RawMessage(nil))

// schemaOf returns the schema of t: a $ref for named structs (registered
// once), inline otherwise.
func (sg *oaSchemaGen) schemaOf(t reflect.Type) map[string]any {
	if t == oaRawMessage {
		return map[string]any{"description": "any JSON value"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return sg.schemaOf(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": sg.schemaOf(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": sg.schemaOf(t.Elem())}
	case reflect.Struct:
		name := oaSchemaName(t)
		if _, ok := sg.schemas[name]; !ok {
			sg.schemas[name] = map[string]any{} // placeholder against recursion
			sg.schemas[name] = sg.structSchema(t)
		}
		return oaRef(name)
	}
	return map[string]any{}
}

func (sg *oaSchemaGen) structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			name := strings.SplitN(f.Tag.Get("json"), ",", 2)[0]
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			s := sg.schemaOf(f.Type)
			if _, isRef := s["$ref"]; !isRef {
				s = oaCopyMap(s)
			}
			target := s
			if s["type"] == "array" {
				items, _ := s["items"].(map[string]any)
				if _, isRef := items["$ref"]; !isRef && items != nil {
					items = oaCopyMap(items)
					s["items"] = items
					target = items
				}
			}
			if e := f.Tag.Get("enum"); e != "" {
				target["enum"] = strings.Split(e, ",")
			}
			if ft := f.Tag.Get("format"); ft != "" {
				s["format"] = ft
			}
			if f.Type.Kind() == reflect.Pointer && f.Tag.Get("format") != "" && !strings.HasSuffix(t.Name(), "In") {
				s["type"] = []string{"string", "null"}
			}
			if d := f.Tag.Get("doc"); d != "" {
				if _, isRef := s["$ref"]; isRef {
					s = map[string]any{"allOf": []any{s}, "description": d}
				} else {
					s["description"] = d
				}
			}
			props[name] = s
			if f.Tag.Get("required") == "true" {
				required = append(required, name)
			}
		}
	}
	walk(t)
	out := map[string]any{"type": "object", "properties": props}
	if strings.HasSuffix(t.Name(), "In") || strings.HasSuffix(t.Name(), "Create") || strings.HasSuffix(t.Name(), "Patch") {
		out["additionalProperties"] = false
	}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

func oaCopyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
