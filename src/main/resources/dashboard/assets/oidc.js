// Sign-in at the node's OpenID Connect provider (oidc mode): the authorisation-code flow with PKCE for a
// public client (a browser keeps no secret). Loaded only in oidc mode. The access token is the API's bearer
// token, as the built-in login's is; it and the refresh token live in sessionStorage, gone with the tab.
import { setToken, signOut as forgetToken } from './api.js';

const FLOW = 'gtv.oidc.flow'; // state, nonce and code verifier of the sign-in under way (one at a time)
const TOKENS = 'gtv.oidc.tokens'; // refresh token, ID token and expiry of the signed-in session
const REFRESH_AHEAD_MS = 30000;

export class SignInError extends Error {}

let metadata = null;
let refreshTimer = null;
let onEnded = () => {};

/** Called with a message when the session cannot be refreshed any more. */
export function onSessionEnded(callback) {
  onEnded = callback;
}

async function discover(settings) {
  if (metadata) return metadata;
  let response;
  try {
    response = await fetch(`${settings.issuer}/.well-known/openid-configuration`, { headers: { Accept: 'application/json' } });
  } catch (e) {
    throw new SignInError(`The sign-in provider ${settings.issuer} cannot be reached.`);
  }
  if (!response.ok) throw new SignInError(`The sign-in provider answered ${response.status} for its configuration.`);
  const m = await response.json();
  // A document that names another issuer is not this provider's (mix-up): nothing is sent to it.
  if (m.issuer !== settings.issuer) throw new SignInError(`The provider's configuration names the issuer ${m.issuer}, not ${settings.issuer}.`);
  if (!m.authorization_endpoint || !m.token_endpoint) throw new SignInError('The provider\'s configuration has no authorization or token endpoint.');
  const methods = m.code_challenge_methods_supported;
  if (Array.isArray(methods) && !methods.includes('S256')) throw new SignInError('The provider does not support PKCE with S256.');
  metadata = m;
  return m;
}

function base64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function random(bytes) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

async function s256(verifier) {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

function redirectUri() {
  return `${location.origin}/`;
}

function kept() {
  try {
    return JSON.parse(sessionStorage.getItem(TOKENS) || 'null');
  } catch (e) {
    return null;
  }
}

/** Leaves for the provider's sign-in page; the page comes back to {@code /?code=...&state=...}. */
export async function beginSignIn(settings) {
  const m = await discover(settings);
  const flow = { state: random(32), nonce: random(32), verifier: random(48), hash: location.hash };
  sessionStorage.setItem(FLOW, JSON.stringify(flow));
  const url = new URL(m.authorization_endpoint);
  const params = {
    response_type: 'code', client_id: settings.clientId, redirect_uri: redirectUri(), scope: settings.scopes.join(' '),
    state: flow.state, nonce: flow.nonce, code_challenge: await s256(flow.verifier), code_challenge_method: 'S256',
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  location.assign(url.toString());
}

/** Whether the page's address is the provider's answer to a sign-in (a code or an error, with a state). */
export function isCallback() {
  const p = new URLSearchParams(location.search);
  return p.has('state') && (p.has('code') || p.has('error'));
}

/** Checks the provider's answer and exchanges its code for tokens; a SignInError says why not. */
export async function completeSignIn(settings) {
  const params = new URLSearchParams(location.search);
  let flow = null;
  try {
    flow = JSON.parse(sessionStorage.getItem(FLOW) || 'null');
  } catch (e) { /* a damaged entry is no flow */ }
  sessionStorage.removeItem(FLOW);
  // The answer leaves the address bar whatever happens: a reload must not replay it.
  history.replaceState(null, '', `/${(flow && flow.hash) || ''}`);
  if (!flow || params.get('state') !== flow.state) {
    throw new SignInError('The sign-in answer was refused: its state does not match a sign-in started in this tab (forged, replayed or expired). Sign in again.');
  }
  if (params.has('error')) {
    throw new SignInError(`The provider refused the sign-in: ${params.get('error_description') || params.get('error')}`);
  }
  if (params.has('iss') && params.get('iss') !== settings.issuer) {
    throw new SignInError(`The sign-in answer comes from ${params.get('iss')}, not from ${settings.issuer}; it was refused.`);
  }
  const m = await discover(settings);
  const tokens = await tokenRequest(m, {
    grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri(),
    client_id: settings.clientId, code_verifier: flow.verifier,
  });
  // The ID token came straight from the token endpoint (no signature check needed, OIDC Core 3.1.3.7),
  // but it must be this sign-in's: its nonce, issuer and audience.
  const claims = idTokenClaims(tokens.id_token);
  if (!claims || claims.nonce !== flow.nonce) throw new SignInError('The provider\'s ID token does not carry this sign-in\'s nonce; it was refused.');
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.iss !== settings.issuer || !audience.includes(settings.clientId)) {
    throw new SignInError('The provider\'s ID token is not for this dashboard (issuer or audience differ); it was refused.');
  }
  keep(settings, tokens, null);
}

/**
 * A session kept from before a reload: its refresh is scheduled again, at once when the access token is
 * (nearly) expired. Without one, nothing happens (the caller signs in).
 */
export async function resume(settings) {
  const k = kept();
  if (!k) return;
  if (k.expiresAt - Date.now() < 5000) await refresh(settings);
  else schedule(settings, k);
}

/** Forgets the session here (tokens and the pending refresh), without leaving the page. */
export function clear() {
  clearTimeout(refreshTimer);
  sessionStorage.removeItem(TOKENS);
  forgetToken();
}

/**
 * Signs out here and, when the provider has an end-session endpoint, there too (the page comes back to
 * {@code /?signed-out}). Returns false when the page stays (no endpoint).
 */
export async function signOut(settings) {
  const k = kept();
  clear();
  let m = null;
  try {
    m = await discover(settings);
  } catch (e) { /* signed out here; the provider's session is left to expire */ }
  if (!m || !m.end_session_endpoint) return false;
  const url = new URL(m.end_session_endpoint);
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('post_logout_redirect_uri', `${location.origin}/?signed-out`);
  if (k && k.idToken) url.searchParams.set('id_token_hint', k.idToken);
  location.assign(url.toString());
  return true;
}

function idTokenClaims(token) {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) return null;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
  } catch (e) {
    return null;
  }
}

async function tokenRequest(m, form) {
  let response;
  try {
    response = await fetch(m.token_endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams(form),
    });
  } catch (e) {
    throw new SignInError('The provider\'s token endpoint cannot be reached (is this page\'s origin a web origin of the client?).');
  }
  let body = null;
  try {
    body = await response.json();
  } catch (e) { /* not JSON */ }
  if (!response.ok) {
    throw new SignInError(`The provider refused the token request: ${(body && (body.error_description || body.error)) || response.status}`);
  }
  if (!body || typeof body.access_token !== 'string') throw new SignInError('The provider answered without an access token.');
  return body;
}

function keep(settings, tokens, previous) {
  const lifetime = (Number(tokens.expires_in) || 300) * 1000;
  const k = {
    refresh: tokens.refresh_token || (previous && previous.refresh) || null,
    idToken: tokens.id_token || (previous && previous.idToken) || null,
    expiresAt: Date.now() + lifetime,
    lifetime,
  };
  sessionStorage.setItem(TOKENS, JSON.stringify(k));
  setToken(tokens.access_token);
  schedule(settings, k);
}

function schedule(settings, k) {
  clearTimeout(refreshTimer);
  // Without a refresh token the API's 401 at expiry asks for a new sign-in.
  if (!k.refresh) return;
  // Ahead of expiry by 30 s, or a quarter of a short lifetime, so short-lived tokens do not refresh in a loop.
  const ahead = Math.min(REFRESH_AHEAD_MS, (k.lifetime || 0) / 4);
  const delay = Math.max(1000, k.expiresAt - Date.now() - ahead);
  refreshTimer = setTimeout(() => refresh(settings).catch((e) => {
    clear();
    onEnded(`Your session ended (${e.message}); sign in again.`);
  }), delay);
}

async function refresh(settings) {
  const k = kept();
  if (!k || !k.refresh) throw new SignInError('no refresh token');
  const tokens = await tokenRequest(await discover(settings), { grant_type: 'refresh_token', refresh_token: k.refresh, client_id: settings.clientId });
  keep(settings, tokens, k);
}
