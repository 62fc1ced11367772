// Service worker for the customer card pages. Served at /c/sw.js and
// registered with scope /c/, so it controls only card pages; it still sees
// their subresource requests (/static/...), whatever their path.
//
// Goal: a customer who opened their card once can show it at the counter
// even with no signal. No user-facing text lives here: when nothing is
// cached the browser shows its own (localised) offline page.

const CARD_CACHE = 'regulars-cards-v1';
const STATIC_CACHE = 'regulars-static-v1';
const CURRENT_CACHES = [CARD_CACHE, STATIC_CACHE];
const CACHE_PREFIX = 'regulars-'; // only our own caches are ever deleted
const NETWORK_TIMEOUT_MS = 4000;

// The scope path ('/c/'), taken from the registration so it can't drift.
const SCOPE_PATH = new URL(self.registration.scope).pathname;

self.addEventListener('install', () => {
  // Nothing to precache; take over from an older worker straight away.
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((n) => n.startsWith(CACHE_PREFIX) && !CURRENT_CACHES.includes(n))
      .map((n) => caches.delete(n)));
    // Navigation preload starts the page request while this worker boots,
    // which keeps network-first from costing extra latency.
    await self.registration.navigationPreload?.enable();
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (request.mode === 'navigate' && url.pathname.startsWith(SCOPE_PATH)) {
    event.respondWith(networkFirst(event));
  } else if (url.pathname.startsWith('/static/') && !request.headers.has('range')) {
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

// Static assets: served from cache once seen. URLs should be versioned (or
// STATIC_CACHE bumped) for a changed file to reach card pages.
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
