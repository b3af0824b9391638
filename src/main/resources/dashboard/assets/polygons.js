// A polygon editor over a camera's picture: polygons of [x, y] points as fractions 0..1 of the picture's
// width and height (what the camera API stores, so they survive a resolution change). Draw ("New polygon",
// then click the points, "Finish" or a click on the first point), drag points, double-click a point to
// remove it, click a polygon to select it and "Delete polygon". Used for motion masks; any list of
// polygons in the same form (zones) can use it as well. Drawn as SVG made element by element, never markup.
import { el } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attributes) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes || {})) node.setAttribute(k, String(v));
  return node;
}

const round = (v) => Math.round(Math.min(1, Math.max(0, v)) * 10000) / 10000;

/**
 * {@code polygons}: the starting value (copied); {@code idPrefix}: prefix of the editor's element ids
 * ("mask" gives #mask-editor, #mask-new, ...); {@code pictureUrl}: a promise of an image URL, or null.
 * Returns { node, value() }: value() is every polygon, the one being drawn included, so a polygon with too
 * few points meets the server's check (and its field error) rather than vanishing.
 */
export function polygonEditor({ polygons, idPrefix, pictureUrl, label }) {
  let shapes = (polygons || []).map((p) => p.map(([x, y]) => [x, y]));
  let drawing = null; // the polygon being drawn
  let selected = -1;
  let dragging = null; // { polygon, point }

  const img = el('img', { class: 'polygon-picture', alt: '' });
  const placeholder = el('span', { class: 'polygon-placeholder muted' }, pictureUrl ? 'loading the picture…' : 'no picture');
  const layer = svg('svg', { class: 'polygon-layer', viewBox: '0 0 1 1', preserveAspectRatio: 'none', id: `${idPrefix}-editor` });
  const status = el('small', { class: 'muted', id: `${idPrefix}-status` });
  const newButton = el('button', { type: 'button', id: `${idPrefix}-new`, onclick: () => start() }, 'New polygon');
  const finishButton = el('button', { type: 'button', id: `${idPrefix}-finish`, onclick: () => finish(), disabled: true }, 'Finish');
  const deleteButton = el('button', { type: 'button', id: `${idPrefix}-delete`, class: 'remove', onclick: () => removeSelected(), disabled: true },
    'Delete polygon');
  const stage = el('div', { class: 'polygon-stage' }, img, placeholder, layer);
  const node = el('div', { class: 'polygon-editor' },
    el('div', { class: 'toolbar' }, el('strong', null, label), newButton, finishButton, deleteButton, status), stage);

  // The stage takes the picture's own proportions, so that fractions of it are fractions of the picture.
  img.onload = () => {
    if (img.naturalWidth) stage.style.aspectRatio = `${img.naturalWidth} / ${img.naturalHeight}`;
    if (img.src.startsWith('blob:')) URL.revokeObjectURL(img.src); // decoded: the picture stays
  };
  if (pictureUrl) {
    pictureUrl.then((u) => { img.src = u; placeholder.hidden = true; })
      .catch((e) => { placeholder.textContent = e.status === 404 ? 'no picture yet (the camera has sent no frame)' : e.message; });
  }

  function at(event) {
    const r = layer.getBoundingClientRect();
    return [round((event.clientX - r.left) / r.width), round((event.clientY - r.top) / r.height)];
  }

  function start() {
    if (drawing && drawing.length > 0) shapes.push(drawing);
    drawing = [];
    selected = -1;
    render();
  }

  function finish() {
    if (!drawing) return;
    if (drawing.length > 0) shapes.push(drawing);
    selected = drawing.length > 0 ? shapes.length - 1 : -1;
    drawing = null;
    render();
  }

  function removeSelected() {
    if (selected < 0) return;
    shapes.splice(selected, 1);
    selected = -1;
    render();
  }

  layer.addEventListener('click', (event) => {
    if (!drawing) return;
    drawing.push(at(event));
    render();
  });
  layer.addEventListener('pointermove', (event) => {
    if (!dragging) return;
    const list = dragging.polygon === -1 ? drawing : shapes[dragging.polygon];
    list[dragging.point] = at(event);
    render();
  });
  const drop = () => { dragging = null; };
  layer.addEventListener('pointerup', drop);
  layer.addEventListener('pointerleave', drop);

  function render() {
    layer.replaceChildren();
    shapes.forEach((points, i) => {
      const shape = svg('polygon', { points: points.map((p) => p.join(',')).join(' '), class: `polygon${i === selected ? ' selected' : ''}`,
        'data-index': i });
      shape.addEventListener('click', (event) => {
        if (drawing) return; // a click while drawing adds a point (the layer hears it)
        event.stopPropagation();
        selected = i;
        render();
      });
      layer.append(shape);
    });
    if (drawing) layer.append(svg('polyline', { points: drawing.map((p) => p.join(',')).join(' '), class: 'polygon drawing' }));
    shapes.forEach((points, i) => points.forEach((p, j) => layer.append(handle(p, i, j))));
    if (drawing) drawing.forEach((p, j) => layer.append(handle(p, -1, j)));
    finishButton.disabled = !drawing;
    deleteButton.disabled = selected < 0;
    status.textContent = drawing ? `drawing: ${drawing.length} point(s); click the picture to add, Finish to close`
      : `${shapes.length} polygon(s)`;
  }

  function handle([x, y], polygon, point) {
    // An ellipse in a stretched 0..1 box: radius as a fraction of each side, about 6 px on a 640 px picture.
    const c = svg('ellipse', { cx: x, cy: y, rx: 0.01, ry: 0.016, class: 'handle', 'data-polygon': polygon, 'data-point': point });
    c.addEventListener('pointerdown', (event) => {
      event.stopPropagation();
      event.preventDefault();
      dragging = { polygon, point };
    });
    c.addEventListener('click', (event) => {
      event.stopPropagation();
      // Closing the polygon being drawn by clicking its first point.
      if (polygon === -1 && point === 0 && drawing.length >= 3) finish();
    });
    c.addEventListener('dblclick', (event) => {
      event.stopPropagation();
      const list = polygon === -1 ? drawing : shapes[polygon];
      list.splice(point, 1);
      if (polygon >= 0 && list.length === 0) shapes.splice(polygon, 1);
      render();
    });
    return c;
  }

  render();
  return {
    node,
    value() {
      const all = shapes.map((p) => p.map(([x, y]) => [x, y]));
      if (drawing && drawing.length > 0) all.push(drawing.map(([x, y]) => [x, y]));
      return all;
    },
  };
}
