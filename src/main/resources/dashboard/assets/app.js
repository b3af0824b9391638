// The dashboard's shell: sign-in, the navigation and the page for the location's hash. Sign-in is the
// node's built-in form, or in oidc mode the provider's page (oidc.js, loaded only then).
import { el, show } from './dom.js';
import { ApiError, api, session, signIn, signOut, whoAmI } from './api.js';
import { camerasPage } from './cameras.js';
import { livePage } from './live.js';
import { searchPage } from './search.js';
import { systemPage } from './system.js';
import { watchListPage } from './watchlist.js';

const root = document.getElementById('app');
const pages = { cameras: camerasPage, live: livePage, search: searchPage, watchlist: watchListPage, system: systemPage };
let leave = () => {};
// oidc mode: the provider's public client ({ issuer, clientId, scopes }) and the flow's module.
let provider = null;
let oidc = null;

function signInPage(message) {
  if (oidc) {
    oidc.clear();
    providerPage(message);
  } else {
    signInForm(message);
  }
}

function fatal(message) {
  show(root, el('p', { class: 'error', role: 'alert' }, message));
}

async function start() {
  // Without an OIDC session kept in the tab, who the token is is asked beside how to sign in: one round
  // trip less before the landing page. Its answer is used only outside oidc mode.
  const early = sessionStorage.getItem('gtv.oidc.tokens') === null ? whoAmI().then(() => null, (e) => e) : null;
  let how;
  try {
    how = await api('/api/dashboard/signin');
  } catch (e) {
    fatal(`The node cannot be reached: ${e.message}`);
    return;
  }
  if (how.mode === 'oidc') {
    if (early) await early; // a stale token's 401 has cleared it before the flow starts
    if (!(await oidcSession(how.oidc))) return;
  }
  // Set only now, so that the early answer above cannot show a sign-in form of the wrong mode.
  session.onSignedOut = () => signInPage('Your session ended; sign in again.');
  const failure = how.mode === 'oidc' || !early ? await whoAmI().then(() => null, (e) => e) : await early;
  if (!failure) shell();
  else if (failure instanceof ApiError && failure.status === 401) signInPage();
  else fatal(`The node cannot be reached: ${failure.message}`);
}

/** Whether there is a token to go on with; otherwise the page has left for the provider or says why not. */
async function oidcSession(settings) {
  if (!settings || !settings.clientId) {
    fatal('This node signs in through OpenID Connect, but the dashboard\'s client is not set up (gtv.auth.oidc.dashboard-client-id).');
    return false;
  }
  provider = settings;
  oidc = await import('./oidc.js');
  oidc.onSessionEnded((message) => signInPage(message));
  const query = new URLSearchParams(location.search);
  if (oidc.isCallback()) {
    try {
      await oidc.completeSignIn(provider);
    } catch (e) {
      oidc.clear();
      providerPage(e.message);
      return false;
    }
  } else {
    // A session from before a reload; when it can no longer be refreshed, sign in afresh.
    try {
      await oidc.resume(provider);
    } catch (e) {
      oidc.clear();
    }
  }
  if (session.token) return true;
  if (query.has('signed-out')) {
    history.replaceState(null, '', '/');
    providerPage('You signed out.');
  } else {
    goToProvider();
  }
  return false;
}

async function goToProvider(error) {
  try {
    await oidc.beginSignIn(provider);
  } catch (e) {
    if (error) error.textContent = e.message;
    else providerPage(e.message);
  }
}

function providerPage(message) {
  leave();
  leave = () => {};
  const error = el('p', { class: 'error', id: 'signin-error', role: 'alert' }, message || '');
  show(root, el('div', { id: 'signin', class: 'signin' },
    el('h1', null, 'GT-Vision'),
    el('p', null, `Sign in at ${new URL(provider.issuer).host}.`),
    el('button', { id: 'signin-provider', type: 'button', onclick: () => { error.textContent = ''; goToProvider(error); } }, 'Sign in'),
    error));
}

function signInForm(message) {
  leave();
  leave = () => {};
  const error = el('p', { class: 'error', id: 'signin-error', role: 'alert' }, message || '');
  const username = el('input', { id: 'username', name: 'username', autocomplete: 'username', required: true });
  const password = el('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = el('form', { id: 'signin', class: 'signin', onsubmit: async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      await signIn(username.value, password.value);
      await whoAmI();
      shell();
    } catch (e) {
      error.textContent = e.status === 401 ? 'Wrong user name or password.' : e.message;
    }
  } },
  el('h1', null, 'GT-Vision'),
  el('label', { for: 'username' }, 'User name'), username,
  el('label', { for: 'password' }, 'Password'), password,
  el('button', { type: 'submit' }, 'Sign in'),
  error);
  show(root, form);
  username.focus();
}

async function signOutClicked() {
  leave();
  leave = () => {};
  if (!oidc) {
    signOut();
    signInForm();
  } else if (!(await oidc.signOut(provider))) {
    providerPage('You signed out.');
  }
}

function shell() {
  const me = session.me;
  const nav = el('nav', null, Object.keys(pages).map((name) =>
    el('a', { href: `#${name}`, id: `nav-${name}` }, name[0].toUpperCase() + name.slice(1))));
  const who = el('span', { class: 'who', id: 'who' }, me.mode === 'off' ? 'authentication off' : `${me.name} (${me.role})`);
  const out = me.mode === 'off' ? null : el('button', { id: 'signout', class: 'link', onclick: signOutClicked }, 'Sign out');
  const main = el('main', { id: 'main' });
  show(root, el('header', null, el('strong', null, 'GT-Vision'), nav, who, out), main);
  const route = () => {
    leave();
    const name = location.hash.slice(1).split('?')[0];
    const page = pages[name] || camerasPage;
    for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.getAttribute('href') === `#${pages[name] ? name : 'cameras'}`);
    leave = page(main) || (() => {});
  };
  window.onhashchange = route;
  route();
}

start();
