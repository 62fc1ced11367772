package views

import (
	"fmt"
	"strconv"

	"github.com/a-h/templ"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/skip2/go-qrcode"
)

// qrCache keeps the drawings of recently shown codes: drawing one costs more
// than the rest of a card page, and a customer opens the same card again and
// again. An entry is a few kilobytes.
var qrCache, _ = lru.New[string, qrDrawing](2048)

// qrDrawing is a QR code's modules as one SVG path, size × size modules.
type qrDrawing struct {
	size int
	path string
}

// qrSVG draws content as a QR code in SVG: crisp at any size, a few hundred
// bytes, and part of the page itself, so it stays visible when the phone is offline.
func qrSVG(content, label string) templ.Component {
	d, ok := qrCache.Get(content)
	if !ok {
		var err error
		if d, err = drawQR(content); err != nil {
			// Only content longer than a QR code holds fails, and card URLs are short.
			return templ.Raw("")
		}
		qrCache.Add(content, d)
	}
	return templ.Raw(fmt.Sprintf(`<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		d.size, d.size, templ.EscapeString(label), d.size, d.size, d.path))
}

func drawQR(content string) (qrDrawing, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return qrDrawing{}, err
	}
	bits := q.Bitmap()
	// One "M x y h run v1 h -run z" per run of dark modules in a row, written
	// with strconv: formatting each run with fmt cost a quarter of the drawing.
	path := make([]byte, 0, 4096)
	for y, row := range bits {
		for x := 0; x < len(row); x++ {
			if !row[x] {
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			path = append(path, 'M')
			path = strconv.AppendInt(path, int64(x), 10)
			path = append(path, ' ')
			path = strconv.AppendInt(path, int64(y), 10)
			path = append(path, 'h')
			path = strconv.AppendInt(path, int64(run), 10)
			path = append(path, "v1h-"...)
			path = strconv.AppendInt(path, int64(run), 10)
			path = append(path, 'z')
			x += run - 1
		}
	}
	return qrDrawing{size: len(bits), path: string(path)}, nil
}
