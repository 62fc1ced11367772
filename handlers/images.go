package handlers

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // WebP uploads; PNG and JPEG decoders come with their encoders
)

// Image upload limits: the request, the file, and the pixels decoded (a
// small file can claim huge dimensions).
const (
	maxImageRequest = "1100K"
	maxImageBytes   = 1 << 20
	maxImagePixels  = 4096 * 4096
)

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
	cfg, _, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil || cfg.Width < 1 || cfg.Height < 1 || cfg.Width*cfg.Height > maxImagePixels {
		return nil, errImage
	}
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

func encodePNG(w io.Writer, img *image.NRGBA) error { return png.Encode(w, img) }

// encodeJPEG flattens transparency onto white: photos are smaller as JPEG.
func encodeJPEG(w io.Writer, img *image.NRGBA) error {
	flat := image.NewRGBA(img.Bounds())
	draw.Draw(flat, flat.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(flat, flat.Bounds(), img, img.Bounds().Min, draw.Over)
	return jpeg.Encode(w, flat, &jpeg.Options{Quality: 80})
}
