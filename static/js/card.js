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
  startPush();
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

// --- Notifications -----------------------------------------------------------
// "Notify me" shows only where the browser can receive web push. It asks for
// permission only when tapped, subscribes the phone with the server's key and
// posts the subscription with the form's token. One subscription serves every
// card page of this server on the phone (they share the worker), so turning
// off tells the server to stop for this card and keeps the subscription; the
// endpoint this card was given is remembered per card. The texts of the
// outcome come translated in data attributes.
const pushable = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

async function setUpPush() {
  const box = document.getElementById('push');
  if (!box || !pushable) return;
  const form = box.querySelector('form');
  const on = document.getElementById('push-on');
  const off = document.getElementById('push-off');
  const status = document.getElementById('push-status');
  const remembered = 'push:' + form.action;
  const show = (subscribed, said) => {
    on.hidden = subscribed || Notification.permission === 'denied';
    off.hidden = !subscribed;
    status.textContent = said ? box.dataset[said] : '';
  };
  const post = (url, field, value) => {
    const body = new URLSearchParams(new FormData(form));
    body.set(field, value);
    return fetch(url, { method: 'POST', body }).then((res) => {
      if (!res.ok) throw new Error('answered ' + res.status);
    });
  };

  on.addEventListener('click', async () => {
    on.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== 'granted') {
        show(false, permission === 'denied' ? 'denied' : '');
        return;
      }
      // A worker that never got registered would leave the tap unanswered.
      const reg = await Promise.race([navigator.serviceWorker.ready,
        new Promise((_, fail) => setTimeout(() => fail(new Error('no service worker')), 10000))]);
      const sub = (await reg.pushManager.getSubscription()) || await reg.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: await serverKey(),
      });
      await post(form.action, 'subscription', JSON.stringify(sub));
      localStorage.setItem(remembered, sub.endpoint);
      show(true, 'on');
    } catch (err) {
      // No push service reachable, the server refused, offline: say so.
      console.warn('notifications not turned on', err);
      show(false, 'failed');
    } finally {
      on.disabled = false;
    }
  });
  off.addEventListener('click', async () => {
    off.disabled = true;
    try {
      await post(form.action + '/off', 'endpoint', localStorage.getItem(remembered) || '');
      localStorage.removeItem(remembered);
      show(false, 'off');
    } catch (err) {
      console.warn('notifications not turned off', err);
      status.textContent = box.dataset.failed;
    } finally {
      off.disabled = false;
    }
  });

  // On for this card: the browser still lets this site notify, and still
  // has the subscription the server was given for it.
  let subscribed = false;
  if (Notification.permission === 'granted' && localStorage.getItem(remembered)) {
    const reg = await navigator.serviceWorker.getRegistration('/c/');
    const sub = await reg?.pushManager.getSubscription();
    subscribed = sub?.endpoint === localStorage.getItem(remembered);
  }
  show(subscribed, Notification.permission === 'denied' ? 'denied' : '');
  box.hidden = false;
}

// serverKey is the server's public key, which pushManager.subscribe takes
// as bytes.
async function serverKey() {
  const res = await fetch('/push/key');
  if (!res.ok) throw new Error('no key: ' + res.status);
  const b64 = (await res.text()).trim().replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}
function startPush() {
  setUpPush().catch((err) => console.warn('notifications', err));
}
startPush();
