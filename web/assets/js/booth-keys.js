// The booth's keeping of the member's credential and receipt on this
// device (localStorage), the panel that shows or downloads the credential
// to vote again from another device, and the form that restores it.
// The credential itself is made and used only by the WebAssembly module.
import { download, el, showErrors, t } from './common.js';

const HASH = /^[0-9a-f]{64}$/;

/** This device's storage for one poll's credential and receipt. */
export function keyStore(poll) {
  const KEY = `shortlist:credential:${poll}`;
  const RECEIPT = `shortlist:receipt:${poll}`;
  return {
    /** The stored credential `{secret, manifest_hash}`, or null. */
    stored() {
      try {
        const v = JSON.parse(localStorage.getItem(KEY) || 'null');
        return v && HASH.test(v.secret || '') ? v : null;
      } catch {
        return null;
      }
    },
    store(secret, manifestHash) {
      try {
        localStorage.setItem(KEY, JSON.stringify({ secret, manifest_hash: manifestHash }));
      } catch {
        // Private mode: the member is offered the file instead.
      }
    },
    storedReceipt() {
      try {
        return JSON.parse(localStorage.getItem(RECEIPT) || 'null');
      } catch {
        return null;
      }
    },
    saveReceipt(kept) {
      try {
        localStorage.setItem(RECEIPT, JSON.stringify(kept));
      } catch {
        // Kept in the page only; the member can save the file.
      }
    },
  };
}

/** "Keep your voting key": show it or download it (hidden until asked). */
export function keyPanelFor(credential, poll) {
  const secret = el('p', { class: 'secret', id: 'key-secret', hidden: true });
  const show = el('button', {
    type: 'button',
    class: 'button button-secondary',
    id: 'key-show',
    'aria-controls': 'key-secret',
    'aria-expanded': 'false',
    text: t('booth.key_show'),
    onclick: () => {
      const open = secret.hidden;
      secret.textContent = open ? credential.exportSecret() : '';
      secret.hidden = !open;
      show.setAttribute('aria-expanded', String(open));
    },
  });
  const save = el('button', {
    type: 'button',
    class: 'button button-secondary',
    id: 'key-download',
    text: t('booth.key_download'),
    onclick: () => download(`shortlist-key-${poll}.txt`, `${credential.exportSecret()}\n`, 'text/plain'),
  });
  return el(
    'details',
    { class: 'key-panel' },
    el('summary', { text: t('booth.key_title') }),
    el('p', { text: t('booth.key_text') }),
    show,
    save,
    secret,
  );
}

/** "Restore a saved voting key": `use(secret)` returns false if the module refuses it. */
export function restoreFormFor(use) {
  const input = el('input', {
    class: 'input secret-input',
    id: 'restore',
    name: 'restore',
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'restore-hint',
  });
  const form = el(
    'form',
    {
      novalidate: true,
      onsubmit: (ev) => {
        ev.preventDefault();
        const v = input.value.trim().toLowerCase();
        if (!HASH.test(v) || !use(v)) showErrors([{ field: 'restore', text: t('booth.err_restore') }]);
      },
    },
    el(
      'div',
      { class: 'field', id: 'restore-field' },
      el('label', { for: 'restore', text: t('booth.restore_label') }),
      el('p', { class: 'hint', id: 'restore-hint', text: t('booth.restore_hint') }),
      el('p', { class: 'error-message', id: 'restore-error', hidden: true }),
      input,
    ),
    el('button', { type: 'submit', class: 'button button-secondary', text: t('booth.restore') }),
  );
  return el('section', { 'aria-labelledby': 'restore-title' }, el('h2', { id: 'restore-title', text: t('booth.restore_title') }), form);
}
