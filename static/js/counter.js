// Counter screens: a keyboard-wedge scan opens the card from any screen,
// optional camera QR scanning on top of the plain lookup form, and no tap
// lands on a button that a new result just moved under the finger.
// Everything here is a progressive enhancement: without JS the cashier types
// (or keyboard-wedge scans) into #lookup-q and the form submits normally.
//
// All user-facing text comes from data-msg-* attributes on #scan-start so the
// server stays the only place that knows the language.

// qr-scanner 1.4.x has no WORKER_PATH any more: it does
// import('./qr-scanner-worker.min.js'), resolved against its own module URL,
// so the worker file only has to sit next to qr-scanner.min.js. That module
// then starts the worker from a blob: URL (CSP: worker-src blob:). Browsers
// with a native BarcodeDetector skip the worker entirely.
const SCANNER_URL = '/static/vendor/qr-scanner/qr-scanner.min.js';
// Set once the camera has worked in this tab, so autostart never triggers a
// permission prompt that nobody asked for.
const CAMERA_OK_KEY = 'regulars.counter.camera-ok';

const $ = (id) => document.getElementById(id);
const form = $('lookup');
const input = $('lookup-q');
const startBtn = $('scan-start');
const stopBtn = $('scan-stop');
const video = $('scan-video');
const statusEl = $('scan-status');

let scanner = null; // QrScanner instance, created on first use and reused
let active = false; // true from "start" until "stop"; guards late callbacks
let starting = false; // a start() is in flight; a second one would leak a camera stream

// A keyboard-wedge scanner types a card's URL, then Enter. The keys typed
// since the last Enter, wherever the focus was (nowhere on a card screen, or
// in a field that still holds the last lookup), end with the scan: when they
// end with a card's URL or token, they open that card. No timing is needed,
// and a busy tablet that delivers the keys in clumps loses nothing: only a
// whole card token counts, and that is a lookup of the card even if a person
// typed it.
const TYPED_KEPT = 512;
// After a result moves the screen, a second tap of the same finger must not
// land on whatever button now sits under it.
const SETTLE_MS = 500;

// sessionStorage can throw (storage disabled, some private modes).
const flag = {
  get: () => { try { return sessionStorage.getItem(CAMERA_OK_KEY) === '1'; } catch { return false; } },
  set: (on) => {
    try { on ? sessionStorage.setItem(CAMERA_OK_KEY, '1') : sessionStorage.removeItem(CAMERA_OK_KEY); } catch { /* ignore */ }
  },
};

// key is a dataset name such as 'msgDenied' (= data-msg-denied); null clears.
function say(key) {
  if (statusEl) statusEl.textContent = (key && startBtn.dataset[key]) || '';
}

// Put the caret back in the lookup field so a USB wedge scanner keeps working
// (otherwise its trailing Enter would "click" whichever button has focus).
// Skipped on touch-first devices, where focusing pops up the soft keyboard.
function refocusInput() {
  if (!matchMedia('(pointer: coarse)').matches) input.focus({ preventScroll: true });
}

async function startScan() {
  if (active || starting) return;
  active = starting = true;
  say('msgStarting');
  startBtn.hidden = true;
  stopBtn.hidden = false;
  // Un-hide BEFORE constructing QrScanner: its constructor checks the video's
  // computed style once and, if hidden, forces it to an invisible 0x0 box.
  video.hidden = false;

  try {
    await openCamera();
  } finally {
    starting = false;
    if (!active) startBtn.hidden = false; // stopped meanwhile: offer a restart now
  }
}

async function openCamera() {
  try {
    if (!scanner) {
      const { default: QrScanner } = await import(SCANNER_URL);
      if (!active) return; // stopped while the library was loading
      scanner = new QrScanner(video, onDecode, {
        preferredCamera: 'environment',
        returnDetailedScanResult: true,
        maxScansPerSecond: 10,
      });
    }
  } catch (err) {
    // Library failed to load (network, CSP): scanning is unavailable here.
    console.error(err);
    stopScan();
    say('msgNocamera');
    return;
  }

  try {
    await scanner.start();
    if (!active) return; // stopped while the camera was starting
    flag.set(true);
    say('msgScanning');
    refocusInput(); // the wedge scanner stays usable while the camera runs
  } catch (err) {
    if (!active) return;
    stopScan();
    const key = await failureMessage(err);
    if (key === 'msgDenied') flag.set(false);
    say(key);
  }
}

function stopScan() {
  active = false;
  scanner?.stop();
  video.hidden = true;
  stopBtn.hidden = true;
  startBtn.hidden = starting; // re-shown once the pending start settles
}

function onDecode(result) {
  // A frame already in flight can still report after stop(); ignore it.
  const text = result?.data?.trim();
  if (!active || !text) return;
  if (!isCardCode(text)) {
    // A menu's or a payment's QR code: say so and keep looking, instead of a
    // lookup that comes back to a camera that reads the same code again.
    say('msgNotcard');
    return;
  }
  stopScan();
  say(null);
  // requestSubmit runs validation and fires "submit" (so data-once applies);
  // plain submit() is only the fallback for old Safari (< 16).
  lookUp(text);
}

// qr-scanner 1.4.2 swallows the getUserMedia DOMException and throws the
// string "Camera not found." for every failure, so work out the cause here.
async function failureMessage(err) {
  if (err?.name === 'NotAllowedError' || err?.name === 'SecurityError') return 'msgDenied';
  try {
    const devices = await navigator.mediaDevices.enumerateDevices();
    if (!devices.some((d) => d.kind === 'videoinput')) return 'msgNocamera';
  } catch { /* fall through */ }
  try {
    // 'granted' but still failing means the camera is missing, busy or
    // unusable; 'denied' or a dismissed prompt means the user said no.
    const perm = await navigator.permissions.query({ name: 'camera' });
    return perm.state === 'granted' ? 'msgNocamera' : 'msgDenied';
  } catch {
    // No Permissions API for "camera" (older Firefox): a camera exists, so
    // a refusal is the likeliest cause.
    return 'msgDenied';
  }
}

function maybeAutostart() {
  if (startBtn.hasAttribute('data-autostart-scan') && flag.get()) startScan();
}

// isCardCode tells whether a QR code's text can be one of the shop's cards:
// a card URL or a bare token, as loyalty.ParseCardToken reads them.
function isCardCode(text) {
  const at = text.lastIndexOf('/c/');
  const token = (at >= 0 ? text.slice(at + 3) : text).replace(/\/+$/, '');
  return /^[A-Za-z0-9_-]{24}$/.test(token);
}

// lookUp opens what was scanned, as if it had been typed into the field; in a
// shop that stamps on scan, the scan-stamp form looks it up and stamps it.
// Once a scan is on its way, the lookup form stays put: the Enter that ended
// the scan would otherwise also submit it, and its navigation would cancel
// the stamp's.
let scanSent = false;
function lookUp(text) {
  const stamp = $('scan-stamp');
  const target = stamp ?? form;
  (stamp ? stamp.elements.q : input).value = text;
  scanSent = Boolean(stamp);
  // Re-armed if the page is still here: the stamp's request failed.
  setTimeout(() => { scanSent = false; }, 10000);
  target.requestSubmit ? target.requestSubmit() : target.submit();
}
form?.addEventListener('submit', (e) => { if (scanSent) e.preventDefault(); });

let typed = '';
document.addEventListener('keydown', (e) => {
  if (!form || !input || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
  if (e.key === 'Enter') {
    const scanned = isCardCode(typed) ? typed : '';
    typed = '';
    if (scanned) {
      e.preventDefault();
      e.stopPropagation();
      lookUp(scanned);
    }
    return;
  }
  if (e.key.length === 1) typed = (typed + e.key).slice(-TYPED_KEPT);
}, true);

// The last lookup stays in the field, all of it selected: whatever comes
// next, typed or scanned, replaces it instead of joining it.
if (input?.value && !matchMedia('(pointer: coarse)').matches) input.select();

// Taps in the first moments of a result are the finger that caused it, not a
// new decision. <html data-settling> marks those moments.
if (document.querySelector('[data-result]:not([data-result=none])')) {
  const root = document.documentElement;
  root.dataset.settling = '';
  setTimeout(() => delete root.dataset.settling, SETTLE_MS);
  document.addEventListener('click', (e) => {
    if ('settling' in root.dataset && e.target.closest('button, a, summary')) {
      e.preventDefault();
      e.stopPropagation();
    }
  }, true);
}

if (startBtn && !window.isSecureContext) {
  // Browsers give the camera to https:// pages only (and to localhost).
  startBtn.hidden = true;
  say('msgInsecure');
} else if (startBtn && !navigator.mediaDevices?.getUserMedia) {
  startBtn.hidden = true;
}

if (form && input && startBtn && stopBtn && video && navigator.mediaDevices?.getUserMedia) {
  startBtn.removeAttribute('data-pending');
  startBtn.disabled = false;
  startBtn.addEventListener('click', startScan);
  stopBtn.addEventListener('click', () => { stopScan(); say(null); refocusInput(); });
  // Release the camera when leaving; a live stream also blocks the back/forward cache.
  addEventListener('pagehide', () => { if (active) stopScan(); });
  addEventListener('pageshow', (e) => { if (e.persisted) maybeAutostart(); });
  maybeAutostart();
}

