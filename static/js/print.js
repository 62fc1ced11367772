// Print pages (poster, sheet of printed cards): a button that opens the
// browser's print dialog. It stays hidden until this script runs; without
// JavaScript the browser's own menu prints the page.
for (const b of document.querySelectorAll('button[data-print]')) {
  b.hidden = false;
  b.addEventListener('click', () => window.print());
}
