package app

import (
	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

func init() { pageNames = append(pageNames, "outbox") }

// outboxData is HR's view of the e-mail outbox: what was sent, and what
// is still waiting (no SMTP server configured, or it is down).
type outboxData struct {
	Items          []*monitoring.Mail
	Unsent         bool
	Next           int64
	MailConfigured bool
}

// handleOutbox shows the outbox, newest first; ?unsent=1 keeps the mail
// not yet sent.
func (s *Server) handleOutbox(c *fiber.Ctx) error {
	d := outboxData{Unsent: c.Query("unsent") != "" && c.Query("unsent") != "0" && c.Query("unsent") != "false",
		MailConfigured: s.cfg.MailConfigured}
	cursor, err := webCursor(c)
	if err != nil {
		return err
	}
	f := monitoring.OutboxFilter{Unsent: d.Unsent, Cursor: cursor, Limit: 50}
	if d.Items, d.Next, err = s.Outbox.ListOutbox(c.UserContext(), f); err != nil {
		return err
	}
	p := s.newPage(c, "mail.ui.title")
	p.Data = d
	return s.render(c, fiber.StatusOK, "outbox", p)
}
