// The counter's keypad for a points program (views/points.templ): the keys
// type the amount paid into the form's field, in the shop's digits and
// decimal separator, and the points it will give show before the cashier
// confirms. A typed or pasted amount, in Latin or Persian digits, counts the
// same. The server decides: this only previews.

const persianDigits = '۰۱۲۳۴۵۶۷۸۹';

// latin turns Persian (and Arabic-Indic) digits into 0–9 and any decimal
// separator into '.'.
function latin(s) {
  return s.replace(/[۰-۹]/g, (d) => String(persianDigits.indexOf(d)))
    .replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[٫,]/g, '.')
    .trim();
}

// minor reads an amount as the server does (loyalty.ParseAmount): digits,
// at most one separator and two decimals; NaN otherwise.
function minor(s) {
  const m = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(latin(s));
  if (!m) return NaN;
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
}

function setUp(form) {
  const input = form.querySelector('input[name="amount"]');
  const gives = form.querySelector('.gives');
  const keys = form.querySelector('[data-keys]');
  const persian = form.hasAttribute('data-persian');
  const perVisit = Number(form.dataset.perVisit);
  const perUnit = Number(form.dataset.perUnit);
  const max = Number(form.dataset.max);
  // The multiplier in force now (the server judges it again on confirm);
  // the per-visit limit is checked before it.
  const times = Number(form.dataset.multiplier) || 1;
  // The card's tier multiplies on top, rounded down (loyalty.TierPoints).
  const tierPercent = Number(form.dataset.tierPercent) || 100;
  const given = (n) => Math.floor((n * times * Math.max(100, tierPercent)) / 100);
  const nearest = form.hasAttribute('data-nearest');
  const show = (n) => (persian ? String(n).replace(/\d/g, (d) => persianDigits[d]) : String(n));

  const preview = () => {
    if (input.value.trim() === '') {
      gives.textContent = perUnit === 0 ? form.dataset.msgGives.replace('{n}', show(given(perVisit))) : '';
      return;
    }
    const amount = minor(input.value);
    if (Number.isNaN(amount)) {
      gives.textContent = '';
      return;
    }
    const units = nearest ? Math.floor((amount + 50) / 100) : Math.floor(amount / 100);
    const points = perVisit + units * perUnit;
    if (points <= 0) gives.textContent = form.dataset.msgNone;
    else if (max > 0 && points > max) gives.textContent = form.dataset.msgTooMany;
    else gives.textContent = form.dataset.msgGives.replace('{n}', show(given(points)));
  };

  keys.hidden = false;
  keys.addEventListener('click', (ev) => {
    const key = ev.target.closest('button[data-key]');
    if (!key) return;
    const k = key.dataset.key;
    if (k === 'back') {
      input.value = [...input.value].slice(0, -1).join('');
    } else if (k === '.') {
      if (!/[.,٫]/.test(input.value)) input.value += (input.value === '' ? show(0) : '') + key.textContent.trim();
    } else {
      input.value += show(Number(k));
    }
    preview();
  });
  input.addEventListener('input', preview);
  preview();
}

document.querySelectorAll('form[data-keypad]').forEach(setUp);
