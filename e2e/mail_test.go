package e2e

import (
	"context"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/handlers"
	"regulars/mailtest"
	"regulars/migrations"
	"regulars/outbox"
	"regulars/static"
)

// startMailServer is the app with e-mail on: its outbox's worker sends
// through the Mailpit mp, with links to the server's own address.
func startMailServer(t *testing.T, mp *mailtest.Server) *testServer {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, dbtest.Path(t), migrations.FS)
	if err != nil {
		t.Fatalf("opening database: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	s := &testServer{URL: "http://" + ln.Addr().String(), Store: store, hits: map[string]int{}}
	app, err := handlers.New(ctx, handlers.Config{Store: store, Static: static.FS, BaseURL: s.URL, EmailFrom: "kart@example.com",
		Log: slog.New(slog.DiscardHandler), PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatalf("building app: %v", err)
	}
	smtp, err := outbox.NewSMTP(mp.SMTPURL(), "kart@example.com")
	if err != nil {
		t.Fatal(err)
	}
	w, err := outbox.New(ctx, outbox.Config{Store: store, Senders: map[string]outbox.Sender{db.ChannelEmail: smtp}, BaseURL: s.URL,
		Log: slog.New(slog.DiscardHandler), Poll: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	working, stop := context.WithCancel(ctx)
	worked := make(chan struct{})
	go func() { defer close(worked); w.Run(working) }()
	// The worker stops after the server (cleanups run last first).
	t.Cleanup(func() {
		stop()
		<-worked
	})
	serve(t, ln, app)
	return s
}

var hrefOf = regexp.MustCompile(`href="([^"]+)"[^>]*data-testid="mail-card-link"`)

// TestRewardReadyByEmail: the owner of a Turkish shop turns on "reward
// ready"; a customer who joined with an address and asked for it gets, at
// the tenth stamp, an e-mail in Turkish whose link opens their card; the
// unsubscribe link works with one click and the next reward sends nothing;
// a customer who did not ask gets nothing.
func TestRewardReadyByEmail(t *testing.T) {
	t.Parallel()
	mp := mailtest.Start(t)
	srv := startMailServer(t, mp)
	ctx := newBrowser(t, desktop)
	run(t, ctx,
		chromedp.Navigate(srv.URL+"/signup"),
		chromedp.WaitVisible(`#f-shop_name`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-shop_name`, shopName, chromedp.ByQuery),
		chromedp.SendKeys(`#f-name`, owner.Name, chromedp.ByQuery),
		chromedp.SendKeys(`#f-email`, owner.Email, chromedp.ByQuery),
		chromedp.SendKeys(`#f-password`, owner.Password, chromedp.ByQuery),
		choose(`#f-language`, "tr"),
	)
	submit(t, ctx, `main form[action="/signup"] button[type=submit]`, `[data-testid=setup-form]`)

	// The owner turns "reward ready" on, with the standard Turkish text.
	run(t, ctx,
		chromedp.Navigate(srv.URL+"/automations/reward_ready"),
		chromedp.WaitVisible(`[data-testid=email-on]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=automation-enabled]`, chromedp.ByQuery),
	)
	if got := text(t, ctx, `[data-testid=preview-subject]`); !strings.Contains(got, "ödül") {
		t.Errorf("the preview's subject is %q, want the Turkish one", got)
	}
	submit(t, ctx, `[data-testid=automation-save]`, `[data-testid=saved]`)
	screenshot(t, ctx, "automations-tr")

	shop, err := srv.Store.Shop(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	// Two customers join by the poster's page: one asks for the e-mail, one does not.
	joinAs := func(name, email string, asks bool) (context.Context, string) {
		t.Helper()
		phoneCtx := newBrowser(t, phone)
		run(t, phoneCtx,
			chromedp.Navigate(srv.URL+"/join/"+shop.Slug),
			chromedp.WaitVisible(`[data-testid=join-form]`, chromedp.ByQuery),
			chromedp.SendKeys(`#f-first_name`, name, chromedp.ByQuery),
			chromedp.SendKeys(`#f-email`, email, chromedp.ByQuery),
		)
		if asks {
			run(t, phoneCtx, chromedp.Click(`[data-testid=join-email-service]`, chromedp.ByQuery))
		}
		submit(t, phoneCtx, `[data-testid=join-submit]`, `[data-testid=short-code]`)
		return phoneCtx, location(t, phoneCtx)
	}
	ayse, ayseCard := joinAs("Ayşe", "ayse@example.com", true)
	_, burakCard := joinAs("Burak", "burak@example.com", false)

	// The cashier (the owner, at the counter) gives each card ten stamps.
	stampTen := func(cardURL string) {
		t.Helper()
		wedgeScan(t, ctx, srv, cardURL)
		for range 10 {
			submit(t, ctx, `[data-testid=stamp-1]`, `[data-testid=result][data-result=stamped]`)
		}
	}
	stampTen(ayseCard)
	stampTen(burakCard)

	m := mp.Wait(t, "ayse@example.com", 30*time.Second)
	if !strings.Contains(m.Subject, "ödül") || !strings.Contains(m.Subject, shopName) {
		t.Errorf("subject %q: not Turkish, or without the shop's name", m.Subject)
	}
	if !strings.Contains(m.Text, "Merhaba Ayşe") || !strings.Contains(m.Text, ayseCard) {
		t.Errorf("text part without the Turkish greeting or the card's link:\n%s", m.Text)
	}
	link := hrefOf.FindStringSubmatch(m.HTML)
	if link == nil || link[1] != ayseCard {
		t.Fatalf("the HTML part's button leads to %v, want %s", link, ayseCard)
	}
	// The link opens the card, with its reward.
	run(t, ayse,
		chromedp.Navigate(link[1]),
		chromedp.WaitVisible(`[data-testid=short-code]`, chromedp.ByQuery),
	)
	// One click on the page the unsubscribe link opens stops these e-mails.
	unsub := regexp.MustCompile(`https?://\S+/u/\d+/\S+`).FindString(m.Text)
	if unsub == "" {
		t.Fatalf("no unsubscribe link in:\n%s", m.Text)
	}
	run(t, ayse, chromedp.Navigate(unsub), chromedp.WaitVisible(`[data-testid=unsubscribe]`, chromedp.ByQuery))
	submit(t, ayse, `[data-testid=unsubscribe]`, `[data-testid=unsubscribed]`)
	stampTen(ayseCard)

	// The worker polls every 100 ms: once nothing is waiting in the outbox,
	// whatever was to be sent has been.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, waiting, err := srv.Store.NextOutboxAt(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !waiting {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("messages still waiting after 10 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := len(mp.To(t, "ayse@example.com")); n != 1 {
		t.Errorf("Ayşe has %d messages, want the one before she unsubscribed", n)
	}
	if n := len(mp.To(t, "burak@example.com")); n != 0 {
		t.Errorf("Burak, who did not ask, has %d messages", n)
	}
	// The card page shows the choice as it now stands.
	run(t, ayse, chromedp.Navigate(ayseCard), chromedp.WaitVisible(`[data-testid=consent-form]`, chromedp.ByQuery))
	var checked bool
	run(t, ayse, chromedp.Evaluate(`document.querySelector('[data-testid=consent-service]').checked`, &checked))
	if checked {
		t.Error("the card page still shows the reward e-mail as wanted after unsubscribing")
	}
	run(t, ayse, chromedp.ScrollIntoView(`[data-testid=card-messages]`, chromedp.ByQuery))
	screenshot(t, ayse, "card-messages-tr")
}
