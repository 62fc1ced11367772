// Shared by every page: small improvements; every page works without them.

// --- <form data-confirm="…">: ask before a destructive action ---------------
// Registered in the capture phase so that it runs before the data-once guard,
// which leaves prevented submissions alone. The question comes translated.
document.addEventListener('submit', (e) => {
  const f = e.target;
  if (f instanceof HTMLFormElement && f.dataset.confirm && !confirm(f.dataset.confirm)) e.preventDefault();
}, true);

// --- <form data-once>: one submission per tap -------------------------------
// Buttons are disabled on the next tick, not inside the handler: the form's
// data set is built after "submit" fires, and a disabled submitter would drop
// its name=value (e.g. <button name="action" value="stamp">).
const ONCE_RELEASE_MS = 10000; // re-arm if the page is still here (204, download, network error)

document.addEventListener('submit', (e) => {
  const f = e.target;
  if (!(f instanceof HTMLFormElement) || !f.hasAttribute('data-once') || e.defaultPrevented) return;
  if (f.dataset.submitting) { e.preventDefault(); return; }
  f.dataset.submitting = '1';
  setTimeout(() => setSubmitting(f, true), 0);
  setTimeout(() => setSubmitting(f, false), ONCE_RELEASE_MS);
});

function setSubmitting(f, on) {
  if (!on) delete f.dataset.submitting;
  // f.elements also covers buttons outside the form that use form="id".
  // Only buttons we disabled get re-enabled; server-disabled ones stay so.
  for (const el of f.elements) {
    if (el.type !== 'submit' && el.type !== 'image') continue;
    if (on && !el.disabled) {
      el.disabled = true;
      el.dataset.onceDisabled = '';
    } else if (!on && 'onceDisabled' in el.dataset) {
      el.disabled = false;
      delete el.dataset.onceDisabled;
    }
  }
}

// Coming back via the back button restores the page as it was left, with the
// buttons still disabled.
addEventListener('pageshow', (e) => {
  if (!e.persisted) return;
  for (const f of document.querySelectorAll('form[data-once]')) setSubmitting(f, false);
});

// --- Sign-up: the browser knows the shop's time zone better than a default ---
for (const el of document.querySelectorAll('input[data-timezone]')) {
  if (!el.value) {
    try { el.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch { /* keep empty: UTC */ }
  }
}
