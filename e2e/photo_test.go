package e2e

import (
	"bytes"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestNewsPhonePhoto: the owner posts an announcement with a photo straight
// from a phone (12 megapixels, about 10 MB), and one too large is refused as
// soon as it is chosen, the announcement still typed (issue 16: a 3.5 MB
// photo gave a bare error page and lost the text).
func TestNewsPhonePhoto(t *testing.T) {
	t.Parallel()
	srv, _ := startServer(t)
	dir := t.TempDir()
	photo := filepath.Join(dir, "IMG_0042.jpg")
	if err := os.WriteFile(photo, phonePhoto(t), 0o644); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "IMG_0043.jpg")
	if err := os.WriteFile(huge, append(phonePhoto(t), make([]byte, 3<<20)...), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx := newBrowser(t, phone)
	signUp(t, ctx, srv, owner)
	const typed = "Fresh simit every morning"
	run(t, ctx,
		chromedp.Navigate(srv.URL+"/news"),
		chromedp.WaitVisible(`#f-body`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-body`, typed, chromedp.ByQuery),
		chromedp.SetUploadFiles(`#f-image`, []string{huge}, chromedp.ByQuery),
	)
	var refusal string
	run(t, ctx, chromedp.Evaluate(`document.querySelector('#f-image').validationMessage`, &refusal))
	if refusal != "The image is larger than 12 MB. Choose a smaller one; your text is kept." {
		t.Errorf("a 13 MB photo: the field says %q", refusal)
	}
	run(t, ctx, chromedp.Click(`[data-testid=news-post]`, chromedp.ByQuery))
	if got := value(t, ctx, `#f-body`); got != typed || count(t, ctx, `[data-testid=news-item]`) != 0 {
		t.Errorf("after trying to post the 13 MB photo: text %q, %d items", got, count(t, ctx, `[data-testid=news-item]`))
	}

	run(t, ctx, chromedp.SetUploadFiles(`#f-image`, []string{photo}, chromedp.ByQuery))
	submit(t, ctx, `[data-testid=news-post]`, `[data-testid=news-item] img`)
	if got := text(t, ctx, `[data-testid=news-item] p.prewrap`); got != typed {
		t.Errorf("posted %q, want %q", got, typed)
	}
	screenshot(t, ctx, "news-phone-photo")
}

// phonePhoto is a 4000×3000 JPEG of about 10 MB: noise at quality 100.
func phonePhoto(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4000, 3000))
	r := rand.New(rand.NewPCG(16, 5))
	for i := range img.Pix {
		img.Pix[i] = uint8(100 + r.IntN(24))
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
