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

// Invite a friend: the phone's share sheet where it has one, else a copy
// button. With neither (or no script), the link stays in its read-only field
// to copy by hand. The buttons' texts come translated in data attributes.
const invite = document.getElementById('invite-link');
if (invite) {
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
