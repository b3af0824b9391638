// Watch-list alerts: one alert as a list item (plate, label, camera, time and the frame the match was seen
// in with its box), and the live feed's alert records as they come (the landing page shows them at once).
import { el, time } from './dom.js';
import { api, imageUrl } from './api.js';

const RECONNECT_MS = 3000;

/** A list item for an alert of {@code GET /api/alerts} or of the live feed (their fields are the same). */
export function alertItem(a, cameraName) {
  const frame = a.frame || {};
  const thumb = el('span', { class: 'thumb none' }, 'no frame');
  const item = el('li', { class: 'alert', dataset: { alert: a.alertId, camera: a.cameraId } },
    thumb,
    el('span', { class: 'text' },
      el('strong', { class: 'plate' }, a.plate), el('span', { class: 'label' }, a.label),
      el('span', { class: 'camera' }, cameraName || a.cameraId),
      el('span', { class: 'muted' }, `${a.class || ''} · ${time(a.seenAt)}`)));
  if (frame.evidenceKey) evidence(a).then((u) => {
    if (!u) return;
    const img = el('img', { class: 'thumb', alt: `frame of ${a.plate}`, src: u });
    img.onload = () => URL.revokeObjectURL(u);
    thumb.replaceWith(img);
  }).catch(() => {});
  return item;
}

// The stored frame is served per detection: the camera's detection of the alert's frame (same capture time,
// same evidence key), drawn with its boxes by the node.
async function evidence(a) {
  const from = new Date(a.seenAt);
  const to = new Date(from.getTime() + 1);
  const page = await api(`/api/detections?camera=${encodeURIComponent(a.cameraId)}&from=${from.toISOString()}&to=${to.toISOString()}&limit=50`);
  const d = page.items.find((x) => x.evidenceKey === a.frame.evidenceKey);
  return d ? imageUrl(`/api/detections/${encodeURIComponent(d.id)}/frame?boxes=true`) : null;
}

/**
 * Calls {@code listener} with every alert record of the live feed (all cameras) until the returned function
 * is called ({@code onOpen} each time the feed is connected). Reconnects when the feed drops.
 */
export function onAlert(listener, onOpen = () => {}) {
  let socket = null;
  let timer = null;
  let stopped = false;
  async function connect() {
    if (stopped) return;
    // Only alert records: every camera's detections would fill the connection's buffer.
    let query = '?type=alert';
    try {
      const ticket = await api('/api/auth/ticket', { method: 'POST' });
      query += `&ticket=${encodeURIComponent(ticket.ticket)}`;
    } catch (e) {
      if (e.status !== 404) { timer = setTimeout(connect, RECONNECT_MS); return; }
    }
    if (stopped) return;
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live${query}`);
    socket = ws;
    ws.onopen = () => onOpen();
    ws.onmessage = (event) => {
      let m;
      try { m = JSON.parse(event.data); } catch (e) { return; }
      if (m.type === 'alert') listener(m);
    };
    ws.onclose = () => { if (!stopped && socket === ws) timer = setTimeout(connect, RECONNECT_MS); };
  }
  connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (socket) { socket.onclose = null; socket.close(); }
  };
}

/** A banner over the page for a new alert, gone after a while or when clicked. */
export function toast(container, a, cameraName) {
  const node = el('div', { class: 'toast', role: 'status', dataset: { alert: a.alertId }, onclick: () => node.remove() },
    el('strong', null, 'Watch list: '), `${a.plate} (${a.label}) at ${cameraName || a.cameraId}`);
  container.append(node);
  setTimeout(() => node.remove(), 15000);
  return node;
}
