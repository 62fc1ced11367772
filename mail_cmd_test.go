package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestMailSettingsRefused: a server told to send e-mail that it could not
// send, or whose links would lead nowhere, refuses to start and says why.
func TestMailSettingsRefused(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		flags []string
		err   string
	}{
		{"no public URL", []string{"-smtp-url", "smtp://mail.example", "-smtp-from", "cards@example.com"}, "e-mail needs -base-url"},
		{"no sender", []string{"-smtp-url", "smtp://mail.example", "-base-url", "https://loyal.example"}, "no sender address"},
		{"another scheme", []string{"-smtp-url", "http://mail.example", "-smtp-from", "cards@example.com", "-base-url", "https://loyal.example"}, "the scheme must be smtp"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"serve", "-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "r.db")}, tt.flags...)
			var out, errs bytes.Buffer
			if code := run(context.Background(), args, nil, &out, &errs); code != 1 || !strings.Contains(errs.String(), tt.err) {
				t.Errorf("exit %d, stderr:\n%s\nwant 1 and %q", code, errs.String(), tt.err)
			}
		})
	}
}
