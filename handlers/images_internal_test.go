package handlers

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
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
