package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// server is the real binary, serving one database file on a loopback port.
type server struct {
	url  string
	cmd  *exec.Cmd
	once sync.Once
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startProcess starts a server command (args after the address flag) and
// returns once /healthz answers 200, with how long that took from the start.
func startProcess(name string, args ...string) (*server, time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.Command(name, append(args, "-addr", addr)...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	s := &server{url: "http://" + addr, cmd: cmd}
	probe := &http.Client{Timeout: time.Second}
	for time.Since(start) < time.Minute {
		res, err := probe.Get(s.url + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, time.Since(start), nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	s.stop()
	return nil, 0, fmt.Errorf("%s did not answer /healthz within a minute", name)
}

// startServer runs the regulars binary on the database file db.
func startServer(bin, db string) (*server, time.Duration, error) {
	return startProcess(bin, "serve", "-db", db)
}

// stop ends the server as an operator would, and waits for it.
// A server stopped already is left as it is.
func (s *server) stop() {
	s.once.Do(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		s.cmd.Wait()
	})
}

// memory reads the server's peak and current resident memory in bytes.
func (s *server) memory() (peak, now int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmHWM":
			peak = kb << 10
		case "VmRSS":
			now = kb << 10
		}
	}
	return peak, now, sc.Err()
}

// session is a signed-in person's cookies and CSRF token, for requests the
// load workers build themselves.
type session struct {
	cookie string
	csrf   string
}

// login signs in through the login form, as a browser does.
func (s *server) login(email, password string) (session, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	csrf, err := pageToken(c, s.url+"/login")
	if err != nil {
		return session{}, err
	}
	res, err := c.PostForm(s.url+"/login", url.Values{"_csrf": {csrf}, "email": {email}, "password": {password}})
	if err != nil {
		return session{}, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return session{}, fmt.Errorf("login %s: %d", email, res.StatusCode)
	}
	// A signed-in page's token is bound to the new session.
	if csrf, err = pageToken(c, s.url+"/account"); err != nil {
		return session{}, err
	}
	u, _ := url.Parse(s.url)
	var parts []string
	for _, ck := range jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	return session{cookie: strings.Join(parts, "; "), csrf: csrf}, nil
}

var tokenField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// pageToken returns the CSRF token of the forms of the page at url.
func pageToken(c *http.Client, url string) (string, error) {
	res, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	m := tokenField.FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("%s: %d, no form token", url, res.StatusCode)
	}
	return string(m[1]), nil
}

// get builds a GET request carrying the session.
func (ss session) get(url string) *http.Request {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if ss.cookie != "" {
		req.Header.Set("Cookie", ss.cookie)
	}
	return req
}

// post builds a form POST carrying the session and its CSRF token.
func (ss session) post(url string, form url.Values) *http.Request {
	form.Set("_csrf", ss.csrf)
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", ss.cookie)
	return req
}
