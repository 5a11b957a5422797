package app

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// The signed-in employee's own data: the notices issued to them with their
// read and acknowledgement state, and every use of recordings of their own
// calls with who used it, in which task and why (SPEC "employee"). Only
// their own: the staff id is the principal's, never a parameter.

// apiMyNoticeJSON is a notice issued to the caller, with their copy's state.
type apiMyNoticeJSON struct {
	apiNoticeJSON
	ActivityName   string  `json:"activity_name"`
	DeliveredAt    *string `json:"delivered_at" format:"date-time"`
	ReadAt         *string `json:"read_at" format:"date-time"`
	AcknowledgedAt *string `json:"acknowledged_at" format:"date-time" doc:"null until acknowledged (POST /notices/{id}/acknowledge)"`
}

// apiMyNoticeDetailJSON is one of the caller's notices with its content.
type apiMyNoticeDetailJSON struct {
	apiMyNoticeJSON
	Content apiNoticeContentJSON `json:"content" doc:"what the notice says: R-NOT-1, R-NOT-3 and the GDPR Art 13 items (R-NOT-2)"`
}

// apiMyUseJSON is a use of a recording of the caller's own calls.
type apiMyUseJSON struct {
	apiUseJSON
	UsedByName   string `json:"used_by_name" doc:"the name of the user who used the recording"`
	UsedByTask   string `json:"used_by_task" doc:"the task that entitled them, from the activity's authorised users when the use occurred (R-ACC-1); empty when they were not authorised"`
	ActivityName string `json:"activity_name"`
	PurposeText  string `json:"purpose_description" doc:"the registered purpose's description"`
}

func apiMyNoticeOut(n *monitoring.Notice, r *monitoring.NoticeRecipient, activity string) apiMyNoticeJSON {
	return apiMyNoticeJSON{apiNoticeJSON: apiNoticeOut(n), ActivityName: activity, DeliveredAt: apiTimeOut(r.DeliveredAt),
		ReadAt: apiTimeOut(r.ReadAt), AcknowledgedAt: apiTimeOut(r.AcknowledgedAt)}
}

// apiMeNotices lists the notices issued to the caller, newest first; a user
// without a linked staff id has none.
func (s *Server) apiMeNotices(c *fiber.Ctx) error {
	lp, err := apiParseList(c)
	if err != nil {
		return err
	}
	cur, err := lp.seqCursor()
	if err != nil {
		return err
	}
	staff := principalOf(c).User.StaffID
	if staff == "" {
		return apiSendJSON(c, fiber.StatusOK, apiPage[apiMyNoticeJSON]{Items: []apiMyNoticeJSON{}})
	}
	ctx := c.UserContext()
	ns, next, err := s.Notices.ListNotices(ctx, monitoring.NoticeFilter{StaffID: staff, Cursor: cur, Limit: lp.Limit})
	if err != nil {
		return err
	}
	names := apiActivityNames{s: s}
	out := apiPage[apiMyNoticeJSON]{Items: make([]apiMyNoticeJSON, 0, len(ns)), NextCursor: apiEncodeSeqCursor(next)}
	for _, n := range ns {
		r, err := s.Notices.Recipient(ctx, n.ID, staff)
		if apiIsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		a, err := names.get(ctx, n.ActivityID)
		if err != nil {
			return err
		}
		name := ""
		if a != nil {
			name = a.Name
		}
		out.Items = append(out.Items, apiMyNoticeOut(n, r, name))
	}
	return apiSendJSON(c, fiber.StatusOK, out)
}

// apiMeNotice answers one of the caller's notices with its content and
// records the first read; 404 for a notice not issued to them.
func (s *Server) apiMeNotice(c *fiber.Ctx) error {
	id, err := apiPathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.apiOwnRecipient(c, id); err != nil {
		return err
	}
	ctx := c.UserContext()
	staff := principalOf(c).User.StaffID
	if err := s.Notices.MarkRead(ctx, id, staff); err != nil {
		return err
	}
	r, err := s.apiOwnRecipient(c, id)
	if err != nil {
		return err
	}
	n, err := s.Notices.FindNotice(ctx, id)
	if err != nil {
		return err
	}
	nc, err := s.noticeContent(ctx, n)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiMyNoticeDetailJSON{apiMyNoticeJSON: apiMyNoticeOut(n, r, nc.ActivityName),
		Content: s.apiNoticeContentOut(s.langOf(c), nc)})
}

// apiMeUses lists the uses of the signed-in user's own calls, each with the
// name of the user who used the recording and the task that entitled them
// at the time; a user without a linked staff id has none.
func (s *Server) apiMeUses(c *fiber.Ctx) error {
	lp, err := apiParseList(c)
	if err != nil {
		return err
	}
	cur, err := lp.seqCursor()
	if err != nil {
		return err
	}
	p := principalOf(c)
	if p.User.StaffID == "" {
		return apiSendJSON(c, fiber.StatusOK, apiPage[apiMyUseJSON]{Items: []apiMyUseJSON{}})
	}
	ctx := c.UserContext()
	us, next, err := s.Uses.ListUses(ctx, monitoring.UseFilter{EmployeeStaffID: p.User.StaffID, Cursor: cur, Limit: lp.Limit})
	if err != nil {
		return err
	}
	out := apiPage[apiMyUseJSON]{Items: make([]apiMyUseJSON, 0, len(us)), NextCursor: apiEncodeSeqCursor(next)}
	acts := apiActivityNames{s: s}
	histories := map[int64][]monitoring.ActivityChange{}
	users := map[string]string{}
	for _, u := range us {
		item := apiMyUseJSON{apiUseJSON: apiUseOut(u)}
		key := strings.ToLower(u.UsedBy)
		name, seen := users[key]
		if !seen {
			if acc, err := s.Accounts.FindUserByEmail(ctx, u.UsedBy); err == nil {
				name = acc.Name
			} else if !apiIsNotFound(err) {
				return err
			}
			users[key] = name
		}
		item.UsedByName = name
		a, err := acts.get(ctx, u.ActivityID)
		if err != nil {
			return err
		}
		if a != nil {
			item.ActivityName = a.Name
			for _, pu := range a.Purposes {
				if pu.Code == u.Purpose {
					item.PurposeText = pu.Description
				}
			}
			h, ok := histories[a.ID]
			if !ok {
				if h, err = s.historyOf(ctx, a); err != nil {
					return err
				}
				histories[a.ID] = h
			}
			item.UsedByTask = apiTaskAt(h, a, u)
		}
		out.Items = append(out.Items, item)
	}
	return apiSendJSON(c, fiber.StatusOK, out)
}

// apiActivityNames caches the activities a list refers to; an unknown one
// is nil.
type apiActivityNames struct {
	s    *Server
	seen map[int64]*monitoring.Activity
}

func (n *apiActivityNames) get(ctx context.Context, id int64) (*monitoring.Activity, error) {
	if n.seen == nil {
		n.seen = map[int64]*monitoring.Activity{}
	}
	if a, ok := n.seen[id]; ok {
		return a, nil
	}
	a, err := n.s.Register.FindActivity(ctx, id)
	if apiIsNotFound(err) {
		a, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	n.seen[id] = a
	return a, nil
}

// apiTaskAt returns the task that entitled the user of u to use the
// activity's recordings when u occurred (R-ACC-1): "" when the use was
// flagged unauthorized_user; otherwise the authorised users of the version
// in force then (the highest version valid from at or before occurred_at,
// as the flags read it), from the history of changes ("email (task); …"),
// falling back to the current version.
func apiTaskAt(h []monitoring.ActivityChange, current *monitoring.Activity, u *monitoring.Use) string {
	if slices.Contains(u.Flags, monitoring.FlagUnauthorizedUser) {
		return ""
	}
	inForce := 0
	for _, ch := range h {
		if !ch.At.After(u.OccurredAt) && ch.Version > inForce {
			inForce = ch.Version
		}
	}
	list, found := "", false
	for _, ch := range h {
		if ch.Version > inForce {
			continue
		}
		for _, fc := range ch.Changes {
			if fc.Field == "authorized_users" {
				list, found = fc.New, true
			}
		}
	}
	if found {
		if task := apiTaskIn(list, u.UsedBy); task != "" {
			return task
		}
	}
	return current.TaskOf(u.UsedBy)
}

// apiTaskIn finds email's task in a flattened list "email (task); email2
// (task2)" (monitoring.Activity.Flatten), the email matched without regard
// to case. It allocates nothing: it runs for every use of a page.
func apiTaskIn(list, email string) string {
	prefix := email + " ("
	for i := 0; i+len(prefix) <= len(list); {
		if strings.EqualFold(list[i:i+len(prefix)], prefix) {
			rest := list[i+len(prefix):]
			// The task ends at the ")" before the next "; " entry or the end.
			if j := strings.Index(rest, "); "); j >= 0 {
				return rest[:j]
			}
			return strings.TrimSuffix(rest, ")")
		}
		j := strings.Index(list[i:], "; ")
		if j < 0 {
			return ""
		}
		i += j + 2
	}
	return ""
}

// The history of an activity's changes, kept between requests: reading it
// decodes and compares every version, which is most of the time of
// /me/uses. A version row is never changed and every new one bumps the
// activity's version and updated_at (db storeActivityVersion), so a
// history cached for the current (version, updated_at) is still the whole
// history. Keyed by server too: tests run several servers on different
// databases in one process.
type historyKey struct {
	s       *Server
	id      int64
	version int
	updated time.Time
}

var (
	historyMu    sync.Mutex
	historyCache = map[historyKey][]monitoring.ActivityChange{}
)

// maxCachedHistories bounds historyCache (it is emptied when full).
const maxCachedHistories = 256

// historyOf returns the history of a (nil when it has none).
func (s *Server) historyOf(ctx context.Context, a *monitoring.Activity) ([]monitoring.ActivityChange, error) {
	key := historyKey{s: s, id: a.ID, version: a.Version, updated: a.UpdatedAt}
	historyMu.Lock()
	h, ok := historyCache[key]
	historyMu.Unlock()
	if ok {
		return h, nil
	}
	h, err := s.Register.History(ctx, a.ID)
	if apiIsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	historyMu.Lock()
	if len(historyCache) >= maxCachedHistories {
		clear(historyCache)
	}
	historyCache[key] = h
	historyMu.Unlock()
	return h, nil
}
