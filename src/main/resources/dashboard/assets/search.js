// Search: tracked objects first (GET /api/events: one result per object a camera followed, by camera,
// class, time range, plate and minimum duration), or raw detections (by camera, class, time range, plate
// or plate prefix and minimum confidence); results as thumbnails of their frames with boxes, more as the
// list is scrolled to its end.
import { el, show, time } from './dom.js';
import { allCameras, api, imageUrl } from './api.js';

const PAGE = 30;

export function searchPage(main) {
  let alive = true;
  let cursor = null;
  let loading = false;
  let query = null;
  const urls = [];
  const kind = el('select', { id: 'search-kind', name: 'kind', onchange: () => fieldsFor() },
    el('option', { value: 'objects', selected: true }, 'Tracked objects'), el('option', { value: 'detections' }, 'Detections'));
  const camera = el('select', { id: 'search-camera', name: 'camera' }, el('option', { value: '' }, 'any camera'));
  const cls = el('input', { id: 'search-class', name: 'class', placeholder: 'car' });
  const from = el('input', { id: 'search-from', name: 'from', type: 'datetime-local' });
  const to = el('input', { id: 'search-to', name: 'to', type: 'datetime-local' });
  const plate = el('input', { id: 'search-plate', name: 'plate', placeholder: 'ABC1D23 or ABC*' });
  const minConfidence = el('input', { id: 'search-min-confidence', name: 'minConfidence', type: 'number', min: '0', max: '1', step: '0.05' });
  const minDuration = el('input', { id: 'search-min-duration', name: 'minDuration', type: 'number', min: '0', step: '1', placeholder: 'seconds' });
  const message = el('p', { class: 'error', id: 'search-error', role: 'alert' });
  const results = el('div', { id: 'results', class: 'results' });
  const end = el('div', { class: 'end muted', id: 'results-end' });
  const viewer = el('div', { id: 'viewer', class: 'viewer', hidden: true });
  const plateLabel = labelled('Plate', plate);
  const confidenceLabel = labelled('Min. confidence', minConfidence);
  const durationLabel = labelled('Min. duration (s)', minDuration);
  const form = el('form', { id: 'search', class: 'search', onsubmit: (e) => { e.preventDefault(); search(); } },
    labelled('Search', kind), labelled('Camera', camera), labelled('Class', cls), labelled('From', from), labelled('To', to),
    plateLabel, confidenceLabel, durationLabel,
    el('button', { type: 'submit', id: 'search-go' }, 'Search'));

  // Objects are searched by exact plate and duration; detections by plate prefix and confidence too.
  function fieldsFor() {
    const objects = kind.value === 'objects';
    confidenceLabel.hidden = objects;
    durationLabel.hidden = !objects;
    plateLabel.firstChild.textContent = objects ? 'Plate' : 'Plate (prefix with *)';
  }
  fieldsFor();
  show(main, el('section', null, el('h2', null, 'Search'), form, message, results, end, viewer));

  allCameras().then((list) => {
    for (const c of list.sort((a, b) => a.name.localeCompare(b.name))) camera.append(el('option', { value: c.id }, c.name));
  }).catch((e) => { message.textContent = e.message; });

  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && cursor && !loading) more();
  });
  observer.observe(end);

  function search() {
    const q = new URLSearchParams();
    if (camera.value) q.set('camera', camera.value);
    if (cls.value.trim()) q.set('class', cls.value.trim());
    if (from.value) q.set('from', new Date(from.value).toISOString());
    if (to.value) q.set('to', new Date(to.value).toISOString());
    const p = plate.value.trim();
    if (kind.value === 'objects') {
      if (p) q.set('plate', p);
      if (minDuration.value !== '') q.set('minDuration', `PT${Number(minDuration.value)}S`);
    } else {
      if (p.endsWith('*')) q.set('platePrefix', p.slice(0, -1));
      else if (p) q.set('plate', p);
      if (minConfidence.value !== '') q.set('minConfidence', minConfidence.value);
    }
    q.set('limit', String(PAGE));
    query = { path: kind.value === 'objects' ? '/api/events' : '/api/detections', params: q };
    cursor = null;
    message.textContent = '';
    for (const u of urls.splice(0)) URL.revokeObjectURL(u);
    show(results);
    more(true);
  }

  async function more(first = false) {
    if (!query || loading) return;
    loading = true;
    const q = new URLSearchParams(query.params);
    if (cursor) q.set('cursor', cursor);
    try {
      const page = await api(`${query.path}?${q}`);
      if (!alive) return;
      for (const d of page.items) results.append(query.path === '/api/events' ? objectResult(d) : result(d));
      cursor = page.nextCursor;
      end.textContent = cursor ? 'more…' : (first && page.items.length === 0 ? 'Nothing found.' : 'End of results.');
    } catch (e) {
      message.textContent = e.field ? `${e.field}: ${e.message}` : e.message;
    } finally {
      loading = false;
    }
  }

  function result(d) {
    const img = el('img', { class: 'thumb', alt: '' });
    const card = el('button', { class: 'result', type: 'button', dataset: { id: String(d.id) }, onclick: () => open(d) },
      img,
      el('span', { class: 'label' }, `${d.class} ${Math.round(d.confidence * 100)}%`, d.plate ? el('strong', { class: 'plate' }, ` ${d.plate}`) : null),
      el('small', null, d.cameraId, ' · ', time(d.timestamp || d.capturedAt)));
    if (d.evidenceKey) {
      imageUrl(`/api/detections/${encodeURIComponent(d.id)}/frame?boxes=true`)
        .then((u) => { urls.push(u); img.src = u; })
        .catch(() => { img.replaceWith(el('span', { class: 'thumb none' }, 'no frame')); });
    } else {
      img.replaceWith(el('span', { class: 'thumb none' }, 'no frame'));
    }
    return card;
  }

  function objectResult(o) {
    const img = el('img', { class: 'thumb', alt: '' });
    const state = o.endedAt ? `${Math.round(o.durationMs / 1000)} s` : 'active';
    const card = el('button', { class: 'result object', type: 'button', dataset: { id: String(o.id), kind: 'object' }, onclick: () => openObject(o) },
      img,
      el('span', { class: 'label' }, `${o.class} · ${state}`, o.plate ? el('strong', { class: 'plate' }, ` ${o.plate}`) : null),
      el('small', null, o.cameraId, ' · ', time(o.startedAt)));
    if (o.bestFrameUrl) {
      imageUrl(`/api/events/${encodeURIComponent(o.id)}/frame?boxes=true`)
        .then((u) => { urls.push(u); img.src = u; })
        .catch(() => { img.replaceWith(el('span', { class: 'thumb none' }, 'no frame')); });
    } else {
      img.replaceWith(el('span', { class: 'thumb none' }, 'no frame'));
    }
    return card;
  }

  async function openObject(o) {
    viewer.hidden = false;
    const close = el('button', { class: 'link', id: 'viewer-close', onclick: () => { viewer.hidden = true; show(viewer); } }, 'Close');
    const caption = el('p', null, `${o.class}`, o.plate ? ` · plate ${o.plate}` : '', ` · ${o.cameraId} · from ${time(o.startedAt)}`,
      o.endedAt ? ` to ${time(o.endedAt)} (${o.endReason || 'ended'})` : ' (active)');
    const seen = el('button', { class: 'link', id: 'viewer-detections', onclick: () => {
      viewer.hidden = true;
      kind.value = 'detections';
      fieldsFor();
      camera.value = o.cameraId;
      cls.value = o.class;
      plate.value = '';
      from.value = local(o.startedAt);
      to.value = o.endedAt ? local(new Date(new Date(o.endedAt).getTime() + 1000).toISOString()) : '';
      search();
    } }, 'Its detections');
    show(viewer, close, caption, seen);
    if (!o.bestFrameUrl) {
      viewer.append(el('p', { class: 'error', id: 'viewer-error' }, 'This object has no stored frame.'));
      return;
    }
    try {
      const u = await imageUrl(`/api/events/${encodeURIComponent(o.id)}/frame?boxes=true`);
      urls.push(u);
      viewer.append(el('img', { class: 'full', id: 'viewer-image', src: u, alt: '' }));
    } catch (e) {
      viewer.append(el('p', { class: 'error', id: 'viewer-error' }, e.status === 404 ? 'The object\'s frame expired.' : e.message));
    }
  }

  async function open(d) {
    viewer.hidden = false;
    const close = el('button', { class: 'link', id: 'viewer-close', onclick: () => { viewer.hidden = true; show(viewer); } }, 'Close');
    const caption = el('p', null, `${d.class} ${Math.round(d.confidence * 100)}%`, d.plate ? ` · plate ${d.plate}` : '', ` · ${d.cameraId} · ${time(d.timestamp || d.capturedAt)}`);
    show(viewer, close, caption);
    try {
      const u = await imageUrl(`/api/detections/${encodeURIComponent(d.id)}/frame?boxes=true`);
      urls.push(u);
      viewer.append(el('img', { class: 'full', id: 'viewer-image', src: u, alt: '' }));
    } catch (e) {
      viewer.append(el('p', { class: 'error', id: 'viewer-error' }, e.status === 404 ? 'This detection has no evidence frame (or it expired).' : e.message));
    }
  }

  return () => { alive = false; observer.disconnect(); for (const u of urls) URL.revokeObjectURL(u); };
}

/** An ISO time as a datetime-local input's value (the browser's time zone, to the second). */
function local(iso) {
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function labelled(text, input) {
  return el('label', { class: 'field' }, el('span', null, text), input);
}
