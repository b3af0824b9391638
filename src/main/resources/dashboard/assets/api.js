// The node's API with the signed-in principal's token. The token lives in sessionStorage: it is
// gone when the tab closes, and it is sent only as a header, never in a URL.

const TOKEN = 'gtv.token';
const ROLES = ['viewer', 'operator', 'admin'];

export const session = { token: sessionStorage.getItem(TOKEN), me: null, onSignedOut: () => {} };

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `the node answered ${status}`);
    this.status = status;
    this.field = (body && body.field) || null;
  }
}

export async function api(path, { method = 'GET', body, raw = false } = {}) {
  const headers = { Accept: raw ? '*/*' : 'application/json' };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, { error: 'the node cannot be reached' });
  }
  if (!response.ok) {
    let parsed = null;
    try { parsed = await response.json(); } catch (e) { /* not JSON */ }
    if (response.status === 401 && session.token) {
      signOut();
      session.onSignedOut();
    }
    throw new ApiError(response.status, parsed);
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

export async function signIn(username, password) {
  const answer = await api('/api/auth/login', { method: 'POST', body: { username, password } });
  setToken(answer.token);
}

/** The bearer token of the API calls from now on (the built-in login's, or the OIDC provider's access token). */
export function setToken(token) {
  session.token = token;
  sessionStorage.setItem(TOKEN, token);
}

export function signOut() {
  session.token = null;
  session.me = null;
  sessionStorage.removeItem(TOKEN);
}

export async function whoAmI() {
  session.me = await api('/api/auth/me');
  return session.me;
}

/** Whether the signed-in role allows what {@code role} allows (viewer < operator < admin). */
export function may(role) {
  const mine = session.me ? ROLES.indexOf(session.me.role) : -1;
  return mine >= 0 && mine >= ROLES.indexOf(role);
}

/** An image the API serves, as a blob: URL (an <img> cannot send the Authorization header). */
export async function imageUrl(path) {
  const response = await api(path, { raw: true });
  return URL.createObjectURL(await response.blob());
}

/** Every camera, page by page through the cursor. */
export async function allCameras() {
  const cameras = [];
  let cursor = null;
  do {
    const page = await api(`/api/cameras?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    cameras.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return cameras;
}
