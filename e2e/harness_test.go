package e2e

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/skip2/go-qrcode"
)

// tabTimeout bounds everything a single test does in its browser tab, so a
// selector that never matches fails the test instead of hanging until
// `go test -timeout` kills the whole package without a screenshot.
const tabTimeout = 90 * time.Second

// chromiumPath returns the browser binary to drive. REGULARS_CHROMIUM wins so
// a developer can point at a specific build. A missing browser skips the test
// locally (the Go-only suite stays runnable anywhere) but fails it on CI,
// where a silent skip would hide that the browser tests never ran.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("REGULARS_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("chromium not found on PATH (tried chromium, chromium-browser, google-chrome; REGULARS_CHROMIUM is unset): the browser tests must run on CI, install it with `apt-get install chromium`")
	}
	t.Skip("chromium not found: install it with `apt-get install chromium` (make test does this on Debian) to run the browser tests")
	return ""
}

// browserOptions describes the device a test emulates.
type browserOptions struct {
	Width, Height int    // viewport in CSS pixels; 0 keeps Chromium's default
	Mobile        bool   // mobile viewport and touch events
	FakeVideo     string // absolute path to a .y4m served as the camera, or ""
}

// newBrowser starts a fresh headless Chromium for one test and returns a tab
// context that expires after tabTimeout. Each test gets its own process and
// profile so cookies, storage and camera permissions never leak between tests.
// The browser is shut down, and its profile removed, when the test ends.
func newBrowser(t *testing.T, o browserOptions) context.Context {
	t.Helper()
	// The defaults already give headless, no-first-run,
	// disable-background-networking and disable-sync, plus Puppeteer's
	// anti-throttling flags that keep timers running in a headless tab.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		// Containers and CI usually run as root, where Chromium refuses to
		// start with its sandbox enabled.
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		// Keep the browser from fetching components and speaking QUIC to
		// Google: it makes runs slower and noisier, and tests must only
		// talk to the server under test.
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		// t.TempDir is registered before the cleanup below, so it is removed
		// only after the browser process has exited.
		chromedp.UserDataDir(t.TempDir()),
	)
	if o.FakeVideo != "" {
		opts = append(opts,
			// Grant the camera permission without a prompt and replace the
			// (absent) camera by a file that loops forever.
			chromedp.Flag("use-fake-ui-for-media-stream", true),
			chromedp.Flag("use-fake-device-for-media-stream", true),
			chromedp.Flag("use-file-for-fake-video-capture", o.FakeVideo),
		)
	}

	logf := testLogf(t)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithErrorf(logf))
	t.Cleanup(func() {
		// Browser.close lets Chromium stop its helper processes before the
		// profile directory is removed; cancelling alone kills only the main
		// process, and a helper still writing then fails the TempDir cleanup.
		if err := chromedp.Cancel(tabCtx); err != nil {
			t.Logf("closing browser: %v", err)
		}
		cancelTab()
		cancelAlloc() // waits for the allocator's goroutines
	})
	chromedp.ListenTarget(tabCtx, func(ev any) { logBrowserEvent(logf, ev) })

	// The first Run starts the browser, which lives as long as the context
	// of that Run. It therefore uses tabCtx, not the timeout context: a test
	// that times out still has a live browser for run's failure screenshot.
	if err := chromedp.Run(tabCtx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}

	ctx, cancelTimeout := context.WithTimeout(tabCtx, tabTimeout)
	t.Cleanup(cancelTimeout)

	var emulate []chromedp.EmulateViewportOption
	if o.Mobile {
		emulate = append(emulate, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	run(t, ctx, chromedp.EmulateViewport(int64(o.Width), int64(o.Height), emulate...))
	return ctx
}

// testLogf returns a t.Logf that becomes a no-op once the browser has been
// shut down. chromedp calls it from its own goroutines, and a late event
// would otherwise make t.Logf panic with "Log in goroutine after Test has
// completed".
func testLogf(t *testing.T) func(format string, args ...any) {
	var (
		mu   sync.Mutex
		done bool
	)
	// Registered before newBrowser's cleanups, so it runs after them:
	// teardown errors are still logged, but nothing after the test ends.
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		done = true
	})
	return func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			t.Logf(format, args...)
		}
	}
}

// logBrowserEvent forwards what a developer would look for in the DevTools
// console (console.error calls, uncaught exceptions and failed loads such as
// 404s) to the test log, so a failing test explains itself.
func logBrowserEvent(logf func(string, ...any), ev any) {
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.APITypeError && ev.Type != runtime.APITypeWarning {
			return
		}
		args := make([]string, 0, len(ev.Args))
		for _, a := range ev.Args {
			args = append(args, remoteObjectString(a))
		}
		logf("browser console.%s: %s", ev.Type, strings.Join(args, " "))
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg = d.Exception.Description // includes the stack trace
		}
		logf("browser uncaught exception at %s:%d:%d: %s", d.URL, d.LineNumber+1, d.ColumnNumber+1, msg)
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.LevelError {
			logf("browser log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		}
	}
}

// remoteObjectString renders a console.* argument roughly like DevTools does:
// primitives by value, objects and errors by their description.
func remoteObjectString(o *runtime.RemoteObject) string {
	switch {
	case o.UnserializableValue != "":
		return string(o.UnserializableValue)
	case len(o.Value) > 0:
		return strings.Trim(string(o.Value), `"`)
	case o.Description != "":
		return o.Description
	default:
		return string(o.Type)
	}
}

// writeQRY4M writes a Y4M video showing a QR code of content, centred on a
// white 640×480 frame, and returns its absolute path. Chromium plays it as the
// camera (browserOptions.FakeVideo), which lets tests exercise the real
// getUserMedia + QR decoding path.
func writeQRY4M(t *testing.T, content string) string {
	t.Helper()
	const qrSize = 360
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		t.Fatalf("encoding QR code for %q: %v", content, err)
	}
	// Scale by a whole number of pixels per module (Bitmap includes the quiet
	// zone): uneven module sizes make decoders needlessly work harder.
	return writeImageY4M(t, q.Image(-max(1, qrSize/len(q.Bitmap()))))
}

// writeImageY4M writes a Y4M video of img centred on a white 640×480 frame
// and returns its absolute path. Chromium's fake capture device reads only
// Y4M and MJPEG files; raw Y4M needs no encoder.
func writeImageY4M(t *testing.T, img image.Image) string {
	t.Helper()
	const (
		width, height = 640, 480
		// One second at 30 fps; the image is static, the frames only give
		// Chromium's player a sensible loop length.
		frames = 30
	)
	b := img.Bounds()
	if b.Dx() > width || b.Dy() > height {
		t.Fatalf("an image of %v does not fit the camera's frame", b.Size())
	}
	rgba := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(rgba, rgba.Bounds(), image.White, image.Point{}, draw.Src)
	offset := image.Pt((width-b.Dx())/2, (height-b.Dy())/2)
	draw.Draw(rgba, b.Sub(b.Min).Add(offset), img, b.Min, draw.Over)
	frame := toYCbCr420(rgba)

	path := filepath.Join(t.TempDir(), "camera.y4m")
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("creating %s: %v", path, err)
	}
	w := bufio.NewWriter(f)
	// C420jpeg is 4:2:0 with chroma centred between luma samples, which is
	// what averaging each 2×2 block produces.
	fmt.Fprintf(w, "YUV4MPEG2 W%d H%d F30:1 Ip A1:1 C420jpeg\n", width, height)
	for range frames {
		// The image has no padding (stride == width), so each plane is
		// exactly the bytes Y4M expects.
		w.WriteString("FRAME\n")
		w.Write(frame.Y)
		w.Write(frame.Cb)
		w.Write(frame.Cr)
	}
	// bufio.Writer keeps the first write error and returns it from Flush.
	if err := w.Flush(); err != nil {
		f.Close()
		t.Fatalf("writing %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("closing %s: %v", path, err)
	}
	return path
}

// toYCbCr420 converts img, whose width and height must be even and whose
// bounds must start at the origin, to planar 4:2:0: full-resolution luma and
// one chroma sample per 2×2 block, the average of its four pixels.
func toYCbCr420(img *image.RGBA) *image.YCbCr {
	b := img.Bounds()
	out := image.NewYCbCr(b, image.YCbCrSubsampleRatio420)
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			var sumCb, sumCr int
			for _, p := range [4]image.Point{{x, y}, {x + 1, y}, {x, y + 1}, {x + 1, y + 1}} {
				c := img.RGBAAt(p.X, p.Y)
				yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
				out.Y[out.YOffset(p.X, p.Y)] = yy
				sumCb += int(cb)
				sumCr += int(cr)
			}
			i := out.COffset(x, y)
			out.Cb[i] = uint8((sumCb + 2) / 4) // +2 rounds to nearest
			out.Cr[i] = uint8((sumCr + 2) / 4)
		}
	}
	return out
}

// screenshot saves a full-page PNG of the tab as <name>.png in the test's
// artifact directory: kept under -outputdir when go test runs with -artifacts
// (make test keeps them in test-output/), removed after the test otherwise.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	path, err := saveScreenshot(ctx, t.ArtifactDir(), name)
	if err != nil {
		t.Fatalf("screenshot %q: %v", name, err)
	}
	t.Logf("screenshot: %s", path)
}

// saveScreenshot does the work of screenshot, returning errors so that run
// can report the original failure even when the screenshot fails too.
func saveScreenshot(ctx context.Context, dir, name string) (string, error) {
	var buf []byte
	// Quality 100 is what makes Chromium encode a PNG (anything lower gives a
	// JPEG), and it keeps small text legible.
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&buf, 100)); err != nil {
		return "", err
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// run runs actions in the tab and, on error, fails the test with the page's
// URL and a screenshot of what the browser showed at that moment.
func run(t *testing.T, ctx context.Context, actions ...chromedp.Action) {
	t.Helper()
	err := chromedp.Run(ctx, actions...)
	if err == nil {
		return
	}
	// ctx is often the reason for the failure (its deadline passed), so
	// gather diagnostics on a context that keeps the tab but not the expired
	// deadline.
	diagCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var url string
	if lerr := chromedp.Run(diagCtx, chromedp.Location(&url)); lerr != nil {
		url = fmt.Sprintf("unknown (%v)", lerr)
	}
	shot, serr := saveScreenshot(diagCtx, t.ArtifactDir(), "failure")
	if serr != nil {
		shot = fmt.Sprintf("none (%v)", serr)
	}
	t.Fatalf("browser actions failed at %s: %v\nscreenshot: %s", url, err, shot)
}
