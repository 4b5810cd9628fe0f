// Shared by every page's script: the string catalogue the server put in
// the page, the page's data, JSON requests to /v1 with our error format,
// the error summary, local times and countdowns. No cryptography here.

const strings = readJson('strings') || {};

/** Reads a `<script type="application/json">` data block. */
export function readJson(id) {
  const el = document.getElementById(id);
  if (!el) return null;
  try {
    return JSON.parse(el.textContent);
  } catch {
    return null;
  }
}

/** The page's data from the server. */
export const page = readJson('page-data') || {};

/** A string from the catalogue, with `{name}` placeholders filled in. */
export function t(key, args = {}) {
  let s = strings[key] ?? key;
  for (const [k, v] of Object.entries(args)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

/** The path of a poll's API routes. */
export function api(poll, tail = '') {
  return `/v1/polls/${encodeURIComponent(poll)}${tail}`;
}

/** An error from the server (`status`, `code`, `message`) or the network (`status` 0). */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Sends a request and reads JSON; throws ApiError. */
export async function request(method, url, body, { signal } = {}) {
  let res;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'same-origin',
      signal,
    });
  } catch (e) {
    throw new ApiError(0, 'network', String(e && e.message ? e.message : e));
  }
  const text = await res.text().catch(() => '');
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    throw new ApiError(res.status, (json && json.code) || 'http', (json && json.message) || res.statusText);
  }
  return json;
}

/** Makes an element: `el('p', { class: 'x' }, 'text', child…)`. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

/**
 * Shows the error summary: `errors` is a list of `{ field, text }` (field:
 * the id of the input, or null for an error of the whole page). Each
 * field gets its own message too; the summary takes the focus.
 */
export function showErrors(errors) {
  clearErrors();
  const summary = document.getElementById('error-summary');
  if (!summary) return;
  const list = summary.querySelector('.error-list');
  for (const { field, text } of errors) {
    const item = el('li');
    if (field && document.getElementById(field)) {
      item.append(el('a', { href: `#${field}`, text, onclick: (ev) => focusField(ev, field) }));
      const group = document.getElementById(`${field}-field`);
      const msg = document.getElementById(`${field}-error`);
      if (group) group.classList.add('field-error');
      if (msg) {
        msg.textContent = text;
        msg.hidden = false;
      }
      const input = document.getElementById(field);
      const described = [input.getAttribute('aria-describedby'), `${field}-error`].filter(Boolean).join(' ');
      input.setAttribute('aria-describedby', [...new Set(described.split(' '))].join(' '));
      input.setAttribute('aria-invalid', 'true');
    } else {
      item.textContent = text;
    }
    list.append(item);
  }
  summary.hidden = false;
  if (!document.title.startsWith(t('error.summary'))) document.title = `${t('error.summary')}: ${document.title}`;
  summary.focus();
}

function focusField(ev, field) {
  const input = document.getElementById(field);
  if (!input) return;
  ev.preventDefault();
  const label = document.querySelector(`label[for="${field}"]`) || input;
  label.scrollIntoView();
  input.focus({ preventScroll: true });
}

/** Hides the error summary and every field's message. */
export function clearErrors() {
  const summary = document.getElementById('error-summary');
  if (summary) {
    summary.hidden = true;
    summary.querySelector('.error-list').replaceChildren();
  }
  for (const g of document.querySelectorAll('.field-error')) g.classList.remove('field-error');
  for (const m of document.querySelectorAll('.error-message')) {
    m.hidden = true;
    m.textContent = '';
  }
  for (const i of document.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
  const prefix = `${t('error.summary')}: `;
  if (document.title.startsWith(prefix)) document.title = document.title.slice(prefix.length);
}

/** "3 days, 4 hours" (the two largest units), as the server writes it. */
export function span(secs) {
  const units = [[86400, 'time.days'], [3600, 'time.hours'], [60, 'time.minutes'], [1, 'time.seconds']];
  const out = [];
  let rest = Math.max(0, Math.floor(secs));
  for (const [size, key] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || (out.length === 0 && size === 1)) {
      out.push(t(n === 1 ? `${key}_one` : key, { n }));
      rest %= size;
    }
    if (out.length === 2 || (out.length > 0 && n === 0)) break;
  }
  return out.join(', ');
}

/** Adds the reader's local time after each server-rendered UTC time. */
export function localTimes(root = document) {
  const lang = document.documentElement.lang || 'en';
  for (const time of root.querySelectorAll('time[data-local]:not([data-done])')) {
    const d = new Date(Number(time.dataset.local) * 1000);
    const local = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
    time.dataset.done = '1';
    time.after(el('span', { class: 'hint', text: ` (${t('time.local', { time: local })})` }));
  }
}

/** Keeps each countdown current, from the server's clock at page load. */
export function countdowns() {
  const nodes = [...document.querySelectorAll('[data-countdown]')];
  if (nodes.length === 0) return;
  const loaded = Date.now() / 1000;
  const tick = () => {
    for (const n of nodes) {
      const serverNow = Number(n.dataset.now) + (Date.now() / 1000 - loaded);
      const left = Number(n.dataset.target) - serverNow;
      n.textContent = left > 0 ? t(n.dataset.countdown, { span: span(left) }) : t('countdown.passed');
    }
  };
  tick();
  setInterval(tick, 1000);
}

/** Offers `bytes` as a file download. */
export function download(name, bytes, type = 'application/octet-stream') {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function hexToBytes(hex) {
  const clean = hex.trim();
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error('not hex');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The URL fragment as key=value pairs (`#t=…&m=…`). */
export function fragment() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  return Object.fromEntries(params.entries());
}

/** Unhides elements that need the script. */
export function enhance() {
  for (const n of document.querySelectorAll('.js-only[hidden]')) n.hidden = false;
}

/**
 * Makes the language links keep the fragment (a booth or candidate link's
 * token and poll fingerprint), which a plain `?lang=` link would drop.
 * The fragment still never reaches the server.
 */
export function keepFragmentOnLanguageLinks() {
  const hash = location.hash;
  for (const a of document.querySelectorAll('.lang a[hreflang]')) {
    const base = a.getAttribute('href').split('#')[0];
    a.setAttribute('href', base + hash);
  }
}
