// The plate watch list: every entry (pattern, label, enabled); operators and admins add, edit and delete
// entries, with the server's field errors beside the field; viewers see the list only.
import { el, show, time } from './dom.js';
import { ApiError, api, may } from './api.js';

export function watchListPage(main) {
  let alive = true;
  const editable = may('operator');
  const message = el('p', { class: 'error', id: 'watchlist-error', role: 'alert' });
  const body = el('tbody', { id: 'watchlist-rows' });
  const formArea = el('div', { id: 'watchlist-form-area' });
  const add = editable ? el('button', { id: 'watchlist-add', onclick: () => openForm(null) }, 'Add entry') : null;
  show(main, el('section', { class: 'watchlist' },
    el('div', { class: 'toolbar' }, el('h2', null, 'Watch list'), add),
    el('p', { class: 'muted' }, 'Plates or patterns (* any characters, ? one); a tracked object whose plate matches an enabled entry raises an alert.'),
    message, formArea,
    el('table', { id: 'watchlist' },
      el('thead', null, el('tr', null, ['Pattern', 'Label', 'Enabled', 'Changed', ''].map((h) => el('th', null, h)))), body)));

  async function load() {
    try {
      const list = await api('/api/watchlist');
      if (!alive) return;
      show(body, list.items.length === 0 ? el('tr', null, el('td', { colspan: 5, class: 'muted' }, 'The watch list is empty.'))
        : list.items.map(row));
    } catch (e) {
      message.textContent = `The watch list could not be loaded: ${e.message}`;
    }
  }

  function row(entry) {
    return el('tr', { class: 'entry', dataset: { id: entry.id } },
      el('td', { class: 'pattern' }, entry.pattern), el('td', { class: 'label' }, entry.label),
      el('td', { class: 'enabled' }, entry.enabled ? 'yes' : 'no'), el('td', { class: 'muted' }, time(entry.updatedAt)),
      el('td', { class: 'actions' }, editable ? [
        el('button', { class: 'edit', onclick: () => openForm(entry) }, 'Edit'),
        el('button', { class: 'remove', onclick: () => remove(entry) }, 'Delete'),
      ] : null));
  }

  async function remove(entry) {
    if (!confirm(`Delete the watch-list entry ${entry.pattern} (${entry.label})?`)) return;
    message.textContent = '';
    try {
      await api(`/api/watchlist/${encodeURIComponent(entry.id)}`, { method: 'DELETE' });
      load();
    } catch (e) {
      message.textContent = `${entry.pattern}: ${e.message}`;
    }
  }

  function openForm(entry) {
    show(formArea, entryForm(entry, () => { show(formArea); load(); }, () => show(formArea)));
  }

  load();
  return () => { alive = false; };
}

function entryForm(entry, onSaved, onCancel) {
  const editing = entry !== null;
  const inputs = {
    pattern: el('input', { value: editing ? entry.pattern : '', placeholder: 'ABC1D23 or ABC*', required: true }),
    label: el('input', { value: editing ? entry.label : '', placeholder: 'stolen, call desk 3', required: true }),
    enabled: el('input', { type: 'checkbox', checked: editing ? entry.enabled : true }),
  };
  const fields = Object.entries(inputs).map(([name, input]) => {
    input.id = `watch-${name}`;
    return el('div', { class: 'field' }, el('label', { for: input.id }, name[0].toUpperCase() + name.slice(1)), input,
      el('span', { class: 'field-error', id: `watch-${name}-error`, role: 'alert' }));
  });
  const general = el('p', { class: 'error', id: 'watch-form-error', role: 'alert' });
  const form = el('form', { id: 'watch-form', class: 'camera-form', novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
    general.textContent = '';
    const body = { pattern: inputs.pattern.value, label: inputs.label.value, enabled: inputs.enabled.checked };
    try {
      const saved = editing
        ? await api(`/api/watchlist/${encodeURIComponent(entry.id)}`, { method: 'PUT', body })
        : await api('/api/watchlist', { method: 'POST', body });
      onSaved(saved);
    } catch (e) {
      const target = e instanceof ApiError && e.field ? form.querySelector(`#watch-${e.field.split(/[.[]/)[0]}-error`) : null;
      (target || general).textContent = e.message;
    }
  } },
  el('h3', null, editing ? `Edit ${entry.pattern}` : 'Add a watch-list entry'),
  fields, general,
  el('div', { class: 'buttons' }, el('button', { type: 'submit', id: 'watch-save' }, 'Save'),
    el('button', { type: 'button', class: 'link', onclick: onCancel }, 'Cancel')));
  return form;
}
