// A camera's detail: its line crossings of the last 24 hours, per line, with in/out per class and an
// hour-by-hour bar (GET /api/counts, bucket hour).
import { el, show } from './dom.js';
import { api } from './api.js';

const HOURS = 24;

export function countsPanel(camera, onClose) {
  const body = el('div', { id: 'counts' }, el('p', { class: 'muted' }, 'loading the counts…'));
  const panel = el('section', { id: 'camera-details', class: 'details', dataset: { camera: camera.id } },
    el('div', { class: 'toolbar' }, el('h3', null, `${camera.name}: line crossings, last ${HOURS} h`),
      el('button', { type: 'button', class: 'link', id: 'camera-details-close', onclick: onClose }, 'Close')),
    body);
  load(camera, body);
  return panel;
}

async function load(camera, body) {
  try {
    const counts = await api(`/api/counts?camera=${encodeURIComponent(camera.id)}&bucket=hour`);
    if (counts.lines.length === 0) { show(body, el('p', { class: 'muted', id: 'counts-none' }, 'No crossings in the last 24 hours.')); return; }
    const start = new Date(counts.from).getTime();
    show(body, el('table', { id: 'counts-table' },
      el('thead', null, el('tr', null, ['Line', 'In', 'Out', 'Total', 'By class', 'By hour'].map((h) => el('th', null, h)))),
      el('tbody', null, counts.lines.map((line) => el('tr', { dataset: { line: line.line } },
        el('td', { class: 'line' }, line.line), el('td', { class: 'in' }, String(line.in)), el('td', { class: 'out' }, String(line.out)),
        el('td', { class: 'total' }, String(line.total)),
        el('td', { class: 'classes' }, line.classes.map((c) => `${c.class} ${c.in}/${c.out}`).join(', ')),
        el('td', null, hours(line.buckets, start, new Date(counts.to).getTime())))))));
  } catch (e) {
    show(body, el('p', { class: 'error', role: 'alert' }, `Counts could not be loaded: ${e.message}`));
  }
}

// One bar per hour, as elements sized by style (no markup, no canvas): the busiest hour is full height.
function hours(buckets, start, end) {
  const n = Math.max(1, Math.ceil((end - start) / 3600000));
  const byHour = new Array(n).fill(0);
  for (const b of buckets) {
    const i = Math.floor((new Date(b.start).getTime() - start) / 3600000);
    if (i >= 0 && i < n) byHour[i] += b.total;
  }
  const most = Math.max(1, ...byHour);
  return el('span', { class: 'hours' }, byHour.map((count, i) => el('span', { class: 'bar', title: `${new Date(start + i * 3600000).toLocaleTimeString()}: ${count}`,
    style: { height: `${Math.round((count / most) * 100)}%` } })));
}
