// Search: detections by camera, class, time range, plate or plate prefix and minimum confidence;
// results as thumbnails of their evidence frames with boxes, more as the list is scrolled to its end.
import { el, show, time } from './dom.js';
import { allCameras, api, imageUrl } from './api.js';

const PAGE = 30;

export function searchPage(main) {
  let alive = true;
  let cursor = null;
  let loading = false;
  let query = null;
  const urls = [];
  const camera = el('select', { id: 'search-camera', name: 'camera' }, el('option', { value: '' }, 'any camera'));
  const cls = el('input', { id: 'search-class', name: 'class', placeholder: 'car' });
  const from = el('input', { id: 'search-from', name: 'from', type: 'datetime-local' });
  const to = el('input', { id: 'search-to', name: 'to', type: 'datetime-local' });
  const plate = el('input', { id: 'search-plate', name: 'plate', placeholder: 'ABC1D23 or ABC*' });
  const minConfidence = el('input', { id: 'search-min-confidence', name: 'minConfidence', type: 'number', min: '0', max: '1', step: '0.05' });
  const message = el('p', { class: 'error', id: 'search-error', role: 'alert' });
  const results = el('div', { id: 'results', class: 'results' });
  const end = el('div', { class: 'end muted', id: 'results-end' });
  const viewer = el('div', { id: 'viewer', class: 'viewer', hidden: true });
  const form = el('form', { id: 'search', class: 'search', onsubmit: (e) => { e.preventDefault(); search(); } },
    labelled('Camera', camera), labelled('Class', cls), labelled('From', from), labelled('To', to),
    labelled('Plate (prefix with *)', plate), labelled('Min. confidence', minConfidence),
    el('button', { type: 'submit', id: 'search-go' }, 'Search'));
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
    if (p.endsWith('*')) q.set('platePrefix', p.slice(0, -1));
    else if (p) q.set('plate', p);
    if (minConfidence.value !== '') q.set('minConfidence', minConfidence.value);
    q.set('limit', String(PAGE));
    query = q;
    cursor = null;
    message.textContent = '';
    for (const u of urls.splice(0)) URL.revokeObjectURL(u);
    show(results);
    more(true);
  }

  async function more(first = false) {
    if (!query || loading) return;
    loading = true;
    const q = new URLSearchParams(query);
    if (cursor) q.set('cursor', cursor);
    try {
      const page = await api(`/api/detections?${q}`);
      if (!alive) return;
      for (const d of page.items) results.append(result(d));
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

function labelled(text, input) {
  return el('label', { class: 'field' }, el('span', null, text), input);
}
