// Customer card page: offline support and an offline hint.

// The worker lets the card open without signal (see /static/sw.js, served at
// /c/sw.js so that its default scope already covers /c/). Failing to
// register only loses offline support, so it is not reported to the user.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/c/sw.js', { scope: '/c/' })
    .catch((err) => console.warn('service worker not registered', err));
}

// #offline-note is rendered hidden with translated text ("You are offline —
// this is your card as of …"); show it whenever the browser reports offline.
const note = document.getElementById('offline-note');
if (note) {
  // Switching language needs the server: offline, the buttons would only lead
  // to the browser's error page.
  const sync = () => {
    note.hidden = navigator.onLine;
    for (const b of document.querySelectorAll('.lang-switch button')) b.disabled = !navigator.onLine;
  };
  addEventListener('online', sync);
  addEventListener('offline', sync);
  sync();
}
