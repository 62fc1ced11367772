// Package static embeds the CSS, scripts, icons and vendored libraries.
package static

import "embed"

//go:embed css js vendor sw.js *.png
var FS embed.FS
