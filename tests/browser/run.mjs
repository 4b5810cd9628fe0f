// Browser scenarios for shortlist's pages, one phase of a poll per run.
// Started by `tests/browser.rs` with a JSON config (argv[2]); drives
// Debian's Chromium through playwright-core (no downloaded browser), at a
// phone (360×740) and a desktop viewport; scans each page with axe-core
// (no serious or critical violation allowed); keeps a screenshot of every
// page and step; fails on any Content-Security-Policy violation or
// uncaught page error. Prints one line per scenario and a closing
// "N passed, M failed".
import { readFileSync, writeFileSync } from 'node:fs';
import { axe, check, DESKTOP, launch, PHONE, runner, screenshots } from './harness.mjs';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const out = {};

const VIEWPORTS = [PHONE, DESKTOP];

// ------------------------------------------------------------ harness

const run = runner(cfg.phase);
const test = run.test;
const browser = await launch(cfg.chromium);
const screenshot = screenshots(cfg.screenshots, `${cfg.phase}-`);

/** A fresh browser context (a device): its own storage. */
async function device(vp) {
  const ctx = await browser.newContext({ ...vp.options, acceptDownloads: true, locale: 'en-GB' });
  return ctx;
}

/** Opens a page, watching for CSP violations and uncaught errors. */
async function open(ctx, path) {
  const page = await ctx.newPage();
  run.watch(page);
  const res = await page.goto(cfg.base + path);
  check(res, `no response for ${path}`);
  const h = res.headers();
  check((h['content-security-policy'] || '').includes("default-src 'none'"), `${path}: no strict CSP`);
  check(h['referrer-policy'] === 'no-referrer', `${path}: no Referrer-Policy`);
  check(h['x-content-type-options'] === 'nosniff', `${path}: no nosniff`);
  return page;
}

async function text(page, selector) {
  return (await page.locator(selector).first().textContent({ timeout: 30000 })) || '';
}

const poll = encodeURIComponent(cfg.poll);
const P = `/p/${poll}`;

// ------------------------------------------------------------ phases

async function nominations(vp, i) {
  const token = cfg.candidate_tokens[i];
  const ctx = await device(vp);

  await test(`${vp.name}: public poll page`, async () => {
    const page = await open(ctx, P);
    check((await text(page, 'h1')).includes("Members' shortlist"), 'title');
    check((await text(page, '.phase')).includes('Nominations are open'), 'phase');
    check((await text(page, '.countdown')).startsWith('Nominations close in'), 'countdown');
    await page.keyboard.press('Tab');
    check(await page.evaluate(() => document.activeElement.classList.contains('skip-link')), 'first Tab reaches the skip link');
    await screenshot(page, vp, 'poll-skip-link');
    await page.keyboard.press('Enter');
    check(await page.evaluate(() => document.activeElement.id === 'main'), 'the skip link moves focus to main');
    await axe(page, 'poll page');
    await screenshot(page, vp, 'poll');
    await page.close();
  });

  await test(`${vp.name}: poll page in French`, async () => {
    const page = await open(ctx, `${P}?lang=fr`);
    check((await page.getAttribute('html', 'lang')) === 'fr', 'lang=fr');
    check((await text(page, '.phase')).includes('Les candidatures sont ouvertes'), 'French phase');
    check((await page.getAttribute('.poll-nav a[href*="/board"]', 'href')).endsWith('?lang=fr'), 'links keep the language');
    await axe(page, 'poll page (fr)');
    await screenshot(page, vp, 'poll-fr');
    await page.close();
  });

  await test(`${vp.name}: candidate form shows linked errors`, async () => {
    const page = await open(ctx, `${P}/candidate#t=${token}`);
    await page.waitForSelector('#token-note');
    check(await page.locator('#token-field').isHidden(), 'the token from the link is not shown');
    await screenshot(page, vp, 'candidate-form');
    await page.click('button[type="submit"]');
    await page.waitForSelector('#error-summary:not([hidden])');
    check(await page.evaluate(() => document.activeElement.id === 'error-summary'), 'the summary takes the focus');
    check((await text(page, '#error-summary')).includes('Enter your name'), 'summary message');
    check((await text(page, '#name-error')).includes('Enter your name'), 'field message');
    check((await page.title()).startsWith('There is a problem'), 'title prefixed');
    await axe(page, 'candidate form with errors');
    await screenshot(page, vp, 'candidate-errors');
    await page.click('#error-summary a[href="#name"]');
    check(await page.evaluate(() => document.activeElement.id === 'name'), 'the summary link focuses the field');

    await page.fill('#name', `Grace Lin (${vp.name})`);
    await page.fill('#statement', 'Ten years organising tenants.\n\nI will report back every month.');
    await page.fill('[data-attribute="gender"]', 'woman');
    await page.click('button[type="submit"]');
    await page.waitForSelector('#sent:not([hidden])');
    check((await text(page, '#sent')).includes('We have your expression of interest'), 'sent');
    check(await page.locator('#error-summary').isHidden(), 'no errors left');
    await axe(page, 'candidate sent');
    await screenshot(page, vp, 'candidate-sent');
    // An update replaces the pending one.
    await page.fill('#statement', 'Ten years organising tenants.\n\nI will report back every week.');
    await page.click('button[type="submit"]');
    await page.waitForSelector('#sent:not([hidden])');
    await page.close();
  });

  await test(`${vp.name}: candidate form with a mistyped or unknown token`, async () => {
    const page = await open(ctx, `${P}/candidate`);
    check(await page.locator('#token').isVisible(), 'the token field shows without a token in the link');
    await page.fill('#token', token.slice(0, 30));
    await page.fill('#name', 'Someone');
    await page.click('button[type="submit"]');
    await page.waitForSelector('#error-summary:not([hidden])');
    check((await text(page, '#token-error')).includes('32 letters and numbers'), 'format error');
    await page.fill('#token', 'f'.repeat(32));
    await page.click('button[type="submit"]');
    await page.waitForFunction(() => document.getElementById('token-error').textContent.includes('do not recognise'));
    check((await page.inputValue('#name')) === 'Someone', 'answers are kept');
    await axe(page, 'candidate unknown token');
    await screenshot(page, vp, 'candidate-unknown-token');
    await page.close();
  });

  await test(`${vp.name}: pages without JavaScript`, async () => {
    const plain = await browser.newContext({ ...vp.options, javaScriptEnabled: false });
    const page = await open(plain, P);
    check((await text(page, '.phase')).includes('Nominations are open'), 'the poll page is whole without a script');
    await page.goto(`${cfg.base}${P}/candidate#t=${token}`);
    check((await text(page, 'main')).includes('not running JavaScript'), 'says why the token must be pasted');
    await page.fill('#token', token);
    await page.fill('#name', '');
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    check((await text(page, '#error-summary')).includes('Enter your name'), 'server-side error summary');
    check((await page.inputValue('#token')) === token, 'answers kept');
    // (No axe here: it needs script in the page; the same markup is scanned with the script on.)
    await screenshot(page, vp, 'candidate-noscript-errors');
    await page.fill('#name', `Grace Lin (${vp.name})`);
    await page.fill('#statement', 'Ten years organising tenants.');
    await page.fill('[data-attribute="gender"]', 'woman');
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    check((await text(page, '#sent')).includes('We have your expression of interest'), 'sent without a script');
    await screenshot(page, vp, 'candidate-noscript-sent');
    await page.goto(`${cfg.base}${P}/booth`);
    check((await text(page, 'main')).includes('The booth needs JavaScript'), 'the booth says why it needs a script');
    await screenshot(page, vp, 'booth-noscript');
    await plain.close();
  });

  await test(`${vp.name}: board and results before the vote`, async () => {
    const page = await open(ctx, `${P}/board`);
    check((await page.locator('#entries tbody tr').count()) >= 1, 'entries shown');
    await page.waitForFunction(() => document.getElementById('board-live').textContent.startsWith('Live'));
    await axe(page, 'board');
    await screenshot(page, vp, 'board');
    await page.goto(`${cfg.base}${P}/results`);
    check((await text(page, 'main')).includes('There are no results yet.'), 'no results yet');
    await axe(page, 'results (none)');
    await screenshot(page, vp, 'results-none');
    await page.close();
  });
  await ctx.close();
}

// ---------------------------------------------------------------- voting

const codes = [];
let audits = 0;

function boothPath(token, hash = cfg.manifest_hash) {
  const parts = [];
  if (token) parts.push(`t=${token}`);
  if (hash) parts.push(`m=${hash}`);
  return `${P}/booth#${parts.join('&')}`;
}

/** Ticks `n` candidates (in the page's own shuffled order, from `skip` on). */
async function choose(page, n, skip = 0) {
  const boxes = page.locator('#choices-form input[type="checkbox"]');
  await boxes.first().waitFor();
  const total = await boxes.count();
  for (let k = 0; k < total; k++) {
    const want = k >= skip && k < skip + n;
    if ((await boxes.nth(k).isChecked()) !== want) await boxes.nth(k).setChecked(want);
  }
}

/** Chooses the first candidate of the second contest (after `choose`, which clears it). */
async function treasurer(page) {
  await page.locator('#contest-1-field input[type="checkbox"]').first().setChecked(true);
}

/** Milliseconds from the click on "Cast my vote" to the checked receipt on screen. */
const castTimes = [];

async function castAndCheck(page) {
  await page.click('#continue');
  await page.waitForSelector('#cast');
  const clicked = Date.now();
  await page.click('#cast');
  await page.waitForSelector('#tracking-code', { timeout: 60000 });
  castTimes.push(Date.now() - clicked);
  const code = await page.getAttribute('#tracking-code', 'data-code');
  check(/^[0-9a-f]{64}$/.test(code), `tracking code ${code}`);
  check((await text(page, '#step-heading')) === 'You have voted', 'says voted only with the receipt');
  codes.push(code);
  return code;
}

async function voting(vp, k) {
  const tok = (j) => cfg.member_tokens[k * 7 + j];

  await test(`${vp.name}: member redeems, audits, casts, re-checks and revotes`, async () => {
    const ctx = await device(vp);
    const page = await open(ctx, boothPath(tok(0)));
    await page.waitForSelector('#choices-form', { timeout: 60000 });
    check(!(await page.evaluate(() => location.hash)).includes('t='), 'the token leaves the address bar once redeemed');
    check((await text(page, '#registered')).includes('voting key is on this device'), 'registered');
    await page.click('.key-panel summary');
    await page.click('#key-show');
    check(/^[0-9a-f]{64}$/.test((await text(page, '#key-secret')).trim()), 'the exported key shows');
    await axe(page, 'booth choices');
    await screenshot(page, vp, 'booth-choose');
    await choose(page, 4);
    await page.click('#continue');
    await page.waitForSelector('#error-summary:not([hidden])');
    check((await text(page, '#error-summary')).includes('no more than 3'), 'max enforced');
    await axe(page, 'booth too many');
    await screenshot(page, vp, 'booth-too-many');
    await choose(page, 2);
    await treasurer(page);
    await page.click('#continue');
    await page.waitForSelector('#cast');
    const chosen = await page.locator('.review-list li').allTextContents();
    check(chosen.length === 3, 'review lists the choice in both contests');
    await page.click('#audit-panel summary');
    await axe(page, 'booth review');
    await screenshot(page, vp, 'booth-review');
    const shown = await page.getAttribute('#fingerprint', 'data-code');
    check(/^[0-9a-f]{64}$/.test(shown), 'the fingerprint shows before the decision');
    await page.click('#audit');
    await page.waitForSelector('#audited-choices', { timeout: 60000 });
    check((await page.getAttribute('#audited-code', 'data-code')) === shown, 'the opened ballot is the one whose fingerprint was shown');
    const opened = await page.locator('#audited-choices li').allTextContents();
    check(JSON.stringify([...opened].sort()) === JSON.stringify([...chosen].sort()), `the audit opens to the choice: ${opened} vs ${chosen}`);
    audits++;
    await axe(page, 'booth audited');
    await screenshot(page, vp, 'booth-audited');
    await page.click('#audit-next');
    await page.waitForSelector('#choices-form');
    const first = await castAndCheck(page);
    await axe(page, 'booth voted');
    await screenshot(page, vp, 'booth-voted');
    await page.click('#receipt-recheck');
    await page.waitForFunction(() => document.getElementById('receipt-check').textContent.startsWith('Checked'), null, { timeout: 30000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#receipt-download')]);
    check(download.suggestedFilename().startsWith('shortlist-receipt-'), 'receipt download');
    const saved = JSON.parse(readFileSync(await download.path(), 'utf8'));
    check(saved.tracking_code === first, 'the saved receipt is this ballot');
    await screenshot(page, vp, 'booth-receipt-checked');
    await page.click('#vote-again');
    await page.waitForSelector('#revote-note');
    await choose(page, 3, 2);
    await treasurer(page);
    const second = await castAndCheck(page);
    check(second !== first, 'a new ballot');
    await screenshot(page, vp, 'booth-revoted');
    // Later, on this device, the link without its token offers a revote.
    const again = await open(ctx, boothPath(null));
    await again.waitForSelector('#revote-note', { timeout: 60000 });
    await axe(again, 'booth revote');
    await screenshot(again, vp, 'booth-revote-stored-key');
    await ctx.close();
  });

  await test(`${vp.name}: used token, mistyped token, wrong poll fingerprint`, async () => {
    const ctx = await device(vp);
    const used = await open(ctx, boothPath(tok(0)));
    await used.waitForSelector('#booth-error', { timeout: 60000 });
    check((await text(used, '#booth-error')).includes('already been used'), 'used token');
    check(await used.locator('#restore').isVisible(), 'offers to restore a saved key');
    await axe(used, 'booth used token');
    await screenshot(used, vp, 'booth-used-token');
    const typo = await open(ctx, boothPath(tok(1).slice(0, 31)));
    await typo.waitForSelector('#booth-error', { timeout: 60000 });
    check((await text(typo, '#booth-error')).includes('not complete'), 'mistyped token');
    await screenshot(typo, vp, 'booth-mistyped-token');
    // The language switch keeps the link's fragment; the booth speaks French.
    check((await typo.getAttribute('.lang a[hreflang="fr"]', 'href')).includes('#t='), 'the language link keeps the fragment');
    await typo.click('.lang a[hreflang="fr"]');
    await typo.waitForFunction(() => document.getElementById('booth-error')?.textContent.includes('incomplet'), null, { timeout: 60000 });
    check((await typo.getAttribute('html', 'lang')) === 'fr', 'French booth');
    await screenshot(typo, vp, 'booth-mistyped-token-fr');
    const flipped = (cfg.manifest_hash[0] === '0' ? '1' : '0') + cfg.manifest_hash.slice(1);
    const wrong = await open(ctx, boothPath(tok(1), flipped));
    await wrong.waitForSelector('#booth-error', { timeout: 60000 });
    check((await text(wrong, '#booth-error')).includes('does not match'), 'manifest hash checked');
    await axe(wrong, 'booth wrong poll');
    await screenshot(wrong, vp, 'booth-wrong-manifest');
    await ctx.close();
  });

  await test(`${vp.name}: flaky connection while casting: retried automatically, one ballot`, async () => {
    const ctx = await device(vp);
    const page = await open(ctx, boothPath(tok(1)));
    await page.waitForSelector('#choices-form', { timeout: 60000 });
    let calls = 0;
    let committed = null;
    await page.route('**/ballots', async (route) => {
      calls++;
      if (calls === 1) {
        // The server gets the ballot and commits it; the answer is lost.
        const res = await route.fetch();
        committed = (await res.json()).entry.payload_hash;
        await route.abort('connectionreset');
      } else {
        await route.continue();
      }
    });
    await choose(page, 1);
    const code = await castAndCheck(page);
    check(calls >= 2, 'retried');
    check(code === committed, 'the retry got the receipt of the ballot committed first');
    await screenshot(page, vp, 'booth-flaky-voted');
    await ctx.close();
  });

  await test(`${vp.name}: server down while casting, then retried`, async () => {
    const ctx = await device(vp);
    const page = await open(ctx, boothPath(tok(2)));
    await page.waitForSelector('#choices-form', { timeout: 60000 });
    await page.route('**/ballots', (route) => route.abort('connectionrefused'));
    await choose(page, 2);
    await page.click('#continue');
    await page.click('#cast');
    await page.waitForSelector('#retry', { timeout: 30000 });
    check((await text(page, '#booth-error')).includes('safe to try again'), 'says a retry is safe');
    check(!(await text(page, 'main')).includes('You have voted'), 'never says voted without a receipt');
    await axe(page, 'booth cast failed');
    await screenshot(page, vp, 'booth-server-down');
    await page.unroute('**/ballots');
    await page.click('#retry');
    await page.waitForSelector('#tracking-code', { timeout: 60000 });
    codes.push(await page.getAttribute('#tracking-code', 'data-code'));
    await ctx.close();
  });

  await test(`${vp.name}: lost device: the saved key votes again from another`, async () => {
    const first = await device(vp);
    const page = await open(first, boothPath(tok(3)));
    await page.waitForSelector('#choices-form', { timeout: 60000 });
    await page.click('.key-panel summary');
    await page.click('#key-show');
    const secret = (await text(page, '#key-secret')).trim();
    await choose(page, 1);
    await castAndCheck(page);
    await first.close();
    const other = await device(vp);
    const fresh = await open(other, boothPath(null));
    await fresh.waitForSelector('#restore', { timeout: 60000 });
    check((await text(fresh, '#booth-error')).includes('no voting token'), 'explains the missing token');
    await fresh.fill('#restore', secret.slice(0, 10));
    await fresh.click('#restore-field + button');
    await fresh.waitForSelector('#error-summary:not([hidden])');
    await screenshot(fresh, vp, 'booth-restore-error');
    await fresh.fill('#restore', secret);
    await Promise.all([fresh.waitForEvent('load'), fresh.click('#restore-field + button')]);
    await fresh.waitForSelector('#revote-note', { timeout: 60000 });
    await choose(fresh, 1, 1);
    await castAndCheck(fresh);
    await screenshot(fresh, vp, 'booth-restored-voted');
    await other.close();
  });

  await test(`${vp.name}: live board shows a new ballot; poll page shows turnout`, async () => {
    const watcher = await device(vp);
    const board = await open(watcher, `${P}/board`);
    await board.waitForFunction(() => document.getElementById('board-live').textContent.startsWith('Live'));
    const before = Number(await text(board, '#entries tbody tr td'));
    const voter = await device(vp);
    const page = await open(voter, boothPath(tok(4)));
    await page.waitForSelector('#choices-form', { timeout: 60000 });
    await choose(page, 3);
    await castAndCheck(page);
    await board.waitForFunction((n) => Number(document.querySelector('#entries tbody tr td').textContent) > n, before, { timeout: 15000 });
    const kinds = await board.locator('#entries tbody tr td:nth-child(2)').allTextContents();
    check(kinds.includes('Ballot'), 'a ballot streamed in');
    await axe(board, 'live board');
    await screenshot(board, vp, 'board-live');
    const pollPage = await open(watcher, P);
    check((await text(pollPage, '.phase')).includes('Voting is open'), 'voting phase');
    check((await text(pollPage, '.countdown')).startsWith('Voting closes in'), 'countdown to the close');
    await axe(pollPage, 'poll page voting');
    await screenshot(pollPage, vp, 'poll-voting');
    await watcher.close();
    await voter.close();
  });

  if (k === 1) {
    await test(`${vp.name}: cast after the close is refused with a clear message`, async () => {
      const ctx = await device(vp);
      const page = await open(ctx, boothPath(tok(5)));
      await page.waitForSelector('#choices-form', { timeout: 60000 });
      await choose(page, 1);
      await page.click('#continue');
      await page.waitForSelector('#cast');
      const res = await fetch(`${cfg.control}/close-voting`, { method: 'POST' });
      check((await res.text()) === 'closed', 'voting closed');
      await page.click('#cast');
      await page.waitForSelector('#booth-error', { timeout: 30000 });
      check((await text(page, '#booth-error')).includes('Voting has closed'), 'closed message');
      check(!(await text(page, 'main')).includes('You have voted'), 'not voted');
      await axe(page, 'booth closed');
      await screenshot(page, vp, 'booth-cast-after-close');
      await ctx.close();
    });
  }
}

// ---------------------------------------------------------------- done

async function done(vp) {
  const ctx = await device(vp);
  await test(`${vp.name}: results page shows the counts`, async () => {
    const page = await open(ctx, `${P}/results`);
    // One table per contest; the counts checked are the first contest's.
    const tables = page.locator('table.results');
    check((await tables.count()) === 2, 'one table per contest');
    check((await tables.nth(1).locator('tbody tr').count()) === 2, 'the second contest has its two candidates');
    const rows = tables.first().locator('tbody tr');
    check((await rows.count()) === cfg.counts.length, 'one row per candidate');
    for (const want of cfg.counts) {
      const row = rows.filter({ hasText: want.name });
      check((await row.locator('td.num').textContent()).trim() === String(want.count), `count of ${want.name}`);
    }
    const slate = await page.locator('ol.slate').first().locator('li').allTextContents();
    check(slate.length === 3, 'three seats');
    check((await text(page, 'main')).includes('at least 2 seats go to candidates whose gender is “woman”'), 'the rule');
    await axe(page, 'results');
    await screenshot(page, vp, 'results');
    await page.close();
  });

  await test(`${vp.name}: verification page passes every step on the honest record`, async () => {
    // The link the organisers publish names the poll: the verifier then requires it (V1.3).
    const page = await open(ctx, `${P}/verify#m=${cfg.manifest_hash}`);
    await page.click('#verify-start');
    await page.waitForSelector('#verify-verdict', { timeout: 120000 });
    check((await page.getAttribute('#verify-verdict', 'data-passed')) === 'true', 'passed');
    const ids = await page.locator('#verify-steps li').evaluateAll((l) => l.map((x) => [x.dataset.step, x.dataset.passed]));
    check(ids.length === cfg.steps.length, `every step shown: ${ids.length} of ${cfg.steps.length}`);
    check(ids.every(([, p]) => p === 'true'), 'every step ✓');
    check(JSON.stringify(ids.map(([s]) => s)) === JSON.stringify(cfg.steps), 'the steps of shortlist-verify, in order');
    check((await page.getAttribute('#verify-bar', 'value')) === '100', 'progress at 100');
    await axe(page, 'verify passed');
    await screenshot(page, vp, 'verify-passed');
    await page.close();
  });

  await test(`${vp.name}: verification page shows ✗ at the failing steps of a tampered record`, async () => {
    const page = await open(ctx, `${P}/verify#m=${cfg.manifest_hash}`);
    const body = readFileSync(cfg.tampered_record);
    await page.route('**/record', (route) => route.fulfill({ status: 200, contentType: 'application/octet-stream', body }));
    await page.click('#verify-start');
    await page.waitForSelector('#verify-verdict', { timeout: 120000 });
    check((await page.getAttribute('#verify-verdict', 'data-passed')) === 'false', 'failed');
    const failedSteps = await page.locator('#verify-steps li[data-passed="false"]').evaluateAll((l) => l.map((x) => x.dataset.step));
    check(
      JSON.stringify(failedSteps) === JSON.stringify(cfg.tampered_failed),
      `the page fails ${failedSteps}, shortlist-verify fails ${cfg.tampered_failed}`,
    );
    check((await page.locator('#verify-steps li[data-passed="false"] .mark').first().textContent()) === '✗', '✗ shown');
    await axe(page, 'verify failed');
    await screenshot(page, vp, 'verify-tampered');
    await page.close();
  });

  await test(`${vp.name}: verification page for another poll's fingerprint fails V1.3`, async () => {
    const other = (cfg.manifest_hash[0] === '0' ? '1' : '0') + cfg.manifest_hash.slice(1);
    const page = await open(ctx, `${P}/verify#m=${other}`);
    await page.click('#verify-start');
    await page.waitForSelector('#verify-verdict', { timeout: 120000 });
    const failedSteps = await page.locator('#verify-steps li[data-passed="false"]').evaluateAll((l) => l.map((x) => x.dataset.step));
    check(failedSteps.includes('V1.3'), `V1.3 fails: ${failedSteps}`);
    await page.close();
  });

  await test(`${vp.name}: after the close: booth, poll page, candidate form`, async () => {
    const booth = await open(ctx, boothPath(cfg.fresh_token));
    await booth.waitForSelector('#booth-error', { timeout: 60000 });
    check((await text(booth, '#booth-error')).includes('Voting has closed'), 'booth closed');
    await axe(booth, 'booth closed');
    await screenshot(booth, vp, 'booth-closed');
    const page = await open(ctx, P);
    check((await text(page, '.phase')).includes('The results are out'), 'done');
    await axe(page, 'poll done');
    await screenshot(page, vp, 'poll-done');
    const cand = await open(ctx, `${P}/candidate`);
    check((await text(cand, 'main')).includes('Nominations are not open.'), 'candidate form closed');
    await screenshot(cand, vp, 'candidate-closed');
    const board = await open(ctx, `${P}/board`);
    await axe(board, 'board done');
    await screenshot(board, vp, 'board-done');
  });
  await ctx.close();
}

// ---------------------------------------------------------------- main

try {
  for (const [k, vp] of VIEWPORTS.entries()) {
    screenshot.reset();
    if (cfg.phase === 'nominations') await nominations(vp, k);
    else if (cfg.phase === 'voting') await voting(vp, k);
    else if (cfg.phase === 'done') await done(vp);
    else throw new Error(`unknown phase ${cfg.phase}`);
  }
} finally {
  await browser.close();
}
out.tracking_codes = codes;
out.audits = audits;
writeFileSync(cfg.out, JSON.stringify(out));
if (castTimes.length > 0) {
  const sorted = [...castTimes].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(`bench: cast click to checked receipt, ${sorted.length} casts: median ${median} ms, max ${sorted[sorted.length - 1]} ms`);
}
console.log(`phase ${cfg.phase} done`);
console.log(`browser: ${run.passed} passed, ${run.failed} failed`);
process.exit(run.failed === 0 && run.passed > 0 ? 0 : 1);
