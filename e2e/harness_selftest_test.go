package e2e

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// cameraProbePage opens the camera, waits for a decoded frame and reports on
// <body> the frame size and the share of dark and light pixels, or the error.
const cameraProbePage = `<!doctype html>
<html><head><meta charset="utf-8"><title>camera probe</title></head>
<body>
<video id="v" muted playsinline></video>
<canvas id="c"></canvas>
<script>
(async () => {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({video: true});
    const video = document.getElementById("v");
    video.srcObject = stream;
    await video.play();
    // play() can resolve before a frame is presented; wait for one so the
    // canvas does not capture an empty (black) video.
    await new Promise(resolve => video.requestVideoFrameCallback(resolve));

    const w = video.videoWidth, h = video.videoHeight;
    const canvas = document.getElementById("c");
    canvas.width = w;
    canvas.height = h;
    const g = canvas.getContext("2d", {willReadFrequently: true});
    g.drawImage(video, 0, 0);
    const px = g.getImageData(0, 0, w, h).data;
    let dark = 0, light = 0;
    for (let i = 0; i < px.length; i += 4) {
      const luma = 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
      if (luma < 64) dark++;
      else if (luma > 192) light++;
    }
    const n = w * h;
    document.body.dataset.dark = (dark / n).toFixed(3);
    document.body.dataset.light = (light / n).toFixed(3);
    document.body.dataset.ok = w + "x" + h;  // set last: the test waits on it
  } catch (e) {
    document.body.dataset.error = String(e);
  }
})();
</script>
</body></html>`

// TestHarnessFakeCameraDecodes checks the harness itself, independently of
// the app: Chromium must start, accept the Y4M written by writeQRY4M as its
// camera, and deliver the QR code through getUserMedia.
func TestHarnessFakeCameraDecodes(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(cameraProbePage))
	}))
	t.Cleanup(srv.Close)

	ctx := newBrowser(t, browserOptions{
		Width:     800,
		Height:    600,
		FakeVideo: writeQRY4M(t, "http://127.0.0.1/c/test"),
	})

	// httptest listens on 127.0.0.1, which browsers treat as a secure
	// context, so getUserMedia is available without TLS.
	var attrs map[string]string
	run(t, ctx,
		chromedp.Navigate(srv.URL),
		chromedp.WaitReady(`body[data-ok], body[data-error]`, chromedp.ByQuery),
		chromedp.Attributes(`body`, &attrs, chromedp.ByQuery),
	)
	screenshot(t, ctx, "harness-fake-camera")
	t.Logf("probe page reported %v", attrs)

	if e, ok := attrs["data-error"]; ok {
		t.Fatalf("getUserMedia failed in the page: %s", e)
	}
	if got := attrs["data-ok"]; got != "640x480" {
		t.Errorf("camera frame size = %q, want 640x480", got)
	}
	// The QR code covers about 40% of the frame and is roughly half black,
	// the rest is white: a uniform frame means the file was not played.
	for _, k := range []string{"data-dark", "data-light"} {
		share, err := strconv.ParseFloat(attrs[k], 64)
		if err != nil {
			t.Fatalf("%s = %q: %v", k, attrs[k], err)
		}
		if share < 0.05 {
			t.Errorf("%s = %.3f, want at least 0.05: the QR code is not visible in the camera frame", k, share)
		}
	}
}
