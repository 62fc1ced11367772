// Package mailtest runs a real SMTP server for tests: Mailpit
// (github.com/axllent/mailpit), on loopback ports, with a database of the
// test's own, and reads what it received through its HTTP API. It is
// imported by tests only.
//
// `make test` installs Mailpit when it is missing (go install
// github.com/axllent/mailpit@v1.33.1). Without it a test skips, except on CI
// (CI=true), where it fails: there the mail tests must run.
package mailtest

import (
	"encoding/json"
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
func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Start runs a Mailpit for the test and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := binary()
	if bin == "" {
		msg := "mailpit not found: install it with `go install github.com/axllent/mailpit@v1.33.1` (make test does) to run the mail tests"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	s := &Server{SMTP: freePort(t)}
	web := freePort(t)
	s.API = "http://" + web
	log, err := os.Create(filepath.Join(dir, "mailpit.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-s", s.SMTP, "--listen", web, "--database", filepath.Join(dir, "mailpit.db"),
		"--max", "0", "--disable-version-check", "--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--quiet")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting mailpit: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		log.Close()
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(s.API + "/api/v1/messages?limit=1")
		if err == nil {
			res.Body.Close()
			if c, err := net.Dial("tcp", s.SMTP); err == nil {
				c.Close()
				return s
			}
		}
		select {
		case <-exited:
			b, _ := os.ReadFile(log.Name())
			t.Fatalf("mailpit exited: %s", b)
		default:
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(log.Name())
			t.Fatalf("mailpit did not answer in 20s: %s", b)
		}
		time.Sleep(50 * time.Millisecond)
	}
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
