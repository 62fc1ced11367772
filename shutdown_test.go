package main

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"regulars/db/dbtest"
)

// TestShutdownAnswersEveryRequest queues writes behind a lock that another
// process holds and does not let go, then stops the server as SIGTERM does:
// every request accepted is answered (a 503 at its deadline, none cut off),
// and the server ends without an error, the database closed after the
// requests and the worker.
func TestShutdownAnswersEveryRequest(t *testing.T) {
	t.Parallel()
	path := dbtest.Path(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var logs syncBuffer
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() {
		served <- serve(ctx, config{addr: addr, dbPath: path, requestTimeout: time.Second}, slog.New(slog.NewTextHandler(&logs, nil)))
	}()
	healthz := func() int {
		res, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	for deadline := time.Now().Add(20 * time.Second); healthz() != http.StatusOK; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the server did not start:\n%s", logs.String())
		}
	}

	lock, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	conn, err := lock.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK")

	const queued = 4 // /healthz writes: each waits for the writer, then for the lock
	statuses := make(chan int, queued)
	for range queued {
		go func() { statuses <- healthz() }()
	}
	time.Sleep(200 * time.Millisecond)
	stopped := time.Now()
	stop()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("the server ended with %v, want a clean stop", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("the server did not stop within 15 s:\n%s", logs.String())
	}
	t.Logf("stopped %s after the signal", time.Since(stopped).Round(10*time.Millisecond))
	for range queued {
		if s := <-statuses; s != http.StatusServiceUnavailable {
			t.Errorf("a queued request got %d, want 503 (0: cut off)", s)
		}
	}
	if strings.Contains(logs.String(), "database is closed") {
		t.Errorf("something used the database after it closed:\n%s", logs.String())
	}
}

// syncBuffer is a bytes.Buffer that a logger writes from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
