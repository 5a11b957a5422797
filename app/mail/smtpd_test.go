package mail_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpServer is a small SMTP server on 127.0.0.1 for the tests: it speaks
// EHLO/HELO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP and QUIT,
// and records every message whose DATA it accepted.
type smtpServer struct {
	t    *testing.T
	ln   net.Listener
	Port int

	startTLS *tls.Config // offer STARTTLS with this certificate
	auth     bool        // offer AUTH PLAIN

	mu         sync.Mutex
	msgs       []received
	rejectData int // answer the next n DATA commands 451
	conns      map[net.Conn]bool
	wg         sync.WaitGroup
}

// received is one accepted message.
type received struct {
	From    string
	To      []string
	Data    string // as sent, "\n" line ends, dots unstuffed
	TLS     bool
	AuthRaw string // decoded AUTH PLAIN response
}

// parsed returns the message's headers and its decoded subject and body.
func (r received) parsed(t *testing.T) (mail.Header, string, string) {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(r.Data))
	if err != nil {
		t.Fatalf("bad message: %v\n%s", err, r.Data)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	return m.Header, subject, strings.ReplaceAll(string(body), "\r\n", "\n")
}

type serverOption func(*smtpServer)

func withStartTLS(c *tls.Config) serverOption { return func(s *smtpServer) { s.startTLS = c } }
func withAuth() serverOption                  { return func(s *smtpServer) { s.auth = true } }

// startSMTP starts a server on 127.0.0.1:0; implicit, when not nil, makes
// it speak TLS from the first byte. It stops when the test ends.
func startSMTP(t *testing.T, implicit *tls.Config, opts ...serverOption) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if implicit != nil {
		ln = tls.NewListener(ln, implicit)
	}
	s := &smtpServer{t: t, ln: ln, Port: ln.Addr().(*net.TCPAddr).Port, conns: map[net.Conn]bool{}}
	for _, o := range opts {
		o(s)
	}
	s.wg.Add(1)
	go s.serve(implicit != nil)
	t.Cleanup(s.Close)
	return s
}

// Close stops listening and ends open connections.
func (s *smtpServer) Close() {
	s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *smtpServer) Messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

func (s *smtpServer) RejectData(n int) {
	s.mu.Lock()
	s.rejectData = n
	s.mu.Unlock()
}

func (s *smtpServer) serve(implicitTLS bool) {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				c.Close()
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
			}()
			s.session(c, implicitTLS)
		}()
	}
}

func (s *smtpServer) session(c net.Conn, isTLS bool) {
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	tp := textproto.NewConn(c)
	reply := func(format string, args ...any) bool { return tp.PrintfLine(format, args...) == nil }
	if !reply("220 smtp.test ESMTP") {
		return
	}
	var cur received
	authRaw := ""
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			lines := []string{"smtp.test", "8BITMIME"}
			if s.startTLS != nil && !isTLS {
				lines = append(lines, "STARTTLS")
			}
			if s.auth {
				lines = append(lines, "AUTH PLAIN")
			}
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				if !reply("250%s%s", sep, l) {
					return
				}
			}
		case "HELO", "NOOP":
			reply("250 OK")
		case "STARTTLS":
			if s.startTLS == nil || isTLS {
				reply("502 not offered")
				continue
			}
			reply("220 go ahead")
			tc := tls.Server(c, s.startTLS)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, isTLS = tc, true
			tp = textproto.NewConn(c)
			cur, authRaw = received{}, ""
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			if !s.auth || !strings.EqualFold(mech, "PLAIN") {
				reply("504 unsupported")
				continue
			}
			if resp == "" {
				reply("334 ")
				if resp, err = tp.ReadLine(); err != nil {
					return
				}
			}
			b, err := base64.StdEncoding.DecodeString(resp)
			if err != nil {
				reply("501 bad base64")
				continue
			}
			authRaw = string(b)
			reply("235 accepted")
		case "MAIL":
			cur = received{From: addrOf(arg), TLS: isTLS, AuthRaw: authRaw}
			reply("250 OK")
		case "RCPT":
			cur.To = append(cur.To, addrOf(arg))
			reply("250 OK")
		case "DATA":
			s.mu.Lock()
			reject := s.rejectData > 0
			if reject {
				s.rejectData--
			}
			s.mu.Unlock()
			if reject {
				reply("451 try again later")
				continue
			}
			reply("354 end with .")
			b, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			cur.Data = string(b)
			s.mu.Lock()
			s.msgs = append(s.msgs, cur)
			s.mu.Unlock()
			cur = received{TLS: isTLS, AuthRaw: authRaw}
			reply("250 queued")
		case "RSET":
			cur = received{TLS: isTLS, AuthRaw: authRaw}
			reply("250 OK")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 unknown command")
		}
	}
}

func addrOf(arg string) string {
	i, j := strings.IndexByte(arg, '<'), strings.IndexByte(arg, '>')
	if i < 0 || j < i {
		return ""
	}
	return arg[i+1 : j]
}

// testCert returns a server TLS config with a self-signed certificate for
// 127.0.0.1 and a client pool that trusts it.
func testCert(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtp.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}
