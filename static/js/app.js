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

// --- the set-up's card preview: the customer's card as the owner types -----
// Three stamps in, like a regular on their first week.
const preview = document.querySelector('[data-setup-preview]');
if (preview) {
  const grid = preview.querySelector('ol.stamps');
  const reward = preview.querySelector('[data-preview-reward]');
  document.querySelector('[data-preview-stamps-input]')?.addEventListener('input', (e) => {
    // Persian and Arabic keyboards type their own digits; the server reads them too.
    const n = Number(e.target.value.trim().replace(/[۰-۹]/g, (d) => d.charCodeAt(0) - 0x6f0).replace(/[٠-٩]/g, (d) => d.charCodeAt(0) - 0x660));
    if (!Number.isInteger(n) || n < 1 || n > 100) return;
    grid.replaceChildren(...Array.from({ length: n }, (_, i) => {
      const li = document.createElement('li');
      if (i < 3) li.className = 'on';
      return li;
    }));
  });
  document.querySelector('[data-preview-reward-input]')?.addEventListener('input', (e) => {
    reward.textContent = e.target.value;
  });
}

// --- <div data-show-for="name" data-show-values="a b">: fields that follow a choice
// Shown only while the form's control `name` holds one of the values; without
// this script every field shows, and the server ignores those that do not apply.
for (const group of document.querySelectorAll('[data-show-for]')) {
  const control = group.closest('form')?.elements.namedItem(group.dataset.showFor);
  if (!control) continue;
  const values = group.dataset.showValues.split(' ');
  const follow = () => { group.hidden = !values.includes(control.value); };
  control.addEventListener('change', follow);
  follow();
}

// --- <button data-show-password="id">: show or hide what was typed ----------
// Hidden in the page: without this script the field keeps its dots and the
// button, which could do nothing, is not shown. Its name comes translated.
for (const b of document.querySelectorAll('[data-show-password]')) {
  const field = document.getElementById(b.dataset.showPassword);
  if (!field) continue;
  b.hidden = false;
  b.addEventListener('click', () => {
    const show = field.type === 'password';
    field.type = show ? 'text' : 'password';
    b.textContent = show ? b.dataset.hide : b.dataset.show;
    b.setAttribute('aria-pressed', String(show));
  });
}

// --- <button data-copy="id">: copy a field's text in one tap ----------------
// Shown only where the browser has a clipboard; the field stays selectable
// for copying by hand. The outcome is said in the status next to the button.
if (navigator.clipboard) {
  for (const b of document.querySelectorAll('[data-copy]')) {
    const field = document.getElementById(b.dataset.copy);
    const status = b.parentElement.querySelector('.copy-status');
    if (!field) continue;
    b.hidden = false;
    b.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(field.value);
        status.textContent = b.dataset.copied;
      } catch {
        field.select();
        status.textContent = b.dataset.copyFailed;
      }
    });
  }
}

// --- <input type="file" data-max-bytes="…" data-too-large="…">: a file too large
// is refused at once, before it travels, with the typed text still in the form.
for (const input of document.querySelectorAll('input[type=file][data-max-bytes]')) {
  input.addEventListener('change', () => {
    const file = input.files[0];
    input.setCustomValidity(file && file.size > Number(input.dataset.maxBytes) ? input.dataset.tooLarge : '');
    input.reportValidity();
  });
}

// --- <span class="file-pick">: the chosen file's name beside our button ----
// (views/layout.templ fileInput): the browser's own text, which said it in the
// browser's language, is hidden with its button.
for (const input of document.querySelectorAll('.file-pick input[type=file]')) {
  const name = input.closest('.file-pick').querySelector('[data-file-name]');
  const show = () => { name.textContent = Array.from(input.files, (f) => f.name).join(', '); };
  input.addEventListener('change', show);
  show(); // a file kept by the browser on back/forward
}

// --- <p data-reach="/coupons/audience">: whom the coupon goes to, as the owner
// chooses. The server counts (segments and card codes are its to judge); the
// page came with the count of the first choice. Only the latest answer shows.
for (const out of document.querySelectorAll('[data-reach]')) {
  const form = out.closest('form');
  const fields = ['audience', 'segment', 'club', 'cards'];
  let timer, asked = 0;
  const ask = () => {
    const q = new URLSearchParams();
    for (const name of fields) {
      if (form.elements[name]) q.set(name, form.elements[name].value);
    }
    const n = ++asked;
    fetch(out.dataset.reach + '?' + q, { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.text() : ''))
      .then((text) => { if (n === asked) out.textContent = text; })
      .catch(() => {});
  };
  form.addEventListener('change', (e) => { if (fields.includes(e.target.name)) ask(); });
  form.addEventListener('input', (e) => {
    if (e.target.name === 'cards') {
      clearTimeout(timer);
      timer = setTimeout(ask, 300);
    }
  });
}

// --- the owner's menu: one group open at a time, closed by a click elsewhere or Escape
const groups = document.querySelectorAll('details.navgroup');
for (const g of groups) {
  g.addEventListener('toggle', () => {
    if (g.open) for (const other of groups) if (other !== g) other.open = false;
  });
}
document.addEventListener('click', (e) => {
  for (const g of groups) if (g.open && !g.contains(e.target)) g.open = false;
});
document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape') return;
  for (const g of groups) {
    if (g.open) { g.open = false; g.querySelector('summary').focus(); }
  }
});
