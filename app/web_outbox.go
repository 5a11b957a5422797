package app

import (
	"strconv"

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
	f := monitoring.OutboxFilter{Unsent: d.Unsent, Limit: 50}
	if v := c.Query("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return errBadField("cursor", "cursor")
		}
		f.Cursor = n
	}
	var err error
	if d.Items, d.Next, err = s.Outbox.ListOutbox(c.UserContext(), f); err != nil {
		return err
	}
	p := s.newPage(c, "mail.ui.title")
	p.Data = d
	return s.render(c, fiber.StatusOK, "outbox", p)
}
