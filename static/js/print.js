// Printed cards' sheet: a Print button for the browser's print dialog. The
// page prints as well from the browser's own menu; the button only saves a step.
const button = document.getElementById('print-sheet');
if (button) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}
