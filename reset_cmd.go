package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"regulars/db"
	"regulars/handlers"
	"regulars/migrations"
)

// runResetPassword lets someone locked out back in: it prints a one-time
// link to choose a new password (their current one works until it is used),
// or, with cfg.passwordStdin, sets the password read from stdin and ends
// their sessions. The server may run meanwhile: each is one write
// transaction on the same file, waiting for the lock like any writer.
func runResetPassword(ctx context.Context, cfg config, stdin io.Reader, out io.Writer) error {
	email := strings.ToLower(strings.TrimSpace(cfg.email))
	if email == "" {
		return errors.New("usage: regulars reset-password [-db regulars.db] -email ADDRESS [-base-url URL | -password-stdin]")
	}
	// Opening a missing file would create an empty database: a mistyped
	// -db says so instead.
	if _, err := os.Stat(cfg.dbPath); err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	var password string
	if cfg.passwordStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read the password from stdin: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
		// The same rule as every password form.
		if len(password) < 10 || len(password) > 72 {
			return fmt.Errorf("the password read from stdin has %d bytes: it needs 10 to 72", len(password))
		}
	}
	store, err := db.Open(ctx, cfg.dbPath, migrations.FS)
	if err != nil {
		return err
	}
	defer store.Close()
	u, stamp, err := signsIn(ctx, store, email)
	if err != nil {
		return err
	}
	now := time.Now()
	if password != "" {
		hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
		if err != nil {
			return fmt.Errorf("hash password: %w", err)
		}
		// No one signed in did it: the audit log names no one.
		if err := store.SetStaffPassword(ctx, u.ShopID, u.ID, stamp, string(hash), 0, now); err != nil {
			return err
		}
		fmt.Fprintf(out, "The password of %s (%s) is set. They are signed out on every device.\n", u.Name, email)
		return nil
	}
	path, hash := handlers.NewInvite()
	if err := store.ReissueInvite(ctx, u.ShopID, u.ID, stamp, hash, now.Add(handlers.InviteValidity), 0, now); err != nil {
		return err
	}
	fmt.Fprintf(out, "Open this link to choose a new password for %s (%s). It works once, until %s; the current password works until then:\n\n",
		u.Name, email, now.Add(handlers.InviteValidity).Format("2006-01-02 15:04 MST"))
	if cfg.baseURL == "" {
		fmt.Fprintf(out, "    %s\n\nPut the server's address before it, e.g. https://loyalty.example.com%s (or give -base-url).\n", path, path)
		return nil
	}
	fmt.Fprintf(out, "    %s%s\n", strings.TrimSuffix(cfg.baseURL, "/"), path)
	return nil
}

// signsIn finds the staff member who signs in with email, and their stamp.
func signsIn(ctx context.Context, store *db.Store, email string) (db.User, string, error) {
	u, err := store.UserByEmail(ctx, email)
	if errors.Is(err, db.ErrNotFound) {
		return u, "", fmt.Errorf("nobody signs in with %s (someone invited who never chose a password gets a new invite link from the shop's owner, on the staff page)", email)
	}
	if err != nil {
		return u, "", err
	}
	staff, err := store.Staff(ctx, u.ShopID)
	if err != nil {
		return u, "", err
	}
	for _, m := range staff {
		if m.ID == u.ID {
			return u, m.Stamp, nil
		}
	}
	return u, "", fmt.Errorf("%s: %w", email, db.ErrNotFound)
}
