package handlers

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"sync/atomic"
	"testing"
	"time"
)

// frameJPEG is the start of a JPEG whose frame header has marker sof and
// claims w×h pixels of three components: as much as DecodeConfig reads.
func frameJPEG(sof byte, w, h int) []byte {
	b := []byte{0xff, 0xd8, 0xff, 0xe0, 0, 4, 'x', 'x', 0xff, 0xff} // SOI, an APP0 segment, a fill byte
	return append(b, 0xff, sof, 0, 17, 8, byte(h>>8), byte(h), byte(w>>8), byte(w), 3,
		1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1)
}

func TestDecodeMemory(t *testing.T) {
	t.Parallel()
	var baseline bytes.Buffer
	jpeg.Encode(&baseline, image.NewRGBA(image.Rect(0, 0, 8, 8)), nil)
	for _, tt := range []struct {
		name        string
		raw         []byte
		progressive bool
	}{
		{"encoded baseline", baseline.Bytes(), false},
		{"baseline frame", frameJPEG(0xc0, 2000, 2000), false},
		{"progressive frame", frameJPEG(0xc2, 2000, 2000), true},
		{"truncated", []byte{0xff, 0xd8, 0xff}, false},
		{"segment length past the end", []byte{0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff, 0xff, 0xc2}, false},
	} {
		if got := progressiveJPEG(tt.raw); got != tt.progressive {
			t.Errorf("%s: progressive %v, want %v", tt.name, got, tt.progressive)
		}
	}
	// A 2000×2000 progressive photo keeps 60 MB while decoding: refused; the
	// same photo baseline takes 12 MB.
	cfg := image.Config{ColorModel: color.YCbCrModel, Width: 2000, Height: 2000}
	if got := decodeMemory(cfg, "jpeg", frameJPEG(0xc2, 2000, 2000)); got != 60_000_000 || got <= maxImageMemory {
		t.Errorf("progressive 2000×2000: %d bytes, want 60000000, over the limit", got)
	}
	if got := decodeMemory(cfg, "jpeg", frameJPEG(0xc0, 2000, 2000)); got != 12_000_000 {
		t.Errorf("baseline 2000×2000: %d bytes, want 12000000", got)
	}
	if got := decodeMemory(image.Config{ColorModel: color.NRGBA64Model, Width: 4000, Height: 4000}, "png", nil); got <= maxImageMemory {
		t.Errorf("16-bit 4000×4000: %d bytes, under the limit", got)
	}
	if got := decodeMemory(image.Config{ColorModel: color.NRGBAModel, Width: 100, Height: 100}, "webp", nil); got != 80_000 {
		t.Errorf("lossless webp 100×100: %d bytes, want 80000", got)
	}
}

// FuzzNormalizeImage: no upload makes the reader fail other than by refusing
// it, and what it accepts comes out as a fresh PNG no larger than asked.
func FuzzNormalizeImage(f *testing.F) {
	img := image.NewNRGBA(image.Rect(0, 0, 40, 20))
	img.Set(3, 4, color.NRGBA{R: 200, A: 255})
	var p, j, g bytes.Buffer
	png.Encode(&p, img)
	jpeg.Encode(&j, img, nil)
	gif.Encode(&g, img, nil)
	f.Add(p.Bytes())
	f.Add(j.Bytes())
	f.Add(g.Bytes())
	f.Add(p.Bytes()[:len(p.Bytes())/2])
	f.Add(append(bytes.Clone(p.Bytes()), []byte("<script>alert(1)</script>")...))
	f.Add(frameJPEG(0xc2, 4000, 4000))
	f.Add([]byte("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"))
	const side = 32
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, err := normalizeImage(context.Background(), 1, raw, side, encodePNG)
		if err != nil {
			return
		}
		got, format, err := image.Decode(bytes.NewReader(out))
		if err != nil || format != "png" {
			t.Fatalf("accepted image re-encoded as %q: %v", format, err)
		}
		if b := got.Bounds(); b.Dx() > side || b.Dy() > side || b.Dx() < 1 || b.Dy() < 1 {
			t.Fatalf("re-encoded image is %v, want within %d×%d", b, side, side)
		}
	})
}

func testPNG(w, h int) []byte {
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h)))
	return b.Bytes()
}

// TestImageSlotsPerShop: a shop whose upload decodes slowly holds its own
// slot, not the server's others: the next upload of that shop waits, another
// shop's goes through (issue 15: another shop's 100-byte logo waited 26.6 s).
func TestImageSlotsPerShop(t *testing.T) {
	t.Parallel()
	started, unblock := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	slots := newImageSlots(maxDecoding, func(r io.Reader) (image.Image, string, error) {
		if calls.Add(1) == 1 {
			close(started)
			<-unblock // a decoder that reads nothing for a long time
		}
		return image.Decode(r)
	})
	raw := testPNG(40, 40)
	slow := make(chan error, 1)
	go func() {
		_, err := slots.normalize(context.Background(), 1, raw, 32, encodePNG)
		slow <- err
	}()
	<-started
	// Shop 1's next upload waits for shop 1's slot, until its client gives up.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := slots.normalize(ctx, 1, raw, 32, encodePNG); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("shop 1's second upload while its first decodes: %v, want to wait", err)
	}
	// Shop 2's upload does not wait for shop 1's: shop 1's decoding is held
	// until the test lets it go, so an upload queued behind it would be
	// told to try again instead of succeeding.
	if _, err := slots.normalize(context.Background(), 2, raw, 32, encodePNG); err != nil {
		t.Fatalf("shop 2's upload: %v", err)
	}
	close(unblock)
	if err := <-slow; err != nil {
		t.Fatalf("shop 1's slow upload: %v", err)
	}
	if n := len(slots.shops); n != 0 {
		t.Errorf("%d shop slots left after every upload ended", n)
	}
}

// TestImageDecodingStopsWhenCancelled: decoding stops at the decoder's next
// read once the request is cancelled, the answer comes at once and the slot
// is free for the next upload (issue 15: decoding went on after the client
// hung up). The PNG decoder is the real one.
func TestImageDecodingStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var read atomic.Int64
	slots := newImageSlots(1, func(r io.Reader) (image.Image, string, error) {
		cancel() // the client hangs up as decoding starts
		return image.Decode(countingReader{r, &read})
	})
	raw := testPNG(2000, 2000)
	if _, err := slots.normalize(ctx, 1, raw, 32, encodePNG); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled upload: %v, want context.Canceled", err)
	}
	if n := read.Load(); n != 0 {
		t.Errorf("the decoder read %d bytes after the request was cancelled", n)
	}
	slots.decode = image.Decode
	next, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if _, err := slots.normalize(next, 1, raw, 32, encodePNG); err != nil {
		t.Errorf("the next upload of the shop: %v (the cancelled one kept the slot?)", err)
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestImageWorkIsBounded: a decoder still reading when the time for one image
// is up is stopped, and the upload refused as too slow.
func TestImageWorkIsBounded(t *testing.T) {
	t.Parallel()
	slots := newImageSlots(1, func(r io.Reader) (image.Image, string, error) {
		var b [1]byte
		for {
			if _, err := r.Read(b[:]); err != nil {
				return nil, "", err
			}
			time.Sleep(time.Millisecond) // the 46 KB PNG, in slow motion
		}
	})
	slots.work = 200 * time.Millisecond
	_, err := slots.normalize(context.Background(), 1, testPNG(2000, 2000), 32, encodePNG)
	if !errors.Is(err, errImageSlow) {
		t.Fatalf("slow decoding: %v, want errImageSlow", err)
	}
}
