package views

import (
	"fmt"
	"strings"

	"github.com/a-h/templ"
	"github.com/skip2/go-qrcode"
)

// qrSVG draws content as a QR code in SVG: crisp at any size, a few hundred
// bytes, and part of the page itself, so it stays visible when the phone is offline.
func qrSVG(content, label string) templ.Component {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		// Only content longer than a QR code holds fails, and card URLs are short.
		return templ.Raw("")
	}
	bits := q.Bitmap()
	var path strings.Builder
	for y, row := range bits {
		for x := 0; x < len(row); x++ {
			if !row[x] {
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&path, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run - 1
		}
	}
	n := len(bits)
	return templ.Raw(fmt.Sprintf(`<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		n, n, templ.EscapeString(label), n, n, path.String()))
}
