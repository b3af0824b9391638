// System: the node's /health (signed in: inference providers, workers with their breakers and load,
// the router's queue, AWS calls, spend and budgets), refreshed every few seconds.
import { el, show } from './dom.js';
import { api } from './api.js';

const EVERY_MS = 5000;

export function systemPage(main) {
  let alive = true;
  let timer = null;
  const body = el('div', { id: 'system' }, el('p', { class: 'muted' }, 'Loading…'));
  show(main, el('section', null, el('h2', null, 'System'), body));

  async function refresh() {
    let health;
    try {
      health = await api('/health');
    } catch (e) {
      // 503 is a node that is down: its body still says why.
      health = e.status === 503 ? { status: 'down', detail: e.message } : null;
      if (!health) show(body, el('p', { class: 'error' }, e.message));
    }
    if (health && alive) render(health);
    if (alive) timer = setTimeout(refresh, EVERY_MS);
  }

  function render(h) {
    const inference = h.inference || {};
    show(body,
      el('dl', { class: 'facts' }, fact('Status', h.status, `status ${h.status}`), fact('Node', h.node), fact('Cluster', h.cluster),
        fact('Journal', h.journal), fact('Version', h.appVersion), fact('Authentication', h.auth), h.warning ? fact('Warning', h.warning, 'error') : null),
      el('h3', null, 'Inference', inference.mode ? ` (${inference.mode})` : ''),
      table(['Provider', 'State'], Object.entries(inference.providers || {}).map(([p, s]) => [p, s]), 'providers'),
      table(['Worker', 'Provider', 'State', 'Breaker', 'In flight', 'Capacity', 'Load'],
        (inference.workers || []).map((w) => [w.path, w.provider, w.state + (w.detail ? ` (${w.detail})` : ''), w.breaker,
          w.inFlight, w.capacity, `${Math.round((w.utilisation || 0) * 100)}%`]), 'workers'),
      inference.queue ? el('p', { id: 'queue' }, `Queue: ${inference.queue.cameras} camera frames, ${inference.queue.uploads} uploads, mean wait ${Math.round(inference.queue.waitMs)} ms`) : null,
      inference.skipped && Object.keys(inference.skipped).length
        ? table(['Skipped because', 'Frames'], Object.entries(inference.skipped), 'skipped') : null,
      el('h3', null, 'AWS'),
      inference.aws ? tree(inference.aws, 'aws') : el('p', { class: 'muted', id: 'aws' }, 'No AWS usage on this node.'));
  }

  refresh();
  return () => { alive = false; clearTimeout(timer); };
}

function fact(name, value, cls) {
  if (value === undefined || value === null) return null;
  return [el('dt', null, name), el('dd', { class: cls || '' }, String(value))];
}

function table(head, rows, id) {
  if (rows.length === 0) return el('p', { class: 'muted', id }, `No ${id}.`);
  return el('table', { id }, el('thead', null, el('tr', null, head.map((h) => el('th', null, h)))),
    el('tbody', null, rows.map((r) => el('tr', null, r.map((c) => el('td', null, c === null || c === undefined ? '' : String(c)))))));
}

/** Any JSON value as nested definition lists, all text. */
function tree(value, id) {
  if (value === null || typeof value !== 'object') return el('span', null, String(value));
  if (Array.isArray(value)) return el('ul', { id }, value.map((v) => el('li', null, tree(v))));
  return el('dl', { class: 'facts', id }, Object.entries(value).map(([k, v]) => [el('dt', null, k), el('dd', null, tree(v))]));
}
