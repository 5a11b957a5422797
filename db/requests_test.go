package db_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

func newRequestFixture(t *testing.T) (*db.DB, *db.AccessRequestService) {
	t.Helper()
	d := MustOpenDB(t)
	if err := db.NewEmployeeService(d).CreateEmployee(t.Context(), "hr@example.fi", coreEmployee("E1", "Anna Aalto", "Asiakaspalvelu")); err != nil {
		t.Fatal(err)
	}
	return d, db.NewAccessRequestService(d)
}

func createRequest(t *testing.T, s *db.AccessRequestService, r *monitoring.AccessRequest) *monitoring.AccessRequest {
	t.Helper()
	if err := s.CreateAccessRequest(t.Context(), "hr@example.fi", r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestCreateAccessRequest_R_DSR_1: due one month after receipt; received
// today by default (Europe/Helsinki).
func TestCreateAccessRequest_R_DSR_1(t *testing.T) {
	d, s := newRequestFixture(t)
	ctx := t.Context()
	r := createRequest(t, s, &monitoring.AccessRequest{Kind: monitoring.RequestByEmployee, StaffID: "E1", Description: "Kaikki puhelutallenteeni"})
	if r.ID == 0 || !r.ReceivedOn.Equal(day("2026-11-27")) || !r.DueOn.Equal(day("2026-12-27")) || r.CreatedBy != "hr@example.fi" {
		t.Errorf("created %+v", r)
	}
	got, err := s.FindAccessRequest(ctx, r.ID)
	if err != nil || *got != *r {
		t.Errorf("found %+v %v\nwant  %+v", got, err, r)
	}
	// Late in the evening UTC is the next day in Helsinki.
	d.Now = func() time.Time { return time.Date(2026, 11, 30, 22, 30, 0, 0, time.UTC) }
	c := createRequest(t, s, &monitoring.AccessRequest{Kind: monitoring.RequestByCaller, Requester: "Asiakas 123"})
	if !c.ReceivedOn.Equal(day("2026-12-01")) || !c.DueOn.Equal(day("2027-01-01")) {
		t.Errorf("caller's %+v", c)
	}
	// A month after 31 October is 30 November.
	o := createRequest(t, s, &monitoring.AccessRequest{Kind: monitoring.RequestByCaller, Requester: "Asiakas 9", ReceivedOn: day("2026-10-31")})
	if !o.DueOn.Equal(day("2026-11-30")) {
		t.Errorf("due %s", o.DueOn)
	}

	for _, c := range []struct {
		name       string
		r          monitoring.AccessRequest
		field, key string
	}{
		{"no kind", monitoring.AccessRequest{StaffID: "E1"}, "kind", monitoring.MsgRequired},
		{"unknown kind", monitoring.AccessRequest{Kind: "other", StaffID: "E1"}, "kind", monitoring.MsgUnknown},
		{"employee without staff id", monitoring.AccessRequest{Kind: monitoring.RequestByEmployee}, "staff_id", monitoring.MsgRequired},
		{"unknown employee", monitoring.AccessRequest{Kind: monitoring.RequestByEmployee, StaffID: "X9"}, "staff_id", monitoring.MsgNotFound},
		{"caller without requester", monitoring.AccessRequest{Kind: monitoring.RequestByCaller}, "requester", monitoring.MsgRequired},
		{"received in the future", monitoring.AccessRequest{Kind: monitoring.RequestByEmployee, StaffID: "E1", ReceivedOn: day("2026-12-02")},
			"received_on", monitoring.MsgInFuture},
		{"description too long", monitoring.AccessRequest{Kind: monitoring.RequestByEmployee, StaffID: "E1",
			Description: strings.Repeat("x", monitoring.MaxText+1)}, "description", monitoring.MsgTooLong},
	} {
		err := s.CreateAccessRequest(ctx, "hr@example.fi", &c.r)
		coreWantErr(t, err, monitoring.Invalid, c.field, c.key)
	}
	if _, err := s.FindAccessRequest(ctx, 999); monitoring.ErrorCodeOf(err) != monitoring.NotFound {
		t.Errorf("find 999: %v", err)
	}
}

// TestExtendDeliverAccessRequest_R_DSR_1: extended once, to three months
// from receipt, with a reason told within the first month; delivered once.
func TestExtendDeliverAccessRequest_R_DSR_1(t *testing.T) {
	d, s := newRequestFixture(t)
	ctx := t.Context()
	r := createRequest(t, s, &monitoring.AccessRequest{Kind: monitoring.RequestByEmployee, StaffID: "E1", ReceivedOn: day("2026-11-03")})
	if !r.DueOn.Equal(day("2026-12-03")) {
		t.Fatalf("due %s", r.DueOn)
	}
	err := s.ExtendAccessRequest(ctx, "hr@example.fi", r.ID, time.Time{}, " ")
	coreWantErr(t, err, monitoring.Invalid, "reason", monitoring.MsgRequired)
	err = s.ExtendAccessRequest(ctx, "hr@example.fi", r.ID, day("2026-11-02"), "Paljon tallenteita")
	coreWantErr(t, err, monitoring.Invalid, "on", monitoring.MsgInvalid)
	err = s.ExtendAccessRequest(ctx, "hr@example.fi", r.ID, day("2026-11-28"), "Paljon tallenteita")
	coreWantErr(t, err, monitoring.Invalid, "on", monitoring.MsgInFuture)
	if err := s.ExtendAccessRequest(ctx, "hr@example.fi", 999, time.Time{}, "x"); monitoring.ErrorCodeOf(err) != monitoring.NotFound {
		t.Errorf("extend 999: %v", err)
	}
	if err := s.ExtendAccessRequest(ctx, "hr@example.fi", r.ID, time.Time{}, "Paljon tallenteita"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.FindAccessRequest(ctx, r.ID)
	if !got.DueOn.Equal(day("2027-02-03")) || !got.ExtendedOn.Equal(day("2026-11-27")) || got.ExtensionReason != "Paljon tallenteita" {
		t.Errorf("extended %+v", got)
	}
	err = s.ExtendAccessRequest(ctx, "hr@example.fi", r.ID, time.Time{}, "Taas")
	coreWantErr(t, err, monitoring.Conflict, "", "")

	// Too late to extend: the first month is over.
	old := createRequest(t, s, &monitoring.AccessRequest{Kind: monitoring.RequestByCaller, Requester: "Asiakas", ReceivedOn: day("2026-10-01")})
	err = s.ExtendAccessRequest(ctx, "hr@example.fi", old.ID, time.Time{}, "Myöhässä")
	coreWantErr(t, err, monitoring.Invalid, "on", monitoring.MsgInvalid)

	err = s.DeliverAccessRequest(ctx, "hr@example.fi", r.ID, time.Time{}, "")
	coreWantErr(t, err, monitoring.Invalid, "what", monitoring.MsgRequired)
	err = s.DeliverAccessRequest(ctx, "hr@example.fi", r.ID, day("2026-11-01"), "Tallenteet")
	coreWantErr(t, err, monitoring.Invalid, "on", monitoring.MsgInvalid)
	if err := s.DeliverAccessRequest(ctx, "hr@example.fi", r.ID, day("2026-11-20"), "Kolme tallennetta kokonaisina kopioina"); err != nil {
		t.Fatal(err)
	}
	got, _ = s.FindAccessRequest(ctx, r.ID)
	if !got.DeliveredOn.Equal(day("2026-11-20")) || got.Delivered != "Kolme tallennetta kokonaisina kopioina" {
		t.Errorf("delivered %+v", got)
	}
	err = s.DeliverAccessRequest(ctx, "hr@example.fi", r.ID, time.Time{}, "Uudestaan")
	coreWantErr(t, err, monitoring.Conflict, "", "")

	// Delivered: no extension.
	fresh := createRequest(t, s, &monitoring.AccessRequest{Kind: monitoring.RequestByCaller, Requester: "Asiakas 2"})
	if err := s.DeliverAccessRequest(ctx, "hr@example.fi", fresh.ID, time.Time{}, "Litterointi kokonaisena"); err != nil {
		t.Fatal(err)
	}
	err = s.ExtendAccessRequest(ctx, "hr@example.fi", fresh.ID, time.Time{}, "Liian myöhään")
	coreWantErr(t, err, monitoring.Conflict, "", "")

	want := []string{"access_request.created", "access_request.extended", "access_request.delivered",
		"access_request.created", "access_request.created", "access_request.delivered"}
	got2 := auditActions(t, d, "access_request")
	slices.Sort(got2)
	slices.Sort(want)
	if !slices.Equal(got2, want) {
		t.Errorf("audit %v, want %v", got2, want)
	}
	mustVerifyAudit(t, d)
}

// TestListAccessRequests_R_DSR_1: ordered by due date, the open ones
// (not delivered) on their own, page by page.
func TestListAccessRequests_R_DSR_1(t *testing.T) {
	_, s := newRequestFixture(t)
	ctx := t.Context()
	a := createRequest(t, s, &monitoring.AccessRequest{Kind: monitoring.RequestByCaller, Requester: "A", ReceivedOn: day("2026-11-20")}) // due 12-20
	b := createRequest(t, s, &monitoring.AccessRequest{Kind: monitoring.RequestByCaller, Requester: "B", ReceivedOn: day("2026-11-01")}) // due 12-01
	c := createRequest(t, s, &monitoring.AccessRequest{Kind: monitoring.RequestByCaller, Requester: "C", ReceivedOn: day("2026-11-20")}) // due 12-20
	e := createRequest(t, s, &monitoring.AccessRequest{Kind: monitoring.RequestByCaller, Requester: "E", ReceivedOn: day("2026-10-30")}) // due 11-30
	if err := s.DeliverAccessRequest(ctx, "hr@example.fi", e.ID, time.Time{}, "Kopio"); err != nil {
		t.Fatal(err)
	}
	ids := func(rs []*monitoring.AccessRequest) []int64 {
		var out []int64
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	all, next, err := s.ListAccessRequests(ctx, monitoring.AccessRequestFilter{})
	if err != nil || next != 0 || !slices.Equal(ids(all), []int64{e.ID, b.ID, a.ID, c.ID}) {
		t.Errorf("all: %v %d %v", ids(all), next, err)
	}
	var pages []int64
	cursor := int64(0)
	for range 5 {
		page, next, err := s.ListAccessRequests(ctx, monitoring.AccessRequestFilter{Open: true, Limit: 1, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, ids(page)...)
		if next == 0 {
			break
		}
		cursor = next
	}
	if !slices.Equal(pages, []int64{b.ID, a.ID, c.ID}) {
		t.Errorf("open, page by page: %v", pages)
	}
}
