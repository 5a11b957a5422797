package mail

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"vaaka/cooperation"
	"vaaka/monitoring"
)

// Queuer queues a message outside another transaction; a message whose Ref
// is already queued is a no-op (db.OutboxService.Queue).
type Queuer interface {
	Queue(ctx context.Context, m *monitoring.Mail) error
}

// Reminders is the job that queues the messages no single event causes:
// case time limits that near (to the case's representatives) and access
// requests coming due (to HR). It runs at start and then every Interval;
// each message has a Ref naming its cause, so it is queued once however
// often the job runs.
type Reminders struct {
	Cases    cooperation.CaseService
	Settings monitoring.SettingsService
	Outbox   Queuer
	// Requests and Accounts are optional: without them no access request
	// reminders are queued.
	Requests monitoring.AccessRequestService
	Accounts monitoring.AccountService
	Logger   *slog.Logger
	// Now is the clock (default time.Now in UTC).
	Now func() time.Time
	// Interval between runs (default 1 h; the messages are daily matters).
	Interval time.Duration
	// Notify, when set, is called after a run queued something (the
	// Sender's Notify).
	Notify func()
}

// DeadlineDays is how many days ahead a pending case time limit is
// announced to the representatives.
const DeadlineDays = 3

// RequestDays is how many days ahead an open access request's due date is
// announced to HR (R-DSR-1).
const RequestDays = 7

// Run runs the job until ctx ends.
func (r *Reminders) Run(ctx context.Context) {
	interval := r.Interval
	if interval <= 0 {
		interval = time.Hour
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := r.RunOnce(ctx, r.now()); err != nil && ctx.Err() == nil {
			r.logger().Error("mail: reminders", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (r *Reminders) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now().UTC()
}

func (r *Reminders) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

// RunOnce queues, as of now, a MailDeadlineNear to every representative of
// every open case for each pending time limit due within DeadlineDays
// (calendar days in the organisation's time zone), and a
// MailAccessRequestDue to every active HR user for each open access
// request due within RequestDays. It returns how many messages it offered
// to the outbox (repeats are no-ops there).
func (r *Reminders) RunOnce(ctx context.Context, now time.Time) (int, error) {
	loc := monitoring.Helsinki
	if r.Settings != nil {
		org, err := r.Settings.Organisation(ctx)
		if err != nil {
			return 0, err
		}
		loc = org.Location()
	}
	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC) // dates are midnight UTC
	n, err := r.deadlines(ctx, now, today, loc)
	if err != nil {
		return n, err
	}
	k, err := r.requests(ctx, today)
	n += k
	if n > 0 && r.Notify != nil {
		r.Notify()
	}
	return n, err
}

func (r *Reminders) deadlines(ctx context.Context, now, today time.Time, loc *time.Location) (int, error) {
	last := today.AddDate(0, 0, DeadlineDays)
	n := 0
	var cursor int64
	for {
		cases, next, err := r.Cases.ListCases(ctx, cooperation.CaseFilter{Cursor: cursor, Limit: 100})
		if err != nil {
			return n, err
		}
		for _, c := range cases {
			if c.Status == cooperation.StatusConcluded || c.Status == cooperation.StatusWithdrawn {
				continue
			}
			for _, dl := range c.Timeline(now, loc) {
				if dl.Status != cooperation.Pending || dl.Due.IsZero() || dl.Due.Before(today) || dl.Due.After(last) {
					continue
				}
				due := dl.Due.Format("2006-01-02")
				for _, rep := range representatives(c) {
					err := r.Outbox.Queue(ctx, &monitoring.Mail{
						Kind: monitoring.MailDeadlineNear,
						To:   rep.email,
						Params: map[string]string{
							"name": rep.name, "case": c.Title, "deadline_key": "coop.deadline." + dl.Key,
							"rule": dl.Rule, "due": due, "link": "/cases/" + strconv.FormatInt(c.ID, 10) + "#timeline",
						},
						Ref: "deadline:" + strconv.FormatInt(c.ID, 10) + ":" + dl.Rule + ":" + due + ":" + rep.email,
					})
					if err != nil {
						return n, fmt.Errorf("mail: deadline of case %d: %w", c.ID, err)
					}
					n++
				}
			}
		}
		if next == 0 {
			return n, nil
		}
		cursor = next
	}
}

type recipient struct{ email, name string }

// representatives are the case's staff side: its representatives and the
// staff groups' representatives, each once (lower-case emails).
func representatives(c *cooperation.Case) []recipient {
	var out []recipient
	add := func(email, name string) {
		email = strings.ToLower(strings.TrimSpace(email))
		if email == "" || slices.ContainsFunc(out, func(r recipient) bool { return r.email == email }) {
			return
		}
		out = append(out, recipient{email, name})
	}
	for _, e := range c.Representatives {
		add(e, "")
	}
	for _, g := range c.Groups {
		for _, rep := range g.Representatives {
			add(rep.Email, rep.Name)
		}
	}
	return out
}

func (r *Reminders) requests(ctx context.Context, today time.Time) (int, error) {
	if r.Requests == nil || r.Accounts == nil {
		return 0, nil
	}
	last := today.AddDate(0, 0, RequestDays)
	var hr []*monitoring.User
	loaded := false
	n := 0
	var cursor int64
	for {
		reqs, next, err := r.Requests.ListAccessRequests(ctx, monitoring.AccessRequestFilter{Open: true, Cursor: cursor, Limit: 100})
		if err != nil {
			return n, err
		}
		for _, q := range reqs {
			if !q.DeliveredOn.IsZero() || q.DueOn.IsZero() || q.DueOn.Before(today) || q.DueOn.After(last) {
				continue
			}
			if !loaded {
				if hr, err = r.hrUsers(ctx); err != nil {
					return n, err
				}
				loaded = true
			}
			due := q.DueOn.Format("2006-01-02")
			for _, u := range hr {
				err := r.Outbox.Queue(ctx, &monitoring.Mail{
					Kind: monitoring.MailAccessRequestDue, To: u.Email, Language: u.Language,
					Params: map[string]string{"name": u.Name, "due": due, "link": "/dashboard"},
					Ref:    "access_request:" + strconv.FormatInt(q.ID, 10) + ":" + due + ":" + strings.ToLower(u.Email),
				})
				if err != nil {
					return n, fmt.Errorf("mail: access request %d: %w", q.ID, err)
				}
				n++
			}
		}
		if next == 0 || next == cursor {
			return n, nil
		}
		cursor = next
	}
}

// hrUsers are the active users with the hr role.
func (r *Reminders) hrUsers(ctx context.Context) ([]*monitoring.User, error) {
	users, err := r.Accounts.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	var out []*monitoring.User
	for _, u := range users {
		if u.Active && slices.Contains(u.Roles, monitoring.RoleHR) && u.Email != "" {
			out = append(out, u)
		}
	}
	return out, nil
}
