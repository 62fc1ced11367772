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
		bits, err := qrBits(content)
		if err != nil {
			// Only content longer than a QR code holds fails, and card URLs are short.
			return templ.Raw("")
		}
		d = qrPath(bits)
		qrCache.Add(content, d)
	}
	return qrDrawn(d, label)
}

// cardQR is the card's code: the modules drawn ahead and kept with the card
// (db.CardQR) when it has them for its address, or drawn now.
func cardQR(c Card, label string) templ.Component {
	// Kept drawings of kept modules share the cache; a NUL, which no
	// address holds, keeps their keys apart.
	key := "\x00" + string(c.QR)
	if d, ok := qrCache.Get(key); ok {
		return qrDrawn(d, label)
	}
	if bits, ok := unpackQR(c.QR); ok {
		d := qrPath(bits)
		qrCache.Add(key, d)
		return qrDrawn(d, label)
	}
	return qrSVG(c.URL, label)
}

// qrDrawn is the SVG of drawing d.
func qrDrawn(d qrDrawing, label string) templ.Component {
	return templ.Raw(fmt.Sprintf(`<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path stroke="#000" d="%s"/></svg>`,
		d.size, d.size, templ.EscapeString(label), d.size, d.size, d.path))
}

// qrBits are the modules of content's QR code, its quiet zone included:
// true is dark.
func qrBits(content string) ([][]bool, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	return q.Bitmap(), nil
}

// QRModules draws content's QR code and packs its modules to keep (the
// server draws every card's ahead: db.DrawMissingQRs): its width, then the
// modules row by row, eight to a byte. A card's is about 250 bytes.
func QRModules(content string) ([]byte, error) {
	bits, err := qrBits(content)
	if err != nil {
		return nil, err
	}
	size := len(bits)
	if size > 255 {
		return nil, fmt.Errorf("a QR code of %d modules is wider than a kept one", size)
	}
	packed := make([]byte, 1+(size*size+7)/8)
	packed[0] = byte(size)
	for y, row := range bits {
		for x, dark := range row {
			if dark {
				i := y*size + x
				packed[1+i/8] |= 1 << (i % 8)
			}
		}
	}
	return packed, nil
}

// unpackQR reads QRModules' packing; false when there is none or it is damaged.
func unpackQR(packed []byte) ([][]bool, bool) {
	if len(packed) < 1 {
		return nil, false
	}
	size := int(packed[0])
	if size == 0 || len(packed) != 1+(size*size+7)/8 {
		return nil, false
	}
	bits := make([][]bool, size)
	for y := range bits {
		bits[y] = make([]bool, size)
		for x := range bits[y] {
			i := y*size + x
			bits[y][x] = packed[1+i/8]&(1<<(i%8)) != 0
		}
	}
	return bits, true
}

// qrPath draws the modules bits as one SVG path.
//
// Each row's runs of dark modules are strokes one module wide along the
// row's middle: "M x y.5 h run" for the first, then "m gap 0 h run" from
// the end of the one before. It is half the bytes of a filled rectangle a
// run ("M x y h run v1 h -run z"), and the QR code was two fifths of a card
// page. Written with strconv: formatting each run with fmt cost a quarter
// of the drawing.
func qrPath(bits [][]bool) qrDrawing {
	path := make([]byte, 0, 2048)
	for y, row := range bits {
		end := -1 // where the row's last run ended; -1 before its first
		for x := 0; x < len(row); x++ {
			if !row[x] {
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			if end < 0 {
				path = append(path, 'M')
				path = strconv.AppendInt(path, int64(x), 10)
				path = append(path, ' ')
				path = strconv.AppendInt(path, int64(y), 10)
				path = append(path, ".5"...)
			} else {
				path = append(path, 'm')
				path = strconv.AppendInt(path, int64(x-end), 10)
				path = append(path, " 0"...)
			}
			path = append(path, 'h')
			path = strconv.AppendInt(path, int64(run), 10)
			x += run - 1
			end = x + 1
		}
	}
	return qrDrawing{size: len(bits), path: string(path)}
}
