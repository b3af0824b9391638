// System: the node's /health (signed in: inference providers, workers with their breakers and load,
// the router's queue, AWS calls, spend and budgets) and /api/system (the cluster's members, how far each
// projection is behind the journal), refreshed every few seconds.
import { el, show, time } from './dom.js';
import { api } from './api.js';

const EVERY_MS = 5000;

export function systemPage(main) {
  let alive = true;
  let timer = null;
  const body = el('div', { id: 'system' }, el('p', { class: 'muted' }, 'Loading…'));
  show(main, el('section', null, el('h2', null, 'System'), body));

  async function refresh() {
    let health;
    const cluster = api('/api/system').catch((e) => ({ error: e.message }));
    try {
      health = await api('/health');
    } catch (e) {
      // 503 is a node that is down: its body still says why.
      health = e.status === 503 ? { status: 'down', detail: e.message } : null;
      if (!health) show(body, el('p', { class: 'error' }, e.message));
    }
    const system = await cluster;
    if (health && alive) render(health, system);
    if (alive) timer = setTimeout(refresh, EVERY_MS);
  }

  function render(h, system) {
    const inference = h.inference || {};
    show(body,
      el('dl', { class: 'facts' }, fact('Status', h.status, `status ${h.status}`), fact('Node', h.node), fact('Cluster', h.cluster),
        fact('Journal', h.journal), fact('Version', h.appVersion), fact('Authentication', authText(h.auth)), h.warning ? fact('Warning', h.warning, 'error') : null),
      el('h3', null, 'Inference', inference.mode ? ` (${inference.mode})` : ''),
      table(['Provider', 'State'], Object.entries(inference.providers || {}).map(([p, s]) => [p, s]), 'providers'),
      table(['Worker', 'Provider', 'State', 'Breaker', 'In flight', 'Capacity', 'Load'],
        (inference.workers || []).map((w) => [w.path, w.provider, w.state + (w.detail ? ` (${w.detail})` : ''), w.breaker,
          w.inFlight, w.capacity, `${Math.round((w.utilisation || 0) * 100)}%`]), 'workers'),
      inference.queue ? el('p', { id: 'queue' }, `Queue: ${inference.queue.cameras} camera frames, ${inference.queue.uploads} uploads, mean wait ${Math.round(inference.queue.waitMs)} ms`) : null,
      inference.skipped && Object.keys(inference.skipped).length
        ? table(['Skipped because', 'Frames'], Object.entries(inference.skipped), 'skipped') : null,
      el('h3', null, 'AWS'),
      inference.aws ? tree(inference.aws, 'aws') : el('p', { class: 'muted', id: 'aws' }, 'No AWS usage on this node.'),
      clusterPart(system));
  }

  refresh();
  return () => { alive = false; clearTimeout(timer); };
}

/** /health's auth part (mode, and the OIDC provider's state when there is one) as one line. */
function authText(auth) {
  if (!auth) return '';
  return [auth.mode, auth.provider ? `provider ${auth.provider}` : '', auth.reason || ''].filter((x) => x).join(', ');
}

/** The cluster's members and the projections' progress (GET /api/system). */
function clusterPart(system) {
  if (system.error) return [el('h3', null, 'Cluster'), el('p', { class: 'error', id: 'members' }, system.error)];
  return [
    el('h3', null, 'Cluster members'),
    table(['Address', 'Roles', 'Status', 'Reachable', ''], system.members.map((m) => [m.address, m.roles.join(', ') || '—', m.status,
      m.reachable ? 'yes' : 'UNREACHABLE', [m.leader ? 'leader' : '', m.self ? 'this node' : ''].filter((x) => x).join(', ')]), 'members'),
    el('h3', null, 'Projections'),
    table(['Projection', 'Slices', 'Events behind', 'Lag', 'Offset stored'], system.projections.map((p) => [p.name, p.slices,
      `${p.eventsBehind}${p.capped ? '+' : ''}`, `${p.lagSeconds.toFixed(1)} s`, time(p.lastStored)]), 'projections'),
  ];
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
