// Customer card page: the offline copy, what shows without signal, the card
// kept up to date while it is open, and the invite buttons. The page works
// without any of it.

// The worker keeps the card and its files from the first visit, so that it
// opens without signal (see /static/sw.js, served at /c/sw.js so that its
// default scope already covers /c/). Failing to register only loses offline
// support, so it is not reported to the user.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/c/sw.js', { scope: '/c/' })
    .catch((err) => console.warn('service worker not registered', err));
  // A worker that takes this page over (on the first visit, or a new version)
  // has not seen its pictures (the shop's logo, news pictures): ask for them
  // once more through it, so that it keeps them for offline use too.
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    for (const img of document.images) {
      if (img.src.startsWith(location.origin + '/shops/')) fetch(img.src).catch(() => {});
    }
  });
}

// --- Without signal ----------------------------------------------------------
// html.offline shows the offline note ("You are offline — this is your card
// as of …") and hides what needs the server (data-needs-network: the free
// raffle entry, the question about the visit), which would only lead to the
// browser's error page. The language buttons stay, disabled.
function syncOnline() {
  document.documentElement.classList.toggle('offline', !navigator.onLine);
  for (const b of document.querySelectorAll('.lang-switch button')) b.disabled = !navigator.onLine;
}
addEventListener('online', syncOnline);
addEventListener('offline', syncOnline);
syncOnline();

// --- The card as the cashier leaves it ---------------------------------------
// While the page is shown and online it asks every few seconds whether the
// card changed: a conditional request without a body, which the server
// answers 304 (unchanged) or 204 (changed). On a change it fetches the page
// again and puts its #card in place of this one: a stamp shows within
// seconds, where the person had scrolled to. Hidden or offline it asks
// nothing; shown again or back online, it asks at once.
const POLL_MS = 5000;

// A form the person started to fill in (the question about their visit) is
// never replaced under their fingers: the card waits until they leave.
let editing = false;
document.addEventListener('input', (e) => {
  if (e.target instanceof Element && e.target.closest('#card form')) editing = true;
});
const busy = () => editing || document.activeElement?.closest('#card form') != null;

let asking = false;
async function poll() {
  const card = document.getElementById('card');
  if (!card || asking || document.hidden || !navigator.onLine || busy()) return;
  asking = true;
  try {
    const res = await fetch(card.dataset.url + '/version', {
      headers: { 'If-None-Match': card.dataset.version },
      cache: 'no-store',
    });
    if (res.status === 204) await refresh(card);
    // The card is gone (erased, replaced): nothing more to ask.
    else if (res.status >= 400 && res.status < 500) clearInterval(ticker);
  } catch {
    // No signal after all: the next tick asks again.
  } finally {
    asking = false;
  }
}

// refresh shows the page's fresh copy, which the service worker also keeps
// for offline use. A copy no newer than this one (the worker answered from
// its cache on a slow network) changes nothing: the next tick asks again.
async function refresh(card) {
  const res = await fetch(card.dataset.url);
  if (res.status !== 200) return;
  const next = new DOMParser().parseFromString(await res.text(), 'text/html').getElementById('card');
  if (!next || next.dataset.version === card.dataset.version || busy()) return;
  card.replaceWith(document.adoptNode(next));
  setUpInvite();
}

const ticker = setInterval(poll, POLL_MS);
document.addEventListener('visibilitychange', poll);
addEventListener('online', poll);

// --- Invite a friend ---------------------------------------------------------
// The phone's share sheet where it has one, else a copy button. With neither
// (or no script), the link stays in its read-only field to copy by hand. The
// buttons' texts come translated in data attributes.
function setUpInvite() {
  const invite = document.getElementById('invite-link');
  if (!invite) return;
  const share = document.getElementById('invite-share');
  const copy = document.getElementById('invite-copy');
  const status = document.getElementById('invite-status');
  invite.addEventListener('focus', () => invite.select());
  if (navigator.share) {
    share.hidden = false;
    share.addEventListener('click', () => {
      // Closing the share sheet rejects with AbortError: nothing to report.
      navigator.share({ text: share.dataset.text, url: invite.value })
        .catch((err) => { if (err.name !== 'AbortError') console.warn('share failed', err); });
    });
  } else if (navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener('click', () => {
      navigator.clipboard.writeText(invite.value)
        .then(() => { status.textContent = copy.dataset.copied; })
        .catch(() => {
          invite.focus();
          status.textContent = copy.dataset.failed;
        });
    });
  }
}
setUpInvite();
