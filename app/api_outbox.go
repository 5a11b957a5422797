package app

import (
	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// The e-mail outbox (issue "Notices": HR sees the mail not yet sent, e.g.
// when no SMTP server is configured or it is down). The messages' texts are
// rendered by the sender; the outbox holds the kind and the parameters.

// apiOutboxJSON is one outbox message. The parameters (names, links) are
// not shown: the kind, the recipient and the delivery state are what HR
// needs to act.
type apiOutboxJSON struct {
	ID            int64   `json:"id"`
	Kind          string  `json:"kind" enum:"notice_issued,notice_reminder,minutes_approval,deadline_near,access_request_due"`
	To            string  `json:"to" format:"email"`
	Language      string  `json:"language" enum:"fi,sv,en"`
	Status        string  `json:"status" enum:"sent,unsent"`
	CreatedAt     *string `json:"created_at" format:"date-time"`
	Attempts      int     `json:"attempts" doc:"failed delivery attempts"`
	NextAttemptAt *string `json:"next_attempt_at" format:"date-time" doc:"when the sender tries next (null once sent); failures back off 1 min, 2, 4 … at most 6 h"`
	SentAt        *string `json:"sent_at" format:"date-time" doc:"when the mail server accepted it"`
	LastError     string  `json:"last_error,omitempty" doc:"the last failure as the mail server or the network reported it"`
}

func apiOutboxOut(m *monitoring.Mail) apiOutboxJSON {
	out := apiOutboxJSON{ID: m.ID, Kind: string(m.Kind), To: m.To, Language: string(m.Language), Status: "unsent",
		CreatedAt: apiTimeOut(m.CreatedAt), Attempts: m.Attempts, NextAttemptAt: apiTimeOut(m.NextAttemptAt),
		SentAt: apiTimeOut(m.SentAt), LastError: m.LastError}
	if !m.SentAt.IsZero() {
		out.Status, out.NextAttemptAt = "sent", nil
	}
	return out
}

// apiOutboxList answers GET /api/v1/outbox: the messages, newest first;
// ?unsent=true keeps those not yet sent.
func (s *Server) apiOutboxList(c *fiber.Ctx) error {
	lp, err := apiParseList(c)
	if err != nil {
		return err
	}
	cur, err := lp.seqCursor()
	if err != nil {
		return err
	}
	unsent, err := apiQueryBool(c, "unsent")
	if err != nil {
		return err
	}
	f := monitoring.OutboxFilter{Cursor: cur, Limit: lp.Limit, Unsent: unsent != nil && *unsent}
	items, next, err := s.Outbox.ListOutbox(c.UserContext(), f)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiPage[apiOutboxJSON]{Items: apiMap(items, apiOutboxOut), NextCursor: apiEncodeSeqCursor(next)})
}
