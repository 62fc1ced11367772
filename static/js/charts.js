// Dashboard charts: a tap, the pointer or the keyboard chooses a bar (or a
// heat map cell), and its value shows under the chart, where a phone, which
// has no hover, can read it. The page draws each chart with its newest bar
// (the heat map with its busiest hour) chosen and its value shown; without
// this script the values are in each bar's tooltip and in a list.
//
// A chart is one stop of the Tab key, at its chosen point (a "roving
// tabindex"); arrow keys move between points, in the direction they point on
// the screen (time runs right to left on a right-to-left page), Home and End
// to the ends of a row. The heat map's rows are data-cols points long.

for (const chart of document.querySelectorAll('[data-chart]')) {
  const points = [...chart.querySelectorAll('[data-point]')];
  const readout = chart.querySelector('[data-readout]');
  if (points.length === 0 || !readout) continue;
  const cols = Number(chart.dataset.cols) || points.length;
  let current = Math.max(0, points.findIndex((p) => p.getAttribute('tabindex') === '0'));

  const choose = (i) => {
    if (i === current) return;
    points[current].setAttribute('tabindex', '-1');
    points[current].classList.remove('current');
    current = i;
    points[i].setAttribute('tabindex', '0');
    points[i].classList.add('current');
    readout.textContent = points[i].getAttribute('aria-label');
  };
  const indexOf = (el) => points.indexOf(el instanceof Element ? el.closest('[data-point]') : null);

  // A tap or a click focuses the point (it is focusable), which chooses it.
  chart.addEventListener('focusin', (e) => {
    const i = indexOf(e.target);
    if (i >= 0) choose(i);
  });
  // Hovering, or sliding a finger along the bars, chooses what is under it.
  chart.addEventListener('pointermove', (e) => {
    const i = indexOf(document.elementFromPoint(e.clientX, e.clientY));
    if (i >= 0) choose(i);
  });

  chart.addEventListener('keydown', (e) => {
    if (indexOf(e.target) < 0) return;
    const rtl = getComputedStyle(chart).direction === 'rtl';
    const rowStart = current - (current % cols);
    const next = {
      ArrowRight: rtl ? current - 1 : current + 1,
      ArrowLeft: rtl ? current + 1 : current - 1,
      ArrowDown: current + cols,
      ArrowUp: current - cols,
      Home: rowStart,
      End: rowStart + cols - 1,
    }[e.key];
    // Left and right stay in the row; up and down stay in the map (in a
    // bar chart they scroll the page, as they would anywhere else).
    const sideways = e.key === 'ArrowRight' || e.key === 'ArrowLeft';
    if (next === undefined || next < 0 || next >= points.length || (sideways && next - (next % cols) !== rowStart)) return;
    e.preventDefault();
    choose(next);
    points[next].focus();
  });
}
