// A camera's zones (named polygons with classes of interest and a loitering threshold) and lines (named
// two-point lines with classes), drawn on its picture with polygons.js and edited in a list beside it. The
// value is what the camera API stores; the server's field errors (zones[1].polygon, lines[0].name) are
// shown beside the zone or line they name.
import { el, show } from './dom.js';
import { polygonEditor } from './polygons.js';

const classList = (text) => text.split(',').map((c) => c.trim()).filter((c) => c);

/**
 * {@code kind}: 'zones' or 'lines'; {@code items}: the camera's zones or lines; {@code pictureUrl}: a promise
 * of the picture's URL or null. Returns { node, value(), showError(field, message) → whether it was shown }.
 */
export function shapeList({ kind, items, pictureUrl }) {
  const zones = kind === 'zones';
  const prefix = zones ? 'zone' : 'line';
  // One entry per shape, in the editor's order; the shape's points live in the editor.
  const entries = (items || []).map((z) => ({ name: z.name || '', classes: (z.classes || []).join(', '),
    loiterAfter: z.loiterAfter == null ? '' : String(z.loiterAfter) }));
  const rows = el('ol', { class: 'shape-list', id: `${prefix}-list` });
  const editor = polygonEditor({
    polygons: (items || []).map((z) => (zones ? z.polygon : [z.from, z.to]) || []),
    idPrefix: prefix, pictureUrl, mode: zones ? 'polygon' : 'line',
    label: zones ? 'Zones (entered, left, loitering)' : 'Lines (crossings counted, arrow: in)',
    labels: () => entries.map((e) => e.name),
    onAdd: (i) => { entries.splice(i, 0, { name: freeName(), classes: '', loiterAfter: '' }); renderRows(); },
    onRemove: (i) => { entries.splice(i, 1); renderRows(); },
    onSelect: (i) => { for (const r of rows.children) r.classList.toggle('selected', Number(r.dataset.index) === i); },
  });

  function freeName() {
    const taken = new Set(entries.map((e) => e.name));
    let n = entries.length + 1;
    while (taken.has(`${prefix}-${n}`)) n++;
    return `${prefix}-${n}`;
  }

  function renderRows() {
    show(rows, entries.map((e, i) => {
      const name = el('input', { class: 'shape-name', id: `${prefix}-${i}-name`, value: e.name, 'aria-label': `${prefix} ${i + 1} name`,
        oninput: () => { e.name = name.value; editor.refresh(); } });
      const classes = el('input', { class: 'shape-classes', id: `${prefix}-${i}-classes`, value: e.classes, placeholder: 'every class',
        'aria-label': `${prefix} ${i + 1} classes`, oninput: () => { e.classes = classes.value; } });
      const loiter = zones ? el('input', { class: 'shape-loiter', id: `${prefix}-${i}-loiterAfter`, type: 'number', step: 'any',
        value: e.loiterAfter, placeholder: 'default', 'aria-label': `${prefix} ${i + 1} loiter after (s)`,
        oninput: () => { e.loiterAfter = loiter.value; } }) : null;
      return el('li', { class: 'shape', dataset: { index: String(i) } },
        el('label', null, 'Name ', name), el('label', null, 'Classes ', classes),
        zones ? el('label', null, 'Loiter after (s) ', loiter) : null,
        el('button', { type: 'button', class: 'link', onclick: () => editor.select(i) }, 'Select'),
        el('button', { type: 'button', class: 'remove', id: `${prefix}-${i}-delete`, onclick: () => editor.remove(i) }, 'Delete'),
        el('span', { class: 'field-error', id: `${prefix}-${i}-error`, role: 'alert' }));
    }));
  }

  renderRows();
  const general = el('span', { class: 'field-error', id: `camera-${kind}-error`, role: 'alert' });
  return {
    node: el('div', { class: 'field polygon-editor', id: `camera-${kind}` }, editor.node, rows, general),
    value() {
      return editor.value().map((points, i) => {
        const e = entries[i] || { name: '', classes: '', loiterAfter: '' };
        const item = { name: e.name, classes: classList(e.classes) };
        if (zones) {
          item.polygon = points;
          // Not a number is sent as written: the server names the field rather than the page guessing.
          if (e.loiterAfter.trim() !== '') item.loiterAfter = Number.isNaN(Number(e.loiterAfter)) ? e.loiterAfter : Number(e.loiterAfter);
        } else {
          item.from = points[0] || null;
          item.to = points[1] || null;
        }
        return item;
      });
    },
    showError(field, message) {
      const m = new RegExp(`^${kind}\\[(\\d+)\\]`).exec(field || '');
      if (!m) {
        if (field !== kind) return false;
        general.textContent = message;
        return true;
      }
      const target = rows.querySelector(`#${prefix}-${m[1]}-error`);
      (target || general).textContent = message;
      if (target) editor.select(Number(m[1]));
      return true;
    },
  };
}
