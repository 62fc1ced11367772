package handlers_test

import (
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"regulars/db/dbtest"
)

// TestDiskFull fills the disk under a stamp: no file of the process may
// grow any more, as on a full disk (the write-ahead log must grow to take a
// commit). The cashier gets a plain 503 saying that the server cannot save,
// the card is untouched, and /healthz fails; when space returns, the same
// stamp goes through and /healthz is ok again.
//
// Not parallel: the limit on file sizes is the whole process's, so no other
// test may write meanwhile.
func TestDiskFull(t *testing.T) {
	path := dbtest.Path(t)
	e := newEnvAt(t, path, bcrypt.MinCost)
	owner := e.signup("Full", "owner@full.example")
	cashier := e.addCashier(owner, "cashier@full.example")
	cardPath := cashier.enroll("Ayşe")
	page := cashier.get(cardPath)
	if res := e.client().get("/healthz"); res.status != http.StatusOK {
		t.Fatalf("healthz before the disk fills: %d", res.status)
	}
	before := e.snapshot()

	wal, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	full := syscall.Rlimit{Cur: uint64(wal.Size()), Max: old.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &full); err != nil {
		t.Skipf("cannot limit file sizes here: %v", err)
	}
	stamp := cashier.submit(page, `[data-testid="stamp-1"]`, nil)
	health := e.client().get("/healthz")
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}

	if stamp.status != http.StatusServiceUnavailable || !strings.Contains(stamp.body, "cannot save right now") {
		t.Errorf("stamp on a full disk: status %d, want 503 saying the server cannot save\n%s", stamp.status, snippet(stamp.body))
	}
	if health.status != http.StatusServiceUnavailable {
		t.Errorf("healthz on a full disk: %d, want 503", health.status)
	}
	if e.snapshot() != before {
		t.Error("the refused stamp changed the database")
	}

	stamp = cashier.submit(page, `[data-testid="stamp-1"]`, nil)
	if stamp.status != http.StatusSeeOther {
		t.Errorf("stamp once space returned: %d\n%s", stamp.status, snippet(stamp.body))
	}
	if res := e.client().get("/healthz"); res.status != http.StatusOK {
		t.Errorf("healthz once space returned: %d", res.status)
	}
}
