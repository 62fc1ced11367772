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

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
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

// execOptions are the flags of every Chromium the tests start.
func execOptions(path string) []chromedp.ExecAllocatorOption {
	// The defaults already give headless, no-first-run,
	// disable-background-networking and disable-sync, plus Puppeteer's
	// anti-throttling flags that keep timers running in a headless tab.
	return append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		// Containers and CI usually run as root, where Chromium refuses to
		// start with its sandbox enabled.
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		// Keep the browser from fetching components and speaking QUIC to
		// Google: it makes runs slower and noisier, and tests must only
		// talk to the server under test.
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
	)
}

// shared is the one Chromium process of the tests without a camera. Starting
// a browser costs one to three seconds of a small machine's CPU, some thirty
// times a run, and the tests running side by side paid for each other's; a
// tab in a browser context of its own (an incognito-like profile) isolates
// a test just as well. It is started by the first test that needs it and
// shut down by TestMain.
var shared struct {
	once sync.Once
	// ctx is the browser's first tab, kept open and never driven: the tests'
	// tabs are made from it. It is done once the browser has gone away.
	ctx  context.Context
	err  error  // why the browser did not start
	stop func() // closes the browser and waits for it to exit
}

// TestMain shuts the shared browser down once every test has run: its process
// and its temporary profile would otherwise outlive the test binary.
func TestMain(m *testing.M) {
	code := m.Run()
	if shared.stop != nil {
		shared.stop()
	}
	os.Exit(code)
}

// startSharedBrowser starts the shared Chromium. chromedp's own errors (not
// the pages') cannot be told apart by tab in a shared browser, so they go to
// the binary's standard error instead of a test's log.
func startSharedBrowser(path string) {
	// No UserDataDir: chromedp makes a temporary profile and removes it once
	// the browser has exited. The browser contexts of the tests keep their
	// cookies, storage and service workers in memory and never write to it.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), execOptions(path)...)
	errorf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "shared chromium: "+format+"\n", args...)
	}
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithErrorf(errorf))
	stop := func() {
		// Browser.close lets Chromium stop its helper processes and exit
		// before the profile directory is removed; cancelling alone kills
		// only the main process.
		if started(ctx) && !browserGone(ctx) {
			cctx, ccancel := context.WithTimeout(ctx, 10*time.Second)
			defer ccancel()
			if err := chromedp.Cancel(cctx); err != nil {
				fmt.Fprintf(os.Stderr, "closing the shared chromium: %v\n", err)
			}
		}
		cancel()
		cancelAlloc() // waits for the allocator's goroutines
	}
	// The first Run starts the browser, which lives as long as the context
	// of that Run: ctx, which only stop cancels. A browser that never
	// answers would hold every test in once.Do, so a timer gives up on it.
	hung := time.AfterFunc(tabTimeout, cancel)
	err := chromedp.Run(ctx)
	if !hung.Stop() {
		err = fmt.Errorf("no answer in %s (%v)", tabTimeout, err)
	}
	if err != nil {
		stop()
		shared.err = err
		return
	}
	shared.ctx, shared.stop = ctx, stop
}

// started reports whether the first Run on a context that starts a browser
// got as far as connecting to it. Only then may chromedp.Cancel be called:
// for a browser that did not start (a wrong REGULARS_CHROMIUM, say) it takes
// the allocator's token, and the context's own cancel function, which must
// still be called, then waits for that token forever.
func started(ctx context.Context) bool {
	c := chromedp.FromContext(ctx)
	return c != nil && c.Browser != nil
}

// browserGone reports whether the browser of a chromedp context has closed
// its connection: during a test that means it crashed or was killed.
func browserGone(ctx context.Context) bool {
	c := chromedp.FromContext(ctx)
	if c == nil || c.Browser == nil {
		return false
	}
	select {
	case <-c.Browser.LostConnection:
		return true
	default:
		return false
	}
}

// errBrowserGone explains the failures that follow a crash of the browser.
const errBrowserGone = "Chromium is gone (it crashed, was killed or ran out of memory): every later step in its tabs fails"

// newSharedTab opens a tab for one test in the shared browser, in a browser
// context of its own so that cookies, storage, service workers, caches and
// permissions never leak between tests. The tab's browser context is disposed
// of after the test, which closes whatever the test left open in it; the
// shared browser stays up.
func newSharedTab(t *testing.T, path string) (context.Context, context.CancelFunc) {
	t.Helper()
	shared.once.Do(func() { startSharedBrowser(path) })
	if shared.err != nil {
		t.Fatalf("starting the shared chromium: %v", shared.err)
	}
	if browserGone(shared.ctx) {
		t.Fatalf("opening a tab: %s", errBrowserGone)
	}
	// chromedp.WithNewBrowserContext would do this, but it opens the tab
	// without newWindow, which Chromium's headless mode (the full browser
	// since Chromium 132) refuses for a context without a window yet:
	// "Failed to open new tab - no browser is open".
	b := chromedp.FromContext(shared.ctx).Browser
	cctx, cancel := context.WithTimeout(shared.ctx, tabTimeout)
	defer cancel()
	id, err := target.CreateBrowserContext().WithDisposeOnDetach(true).Do(cdp.WithExecutor(cctx, b))
	if err != nil {
		t.Fatalf("creating a browser context: %v%s", err, ifGone(shared.ctx))
	}
	t.Cleanup(func() {
		if browserGone(shared.ctx) {
			return
		}
		// Disposing of the context closes its pages and service workers,
		// even if closing the tab (below, registered later, so run first)
		// did not finish in the second chromedp gives it.
		dctx, cancel := context.WithTimeout(shared.ctx, 10*time.Second)
		defer cancel()
		if err := target.DisposeBrowserContext(id).Do(cdp.WithExecutor(dctx, b)); err != nil {
			t.Logf("disposing of the tab's browser context: %v", err)
		}
	})
	tid, err := target.CreateTarget("about:blank").WithBrowserContextID(id).WithNewWindow(true).Do(cdp.WithExecutor(cctx, b))
	if err != nil {
		t.Fatalf("opening a tab: %v%s", err, ifGone(shared.ctx))
	}
	tabCtx, cancelTab := chromedp.NewContext(shared.ctx, chromedp.WithTargetID(tid))
	// Recorded for the tests that address the context, e.g. to grant a
	// permission, and so that a tab opened from this one would live in it.
	chromedp.FromContext(tabCtx).BrowserContextID = id
	t.Cleanup(func() {
		// Detaches from the tab and closes it.
		if err := chromedp.Cancel(tabCtx); err != nil && !browserGone(tabCtx) {
			t.Logf("closing the tab: %v", err)
		}
		cancelTab()
	})
	return tabCtx, cancelTab
}

// ifGone is errBrowserGone on a line of its own if the browser of ctx is
// gone, and "" otherwise.
func ifGone(ctx context.Context) string {
	if browserGone(ctx) {
		return "\n" + errBrowserGone
	}
	return ""
}

// newCameraBrowser starts a Chromium of the test's own whose camera plays
// video, a file that must be given at launch: the fake camera is a flag of
// the process, not of a tab. It returns the browser's first tab.
func newCameraBrowser(t *testing.T, path, video string, logf func(string, ...any)) (context.Context, context.CancelFunc) {
	t.Helper()
	opts := append(execOptions(path),
		// t.TempDir is registered before the cleanup below, so it is removed
		// only after the browser process has exited.
		chromedp.UserDataDir(t.TempDir()),
		// Grant the camera permission without a prompt and replace the
		// (absent) camera by a file that loops forever.
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-video-capture", video),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithErrorf(logf))
	t.Cleanup(func() {
		// Browser.close lets Chromium stop its helper processes before the
		// profile directory is removed; cancelling alone kills only the main
		// process, and a helper still writing then fails the TempDir cleanup.
		if started(tabCtx) && !browserGone(tabCtx) {
			if err := chromedp.Cancel(tabCtx); err != nil {
				t.Logf("closing browser: %v", err)
			}
		}
		cancelTab()
		cancelAlloc() // waits for the allocator's goroutines
	})
	return tabCtx, cancelTab
}

// newBrowser opens a tab for one test and returns its context, which expires
// after tabTimeout. Tests without a camera share one Chromium process, each
// tab in a browser context of its own (see newSharedTab); a test with a fake
// camera gets a process of its own. Either way the tab is closed when the
// test ends, and nothing of it is seen by another test.
func newBrowser(t *testing.T, o browserOptions) context.Context {
	t.Helper()
	path := chromiumPath(t)
	logf := testLogf(t)
	var (
		tabCtx    context.Context
		cancelTab context.CancelFunc
	)
	if o.FakeVideo == "" {
		tabCtx, cancelTab = newSharedTab(t, path)
	} else {
		tabCtx, cancelTab = newCameraBrowser(t, path, o.FakeVideo, logf)
	}
	chromedp.ListenTarget(tabCtx, func(ev any) { logBrowserEvent(logf, ev) })

	// The first Run opens the tab (and starts a camera test's browser),
	// which lives as long as the context of that Run. It therefore uses
	// tabCtx, not the timeout context: a test that times out still has a
	// live tab for run's failure screenshot. A browser that stops answering
	// would block it forever, so a timer closes the tab instead.
	hung := time.AfterFunc(tabTimeout, cancelTab)
	err := chromedp.Run(tabCtx)
	if !hung.Stop() {
		t.Fatalf("opening a tab: no answer from chromium in %s (%v)", tabTimeout, err)
	}
	if err != nil {
		t.Fatalf("opening a tab: %v%s", err, ifGone(tabCtx))
	}

	ctx, cancelTimeout := context.WithTimeout(tabCtx, tabTimeout)
	t.Cleanup(cancelTimeout)

	var emulate []chromedp.EmulateViewportOption
	if o.Mobile {
		emulate = append(emulate, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	// Emulation is the tab's own, so tabs of the shared browser can be
	// phones and desktops at once. Each also has a window of its own, which
	// headless Chromium reports as focused: document.hasFocus() and the
	// clipboard behave as they did in a browser alone.
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
	// A crashed browser answers nothing: report that instead of waiting
	// for diagnostics that cannot come.
	if browserGone(ctx) {
		t.Fatalf("browser actions failed: %v\n%s", err, errBrowserGone)
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
