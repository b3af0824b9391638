// The live grid: 1, 4, 9 or 16 tiles. A tile shows its camera's newest sampled frame from the node,
// refreshed at the camera's fps only while the tile is visible, with the live feed's detections drawn
// over it, and the camera's health and last error.
import { el, show } from './dom.js';
import { allCameras, api, imageUrl } from './api.js';

const SIZES = [1, 4, 9, 16];
const HEALTH_EVERY_MS = 15000;
const DETECTIONS_SHOWN_MS = 3000;
const MAX_TILE_FPS = 10;

export function livePage(main) {
  let alive = true;
  let tiles = [];
  let cameras = [];
  let socket = null;
  let reconnect = null;
  const size = el('select', { id: 'grid-size', onchange: () => layout() }, SIZES.map((n) => el('option', { value: String(n), selected: n === 4 }, `${n} tiles`)));
  const grid = el('div', { id: 'grid', class: 'grid' });
  const message = el('p', { class: 'error', role: 'alert' });
  show(main, el('section', { class: 'live' }, el('div', { class: 'toolbar' }, el('h2', null, 'Live'), size), message, grid));

  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const tile = tiles.find((t) => t.node === entry.target);
      if (tile) tile.setVisible(entry.isIntersecting);
    }
  });

  function layout() {
    for (const t of tiles) t.stop();
    const n = Number(size.value);
    grid.style.gridTemplateColumns = `repeat(${Math.sqrt(n)}, 1fr)`;
    const chosen = cameras.slice(0, n);
    tiles = chosen.map((c) => tile(c));
    show(grid, tiles.map((t) => t.node), cameras.length === 0 ? el('p', { class: 'muted' }, 'No cameras yet.') : null);
    for (const t of tiles) observer.observe(t.node);
    connect();
  }

  async function connect() {
    if (socket) { socket.onclose = null; socket.close(); socket = null; }
    clearTimeout(reconnect);
    if (!alive || tiles.length === 0) return;
    const ids = tiles.map((t) => t.camera.id);
    let query = `camera=${ids.map(encodeURIComponent).join(',')}`;
    try {
      const ticket = await api('/api/auth/ticket', { method: 'POST' });
      query += `&ticket=${encodeURIComponent(ticket.ticket)}`;
    } catch (e) {
      if (e.status !== 404) { message.textContent = `Live detections unavailable: ${e.message}`; }
    }
    if (!alive) return;
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live?${query}`);
    socket = ws;
    ws.onmessage = (event) => {
      let m;
      try { m = JSON.parse(event.data); } catch (e) { return; }
      if (m.type !== 'detections') return;
      for (const t of tiles) if (t.camera.id === m.cameraId) t.detections(m);
    };
    ws.onclose = () => { if (alive && socket === ws) reconnect = setTimeout(connect, 3000); };
  }

  allCameras().then((list) => {
    cameras = list.filter((c) => c.enabled).concat(list.filter((c) => !c.enabled));
    cameras.sort((a, b) => Number(b.enabled) - Number(a.enabled) || a.name.localeCompare(b.name));
    if (alive) layout();
  }).catch((e) => { message.textContent = `Cameras could not be loaded: ${e.message}`; });

  return () => {
    alive = false;
    observer.disconnect();
    for (const t of tiles) t.stop();
    if (socket) { socket.onclose = null; socket.close(); }
    clearTimeout(reconnect);
  };
}

function tile(camera) {
  const img = el('img', { class: 'frame', alt: '' });
  const canvas = el('canvas', { class: 'boxes' });
  const state = el('span', { class: 'health' }, '…');
  const lastError = el('small', { class: 'last-error' });
  const waiting = el('span', { class: 'waiting muted' }, 'waiting for a frame');
  const node = el('div', { class: 'tile', dataset: { camera: camera.id } },
    el('div', { class: 'picture' }, img, canvas, waiting),
    el('div', { class: 'caption' }, el('span', { class: 'name' }, camera.name), state, lastError));
  let visible = false;
  let stopped = false;
  let timer = null;
  let looping = false;
  let checking = false;
  let healthTimer = null;
  let url = null;
  let latest = null; // the newest detections message and when it came

  const fps = Math.min(MAX_TILE_FPS, camera.fps > 0 ? camera.fps : 1);

  async function refresh() {
    timer = null;
    if (stopped || !visible) { looping = false; return; }
    looping = true;
    try {
      const next = await imageUrl(`/api/cameras/${encodeURIComponent(camera.id)}/frame/latest`);
      if (stopped) { URL.revokeObjectURL(next); return; }
      await new Promise((resolve) => { img.onload = resolve; img.onerror = resolve; img.src = next; });
      if (url) URL.revokeObjectURL(url);
      url = next;
      waiting.hidden = true;
      node.classList.add('playing');
      draw();
    } catch (e) {
      waiting.hidden = false;
      waiting.textContent = e.status === 404 ? 'no frame yet' : e.message;
    }
    if (!stopped && visible) timer = setTimeout(refresh, 1000 / fps);
    else looping = false;
  }

  async function health() {
    healthTimer = null;
    if (stopped || !visible) { checking = false; return; }
    checking = true;
    try {
      const c = await api(`/api/cameras/${encodeURIComponent(camera.id)}`);
      state.textContent = c.health ? c.health.state : c.status;
      state.className = `health ${state.textContent}`;
      lastError.textContent = c.health && c.health.lastError ? c.health.lastError : '';
    } catch (e) {
      lastError.textContent = e.message;
    }
    if (!stopped && visible) healthTimer = setTimeout(health, HEALTH_EVERY_MS);
    else checking = false;
  }

  function draw() {
    const width = img.clientWidth;
    const height = img.clientHeight;
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, width, height);
    if (!latest || Date.now() - latest.at > DETECTIONS_SHOWN_MS || !img.naturalWidth) return;
    const sx = width / img.naturalWidth;
    const sy = height / img.naturalHeight;
    ctx.lineWidth = 2;
    ctx.font = '12px sans-serif';
    for (const d of latest.message.detections || []) {
      const [x1, y1, x2, y2] = d.bbox;
      ctx.strokeStyle = '#ffd000';
      ctx.strokeRect(x1 * sx, y1 * sy, (x2 - x1) * sx, (y2 - y1) * sy);
      const label = `${d.class} ${Math.round(d.confidence * 100)}%${d.plate ? ` ${d.plate}` : ''}`;
      const w = ctx.measureText(label).width + 6;
      ctx.fillStyle = '#ffd000';
      ctx.fillRect(x1 * sx, Math.max(0, y1 * sy - 16), w, 16);
      ctx.fillStyle = '#000';
      ctx.fillText(label, x1 * sx + 3, Math.max(12, y1 * sy - 4));
    }
    node.dataset.boxes = String((latest.message.detections || []).length);
  }

  return {
    camera,
    node,
    setVisible(v) {
      visible = v;
      if (v && !looping) refresh();
      if (v && !checking) health();
    },
    detections(message) {
      latest = { message, at: Date.now() };
      draw();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(healthTimer);
      if (url) URL.revokeObjectURL(url);
    },
  };
}
