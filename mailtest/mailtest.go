// Package mailtest runs a real SMTP server for tests: Mailpit
// (github.com/axllent/mailpit), on loopback ports, with a database of the
// test's own, and reads what it received through its HTTP API. It is
// imported by tests, and by the benchmark, which measures stamps while
// the outbox sends.
//
// `make test` installs Mailpit when it is missing (go install
// github.com/axllent/mailpit@v1.33.1). Without it a test skips, except on CI
// (CI=true), where it fails: there the mail tests must run.
package mailtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Server is a running Mailpit.
type Server struct {
	// SMTP is its SMTP address (host:port); API its HTTP API's base URL.
	SMTP string
	API  string
}

// SMTPURL is the address the app sends to: plain SMTP on loopback.
func (s *Server) SMTPURL() string { return "smtp+insecure://" + s.SMTP }

// binary finds mailpit in $REGULARS_MAILPIT, GOBIN, GOPATH/bin or PATH.
func binary() string {
	if p := os.Getenv("REGULARS_MAILPIT"); p != "" {
		return p
	}
	var dirs []string
	if gobin, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output(); err == nil {
		lines := strings.Split(strings.TrimSpace(string(gobin)), "\n")
		if len(lines) == 2 {
			if lines[0] != "" {
				dirs = append(dirs, lines[0])
			}
			for _, p := range filepath.SplitList(lines[1]) {
				dirs = append(dirs, filepath.Join(p, "bin"))
			}
		}
	}
	for _, d := range dirs {
		if p := filepath.Join(d, "mailpit"); isFile(p) {
			return p
		}
	}
	p, _ := exec.LookPath("mailpit")
	return p
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// freePort is a loopback address no one listens on now.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// ErrNoMailpit is Run's error when the mailpit binary is nowhere to be found.
var ErrNoMailpit = errors.New("mailpit not found: install it with `go install github.com/axllent/mailpit@v1.33.1` (make test does)")

// Start runs a Mailpit for the test and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s, stop, err := Run(t.TempDir())
	if errors.Is(err, ErrNoMailpit) {
		msg := err.Error() + " to run the mail tests"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return s
}

// Run runs a Mailpit keeping its files in dir until stop is called: the
// tests' Start, and the benchmark's mail server.
func Run(dir string) (s *Server, stop func(), err error) {
	bin := binary()
	if bin == "" {
		return nil, nil, ErrNoMailpit
	}
	s = &Server{}
	if s.SMTP, err = freePort(); err != nil {
		return nil, nil, err
	}
	web, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	s.API = "http://" + web
	log, err := os.Create(filepath.Join(dir, "mailpit.log"))
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(bin, "-s", s.SMTP, "--listen", web, "--database", filepath.Join(dir, "mailpit.db"),
		"--max", "0", "--disable-version-check", "--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--quiet")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, nil, fmt.Errorf("starting mailpit: %w", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	stop = func() {
		cmd.Process.Kill()
		<-exited
		log.Close()
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(s.API + "/api/v1/messages?limit=1")
		if err == nil {
			res.Body.Close()
			if c, err := net.Dial("tcp", s.SMTP); err == nil {
				c.Close()
				return s, stop, nil
			}
		}
		select {
		case <-exited:
			stop()
			b, _ := os.ReadFile(log.Name())
			return nil, nil, fmt.Errorf("mailpit exited: %s", b)
		default:
		}
		if time.Now().After(deadline) {
			stop()
			b, _ := os.ReadFile(log.Name())
			return nil, nil, fmt.Errorf("mailpit did not answer in 20s: %s", b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Count is how many messages Mailpit holds.
func (s *Server) Count() (int, error) {
	res, err := http.Get(s.API + "/api/v1/messages?limit=1")
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var list struct {
		Total int `json:"total"`
	}
	if err := json.NewDecoder(res.Body).Decode(&list); err != nil {
		return 0, fmt.Errorf("mailpit count: %w", err)
	}
	return list.Total, nil
}

// Summary is a message as Mailpit lists it.
type Summary struct {
	ID        string
	MessageID string
	Subject   string
	To        []struct{ Name, Address string }
}

// Message is a message with its parts.
type Message struct {
	Summary
	Text, HTML string
}

// Messages lists every message received, newest first.
func (s *Server) Messages(t testing.TB) []Summary {
	t.Helper()
	var list struct {
		Messages []Summary `json:"messages"`
	}
	s.get(t, "/api/v1/messages?limit=10000", &list)
	return list.Messages
}

// To lists the messages received for address, newest first.
func (s *Server) To(t testing.TB, address string) []Summary {
	t.Helper()
	var list struct {
		Messages []Summary `json:"messages"`
	}
	s.get(t, "/api/v1/search?limit=1000&query="+url.QueryEscape("to:"+address), &list)
	return list.Messages
}

// Message reads one message with its parts.
func (s *Server) Message(t testing.TB, id string) Message {
	t.Helper()
	var m Message
	s.get(t, "/api/v1/message/"+url.PathEscape(id), &m)
	return m
}

// Headers reads one message's headers.
func (s *Server) Headers(t testing.TB, id string) map[string][]string {
	t.Helper()
	h := map[string][]string{}
	s.get(t, "/api/v1/message/"+url.PathEscape(id)+"/headers", &h)
	return h
}

// Wait waits up to d for a message to address and returns the newest.
func (s *Server) Wait(t testing.TB, address string, d time.Duration) Message {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		if list := s.To(t, address); len(list) > 0 {
			return s.Message(t, list[0].ID)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no message to %s in %s", address, d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *Server) get(t testing.TB, path string, v any) {
	t.Helper()
	res, err := http.Get(s.API + path)
	if err != nil {
		t.Fatalf("mailpit %s: %v", path, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("mailpit %s: %s", path, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("mailpit %s: %v", path, fmt.Errorf("decode: %w", err))
	}
}
