// The counter's keypad for a cashback purchase (views/credit.templ): the
// keys type the amount paid, in the shop's digits and decimal separator, and
// the store credit it earns shows before the cashier confirms. It reads an
// amount as points.js and the server do (loyalty.ParseAmount); the server
// decides: this only previews.

const persianDigits = '۰۱۲۳۴۵۶۷۸۹';

function latin(s) {
  return s.replace(/[۰-۹]/g, (d) => String(persianDigits.indexOf(d)))
    .replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[٫,]/g, '.')
    .trim();
}

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
  const sep = form.querySelector('button[data-key="."]').textContent.trim();
  const rate = Number(form.dataset.rate);
  const min = Number(form.dataset.min);
  const show = (s) => (persian ? s.replace(/\d/g, (d) => persianDigits[d]) : s);
  const money = (m) => show(String(Math.floor(m / 100))) + sep + show(String(m % 100).padStart(2, '0'));

  const preview = () => {
    const amount = minor(input.value);
    if (input.value.trim() === '' || Number.isNaN(amount)) {
      gives.textContent = '';
      return;
    }
    // Rounded down to a whole minor unit, as loyalty.Cashback.For.
    const credit = amount < min ? 0 : Math.floor((amount * rate) / 10000);
    gives.textContent = credit > 0 ? form.dataset.msgGives.replace('{n}', money(credit)) : form.dataset.msgNone;
  };

  keys.hidden = false;
  keys.addEventListener('click', (ev) => {
    const key = ev.target.closest('button[data-key]');
    if (!key) return;
    const k = key.dataset.key;
    if (k === 'back') {
      input.value = [...input.value].slice(0, -1).join('');
    } else if (k === '.') {
      if (!/[.,٫]/.test(input.value)) input.value += (input.value === '' ? show('0') : '') + key.textContent.trim();
    } else {
      input.value += show(k);
    }
    preview();
  });
  input.addEventListener('input', preview);
  preview();
}

document.querySelectorAll('form[data-credit-keypad]').forEach(setUp);
