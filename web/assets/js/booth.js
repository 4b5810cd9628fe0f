// The member's booth. Everything cryptographic runs in our Rust core
// compiled to WebAssembly (/assets/pkg/); this script only moves bytes
// between the page, the module and the server.
//
// The link is /p/{poll}/booth#t=TOKEN&m=MANIFESTHASH. The fragment never
// reaches the server. Before anything is encrypted, the poll read from the
// board must have the manifest hash of the link. The credential is made
// here and kept in this browser's localStorage (and, if the member wants,
// in a file, to vote again from another device). Between "start" and the
// cast, the page makes no network call but the cast (or the audit); it
// never says "voted" before the server's receipt has been checked here.
import init, * as sl from '/assets/pkg/shortlist_wasm.js';
import {
  api, bytesToHex, clearErrors, download, el, fragment, hexToBytes, keepFragmentOnLanguageLinks, page, request, showErrors, t,
} from './common.js';
import { keyPanelFor, keyStore, restoreFormFor } from './booth-keys.js';

const root = document.getElementById('booth');
const poll = page.poll;
const { stored, store, storedReceipt, saveReceipt } = keyStore(poll);
const TOKEN = /^[0-9a-f]{32}$/;
const HASH = /^[0-9a-f]{64}$/;

/** What the booth knows. */
const booth = {
  poll: null, // sl.Poll
  credential: null, // sl.Credential
  contests: [], // from poll.contestsJson()
  prepared: null, // sl.PreparedBallot, made while the member reads
  chosen: null, // sl.ChosenBallot: the choice fixed, its fingerprint shown, not yet cast or audited
  fingerprint: null,
  selection: [], // one Set of candidate ids per contest
  order: [], // shuffled candidates per contest
  revote: 'last',
  manifestHash: null,
};

// ---------------------------------------------------------------- screens

/** Replaces the booth's content with a step whose heading takes the focus. */
function screen(title, ...children) {
  clearErrors();
  const h = el('h2', { tabindex: '-1', id: 'step-heading', text: title });
  root.replaceChildren(h, ...children.filter(Boolean));
  h.focus();
  return h;
}

function stop(message, extra = []) {
  screen(t('booth.err_title'), el('p', { class: 'notice', id: 'booth-error', text: message }), ...extra);
}

function busy(text) {
  root.replaceChildren(el('p', { class: 'live-status', role: 'status', text }));
}

// ---------------------------------------------------------------- start

async function start() {
  keepFragmentOnLanguageLinks();
  const frag = fragment();
  const saved = stored();
  booth.manifestHash = (frag.m || (saved && saved.manifest_hash) || '').toLowerCase();
  try {
    await init();
  } catch {
    stop(t('booth.err_wasm'));
    return;
  }
  if (!HASH.test(booth.manifestHash)) {
    stop(t('booth.err_no_manifest'));
    return;
  }
  busy(t('booth.checking'));
  let entries;
  let status;
  try {
    [entries, status] = await Promise.all([readBoard(), request('GET', api(poll, '/status'))]);
    booth.poll = sl.Poll.fromEntries(JSON.stringify(entries));
    // Before anything is encrypted: the board's poll is the link's.
    booth.poll.checkManifestHash(booth.manifestHash);
  } catch (e) {
    if (e.code === 'network') stop(t('err.network'));
    else if (e.code === 'no_such_poll' || e.status === 404) stop(t('error.no_poll.text'));
    else if ('status' in e) stop(t('err.server'));
    else if (/manifest hash/.test(e.message)) stop(t('booth.err_manifest'));
    else stop(e.message);
    return;
  }
  booth.revote = booth.poll.revote();
  booth.contests = JSON.parse(booth.poll.contestsJson());
  if (['closed', 'tallying', 'done'].includes(status.phase)) {
    stop(t('booth.err_closed'), resultsLink());
    return;
  }
  if (status.phase !== 'voting' || !booth.poll.canVote()) {
    stop(t('booth.err_not_open'));
    return;
  }
  if (!booth.credential && frag.c) {
    // Registrar mode (spec: board §4.12): the link holds the registrar's
    // credential; the key is derived here and nothing is registered.
    try {
      booth.credential = sl.Credential.fromRegistrar(frag.c, booth.manifestHash);
    } catch {
      stop(t('booth.err_credential_format'));
      return;
    }
    store(booth.credential.exportSecret(), booth.manifestHash);
    forgetFragment();
    choices({ fresh: true });
    return;
  }
  if (saved && (!frag.t || saved.manifest_hash === booth.manifestHash)) {
    try {
      booth.credential = sl.Credential.fromSecret(saved.secret);
    } catch {
      booth.credential = null;
    }
  }
  if (booth.credential && frag.t) {
    // A stored credential wins: the token was redeemed on this device.
    forgetFragment();
  }
  if (!booth.credential) {
    if (!frag.t) {
      stop(t('booth.err_no_token'), [restoreForm()]);
      return;
    }
    const token = frag.t.trim().toLowerCase();
    if (!TOKEN.test(token)) {
      stop(t('booth.err_token_format'));
      return;
    }
    if (!(await register(token))) return;
    choices({ fresh: true });
    return;
  }
  const receipt = storedReceipt();
  if (receipt && booth.revote === 'first') {
    voted(receipt, { first: true });
    return;
  }
  // A stored key (this device's, or one restored from the file): the
  // member may have voted already; the note says what a new ballot does.
  choices({ revote: true });
}

/** Every board entry from 0 up to the first ballot, page by page. */
async function readBoard() {
  const all = [];
  for (let from = 0; ; ) {
    const page1 = await request('GET', api(poll, `/entries?from=${from}`));
    all.push(...page1);
    const ballot = page1.some((e) => e.kind === 'ballot' || e.kind === 'spoiled-ballot');
    if (ballot || page1.length < 1000) return all;
    from += page1.length;
  }
}

function forgetFragment() {
  history.replaceState(null, '', location.pathname + location.search);
  keepFragmentOnLanguageLinks();
}

async function register(token) {
  busy(t('booth.registering'));
  const credential = sl.Credential.generate();
  try {
    await request('POST', api(poll, '/credentials'), { token, credential: credential.publicKeyHex() });
  } catch (e) {
    credential.free();
    if (e.code === 'invalid_token') stop(t('booth.err_token_used'), [restoreForm()]);
    else if (e.code === 'timetable' || e.code === 'wrong_phase') stop(t('booth.err_closed'));
    else if (e.code === 'network') stop(t('err.network'));
    else stop(e.message);
    return false;
  }
  booth.credential = credential;
  store(credential.exportSecret(), booth.manifestHash);
  forgetFragment();
  return true;
}

function resultsLink() {
  return [el('p', {}, el('a', { href: `/p/${encodeURIComponent(poll)}/results` }, t('poll.link_results')))];
}

// ---------------------------------------------------------------- key keeping

function keyPanel() {
  return keyPanelFor(booth.credential, poll);
}

function restoreForm() {
  return restoreFormFor((secret) => {
    let c = null;
    try {
      c = sl.Credential.fromSecret(secret);
    } catch {
      return false;
    }
    booth.credential = c;
    store(secret, booth.manifestHash);
    location.reload();
    return true;
  });
}

// ---------------------------------------------------------------- choosing

function shuffled(list) {
  const a = list.slice();
  const r = new Uint32Array(a.length);
  crypto.getRandomValues(r);
  for (let i = a.length - 1; i > 0; i--) {
    const j = r[i] % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function hint(c) {
  if (c.min_selections === 0) return t('booth.choose_hint_up_to', { max: c.max_selections });
  if (c.min_selections === c.max_selections) return t('booth.choose_hint_exactly', { n: c.max_selections });
  return t('booth.choose_hint_between', { min: c.min_selections, max: c.max_selections });
}

/** Prepares a fresh ballot in the background, while the member reads. */
function prepareSoon() {
  if (booth.prepared) return;
  setTimeout(() => {
    try {
      if (!booth.prepared) booth.prepared = booth.poll.prepare();
    } catch {
      booth.prepared = null;
    }
  }, 50);
}

function choices({ fresh = false, revote = false } = {}) {
  if (booth.order.length === 0) {
    booth.order = booth.contests.map((c) => shuffled(c.candidates));
    booth.selection = booth.contests.map(() => new Set());
  }
  const parts = [];
  if (fresh) parts.push(el('p', { class: 'panel panel-ok', id: 'registered', text: t('booth.registered') }));
  if (revote) {
    parts.push(
      el('div', { class: 'notice', id: 'revote-note' },
        el('p', {}, el('strong', { text: t('booth.revote_title') })),
        el('p', { text: t('booth.revote_text') })),
    );
  }
  parts.push(keyPanel());
  parts.push(el('p', { class: 'hint', text: t('booth.order') }));
  const form = el('form', { novalidate: true, id: 'choices-form', onsubmit: (ev) => { ev.preventDefault(); review(); } });
  booth.contests.forEach((c, ci) => {
    const counter = el('p', { class: 'counter', id: `counter-${ci}`, 'aria-live': 'polite' });
    const count = () => {
      counter.textContent = t('booth.chosen', { n: booth.selection[ci].size, max: c.max_selections });
    };
    const set = el(
      'fieldset',
      { class: 'choices field', id: `contest-${ci}-field`, 'aria-describedby': `contest-${ci}-hint` },
      el('legend', { text: c.title }),
      el('p', { class: 'hint', id: `contest-${ci}-hint`, text: hint(c) }),
      el('p', { class: 'error-message', id: `contest-${ci}-error`, hidden: true }),
    );
    booth.order[ci].forEach((cand, k) => {
      const id = k === 0 ? `contest-${ci}` : `contest-${ci}-c${cand.candidate_id}`;
      const box = el('input', {
        type: 'checkbox',
        id,
        name: `contest-${ci}`,
        value: String(cand.candidate_id),
        checked: booth.selection[ci].has(cand.candidate_id),
        onchange: (ev) => {
          if (ev.target.checked) booth.selection[ci].add(cand.candidate_id);
          else booth.selection[ci].delete(cand.candidate_id);
          count();
        },
      });
      const body = el('div', {}, el('label', { for: id, text: cand.name }));
      const attrs = Object.entries(cand.attributes || {}).map(([k2, v]) => `${k2}: ${v}`).join(' · ');
      if (cand.statement || attrs) {
        const details = el('details', {}, el('summary', { text: t('booth.statement_of', { name: cand.name }) }));
        if (attrs) details.append(el('p', { class: 'hint', text: attrs }));
        for (const para of (cand.statement || '').split(/\n\s*\n/)) if (para.trim()) details.append(el('p', { text: para.trim() }));
        body.append(details);
      }
      set.append(el('div', { class: 'choice' }, box, body));
    });
    count();
    form.append(set, counter);
  });
  form.append(el('button', { type: 'submit', class: 'button', id: 'continue', text: t('booth.continue') }));
  parts.push(form);
  screen(t('booth.choose_legend'), ...parts);
  prepareSoon();
}

function check() {
  const errors = [];
  booth.contests.forEach((c, ci) => {
    const n = booth.selection[ci].size;
    if (n > c.max_selections) errors.push({ field: `contest-${ci}`, text: t('booth.err_too_many', { max: c.max_selections }) });
    else if (n < c.min_selections) errors.push({ field: `contest-${ci}`, text: t('booth.err_too_few', { min: c.min_selections }) });
  });
  return errors;
}

// ---------------------------------------------------------------- review, cast, audit

function chosenNames(ci) {
  return booth.order[ci].filter((c) => booth.selection[ci].has(c.candidate_id)).map((c) => c.name);
}

function review() {
  const errors = check();
  if (errors.length) {
    showErrors(errors);
    return;
  }
  // Commit-then-choose: the ciphertexts are fixed now, before the member
  // decides to cast or to audit, and their fingerprint is shown.
  dropChosen();
  try {
    booth.chosen = choose();
    booth.fingerprint = booth.chosen.fingerprint();
  } catch (e) {
    stop(e.message);
    return;
  }
  const parts = [];
  booth.contests.forEach((c, ci) => {
    if (booth.contests.length > 1) parts.push(el('h3', { text: c.title }));
    const names = chosenNames(ci);
    if (names.length === 0) parts.push(el('p', { text: t('booth.review_none') }));
    else parts.push(el('ul', { class: 'review-list' }, ...names.map((n) => el('li', { text: n }))));
  });
  parts.push(
    el('p', {}, `${t('booth.fingerprint')}: `, el('code', { class: 'hash', id: 'fingerprint', 'data-code': booth.fingerprint, 'aria-describedby': 'fingerprint-hint', text: groups(booth.fingerprint) })),
    el('p', { class: 'hint', id: 'fingerprint-hint', text: t('booth.fingerprint_hint') }),
    el('button', { type: 'button', class: 'button', id: 'cast', text: t('booth.cast'), onclick: () => cast() }),
    el('button', {
      type: 'button',
      class: 'button button-secondary',
      id: 'change',
      text: t('booth.change'),
      onclick: () => {
        dropChosen();
        choices();
      },
    }),
    el(
      'details',
      { class: 'audit-panel', id: 'audit-panel' },
      el('summary', { text: t('booth.audit') }),
      el('p', { text: t('booth.audit_explain') }),
      el('button', { type: 'button', class: 'button button-secondary', id: 'audit', text: t('booth.audit_button'), onclick: () => audit() }),
    ),
  );
  screen(t('booth.review_title'), ...parts);
  prepareSoon();
}

/** The prepared ballot with the member's choice fixed (a fresh one is prepared next time). */
function choose() {
  const prepared = booth.prepared || booth.poll.prepare();
  booth.prepared = null;
  const selections = booth.contests.map((c, ci) => [...booth.selection[ci]].sort((a, b) => a - b));
  const chosen = prepared.choose(JSON.stringify(selections));
  prepared.free();
  return chosen;
}

/** Forgets a chosen ballot that will be neither cast nor audited. */
function dropChosen() {
  if (booth.chosen) booth.chosen.free();
  booth.chosen = null;
}

let pendingAudit = null; // the opened ballot being sent: a retry sends the same bytes

async function audit() {
  if (!pendingAudit) {
    try {
      // The audit carries no credential: it never links a choice to the member.
      const audited = booth.chosen.auditPayload();
      pendingAudit = { payload: audited.payload(), summary: JSON.parse(audited.summaryJson()), fingerprint: booth.fingerprint };
      audited.free();
      dropChosen();
    } catch (e) {
      stop(e.message);
      return;
    }
  }
  busy(t('booth.auditing'));
  let res;
  try {
    res = await send('/audits', { spoiled: bytesToHex(pendingAudit.payload) });
  } catch (e) {
    castError(e, () => audit());
    return;
  }
  const { summary, fingerprint } = pendingAudit;
  pendingAudit = null;
  const parts = [el('p', { text: t('booth.audited_text') })];
  // One list per contest, titled when the poll has several (one id for all).
  const opened = el('div', { id: 'audited-choices' });
  summary.forEach((c, ci) => {
    if (summary.length > 1) opened.append(el('h3', { text: booth.contests[ci] ? booth.contests[ci].title : '' }));
    const names = c.chosen.map((x) => x.name);
    opened.append(names.length ? el('ul', {}, ...names.map((n) => el('li', { text: n }))) : el('p', { text: t('booth.review_none') }));
  });
  parts.push(opened);
  const index = res.entry ? res.entry.index : '?';
  parts.push(
    el('p', {}, `${t('booth.fingerprint')}: `, el('code', { class: 'hash', id: 'audited-code', 'data-code': fingerprint, text: groups(fingerprint) })),
    el('p', { text: t('booth.audited_check', { index }) }),
    el('p', {}, el('a', { href: `/p/${encodeURIComponent(poll)}/board` }, t('poll.link_board'))),
    el('button', { type: 'button', class: 'button', id: 'audit-next', text: t('booth.audited_next'), onclick: () => choices() }),
  );
  screen(t('booth.audited_title'), ...parts);
  prepareSoon();
}

/** POSTs with automatic retries (the server answers a repeat with the same entry). */
async function send(tail, body) {
  const delays = [500, 1500, 3500];
  for (let attempt = 0; ; attempt++) {
    try {
      return await request('POST', api(poll, tail), body);
    } catch (e) {
      const transient = e.code === 'network' || e.status === 408 || e.status === 429 || e.status >= 500;
      if (!transient || attempt >= delays.length) throw e;
      busy(t('booth.retrying', { n: attempt + 1 }));
      await new Promise((r) => setTimeout(r, delays[attempt]));
    }
  }
}

function castError(e, again) {
  if (e.code === 'already_voted') stop(t('booth.err_first'));
  else if (e.code === 'wrong_phase' || e.code === 'timetable') stop(t('booth.err_closed'), resultsLink());
  else if (e.code === 'network' || e.status >= 500 || e.status === 408 || e.status === 429) {
    screen(
      t('booth.net_title'),
      el('p', { class: 'notice', id: 'booth-error', text: t('booth.err_cast_network') }),
      el('button', { type: 'button', class: 'button', id: 'retry', text: t('booth.retry'), onclick: again }),
    );
  } else stop(e.message);
}

let pendingCast = null; // the signed payload being sent: a retry sends the same bytes

async function cast() {
  if (!pendingCast) {
    try {
      pendingCast = booth.chosen.castPayload(booth.credential);
      dropChosen();
    } catch (e) {
      stop(e.message);
      return;
    }
  }
  await sendCast();
}

async function sendCast() {
  const payload = pendingCast;
  busy(t('booth.casting'));
  let res;
  try {
    res = await send('/ballots', { ballot: bytesToHex(payload) });
  } catch (e) {
    castError(e, () => sendCast());
    return;
  }
  try {
    let receipt = res.receipt;
    if (!receipt && res.entry) {
      const again = await request('GET', api(poll, `/receipts/${res.entry.payload_hash}`));
      receipt = again.receipt;
    }
    const code = sl.checkReceipt(booth.poll, hexToBytes(receipt), payload);
    const kept = { receipt, payload: bytesToHex(payload), tracking_code: code, fingerprint: booth.fingerprint, manifest_hash: booth.manifestHash, poll };
    saveReceipt(kept);
    pendingCast = null;
    voted(kept, {});
  } catch {
    stop(t('booth.err_receipt'));
  }
}

// ---------------------------------------------------------------- receipt

function groups(hex) {
  return hex.match(/.{1,8}/g).join(' ');
}

function voted(kept, { first = false }) {
  const info = JSON.parse(sl.receiptJson(hexToBytes(kept.receipt)));
  const result = el('p', { id: 'receipt-check', role: 'status' });
  const parts = [
    el('p', { text: t('booth.voted_text') }),
    el('h3', { text: t('booth.tracking') }),
    el('p', {}, el('code', { class: 'hash', id: 'tracking-code', 'data-code': kept.tracking_code, text: groups(kept.tracking_code) })),
    el('p', { id: 'receipt-index', text: t('booth.position', { index: info.index }) }),
    kept.fingerprint ? el('p', {}, `${t('booth.fingerprint')}: `, el('code', { class: 'hash', text: groups(kept.fingerprint) })) : null,
    el('button', {
      type: 'button',
      class: 'button button-secondary',
      id: 'receipt-download',
      text: t('booth.receipt_download'),
      onclick: () => download(`shortlist-receipt-${poll}.json`, `${JSON.stringify(kept, null, 2)}\n`, 'application/json'),
    }),
    el('button', { type: 'button', class: 'button button-secondary', id: 'receipt-recheck', text: t('booth.receipt_check'), onclick: () => recheck(kept, result) }),
    result,
  ];
  if (booth.revote === 'last' && !first) {
    parts.push(
      el('p', { text: t('booth.revote_after') }),
      el('button', { type: 'button', class: 'button button-secondary', id: 'vote-again', text: t('booth.vote_again'), onclick: () => choices({ revote: true }) }),
    );
  } else if (first) {
    parts.unshift(el('p', { class: 'notice', text: t('booth.revote_first') }));
  }
  parts.push(keyPanel());
  const h = screen(t('booth.voted_title'), ...parts);
  h.parentElement.classList.add('voted');
  document.title = `${t('booth.voted_title')} – ${document.title.split(' – ').slice(-1)[0]}`;
}

/** Re-checks a kept receipt against the live board: inclusion now, and the board only grew since. */
async function recheck(kept, out) {
  out.textContent = t('booth.receipt_checking');
  out.className = '';
  try {
    const old = JSON.parse(sl.receiptJson(hexToBytes(kept.receipt)));
    const now = await request('GET', api(poll, `/receipts/${kept.tracking_code}`));
    sl.checkReceipt(booth.poll, hexToBytes(now.receipt), hexToBytes(kept.payload));
    const oldCp = hexToBytes(old.checkpoint);
    const newCp = hexToBytes(now.checkpoint);
    const from = JSON.parse(sl.checkpointJson(oldCp)).size;
    const to = JSON.parse(sl.checkpointJson(newCp)).size;
    if (to !== from) {
      const proof = await request('GET', api(poll, `/consistency?from=${from}&to=${to}`));
      sl.checkConsistency(booth.poll, oldCp, newCp, hexToBytes(proof.proof));
    }
    out.textContent = t('booth.receipt_ok');
    out.className = 'panel panel-ok';
  } catch (e) {
    out.textContent = e.code === 'network' ? t('err.network') : t('booth.receipt_bad');
    out.className = 'panel panel-bad';
  }
}

start().catch((e) => stop(String(e && e.message ? e.message : e)));
