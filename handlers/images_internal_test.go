package handlers

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
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
		out, err := normalizeImage(raw, side, encodePNG)
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
