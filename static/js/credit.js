// The counter's keypad for a cashback purchase (views/credit.templ): the
// keys type the amount paid, in the shop's digits and decimal separator, and
// the store credit it earns shows before the cashier confirms. A points
// program's keypad, whose purchase earns the cashback too, gets a second
// preview line with the credit. It reads an amount as points.js and the
// server do (loyalty.ParseAmount); the server decides: this only previews.

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

// previewer returns what a purchase typed in form's amount field earns, in
// words, under the rule of el's data (rate, min, messages, digits); '' for
// no amount.
function previewer(form, el) {
  const input = form.querySelector('input[name="amount"]');
  const persian = el.hasAttribute('data-persian');
  const sep = form.querySelector('button[data-key="."]').textContent.trim();
  const rate = Number(el.dataset.rate);
  const min = Number(el.dataset.min);
  const show = (s) => (persian ? s.replace(/\d/g, (d) => persianDigits[d]) : s);
  const money = (m) => show(String(Math.floor(m / 100))) + sep + show(String(m % 100).padStart(2, '0'));
  return () => {
    const amount = minor(input.value);
    if (input.value.trim() === '' || Number.isNaN(amount)) return '';
    // Rounded down to a whole minor unit, as loyalty.Cashback.For.
    const credit = amount < min ? 0 : Math.floor((amount * rate) / 10000);
    return credit > 0 ? el.dataset.msgGives.replace('{n}', money(credit)) : el.dataset.msgNone;
  };
}

function setUp(form) {
  const input = form.querySelector('input[name="amount"]');
  const gives = form.querySelector('.gives');
  const keys = form.querySelector('[data-keys]');
  const persian = form.hasAttribute('data-persian');
  const show = (s) => (persian ? s.replace(/\d/g, (d) => persianDigits[d]) : s);
  const credit = previewer(form, form);
  const preview = () => {
    gives.textContent = credit();
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

// alsoCredit adds the credit line under a points keypad's preview. It
// listens on the form, so the keys (points.js) have typed before it reads.
function alsoCredit(form, rule) {
  const line = document.createElement('p');
  line.className = 'gives big-text';
  line.setAttribute('aria-live', 'polite');
  line.dataset.testid = 'points-credit-gives';
  form.querySelector('.gives').after(line);
  const credit = previewer(form, rule);
  const preview = () => {
    line.textContent = credit();
  };
  form.addEventListener('click', preview);
  form.addEventListener('input', preview);
  preview();
}

document.querySelectorAll('form[data-credit-keypad]').forEach(setUp);
const rule = document.querySelector('[data-cashback]');
if (rule) document.querySelectorAll('form[data-keypad]').forEach((form) => alsoCredit(form, rule));
