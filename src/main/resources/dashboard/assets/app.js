// The dashboard's shell: sign-in, the navigation and the page for the location's hash.
import { el, show } from './dom.js';
import { ApiError, session, signIn, signOut, whoAmI } from './api.js';
import { camerasPage } from './cameras.js';
import { livePage } from './live.js';
import { searchPage } from './search.js';
import { systemPage } from './system.js';
import { watchListPage } from './watchlist.js';

const root = document.getElementById('app');
const pages = { cameras: camerasPage, live: livePage, search: searchPage, watchlist: watchListPage, system: systemPage };
let leave = () => {};

session.onSignedOut = () => signInForm('Your session ended; sign in again.');

async function start() {
  try {
    await whoAmI();
    shell();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) signInForm();
    else show(root, el('p', { class: 'error', role: 'alert' }, `The node cannot be reached: ${e.message}`));
  }
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

function shell() {
  const me = session.me;
  const nav = el('nav', null, Object.keys(pages).map((name) =>
    el('a', { href: `#${name}`, id: `nav-${name}` }, name[0].toUpperCase() + name.slice(1))));
  const who = el('span', { class: 'who', id: 'who' }, me.mode === 'off' ? 'authentication off' : `${me.name} (${me.role})`);
  const out = me.mode === 'off' ? null : el('button', { id: 'signout', class: 'link', onclick: () => { signOut(); signInForm(); } }, 'Sign out');
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
