// Service worker for the customer card pages. Served at /c/sw.js and
// registered with scope /c/, so it controls only card pages; it still sees
// their subresource requests (/static/...), whatever their path.
//
// Goal: a customer who opened their card once, usually right after joining,
// can show it at the counter even with no signal. No user-facing text lives
// here: when nothing is cached the browser shows its own (localised) offline
// page.

const CARD_CACHE = 'regulars-cards-v1';
const STATIC_CACHE = 'regulars-static-v1';
const CURRENT_CACHES = [CARD_CACHE, STATIC_CACHE];
const CACHE_PREFIX = 'regulars-'; // only our own caches are ever deleted
const NETWORK_TIMEOUT_MS = 4000;

// The versioned URLs of the files every card page loads, filled in by the
// server (handlers.serviceWorker): a new version of them is a new worker.
const PRECACHE = [];

// The scope path ('/c/'), taken from the registration so it can't drift.
const SCOPE_PATH = new URL(self.registration.scope).pathname;

// A shop's logo and its news pictures, which card pages show: their URLs
// change with them (a logo's carries its version, a picture belongs to one
// announcement), so a kept copy stays right.
const SHOP_IMAGE = /^\/shops\/\d+\/(logo|news\/\d+)$/;

// A card page is /c/{token}: nothing under it (its manifest, its version),
// and not this worker's own script.
function isCardPage(url) {
  return url.origin === self.location.origin && url.pathname.startsWith(SCOPE_PATH)
    && !url.pathname.slice(SCOPE_PATH.length).includes('/') && url.pathname !== self.location.pathname;
}

self.addEventListener('install', (event) => {
  // The card page's files are kept before any page asks for them. A file
  // that cannot be fetched fails the install; the next visit tries again.
  // Then take over from an older worker straight away.
  event.waitUntil(caches.open(STATIC_CACHE)
    .then((cache) => cache.addAll(PRECACHE))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((n) => n.startsWith(CACHE_PREFIX) && !CURRENT_CACHES.includes(n))
      .map((n) => caches.delete(n)));
    await dropOldFiles();
    // Navigation preload starts the page request while this worker boots,
    // which keeps network-first from costing extra latency.
    await self.registration.navigationPreload?.enable();
    await self.clients.claim();
    await keepOpenCards();
  })());
});

// Files of older versions are never asked for again: only those of PRECACHE
// stay. (The open card pages ask for their pictures again, see card.js.)
async function dropOldFiles() {
  const cache = await caches.open(STATIC_CACHE);
  const current = new Set(PRECACHE.map((u) => new URL(u, self.location.origin).href));
  const old = (await cache.keys()).filter((req) => !current.has(req.url));
  await Promise.all(old.map((req) => cache.delete(req)));
}

// The card pages open now were loaded before this worker ran, so none of
// them is kept yet: fetch each once more and keep it. Without this a card
// would show offline only from its second visit.
async function keepOpenCards() {
  const cache = await caches.open(CARD_CACHE);
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  await Promise.all(windows.map(async (w) => {
    const url = new URL(w.url);
    url.hash = '';
    if (!isCardPage(url)) return;
    try {
      const res = await fetch(url);
      if (res.status === 200 && res.type === 'basic') await cache.put(url, res);
    } catch {
      // Offline already: the next visit keeps it.
    }
  }));
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  // A card page: opened (a navigation), or fetched by the open page to show
  // what the cashier just did (static/js/card.js), which keeps the copy fresh.
  if ((request.mode === 'navigate' && url.pathname.startsWith(SCOPE_PATH)) || isCardPage(url)) {
    event.respondWith(networkFirst(event));
  } else if ((url.pathname.startsWith('/static/') || SHOP_IMAGE.test(url.pathname)) && !request.headers.has('range')) {
    event.respondWith(cacheFirst(event));
  }
  // Anything else: no respondWith, the browser fetches it as usual.
});

// Card pages: fresh when possible, the last good copy when offline or slow.
async function networkFirst(event) {
  const { request } = event;
  const cache = await caches.open(CARD_CACHE);

  // Clone before handing the response to the page, or its body is consumed;
  // the page gets the response without waiting for the cache write.
  // Only plain 200s are kept (no redirects, errors or opaque responses).
  let stored = Promise.resolve();
  const fromNetwork = (async () => {
    const res = (await event.preloadResponse) || (await fetch(request));
    if (res.status === 200 && res.type === 'basic') stored = cache.put(request, res.clone());
    return res;
  })();
  // Keep the worker alive so a late response still refreshes the cache after
  // the timeout already served the cached copy.
  event.waitUntil(fromNetwork.then(() => stored).catch(() => {}));

  const timedOut = new Promise((resolve) => setTimeout(resolve, NETWORK_TIMEOUT_MS, 'timeout'));
  const first = await Promise.race([fromNetwork.catch(() => 'offline'), timedOut]);

  if (first instanceof Response && first.status < 500) return first;
  const cached = await cache.match(request);
  if (cached) return cached;
  // Nothing cached: wait for the network after all (slow beats failing); a
  // network error here makes the browser show its offline page.
  return first instanceof Response ? first : fromNetwork;
}

// Static assets and shop pictures: served from cache once seen, or from the
// start for those of PRECACHE. Their URLs carry the version of the files
// (views.Page.Asset), so a changed file has a new URL.
async function cacheFirst(event) {
  const { request } = event;
  const cache = await caches.open(STATIC_CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const res = await fetch(request);
  if (res.status === 200 && res.type === 'basic') {
    event.waitUntil(cache.put(request, res.clone()));
  }
  return res;
}

// --- Notifications -----------------------------------------------------------
// A push message from the server (outbox/push.go) is JSON: {title, body, url,
// lang, dir}, already in the customer's language. One card's notification
// replaces its previous one (the tag), and rings again. A message that is not ours shows
// nothing.
self.addEventListener('push', (event) => {
  let msg;
  try {
    msg = event.data?.json();
  } catch {
    return;
  }
  if (!msg?.title || !msg.url) return;
  event.waitUntil(self.registration.showNotification(msg.title, {
    body: msg.body || '',
    lang: msg.lang || '',
    dir: msg.dir === 'rtl' ? 'rtl' : 'ltr',
    icon: '/static/icon-192.png',
    tag: msg.url,
    renotify: true,
    data: { url: msg.url },
  }));
});

// Tapping the notification shows the card: its open page if there is one,
// a new one otherwise. Only a card page of this server is opened.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  // The path only: the server's public address may differ from the one the
  // phone reaches it at.
  const path = new URL(event.notification.data?.url || '/', self.location.origin).pathname;
  const url = new URL(path, self.location.origin);
  if (!isCardPage(url)) return;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((w) => new URL(w.url).pathname === url.pathname);
    if (open) return open.focus();
    return self.clients.openWindow(url.href);
  })());
});
