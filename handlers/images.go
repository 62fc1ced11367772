package handlers

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // WebP uploads; PNG and JPEG decoders come with their encoders

	"regulars/views"
)

// Image upload limits: the request, the file, the pixels, and the memory
// they take decoded. A small file can decode to a lot: 4000×4000 pixels of
// 16-bit colour are 128 MB from 130 KB of PNG, and a 46 KB PNG of 6900×6900
// grey pixels held the decoder for seconds (issue 15).
//
// A phone's photo is 3 to 10 MB of JPEG (issue 16: a 3.5 MB one was refused
// into a bare error page): it is accepted, since the server scales and
// re-encodes it anyway; the pixel and memory limits are what bound the work.
const (
	maxImageBytes = views.MaxImageBytes
	// maxImageRequest is the file and the form's few fields around it.
	maxImageRequest = maxImageBytes + 64<<10
	maxImageMemory  = 48 << 20 // a 12-megapixel photo fits
	// maxImagePixels bounds the work of one upload: a logo is shown at 256 px
	// and a news picture at 720 px, a phone's 12-megapixel photo fits, and
	// decoding and scaling the largest image allowed takes about half a
	// second of one core.
	maxImagePixels = 16_000_000
	// maxDecoding images decode at once in the whole server, at most one of
	// each shop: one shop's uploads queue behind each other, not another's.
	maxDecoding = 2
	// imageWait is how long an upload waits for its turn before it is told
	// to try again; imageWork bounds decoding, scaling and encoding: half
	// a second of a quiet core for the largest image allowed, many times
	// that on a small server busy with other work, which is no reason to
	// refuse a phone's photo. A binary built with the race detector, which
	// decodes about ten times slower, waits and works that much longer
	// (raceSlowdown): the bounds are for the servers people run.
	imageWait = 10 * time.Second * raceSlowdown
	imageWork = 20 * time.Second * raceSlowdown
)

var (
	errNoUpload       = errors.New("no file uploaded")
	errUploadTooLarge = errors.New("uploaded file too large")
	errImage          = errors.New("not a usable image")
	errImagePixels    = errors.New("image has too many pixels")
	errImageBusy      = errors.New("no free image decoding slot")
	errImageSlow      = errors.New("image took too long to decode")
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

// limitImageUpload bounds the body of the image form posted to path. A body
// over the limit is not read: refused answers it instead, with the form it
// came from, the reason and what was typed (formHead). Browsers send the
// length first; a body without one is cut at the limit.
func limitImageUpload(path string, limit int64, refused echo.HandlerFunc) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if c.Path() != path || req.Method != http.MethodPost {
				return next(c)
			}
			if req.ContentLength > limit {
				return refused(c)
			}
			req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
			return next(c)
		}
	}
}

// maxFormHead is how much of a refused upload is read for its typed fields.
const maxFormHead = 64 << 10

// formHead reads the fields a multipart form sends before its first file,
// within its first maxFormHead bytes, without reading the file: a browser
// sends the fields in the page's order, so the text typed above the file
// input comes back to the owner. It runs where checkForms could not (the
// body was too large to parse), so it makes the same checks.
func (a *App) formHead(c echo.Context) (url.Values, error) {
	req := c.Request()
	v := url.Values{}
	if _, params, err := mime.ParseMediaType(req.Header.Get("Content-Type")); err == nil && params["boundary"] != "" {
		r := multipart.NewReader(io.LimitReader(req.Body, maxFormHead), params["boundary"])
		for {
			part, err := r.NextPart()
			if err != nil || part.FileName() != "" {
				break
			}
			b, err := io.ReadAll(part)
			if err != nil {
				break
			}
			v.Add(part.FormName(), string(b))
		}
	}
	if a.origins.Check(req) != nil || !a.validToken(c, v.Get(csrfField)) {
		return nil, errCSRF
	}
	return v, nil
}

// imageRefusal is the status and message of a refused image; invalid is the
// form's message for a file that is no usable image.
func imageRefusal(err error, invalid string) (int, string) {
	for _, r := range imageRefusals {
		if errors.Is(err, r.err) {
			status := http.StatusUnprocessableEntity
			if r.msgID == "ImageBusy" {
				// A cancelled request has nobody left to read the answer.
				status = http.StatusServiceUnavailable
			}
			return status, r.msgID
		}
	}
	return http.StatusUnprocessableEntity, invalid
}

// imageRefusals are the refusals of images too costly, or of uploads that
// found no turn to decode.
var imageRefusals = []refusal{
	{errImagePixels, "ImageTooManyPixels"},
	{errImageSlow, "ImageTooSlow"},
	{errImageBusy, "ImageBusy"},
	{context.Canceled, "ImageBusy"},
}

// images takes turns at decoding the server's uploads.
var images = newImageSlots(maxDecoding, image.Decode)

// imageSlots lets n images decode at once, one per shop: an upload waits for
// its shop's slot, then for one of the server's.
type imageSlots struct {
	all    chan struct{}
	decode func(io.Reader) (image.Image, string, error) // image.Decode; tests slow it down
	work   time.Duration                                // imageWork; tests shorten it

	mu    sync.Mutex
	shops map[int64]*shopSlot
}

// shopSlot is a shop's one decoding slot, kept while someone uses or waits for it.
type shopSlot struct {
	busy  chan struct{}
	users int
}

func newImageSlots(n int, decode func(io.Reader) (image.Image, string, error)) *imageSlots {
	return &imageSlots{all: make(chan struct{}, n), decode: decode, work: imageWork, shops: map[int64]*shopSlot{}}
}

// acquire waits for the shop's slot and a server slot until ctx ends, and
// returns what gives them back.
func (s *imageSlots) acquire(ctx context.Context, shopID int64) (func(), error) {
	s.mu.Lock()
	shop := s.shops[shopID]
	if shop == nil {
		shop = &shopSlot{busy: make(chan struct{}, 1)}
		s.shops[shopID] = shop
	}
	shop.users++
	s.mu.Unlock()
	leave := func() {
		s.mu.Lock()
		if shop.users--; shop.users == 0 {
			delete(s.shops, shopID)
		}
		s.mu.Unlock()
	}
	select {
	case shop.busy <- struct{}{}:
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	}
	select {
	case s.all <- struct{}{}:
	case <-ctx.Done():
		<-shop.busy
		leave()
		return nil, ctx.Err()
	}
	return func() {
		<-s.all
		<-shop.busy
		leave()
	}, nil
}

// normalizeImage accepts PNG, JPEG or WebP by their content (not their
// name), refuses images whose size would make decoding costly, scales the
// image to fit side and re-encodes it, so that nothing uploaded is served
// as-is. It decodes in the shop's turn, and stops when ctx ends: a client
// that hangs up frees the slot for the next upload.
func normalizeImage(ctx context.Context, shopID int64, raw []byte, side int, encode func(io.Writer, *image.NRGBA) error) ([]byte, error) {
	return images.normalize(ctx, shopID, raw, side, encode)
}

func (s *imageSlots) normalize(ctx context.Context, shopID int64, raw []byte, side int, encode func(io.Writer, *image.NRGBA) error) ([]byte, error) {
	switch http.DetectContentType(raw) {
	case "image/png", "image/jpeg", "image/webp":
	default:
		return nil, errImage
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil || cfg.Width < 1 || cfg.Height < 1 {
		return nil, errImage
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxImagePixels || decodeMemory(cfg, format, raw) > maxImageMemory {
		return nil, errImagePixels
	}
	wait, cancel := context.WithTimeout(ctx, imageWait)
	defer cancel()
	release, err := s.acquire(wait, shopID)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, errImageBusy
	}
	defer release()
	work, cancelWork := context.WithTimeout(ctx, s.work)
	defer cancelWork()
	// The decoder reads through ctxReader, so it stops at its next read once
	// the request is cancelled or out of time.
	img, _, err := s.decode(ctxReader{work, bytes.NewReader(raw)})
	if err := stopped(ctx, work); err != nil {
		return nil, err
	}
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
	if err := stopped(ctx, work); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := encode(&out, dst); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// stopped says why the work on an image must stop: the request was
// cancelled, or the work took too long.
func stopped(request, work context.Context) error {
	switch {
	case request.Err() != nil:
		return request.Err()
	case work.Err() != nil:
		return errImageSlow
	}
	return nil
}

// ctxReader fails its reads once ctx has ended.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
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
