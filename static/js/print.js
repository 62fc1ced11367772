// Print pages: a button that opens the browser's print dialog. The page
// prints without it; the button only saves looking for the menu.
for (const b of document.querySelectorAll('button[data-print]')) {
  b.addEventListener('click', () => window.print());
}
