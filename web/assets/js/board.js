// The live board: follows /v1/polls/{poll}/entries/stream (server-sent
// events) from the first entry the page did not show, and adds each entry
// at the top of the table. The status line says how many entries there are
// (polite, not once per entry, so that a screen reader is not flooded).
import { api, el, localTimes, page, t } from './common.js';

localTimes();
const body = document.querySelector('#entries tbody');
const status = document.getElementById('board-live');
let next = Number(page.next) || 0;
let announced = 0;

function kindName(kind) {
  const s = t(`kind.${kind}`);
  return s === `kind.${kind}` ? kind : s;
}

function addRow(e) {
  const when = new Date(e.time * 1000);
  const time = el('time', { datetime: when.toISOString(), 'data-local': String(e.time) }, when.toISOString().slice(0, 16).replace('T', ' ') + ' UTC');
  const row = el(
    'tr',
    { class: 'new-entry' },
    el('td', { text: String(e.index) }),
    el('td', { text: kindName(e.kind) }),
    el('td', {}, time),
    el('td', {}, el('code', { class: 'hash', text: e.hash.slice(0, 16) })),
  );
  body.prepend(row);
  while (body.rows.length > 200) body.deleteRow(body.rows.length - 1);
  localTimes(row);
}

let timer = null;
function report() {
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    if (announced !== next) {
      announced = next;
      status.textContent = t('board.live', { n: next });
    }
  }, 1500);
}

function follow() {
  const source = new EventSource(api(page.poll, `/entries/stream?from=${next}`));
  source.addEventListener('entry', (ev) => {
    try {
      const e = JSON.parse(ev.data);
      if (e.index < next) return;
      next = e.index + 1;
      addRow(e);
      report();
    } catch {
      // A malformed event is skipped; the next one carries on.
    }
  });
  source.addEventListener('open', () => {
    status.textContent = t('board.live', { n: next });
    announced = next;
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) {
      status.textContent = t('board.offline');
      setTimeout(follow, 3000);
    }
  });
}

follow();
