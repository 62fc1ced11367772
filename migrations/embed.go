// Package migrations embeds the numbered SQL migrations applied at start-up.
// A released migration is never edited; changes come as a new numbered file.
package migrations

import "embed"

//go:embed *.sql
var FS embed.FS
