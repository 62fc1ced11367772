// Counter screen: optional camera QR scanning on top of the plain lookup form,
// plus double-submit protection for <form data-once>. Everything here is a
// progressive enhancement: without JS the cashier types (or keyboard-wedge
// scans) into #lookup-q and the form submits normally.
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
  stopScan();
  say(null);
  input.value = text;
  // requestSubmit runs validation and fires "submit" (so data-once applies);
  // plain submit() is only the fallback for old Safari (< 16).
  form.requestSubmit ? form.requestSubmit() : form.submit();
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

if (form && input && startBtn && stopBtn && video && navigator.mediaDevices?.getUserMedia) {
  startBtn.hidden = false;
  startBtn.addEventListener('click', startScan);
  stopBtn.addEventListener('click', () => { stopScan(); say(null); refocusInput(); });
  // Release the camera when leaving; a live stream also blocks the back/forward cache.
  addEventListener('pagehide', () => { if (active) stopScan(); });
  addEventListener('pageshow', (e) => { if (e.persisted) maybeAutostart(); });
  maybeAutostart();
}

