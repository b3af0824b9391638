// Live video of a camera from MediaMTX (path cam_<id>): WebRTC through WHEP first, for its low latency;
// HLS through hls.js when WebRTC cannot be had (no UDP path to the media server, WHEP refused). The
// signed-in token goes as a header to both (MediaMTX asks the node, POST /api/auth/mediamtx), never in a
// URL. hls.js is loaded only when a tile first falls back to it, so it is not part of the first load.
import { session } from './api.js';

const ICE_GATHERING_MS = 2000;
const WEBRTC_CONNECT_MS = 8000;

let hlsScript = null;

/** Loads hls.js once (a classic script: its UMD build sets window.Hls). */
function loadHls(src) {
  if (!hlsScript) {
    hlsScript = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.onload = () => (window.Hls ? resolve(window.Hls) : reject(new Error('hls.js did not load')));
      script.onerror = () => { hlsScript = null; reject(new Error('hls.js could not be loaded')); };
      document.head.append(script);
    });
  }
  return hlsScript;
}

function authorization() {
  return session.token ? { Authorization: `Bearer ${session.token}` } : {};
}

function within(ms, promise, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(timer));
}

/** Resolves once the offer holds its candidates (or after a short wait: MediaMTX's answer carries its own). */
function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ICE_GATHERING_MS);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); }
    });
  });
}

function connected(pc) {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pc.connectionState === 'connected') resolve();
      else if (pc.connectionState === 'failed' || pc.connectionState === 'closed') reject(new Error(`WebRTC ${pc.connectionState}`));
    };
    pc.addEventListener('connectionstatechange', check);
    check();
  });
}

/**
 * Plays camera {@code cameraId} into {@code video}. {@code media}: the node's {hls, webRtc} base URLs;
 * {@code onState(kind, detail)} hears 'webrtc' or 'hls' when one plays, 'failed' (with the reason) when
 * neither can. Returns stop(), which closes whatever is open.
 */
export function play(video, media, hlsJs, cameraId, onState) {
  const path = `cam_${encodeURIComponent(cameraId)}`;
  let stopped = false;
  let pc = null;
  let whep = null; // the WHEP session's URL, deleted on stop
  let hls = null;

  async function webRtc() {
    pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const stream = new MediaStream();
    pc.ontrack = (event) => { stream.addTrack(event.track); video.srcObject = stream; };
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const url = `${media.webRtc}/${path}/whep`;
    const response = await fetch(url, {
      method: 'POST', headers: { 'Content-Type': 'application/sdp', ...authorization() }, body: pc.localDescription.sdp,
    });
    if (response.status !== 201) throw new Error(`WHEP answered ${response.status}`);
    const location = response.headers.get('Location');
    if (location) whep = new URL(location, url).href;
    await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
    await within(WEBRTC_CONNECT_MS, connected(pc), 'WebRTC connection');
  }

  function closeWebRtc() {
    if (pc) { pc.ontrack = null; pc.close(); pc = null; }
    if (whep) { fetch(whep, { method: 'DELETE', headers: authorization() }).catch(() => {}); whep = null; }
    video.srcObject = null;
  }

  async function viaHls() {
    const Hls = await loadHls(hlsJs);
    if (stopped) return;
    if (!Hls.isSupported()) throw new Error('this browser cannot play HLS (no Media Source Extensions)');
    // No worker: hls.js would start it from a blob: URL, which the page's policy (script-src 'self') refuses.
    hls = new Hls({
      enableWorker: false,
      xhrSetup: (xhr) => { if (session.token) xhr.setRequestHeader('Authorization', `Bearer ${session.token}`); },
    });
    hls.on(Hls.Events.ERROR, (_, data) => {
      if (!data.fatal || stopped) return;
      const status = data.response && data.response.code ? ` (${data.response.code})` : '';
      closeHls();
      onState('failed', `HLS: ${data.details}${status}`);
    });
    hls.loadSource(`${media.hls}/${path}/index.m3u8`);
    hls.attachMedia(video);
  }

  function closeHls() {
    if (hls) { hls.destroy(); hls = null; }
    video.removeAttribute('src');
  }

  (async () => {
    let whyNotWebRtc = null;
    try {
      if (typeof RTCPeerConnection === 'undefined') throw new Error('this browser has no WebRTC');
      await webRtc();
      if (stopped) return;
      onState('webrtc');
      video.play().catch(() => {});
      return;
    } catch (e) {
      whyNotWebRtc = e.message;
      closeWebRtc();
    }
    if (stopped) return;
    try {
      await viaHls();
      if (stopped || !hls) return;
      onState('hls', `WebRTC: ${whyNotWebRtc}`);
      video.play().catch(() => {});
    } catch (e) {
      if (!stopped) onState('failed', `WebRTC: ${whyNotWebRtc}; HLS: ${e.message}`);
    }
  })();

  return () => {
    stopped = true;
    closeWebRtc();
    closeHls();
  };
}
