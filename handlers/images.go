package handlers

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // WebP uploads; PNG and JPEG decoders come with their encoders
)

// Image upload limits: the request, the file, and the memory its decoded
// pixels take. A small file can decode to a lot: 4000×4000 pixels of 16-bit
// colour are 128 MB, from 130 KB of PNG.
const (
	maxImageRequest = "1100K"
	maxImageBytes   = 1 << 20
	maxImageMemory  = 48 << 20 // a 12-megapixel photo fits
)

// decoding lets one image decode at a time, so that uploads sent together
// cannot add up their memory.
var decoding = make(chan struct{}, 1)

var (
	errNoUpload       = errors.New("no file uploaded")
	errUploadTooLarge = errors.New("uploaded file too large")
	errImage          = errors.New("not a usable image")
)

// readUpload reads the form's file field, at most maxImageBytes of it.
func readUpload(c echo.Context, field string) ([]byte, error) {
	fh, err := c.FormFile(field)
	if err != nil || fh.Size == 0 { // no file, or not a multipart form at all
		return nil, errNoUpload
	}
	if fh.Size > maxImageBytes {
		return nil, errUploadTooLarge
	}
	file, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer file.Close()
	raw, err := io.ReadAll(io.LimitReader(file, maxImageBytes+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxImageBytes {
		return nil, errUploadTooLarge
	}
	return raw, nil
}

// normalizeImage accepts PNG, JPEG or WebP by their content (not their
// name), refuses images whose size would make decoding costly, scales the
// image to fit side and re-encodes it, so that nothing uploaded is served as-is.
func normalizeImage(raw []byte, side int, encode func(io.Writer, *image.NRGBA) error) ([]byte, error) {
	switch http.DetectContentType(raw) {
	case "image/png", "image/jpeg", "image/webp":
	default:
		return nil, errImage
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil || cfg.Width < 1 || cfg.Height < 1 || decodeMemory(cfg, format, raw) > maxImageMemory {
		return nil, errImage
	}
	decoding <- struct{}{}
	defer func() { <-decoding }()
	img, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, errImage
	}
	w, h := cfg.Width, cfg.Height
	if w > side || h > side {
		if w >= h {
			w, h = side, max(1, h*side/w)
		} else {
			w, h = max(1, w*side/h), side
		}
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
	var out bytes.Buffer
	if err := encode(&out, dst); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// decodeMemory is the most memory decoding the image takes: its pixels, and
// what its decoder keeps besides them.
func decodeMemory(cfg image.Config, format string, raw []byte) int64 {
	perPixel := bytesPerPixel(cfg.ColorModel)
	switch {
	case format == "jpeg" && progressiveJPEG(raw):
		// every coefficient until the last scan: 4 bytes for each byte of pixel
		perPixel *= 5
	case format == "webp" && cfg.ColorModel == color.NRGBAModel:
		// lossless: the pixels as ARGB words first
		perPixel *= 2
	}
	return int64(cfg.Width) * int64(cfg.Height) * perPixel
}

// progressiveJPEG reports whether a JPEG's frame header is progressive
// (SOF2), reading the segments before it.
func progressiveJPEG(raw []byte) bool {
	for i := 2; i+4 <= len(raw) && raw[i] == 0xff; {
		switch m := raw[i+1]; {
		case m == 0xff: // fill byte
			i++
			continue
		case m == 0xc2:
			return true
		case m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc, m == 0xda, m == 0xd9:
			return false // another frame type, or no frame before the data
		}
		i += 2 + int(raw[i+2])<<8 + int(raw[i+3])
	}
	return false
}

// bytesPerPixel is the most memory a pixel of the colour model takes decoded;
// a model not listed counts as the largest.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3 // without chroma subsampling
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel, color.NYCbCrAModel:
		return 4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

func encodePNG(w io.Writer, img *image.NRGBA) error { return png.Encode(w, img) }

// encodeJPEG flattens transparency onto white: photos are smaller as JPEG.
func encodeJPEG(w io.Writer, img *image.NRGBA) error {
	flat := image.NewRGBA(img.Bounds())
	draw.Draw(flat, flat.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(flat, flat.Bounds(), img, img.Bounds().Min, draw.Over)
	return jpeg.Encode(w, flat, &jpeg.Options{Quality: 80})
}
