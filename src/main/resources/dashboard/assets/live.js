// The live grid: 1, 4, 9 or 16 tiles. A tile plays its camera's video from MediaMTX when the node names
// one (player.js), otherwise (or when neither WebRTC nor HLS can play) the camera's newest sampled frame
// from the node, refreshed at the camera's fps; either only while the tile is visible. The live feed's
// detections are drawn over the picture (with their tracked object's id), with the camera's health and last
// error; a watch-list alert of a camera in view shows as a banner at once.
import { el, show } from './dom.js';
import { allCameras, api, imageUrl } from './api.js';
import { play } from './player.js';
import { toast } from './alerts.js';

const SIZES = [1, 4, 9, 16];
const HEALTH_EVERY_MS = 15000;
const DETECTIONS_SHOWN_MS = 3000;
const MAX_TILE_FPS = 10;
const BOX_COLOUR = '#ffd000';

export function livePage(main) {
  let alive = true;
  let tiles = [];
  let cameras = [];
  let socket = null;
  let reconnect = null;
  let config = { mediaMtx: null };
  const size = el('select', { id: 'grid-size', onchange: () => layout() }, SIZES.map((n) => el('option', { value: String(n), selected: n === 4 }, `${n} tiles`)));
  const grid = el('div', { id: 'grid', class: 'grid' });
  const message = el('p', { class: 'error', role: 'alert' });
  const toasts = el('div', { id: 'alert-toasts', class: 'toasts' });
  show(main, el('section', { class: 'live' }, el('div', { class: 'toolbar' }, el('h2', null, 'Live'), size), message, toasts, grid));

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
    tiles = chosen.map((c) => tile(c, config));
    show(grid, tiles.map((t) => t.node), cameras.length === 0 ? el('p', { class: 'muted' }, 'No cameras yet.') : null);
    for (const t of tiles) observer.observe(t.node);
    connect();
  }

  async function connect() {
    if (socket) { socket.onclose = null; socket.close(); socket = null; }
    delete grid.dataset.live;
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
    ws.onopen = () => { grid.dataset.live = 'connected'; };
    ws.onmessage = (event) => {
      let m;
      try { m = JSON.parse(event.data); } catch (e) { return; }
      if (m.type === 'alert') {
        const c = cameras.find((x) => x.id === m.cameraId);
        toast(toasts, m, c ? c.name : m.cameraId);
        return;
      }
      if (m.type !== 'detections') return;
      for (const t of tiles) if (t.camera.id === m.cameraId) t.detections(m);
    };
    ws.onclose = () => { delete grid.dataset.live; if (alive && socket === ws) reconnect = setTimeout(connect, 3000); };
  }

  // Without the node's settings the tiles still show frames: video is an addition, not a condition.
  const settings = api('/api/dashboard/config').then((c) => { config = c; })
    .catch((e) => { message.textContent = `Live video unavailable, showing frames: ${e.message}`; });
  Promise.all([allCameras(), settings]).then(([list]) => {
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

function tile(camera, config) {
  const img = el('img', { class: 'frame', alt: '' });
  const video = el('video', { class: 'frame', muted: true, autoplay: true, playsinline: true, hidden: true });
  const canvas = el('canvas', { class: 'boxes' });
  const state = el('span', { class: 'health' }, '…');
  const lastError = el('small', { class: 'last-error' });
  const source = el('small', { class: 'source muted' });
  const waiting = el('span', { class: 'waiting muted' }, 'waiting for a frame');
  const node = el('div', { class: 'tile', dataset: { camera: camera.id } },
    el('div', { class: 'picture' }, img, video, canvas, waiting),
    el('div', { class: 'caption' }, el('span', { class: 'name' }, camera.name), source, state, lastError));
  let visible = false;
  let stopped = false;
  let timer = null;
  let looping = false;
  let checking = false;
  let healthTimer = null;
  let clearTimer = null;
  let url = null;
  let latest = null; // the newest detections message and when it came
  let stopVideo = null;
  let videoFailed = !config.mediaMtx;

  const fps = Math.min(MAX_TILE_FPS, camera.fps > 0 ? camera.fps : 1);

  // The picture the boxes are drawn on, with its own pixel size (the camera's, which the boxes are in).
  function picture() {
    if (!video.hidden && video.videoWidth) return { node: video, width: video.videoWidth, height: video.videoHeight };
    if (!img.hidden && img.naturalWidth) return { node: img, width: img.naturalWidth, height: img.naturalHeight };
    return null;
  }

  video.muted = true; // the attribute alone does not mute a video made by script, and only a muted one may autoplay
  video.addEventListener('playing', () => {
    waiting.hidden = true;
    node.classList.add('playing');
    draw();
  });
  video.addEventListener('resize', () => draw());

  function startVideo() {
    if (stopVideo || videoFailed) return;
    waiting.textContent = 'connecting to the video';
    waiting.hidden = false;
    img.hidden = true;
    video.hidden = false;
    stopVideo = play(video, config.mediaMtx, config.hlsJs, camera.id, (kind, detail) => {
      if (kind === 'failed') {
        // Neither WebRTC nor HLS: the node's newest frame instead, until the page is opened again.
        videoFailed = true;
        endVideo();
        source.textContent = 'frames (no video)';
        source.title = detail;
        node.dataset.videoError = detail;
        if (visible && !looping) refresh();
      } else {
        node.dataset.source = kind;
        source.textContent = kind === 'webrtc' ? 'WebRTC' : 'HLS';
        source.title = detail || '';
      }
    });
  }

  function endVideo() {
    if (stopVideo) { stopVideo(); stopVideo = null; }
    node.classList.remove('playing');
    delete node.dataset.source;
    video.hidden = true;
    img.hidden = false;
  }

  async function refresh() {
    timer = null;
    if (stopped || !visible || !videoFailed) { looping = false; return; }
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
    const p = picture();
    const width = p ? p.node.clientWidth : 0;
    const height = p ? p.node.clientHeight : 0;
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, width, height);
    const fresh = latest && Date.now() - latest.at <= DETECTIONS_SHOWN_MS;
    if (!fresh || !p) { delete node.dataset.boxes; delete node.dataset.labels; return; }
    const sx = width / p.width;
    const sy = height / p.height;
    ctx.lineWidth = 2;
    ctx.font = '12px sans-serif';
    const labels = [];
    for (const d of latest.message.detections || []) {
      const [x1, y1, x2, y2] = d.bbox;
      ctx.strokeStyle = BOX_COLOUR;
      ctx.strokeRect(x1 * sx, y1 * sy, (x2 - x1) * sx, (y2 - y1) * sy);
      // Drawn as canvas text: a plate is never parsed as markup.
      const label = `${d.trackId != null ? `#${d.trackId} ` : ''}${d.class} ${Number(d.confidence).toFixed(2)}${d.plate ? ` ${d.plate}` : ''}`;
      labels.push(label);
      const w = ctx.measureText(label).width + 6;
      ctx.fillStyle = BOX_COLOUR;
      ctx.fillRect(x1 * sx, Math.max(0, y1 * sy - 16), w, 16);
      ctx.fillStyle = '#000';
      ctx.fillText(label, x1 * sx + 3, Math.max(12, y1 * sy - 4));
    }
    node.dataset.boxes = String((latest.message.detections || []).length);
    node.dataset.labels = labels.join(' | ');
    // A video does not redraw by itself as frames do: clear the boxes once they are stale.
    clearTimeout(clearTimer);
    clearTimer = setTimeout(draw, DETECTIONS_SHOWN_MS - (Date.now() - latest.at) + 50);
  }

  return {
    camera,
    node,
    setVisible(v) {
      visible = v;
      if (v) {
        if (!videoFailed) startVideo();
        else if (!looping) refresh();
        if (!checking) health();
      } else if (stopVideo) {
        // Out of view: the media server's session (and the bandwidth) is given up until it is back.
        endVideo();
      }
    },
    detections(message) {
      latest = { message, at: Date.now() };
      draw();
    },
    stop() {
      stopped = true;
      endVideo();
      clearTimeout(timer);
      clearTimeout(healthTimer);
      clearTimeout(clearTimer);
      if (url) URL.revokeObjectURL(url);
    },
  };
}
