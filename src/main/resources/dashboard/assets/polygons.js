// A polygon editor over a camera's picture: polygons of [x, y] points as fractions 0..1 of the picture's
// width and height (what the camera API stores, so they survive a resolution change). Draw ("New polygon",
// then click the points, "Finish" or a click on the first point), drag points, double-click a point to
// remove it, click a polygon to select it and "Delete polygon". Used for motion masks and zones; with
// {@code mode: 'line'} it edits two-point lines instead (drawing ends at the second point), each drawn with an
// arrow to the side that counts as `in` (the picture's y grows downwards: a line drawn left to right counts
// objects coming down as in). Shapes may carry names (labels()), drawn beside them as SVG text, never markup.
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
export function polygonEditor({ polygons, idPrefix, pictureUrl, label, mode = 'polygon', labels = () => [], onAdd = () => {},
  onRemove = () => {}, onSelect = () => {} }) {
  const line = mode === 'line';
  const noun = line ? 'line' : 'polygon';
  let shapes = (polygons || []).map((p) => p.map(([x, y]) => [x, y]));
  let drawing = null; // the polygon being drawn
  let selected = -1;
  let dragging = null; // { polygon, point }

  const img = el('img', { class: 'polygon-picture', alt: '' });
  const placeholder = el('span', { class: 'polygon-placeholder muted' }, pictureUrl ? 'loading the picture…' : 'no picture');
  const layer = svg('svg', { class: 'polygon-layer', viewBox: '0 0 1 1', preserveAspectRatio: 'none', id: `${idPrefix}-editor` });
  const status = el('small', { class: 'muted', id: `${idPrefix}-status` });
  const newButton = el('button', { type: 'button', id: `${idPrefix}-new`, onclick: () => start() }, `New ${noun}`);
  const finishButton = el('button', { type: 'button', id: `${idPrefix}-finish`, onclick: () => finish(), disabled: true }, 'Finish');
  const deleteButton = el('button', { type: 'button', id: `${idPrefix}-delete`, class: 'remove', onclick: () => removeSelected(), disabled: true },
    `Delete ${noun}`);
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
    if (drawing && drawing.length > 0) { shapes.push(drawing); onAdd(shapes.length - 1); }
    drawing = [];
    choose(-1);
  }

  function finish() {
    if (!drawing) return;
    const added = drawing.length > 0;
    if (added) shapes.push(drawing);
    drawing = null;
    if (added) onAdd(shapes.length - 1);
    choose(added ? shapes.length - 1 : -1);
  }

  function choose(i) {
    selected = i;
    onSelect(i);
    render();
  }

  function removeAt(i) {
    if (i < 0 || i >= shapes.length) return;
    shapes.splice(i, 1);
    onRemove(i);
    selected = -1;
    onSelect(-1);
    render();
  }

  function removeSelected() {
    removeAt(selected);
  }

  layer.addEventListener('click', (event) => {
    if (!drawing) return;
    drawing.push(at(event));
    if (line && drawing.length === 2) finish();
    else render();
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
    const names = labels();
    shapes.forEach((points, i) => {
      const attributes = { class: `polygon${line ? ' line' : ''}${i === selected ? ' selected' : ''}`, 'data-index': i };
      const shape = line && points.length === 2
        ? svg('line', { ...attributes, x1: points[0][0], y1: points[0][1], x2: points[1][0], y2: points[1][1] })
        : svg(line ? 'polyline' : 'polygon', { ...attributes, points: points.map((p) => p.join(',')).join(' ') });
      shape.addEventListener('click', (event) => {
        if (drawing) return; // a click while drawing adds a point (the layer hears it)
        event.stopPropagation();
        choose(i);
      });
      layer.append(shape);
      if (line && points.length === 2) layer.append(arrow(points, i));
      if (names[i]) layer.append(caption(names[i], points, i));
    });
    if (drawing) layer.append(svg('polyline', { points: drawing.map((p) => p.join(',')).join(' '), class: 'polygon drawing' }));
    shapes.forEach((points, i) => points.forEach((p, j) => layer.append(handle(p, i, j))));
    if (drawing) drawing.forEach((p, j) => layer.append(handle(p, -1, j)));
    finishButton.disabled = !drawing;
    deleteButton.disabled = selected < 0;
    status.textContent = drawing ? `drawing: ${drawing.length} point(s); click the picture to add${line ? '' : ', Finish to close'}`
      : `${shapes.length} ${noun}(s)`;
  }

  // From the line's middle towards the side objects come from when they count as `in`: the from->to
  // direction turned a quarter clockwise on the picture (x right, y down).
  function arrow([[x1, y1], [x2, y2]], i) {
    const mx = (x1 + x2) / 2;
    const my = (y1 + y2) / 2;
    const length = Math.hypot(x2 - x1, y2 - y1) || 1;
    const nx = -(y2 - y1) / length;
    const ny = (x2 - x1) / length;
    const tip = [mx + nx * 0.06, my + ny * 0.06];
    const back = [mx + nx * 0.035, my + ny * 0.035];
    const side = [(x2 - x1) / length * 0.02, (y2 - y1) / length * 0.02];
    return svg('polyline', { class: 'direction', 'data-index': i,
      points: [[mx, my], tip, [back[0] + side[0], back[1] + side[1]], tip, [back[0] - side[0], back[1] - side[1]]].map((p) => p.join(',')).join(' ') });
  }

  function caption(name, points, i) {
    const x = Math.min(...points.map((p) => p[0]));
    const y = Math.min(...points.map((p) => p[1]));
    // The layer is a stretched 0..1 box: the text is drawn in a box of its own so that it is not stretched.
    const box = svg('svg', { x, y: Math.max(0, y - 0.05), width: 0.4, height: 0.05, viewBox: '0 0 400 50', preserveAspectRatio: 'xMinYMid meet',
      class: 'caption', 'data-index': i });
    const text = svg('text', { x: 4, y: 38 });
    text.textContent = name;
    box.append(text);
    return box;
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
      if (polygon >= 0 && list.length === 0) removeAt(polygon);
      else render();
    });
    return c;
  }

  render();
  return {
    node,
    /** Draws again (after a name changed). */
    refresh: render,
    select: choose,
    remove: removeAt,
    value() {
      const all = shapes.map((p) => p.map(([x, y]) => [x, y]));
      if (drawing && drawing.length > 0) all.push(drawing.map(([x, y]) => [x, y]));
      return all;
    },
  };
}
