package mail

import (
	"bytes"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"

	"vaaka/monitoring"
)

// Message is a rendered message ready for SMTP.
type Message struct {
	To      string // envelope recipient
	Subject string // decoded
	Body    string // decoded, "\n" line ends
	Data    []byte // RFC 5322 message, CRLF line ends
}

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// Params returns m's template values as the recipient reads them: a value
// of a "<name>_key" parameter is a catalog key rendered as {name}, a date
// YYYY-MM-DD is written the way the language writes dates, and {link} is
// the absolute URL of the page (the base URL + the link path).
func (s *Sender) Params(m *monitoring.Mail) map[string]string {
	lang := m.Language
	p := make(map[string]string, len(m.Params)+1)
	for k, v := range m.Params {
		switch {
		case strings.HasSuffix(k, "_key"):
			p[strings.TrimSuffix(k, "_key")] = s.catalog.T(lang, v)
		case isoDate.MatchString(v):
			if t, err := time.Parse("2006-01-02", v); err == nil {
				v = formatDate(lang, t)
			}
			p[k] = v
		default:
			p[k] = v
		}
	}
	link := strings.TrimSpace(m.Params["link"])
	if link == "" {
		link = "/"
	}
	if !strings.HasPrefix(link, "/") {
		link = "/" + link
	}
	p["link"] = s.cfg.BaseURL + link
	return p
}

// Render returns m's subject and body (plain text, "\n" line ends) in m's
// language: a greeting, the kind's text with the link, and a footer saying
// that Vaaka sent it. A placeholder without a value is left out.
func (s *Sender) Render(m *monitoring.Mail) (subject, body string) {
	lang := m.Language
	if !lang.Valid() {
		lang = monitoring.Finnish
	}
	p := s.Params(m)
	fill := func(key string) string {
		return placeholder.ReplaceAllStringFunc(s.catalog.T(lang, key), func(ph string) string {
			return p[ph[1:len(ph)-1]]
		})
	}
	subject = strings.Join(strings.Fields(fill("mail."+string(m.Kind)+".subject")), " ") // one header line
	greeting := fill("mail.greeting")
	if strings.TrimSpace(p["name"]) == "" {
		greeting = fill("mail.greeting_anon")
	}
	body = greeting + "\n\n" + fill("mail."+string(m.Kind)+".body") + "\n\n-- \n" + fill("mail.footer") + "\n"
	return subject, body
}

// Compose renders m into an RFC 5322 message from from, dated now: UTF-8
// plain text in quoted-printable, the subject RFC 2047-encoded, and a
// Message-ID derived from the outbox id that stays the same on every
// retry. An invalid recipient address is an error.
func (s *Sender) Compose(m *monitoring.Mail, from *mail.Address, now time.Time) (*Message, error) {
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("recipient %q is not an e-mail address", m.To)
	}
	subject, body := s.Render(m)
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("Message-ID", MessageID(m, from.Address))
	header("Date", now.UTC().Format(time.RFC1123Z))
	header("From", from.String())
	header("To", (&mail.Address{Address: to.Address}).String())
	header("Subject", mime.QEncoding.Encode("utf-8", subject))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Auto-Submitted", "auto-generated") // RFC 3834: no auto-replies
	lang := string(m.Language)
	if lang == "" {
		lang = string(monitoring.Finnish)
	}
	header("Content-Language", lang)
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(body)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return &Message{To: to.Address, Subject: subject, Body: body, Data: b.Bytes()}, nil
}

// MessageID is m's Message-ID: the outbox id and creation time at the
// sender's domain, the same on every attempt.
func MessageID(m *monitoring.Mail, from string) string {
	domain := "vaaka.invalid"
	if i := strings.LastIndexByte(from, '@'); i >= 0 && i < len(from)-1 {
		domain = from[i+1:]
	}
	return "<vaaka-outbox-" + strconv.FormatInt(m.ID, 10) + "." + strconv.FormatInt(m.CreatedAt.Unix(), 36) + "@" + domain + ">"
}

var months = [...]string{"January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December"}

// formatDate writes a date as the language does: fi/sv "27.11.2026", en
// "27 November 2026" (as the web pages do).
func formatDate(lang monitoring.Language, t time.Time) string {
	y, mo, d := t.Date()
	if lang == monitoring.English {
		return fmt.Sprintf("%d %s %d", d, months[mo-1], y)
	}
	return fmt.Sprintf("%d.%d.%d", d, int(mo), y)
}
