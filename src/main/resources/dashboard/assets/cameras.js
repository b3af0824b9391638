// The landing page: the newest watch-list alerts (new ones arrive from the live feed at once), the newest
// tracked objects, then every camera by name with its health, in a
// virtualised list (only the rows in view are in the DOM), filtered by status and tag; add, edit, remove,
// enable and disable for the roles that may.
import { el, show, time } from './dom.js';
import { ApiError, allCameras, api, imageUrl, may } from './api.js';
import { polygonEditor } from './polygons.js';
import { alertItem, onAlert } from './alerts.js';

const ROW_HEIGHT = 44;
const OVERSCAN = 6;
const HEALTH_MAX_AGE_MS = 30000;
const HEALTH_IN_FLIGHT = 4;
const KINDS = ['rtsp', 'hls', 'snapshot', 'mjpeg', 'file'];
const RECENT_OBJECTS = 8;
const RECENT_ALERTS = 8;

export function camerasPage(main) {
  let cameras = [];
  let shown = [];
  const health = new Map(); // id -> { state, lastError, at } | { pending: true }
  let inFlight = 0;
  let alive = true;
  let listening = false; // the live feed's alerts: connected once the first list is shown

  const status = el('select', { id: 'filter-status', onchange: () => filter() },
    el('option', { value: '' }, 'any status'), ['registered', 'enabled', 'disabled'].map((s) => el('option', { value: s }, s)));
  const tag = el('select', { id: 'filter-tag', onchange: () => filter() }, el('option', { value: '' }, 'any tag'));
  const count = el('span', { id: 'camera-count', class: 'muted' });
  const message = el('p', { id: 'cameras-error', class: 'error', role: 'alert' });
  const spacer = el('div', { class: 'spacer' });
  const list = el('div', { id: 'camera-list', class: 'vlist', onscroll: () => requestAnimationFrame(render) }, spacer);
  const formArea = el('div', { id: 'camera-form-area' });
  const recent = el('ol', { id: 'recent-objects', class: 'recent' });
  const alerts = el('ol', { id: 'recent-alerts', class: 'recent alerts' });
  const details = el('div', { id: 'camera-details-area' });
  const add = may('admin') ? el('button', { id: 'add-camera', onclick: () => openForm(null) }, 'Add camera') : null;

  show(main, el('section', { class: 'alerts' },
    el('div', { class: 'toolbar' }, el('h2', null, 'Alerts'), el('a', { href: '#watchlist', id: 'alerts-watchlist' }, 'watch list…')), alerts),
  el('section', { class: 'objects' },
    el('div', { class: 'toolbar' }, el('h2', null, 'Tracked objects'), el('a', { href: '#search', id: 'objects-search' }, 'search…')), recent),
  el('section', { class: 'cameras' },
    el('div', { class: 'toolbar' }, el('h2', null, 'Cameras'), status, tag, count, add),
    message, formArea, details,
    el('div', { class: 'row head' }, el('span', { class: 'name' }, 'Name'), el('span', { class: 'status' }, 'Status'),
      el('span', { class: 'health' }, 'Health'), el('span', { class: 'tags' }, 'Tags'), el('span', { class: 'actions' }, '')),
    list));

  async function load() {
    try {
      cameras = await allCameras();
      cameras.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
      const tags = [...new Set(cameras.flatMap((c) => c.tags || []))].sort();
      const selected = tag.value;
      show(tag, el('option', { value: '' }, 'any tag'), tags.map((t) => el('option', { value: t, selected: t === selected }, t)));
      filter();
      // The landing page is up: what the first-load measurement (docs/benchmarks.md) waits for.
      if (performance.getEntriesByName('gtv-landing').length === 0) performance.mark('gtv-landing');
      if (alive && !listening) { listening = true; stopAlerts = listenForAlerts(); }
    } catch (e) {
      message.textContent = `Cameras could not be loaded: ${e.message}`;
    }
    loadObjects();
    loadAlerts();
  }

  const cameraName = (id) => (cameras.find((c) => c.id === id) || { name: id }).name;
  const alertIds = new Set();
  const liveIds = new Set(); // alerts that came from the live feed: marked as new until the page is left

  async function loadAlerts() {
    try {
      const page = await api(`/api/alerts?limit=${RECENT_ALERTS}`);
      if (!alive) return;
      alertIds.clear();
      for (const a of page.items) alertIds.add(a.alertId);
      show(alerts, page.items.length === 0 ? el('li', { class: 'muted none' }, 'No alerts.') : page.items.map((a) => {
        const item = alertItem(a, cameraName(a.cameraId));
        if (liveIds.has(a.alertId)) item.classList.add('fresh');
        return item;
      }));
    } catch (e) {
      show(alerts, el('li', { class: 'error' }, `Alerts could not be loaded: ${e.message}`));
    }
  }

  // An alert from the live feed goes to the top of the list at once (the read side has it a moment later).
  let stopAlerts = () => {};
  const listenForAlerts = () => onAlert((a) => {
    if (!alive || alertIds.has(a.alertId)) return;
    alertIds.add(a.alertId);
    liveIds.add(a.alertId);
    for (const none of alerts.querySelectorAll('.none')) none.remove();
    const item = alertItem(a, cameraName(a.cameraId));
    item.classList.add('fresh');
    alerts.prepend(item);
    while (alerts.children.length > RECENT_ALERTS) alerts.lastChild.remove();
  }, () => { alerts.dataset.live = 'connected'; });

  // What the cameras saw lately, one line per tracked object (raw detections are on the search page).
  async function loadObjects() {
    try {
      const page = await api(`/api/events?limit=${RECENT_OBJECTS}`);
      if (!alive) return;
      const names = new Map(cameras.map((c) => [c.id, c.name]));
      show(recent, page.items.length === 0 ? el('li', { class: 'muted' }, 'No tracked objects yet.') : page.items.map((o) =>
        el('li', { class: 'object', dataset: { id: String(o.id) } },
          el('strong', null, o.class), o.plate ? el('span', { class: 'plate' }, o.plate) : null,
          el('span', { class: 'camera' }, names.get(o.cameraId) || o.cameraId),
          el('span', { class: 'muted' }, time(o.startedAt), o.endedAt ? ` · ${Math.round(o.durationMs / 1000)} s` : ' · active'))));
    } catch (e) {
      show(recent, el('li', { class: 'error' }, `Tracked objects could not be loaded: ${e.message}`));
    }
  }

  function filter() {
    shown = cameras.filter((c) => (!status.value || c.status === status.value) && (!tag.value || (c.tags || []).includes(tag.value)));
    count.textContent = `${shown.length} of ${cameras.length}`;
    spacer.style.height = `${shown.length * ROW_HEIGHT}px`;
    render();
  }

  function render() {
    if (!alive) return;
    const first = Math.max(0, Math.floor(list.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(shown.length, Math.ceil((list.scrollTop + list.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    const rows = [];
    for (let i = first; i < last; i++) rows.push(row(shown[i], i));
    spacer.replaceChildren(...rows);
    for (let i = first; i < last; i++) refreshHealth(shown[i].id);
  }

  function row(camera, index) {
    const h = health.get(camera.id);
    const state = h && h.state ? h.state : '…';
    const actions = [];
    if (may('operator')) {
      actions.push(camera.enabled
        ? el('button', { class: 'disable', onclick: () => toggle(camera, 'disable') }, 'Disable')
        : el('button', { class: 'enable', onclick: () => toggle(camera, 'enable') }, 'Enable'));
    }
    if (may('admin')) {
      actions.push(el('button', { class: 'edit', onclick: () => openForm(camera) }, 'Edit'));
      actions.push(el('button', { class: 'remove', onclick: () => remove(camera) }, 'Remove'));
    }
    return el('div', { class: 'row camera', dataset: { id: camera.id }, style: { top: `${index * ROW_HEIGHT}px` } },
      el('span', { class: 'name', title: `${camera.id}: details`, onclick: () => openDetails(camera) }, camera.name),
      el('span', { class: `status ${camera.status}` }, camera.status),
      el('span', { class: `health ${state}`, title: (h && h.lastError) || '' }, state, h && h.lastError ? el('small', { class: 'last-error' }, h.lastError) : null),
      el('span', { class: 'tags' }, (camera.tags || []).map((t) => el('span', { class: 'tag' }, t))),
      el('span', { class: 'actions' }, actions));
  }

  function refreshHealth(id) {
    const h = health.get(id);
    if (h && (h.pending || Date.now() - h.at < HEALTH_MAX_AGE_MS)) return;
    if (inFlight >= HEALTH_IN_FLIGHT) return;
    inFlight++;
    health.set(id, { ...(h || {}), pending: true });
    api(`/api/cameras/${encodeURIComponent(id)}`)
      .then((c) => health.set(id, { state: c.health ? c.health.state : 'unknown', lastError: c.health ? c.health.lastError : null, at: Date.now() }))
      .catch((e) => health.set(id, { state: 'unknown', lastError: e.message, at: Date.now() }))
      .finally(() => { inFlight--; if (alive) requestAnimationFrame(render); });
  }

  async function toggle(camera, what) {
    message.textContent = '';
    try {
      const updated = await api(`/api/cameras/${encodeURIComponent(camera.id)}/${what}`, { method: 'POST' });
      Object.assign(camera, { status: updated.status || (what === 'enable' ? 'enabled' : 'disabled'), enabled: what === 'enable' });
      health.delete(camera.id);
      filter();
    } catch (e) {
      message.textContent = `${camera.name}: ${e.message}`;
    }
  }

  async function remove(camera) {
    if (!confirm(`Remove camera ${camera.name} (${camera.id})?`)) return;
    try {
      await api(`/api/cameras/${encodeURIComponent(camera.id)}`, { method: 'DELETE' });
      cameras = cameras.filter((c) => c !== camera);
      filter();
    } catch (e) {
      message.textContent = `${camera.name}: ${e.message}`;
    }
  }

  // The editors and the counts are loaded when first opened: the landing page's first load stays small.
  async function openDetails(camera) {
    const { countsPanel } = await import('./counts.js');
    show(details, countsPanel(camera, () => show(details)));
  }

  async function openForm(camera) {
    const { shapeList } = await import('./zones.js');
    let full = null;
    if (camera) {
      try { full = await api(`/api/cameras/${encodeURIComponent(camera.id)}`); } catch (e) { message.textContent = e.message; return; }
    }
    show(formArea, cameraForm(full, shapeList, async (saved) => { show(formArea); await loadUntilListed(saved && saved.id); }, () => show(formArea)));
  }

  // The list comes from the read side, which learns of a change a moment after the camera has it:
  // after a save, look again until the saved camera is listed; and refresh now and then.
  async function loadUntilListed(id) {
    for (let i = 0; i < 40 && alive; i++) {
      await load();
      if (!id || cameras.some((c) => c.id === id)) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  load();
  const refresh = setInterval(() => { if (alive) load(); }, 15000);
  return () => { alive = false; clearInterval(refresh); stopAlerts(); };
}

function field(name, label, input) {
  input.id = `camera-${name}`;
  input.name = name;
  return el('div', { class: 'field' }, el('label', { for: input.id }, label), input,
    el('span', { class: 'field-error', id: `camera-${name}-error`, role: 'alert' }));
}

/** The field of the form that an API error's {@code field} names ("location.lat" is lat, "tags[3]" is tags). */
function formField(apiField) {
  if (!apiField) return null;
  const name = apiField.replace(/\[\d+\]/g, '').replace(/^location\./, '').split('.')[0];
  return name;
}

function cameraForm(camera, shapeList, onSaved, onCancel) {
  const editing = camera !== null;
  const c = camera || { sourceKind: 'snapshot', fps: 1, tags: [], enabled: false };
  const inputs = {
    id: el('input', { value: c.id || '', disabled: editing, required: true, placeholder: 'cam-17' }),
    name: el('input', { value: c.name || '', required: true }),
    sourceKind: el('select', null, KINDS.map((k) => el('option', { value: k, selected: k === c.sourceKind }, k))),
    sourceUrl: el('input', { value: c.sourceUrl || '', required: true, placeholder: 'rtsp://10.0.0.7/stream1' }),
    fps: el('input', { value: String(c.fps ?? 1), type: 'number', step: 'any' }),
    lat: el('input', { value: c.location ? String(c.location.lat) : '', type: 'number', step: 'any' }),
    lon: el('input', { value: c.location ? String(c.location.lon) : '', type: 'number', step: 'any' }),
    tags: el('input', { value: (c.tags || []).join(', '), placeholder: 'gate, north' }),
    enabled: el('input', { type: 'checkbox', checked: !!c.enabled }),
  };
  // The motion mask drawn on the camera's newest frame (a new camera has none yet: drawn on a blank picture).
  const mask = polygonEditor({
    polygons: c.motionMask || [], idPrefix: 'mask', label: 'Motion mask (motion inside is ignored)',
    pictureUrl: editing ? imageUrl(`/api/cameras/${encodeURIComponent(c.id)}/frame/latest`) : null,
  });
  const picture = () => (editing ? imageUrl(`/api/cameras/${encodeURIComponent(c.id)}/frame/latest`) : null);
  const zones = shapeList({ kind: 'zones', items: c.zones, pictureUrl: picture() });
  const lines = shapeList({ kind: 'lines', items: c.lines, pictureUrl: picture() });
  const maskField = el('div', { class: 'field polygon-editor', id: 'camera-motionMask' }, mask.node,
    el('span', { class: 'field-error', id: 'camera-motionMask-error', role: 'alert' }));
  const general = el('p', { class: 'error', id: 'camera-form-error', role: 'alert' });
  const form = el('form', { id: 'camera-form', class: 'camera-form', novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
    general.textContent = '';
    const masked = editing && inputs.sourceUrl.value === c.sourceUrl && /:\*\*\*@/.test(c.sourceUrl);
    if (masked) {
      form.querySelector('#camera-sourceUrl-error').textContent = 'enter the URL again with its password (it is shown masked)';
      return;
    }
    const body = {
      name: inputs.name.value,
      sourceUrl: inputs.sourceUrl.value,
      sourceKind: inputs.sourceKind.value,
      fps: inputs.fps.value === '' ? 1 : Number(inputs.fps.value),
      tags: inputs.tags.value.split(',').map((t) => t.trim()).filter((t) => t),
      enabled: inputs.enabled.checked,
    };
    if (inputs.lat.value !== '' || inputs.lon.value !== '') body.location = { lat: Number(inputs.lat.value), lon: Number(inputs.lon.value) };
    body.motionMask = mask.value();
    body.zones = zones.value();
    body.lines = lines.value();
    if (editing) {
      if (c.analysis) body.analysis = c.analysis;
    } else {
      body.id = inputs.id.value;
    }
    try {
      const path = editing ? `/api/cameras/${encodeURIComponent(c.id)}` : '/api/cameras';
      const saved = await api(path, { method: editing ? 'PUT' : 'POST', body });
      onSaved(saved);
    } catch (e) {
      if (e instanceof ApiError && (zones.showError(e.field, e.message) || lines.showError(e.field, e.message))) return;
      const target = e instanceof ApiError ? form.querySelector(`#camera-${formField(e.field)}-error`) : null;
      if (target) target.textContent = e.message;
      else general.textContent = e.message;
    }
  } },
  el('h3', null, editing ? `Edit ${c.name}` : 'Add a camera'),
  field('id', 'Id', inputs.id), field('name', 'Name', inputs.name), field('sourceKind', 'Kind', inputs.sourceKind),
  field('sourceUrl', 'Source URL', inputs.sourceUrl), field('fps', 'Frames per second', inputs.fps),
  field('lat', 'Latitude', inputs.lat), field('lon', 'Longitude', inputs.lon), field('tags', 'Tags', inputs.tags),
  field('enabled', 'Enabled', inputs.enabled),
  maskField, zones.node, lines.node,
  general,
  el('div', { class: 'buttons' }, el('button', { type: 'submit', id: 'camera-save' }, 'Save'),
    el('button', { type: 'button', class: 'link', onclick: onCancel }, 'Cancel')));
  return form;
}
