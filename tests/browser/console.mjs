// The organiser console in a real browser (issue 10, build item 4). Started
// by `tests/browser.rs` with a JSON config (argv[2]): the server's base URL,
// the poll, the organiser key and a control server that plays the
// candidates and trustees and moves the clock. Runs a whole poll from the
// console at a desktop viewport, looks at each stage at a phone viewport
// too, scans every page with axe-core (no serious or critical violation),
// keeps screenshots under target/browser-screenshots/console/{phone,desktop}/
// and fails on any Content-Security-Policy violation or uncaught page error.
import { readFileSync, writeFileSync } from 'node:fs';
import { axe, check, DESKTOP, launch, PHONE, runner, screenshots } from './harness.mjs';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const out = { ballots: 0 };

const run = runner('console', { stopAfterFailure: true });
const test = run.test;
const browser = await launch(cfg.chromium);
const screenshot = screenshots(cfg.screenshots);
const watch = run.watch;

/** Opens a page, checking the security headers of the answer. */
async function open(ctx, path) {
  const page = await ctx.newPage();
  watch(page);
  await goto(page, path);
  return page;
}

/**
 * Goes to a console page. The control server moves the clock by days, past
 * the session's 8 hours: a console page then answers with the sign-in form
 * (401), and unless `again` is false the organiser signs in again.
 */
async function goto(page, path, again = true) {
  const res = await page.goto(cfg.base + path);
  check(res, `no response for ${path}`);
  const h = res.headers();
  check((h['content-security-policy'] || '').includes("default-src 'none'"), `${path}: no strict CSP`);
  check(h['cache-control'] === 'no-store', `${path}: console pages are not stored (${h['cache-control']})`);
  if (again && res.status() === 401 && (await page.locator('#sign-in').count()) === 1) {
    sessionsEnded++;
    await page.fill('#key', cfg.key);
    await Promise.all([page.waitForNavigation(), page.click('#sign-in button[type="submit"]')]);
    return goto(page, path, false);
  }
  return res;
}
let sessionsEnded = 0;

async function text(page, selector) {
  return (await page.locator(selector).first().textContent({ timeout: 30000 })) || '';
}

/** Asks the control server for a step outside the console. */
async function control(step) {
  const res = await fetch(`${cfg.control}/${step}`, { method: 'POST' });
  const body = await res.text();
  check(body === 'ok', `control ${step}: ${body}`);
}

const C = `/console/p/${encodeURIComponent(cfg.poll)}`;
const desktop = await browser.newContext({ ...DESKTOP.options, acceptDownloads: true, locale: 'en-GB' });
const phone = await browser.newContext({ ...PHONE.options, locale: 'en-GB' });
let page; // the desktop console page
let phonePage;

/** Takes a phase step from the console: its button, the confirmation page, the confirm. */
async function step(action, label, done) {
  await goto(page, C);
  await page.click(`a[href*="/confirm/${action}"]`);
  await page.waitForSelector('#confirm');
  check((await text(page, 'h1')).includes(label), `confirmation asks: ${label}`);
  check((await text(page, 'main')).includes('cannot be undone'), 'says it cannot be undone');
  await Promise.all([page.waitForNavigation(), page.click('#confirm')]);
  check((await text(page, '#done')).includes(done), `${action}: ${done}`);
}

/** The console at the phone size too: axe and a screenshot. */
async function onPhone(name) {
  await goto(phonePage, C);
  await axe(phonePage, `console ${name} (phone)`);
  await screenshot(phonePage, PHONE, name);
}

await test('sign-in: a wrong key is refused, the key file signs in, the cookie is strict', async () => {
  page = await open(desktop, '/console');
  check((await text(page, 'h1')).includes('Sign in'), 'the sign-in form');
  await axe(page, 'sign-in');
  await screenshot(page, DESKTOP, 'sign-in');
  await page.fill('#key', 'not-the-organiser-key');
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  check((await text(page, '#error-summary')).includes('not the organiser key'), 'wrong key said');
  check(await page.evaluate(() => document.activeElement.id === 'error-summary'), 'the summary takes the focus');
  await axe(page, 'sign-in wrong key');
  await screenshot(page, DESKTOP, 'sign-in-wrong-key');
  check((await desktop.cookies()).length === 0, 'no cookie for a wrong key');
  // The key file, read by the page into the field.
  await page.setInputFiles('#key-file', { name: 'organiser.key', mimeType: 'text/plain', buffer: Buffer.from(`${cfg.key}\n`) });
  await page.waitForFunction(() => document.getElementById('key').value.length > 0);
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  check(!page.url().includes(cfg.key), 'the key is never in a URL');
  const cookies = await desktop.cookies();
  check(cookies.length === 1, `one cookie: ${JSON.stringify(cookies.map((c) => c.name))}`);
  const [c] = cookies;
  check(c.httpOnly && c.sameSite === 'Strict' && c.path === '/console', `strict cookie ${JSON.stringify({ ...c, value: '…' })}`);
  check(c.value !== cfg.key && c.value.length === 64, 'the cookie is a random session id, not the key');
  check(!(await page.evaluate(() => document.cookie)).includes(c.value), 'the page script cannot read the session cookie');
  check((await text(page, 'h1')).includes('Organiser console'), 'signed in: the polls');
  await axe(page, 'polls');
  await screenshot(page, DESKTOP, 'polls');
  await Promise.all([page.waitForNavigation(), page.click(`a[href="${C}"]`)]);
  check((await text(page, '.phase')).includes('Being set up'), 'the poll is being set up');
  await axe(page, 'console (setup)');
  await screenshot(page, DESKTOP, 'console-setup');
  // The phone signs in by pasting the key.
  phonePage = await open(phone, '/console');
  await phonePage.fill('#key', cfg.key);
  await Promise.all([phonePage.waitForNavigation(), phonePage.click('button[type="submit"]')]);
  await axe(phonePage, 'polls (phone)');
  await screenshot(phonePage, PHONE, 'polls');
  await onPhone('console-setup');
});

await test('open nominations, then approve one and reject another', async () => {
  await goto(page, C);
  await page.click('a[href*="/confirm/nominations-open"]');
  await page.waitForSelector('#confirm');
  await axe(page, 'confirmation');
  await screenshot(page, DESKTOP, 'confirm-open-nominations');
  await page.click('a.button-secondary'); // Cancel
  check((await text(page, '.phase')).includes('Being set up'), 'cancel changes nothing');
  await step('nominations-open', 'Open nominations?', 'Nominations are open.');
  await control('nominate');
  await goto(page, C);
  check((await page.locator('#nominations li.candidate').count()) === 2, 'two expressions of interest');
  await screenshot(page, DESKTOP, 'nominations-pending');
  await onPhone('nominations-pending');
  await Promise.all([page.waitForNavigation(), page.click('button[aria-label="Approve Grace Lin"]')]);
  check((await text(page, '#done')).includes('The candidate is on the board.'), 'approved');
  await Promise.all([page.waitForNavigation(), page.click('button[aria-label="Reject Hugo Marsh"]')]);
  check((await text(page, '#done')).includes('rejected'), 'rejected');
  check((await text(page, '[data-nomination] .tag-approved')).includes('Approved'), 'shows approved');
  check((await text(page, '[data-nomination] .tag-rejected')).includes('Rejected'), 'shows rejected');
  await axe(page, 'console nominations decided');
  await screenshot(page, DESKTOP, 'nominations-decided');
});

await test('a POST without the CSRF token, or without the cookie, is refused', async () => {
  await goto(page, C);
  // The form's CSRF field removed: the browser posts with the cookie, but no token.
  await page.evaluate(() => document.querySelector('#roll-form input[name="csrf"]').remove());
  await page.fill('#roll-csv', 'member_id,name,email\nx1,Forged,forged@example.org\n');
  const [res] = await Promise.all([page.waitForNavigation(), page.click('#roll-form button[type="submit"]')]);
  check(res.status() === 403, `refused without the token: ${res.status()}`);
  check((await text(page, 'main')).includes('Nothing was changed'), 'says nothing changed');
  await axe(page, 'refused');
  await screenshot(page, DESKTOP, 'refused-csrf');
  // Same-origin requests with the cookie (as a script on another tab could make) but no token.
  const csrf = await (async () => {
    await goto(page, C);
    return page.getAttribute('#roll-form input[name="csrf"]', 'value');
  })();
  const noToken = await desktop.request.post(`${cfg.base}${C}/do/tally`, { headers: { origin: cfg.base }, form: { x: '1' } });
  check(noToken.status() === 403, `POST with the cookie and no token: ${noToken.status()}`);
  // Another site's origin, with the token.
  const evil = await desktop.request.post(`${cfg.base}${C}/do/roll`, { headers: { origin: 'https://evil.example' }, form: { csrf, roll: 'member_id,name\nx,y\n' } });
  check(evil.status() === 403, `POST from another origin: ${evil.status()}`);
  // A device without the cookie, with the token.
  const bare = await browser.newContext();
  const noCookie = await bare.request.post(`${cfg.base}${C}/do/roll`, { headers: { origin: cfg.base }, form: { csrf, roll: 'member_id,name\nx,y\n' } });
  check(noCookie.status() === 401, `POST without the cookie: ${noCookie.status()}`);
  await bare.close();
  await goto(page, C);
  check((await text(page, '#roll p')).startsWith('0 members'), 'the refused posts imported nobody');
});

await test('the trustees\' ceremony shows, nominations close', async () => {
  await control('ceremony');
  await goto(page, C);
  const cells = await page.locator('#trustees tbody tr').first().locator('td').allTextContents();
  check(cells[0] === 'Yes' && cells[1] === '2 of 2', `trustee 1 committed and sent shares: ${cells}`);
  await screenshot(page, DESKTOP, 'trustees-ceremony');
  // Too early: the timetable's refusal, in the console's error summary.
  await page.click('a[href*="/confirm/nominations-close"]');
  await page.waitForSelector('#confirm');
  const [res] = await Promise.all([page.waitForNavigation(), page.click('#confirm')]);
  check(res.status() === 409, `too early: ${res.status()}`);
  { const summary = await text(page, '#error-summary'); check(summary.includes('timetable'), `the timetable refuses: ${summary}`); }
  await axe(page, 'console error');
  await screenshot(page, DESKTOP, 'close-nominations-too-early');
  await control('nominations-deadline');
  await step('nominations-close', 'Close nominations?', 'the ballot is on the board');
  await onPhone('nominations-closed');
});

let tokens = [];
await test('upload the roll from a file, export the tokens as a download', async () => {
  await goto(page, C);
  const roll = 'member_id,name,email\nM1,Member One,one@example.org\nM2,Member Two,two@example.org\nM3,Member Three,three@example.org\nM4,Member Four,four@example.org\n';
  await page.setInputFiles('#roll-file', { name: 'roll.csv', mimeType: 'text/csv', buffer: Buffer.from(roll) });
  await page.waitForFunction(() => document.getElementById('roll-csv').value.includes('M4'));
  await screenshot(page, DESKTOP, 'roll-chosen');
  await Promise.all([page.waitForNavigation(), page.click('#roll-form button[type="submit"]')]);
  check((await text(page, '#done')).includes('The roll was imported.'), 'imported');
  check((await text(page, '#roll p')).startsWith('4 members'), '4 members');
  const responses = [];
  page.on('response', (r) => { if (r.url().endsWith('/do/tokens')) responses.push(r); });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#tokens-form button')]);
  check(download.suggestedFilename().startsWith('shortlist-tokens-'), `file name ${download.suggestedFilename()}`);
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
  check(csv[0].startsWith('member_id,name,email,token'), 'the CSV header');
  check(csv.length === 5, `4 tokens: ${csv.length - 1}`);
  const col = csv[0].split(',').indexOf('booth_path');
  tokens = csv.slice(1).map((l) => l.split(',')[col]);
  check(responses.length === 1 && responses[0].headers()['cache-control'] === 'no-store', 'the download is not cached');
  await goto(page, C);
  check((await text(page, '#tokens dd')).trim() === '4', 'four tokens issued');
  check(await page.locator('#tokens-form').count() === 0, 'no export when every member has a token');
  check((await text(page, '#sending')).includes('Waiting to be sent'), 'sending: the queue, empty');
  check(await page.locator('#mail-send-form').count() === 1, 'sending: the send button');
  await axe(page, 'console roll and tokens');
  await screenshot(page, DESKTOP, 'roll-and-tokens');
  await onPhone('roll-and-tokens');
});

await test('a member added late is sent a booth link by e-mail; the Sending panel shows the queue', async () => {
  await goto(page, C);
  await page.fill('#roll-csv', 'member_id,name,email\nM5,Member Five,five@example.org\n');
  await Promise.all([page.waitForNavigation(), page.click('#roll-form button[type="submit"]')]);
  check((await text(page, '#roll p')).startsWith('5 members'), '5 members');
  await Promise.all([page.waitForNavigation(), page.click('#mail-send-form button')]);
  check((await text(page, '#done')).includes('The messages are queued'), 'queued');
  // The SMTP port is closed: the attempt fails and waits for a retry, with its reason.
  let panel = '';
  for (let i = 0; i < 50 && !panel.includes('M5: will be tried again'); i++) {
    await new Promise((r) => setTimeout(r, 200));
    await goto(page, C);
    panel = await text(page, '#sending');
  }
  check(panel.includes('M5: will be tried again'), `the reason shown: ${panel}`);
  await axe(page, 'console sending');
  await screenshot(page, DESKTOP, 'sending');
  await onPhone('sending');
});

await test('open voting; two members vote with links from the download; turnout charted', async () => {
  await control('voting-opens');
  await step('voting-open', 'Open voting?', 'Voting is open.');
  for (const path of tokens.slice(0, 2)) {
    // Each member on their own device (the booth keeps a member's key per device).
    const member = await browser.newContext({ ...DESKTOP.options, locale: 'en-GB' });
    const booth = await member.newPage();
    watch(booth);
    await booth.goto(cfg.base + path);
    await booth.waitForSelector('#choices-form', { timeout: 60000 });
    await booth.locator('#choices-form input[type="checkbox"]').first().setChecked(true);
    await booth.click('#continue');
    await booth.waitForSelector('#cast');
    await booth.click('#cast');
    await booth.waitForSelector('#tracking-code', { timeout: 60000 });
    out.ballots++;
    await member.close();
  }
  await goto(page, C);
  check(await page.locator('#status svg.chart-svg polyline.chart-ballots').count() === 1, 'the turnout chart');
  check((await page.getAttribute('#status svg', 'role')) === 'img', 'the chart is an image with a name');
  check((await text(page, '#chart-desc')).includes('2 ballots cast'), `chart description: ${await text(page, '#chart-desc')}`);
  await page.click('.chart-table summary');
  check((await page.locator('.chart-table tbody tr').count()) >= 1, 'the chart as a table');
  await axe(page, 'console voting');
  await screenshot(page, DESKTOP, 'turnout');
  await onPhone('turnout');
});

await test('move the voting deadline a day later, in the poll\'s time zone; a wrong entry changes nothing', async () => {
  await goto(page, C);
  const field = '#amend-voting_close-to';
  const was = await page.inputValue(field);
  check(/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(was), `the field holds the deadline in force: ${was}`);
  check((await text(page, '#timetable')).includes(`${was.replace('T', ' ')} +02:00`), 'shown in the poll\'s zone');
  // The deadline as it is: refused, said in the error summary, nothing changed.
  const [refused] = await Promise.all([page.waitForNavigation(), page.click('#amend-voting_close button[type="submit"]')]);
  check(refused.status() === 422, `the same deadline again: ${refused.status()}`);
  check((await text(page, '#error-summary')).includes('already the deadline'), 'says why');
  check(await page.evaluate(() => document.activeElement.id === 'error-summary'), 'the summary takes the focus');
  check((await text(page, '#amendments')).includes('No deadline has been moved'), 'no amendment');
  await axe(page, 'amendment refused');
  await screenshot(page, DESKTOP, 'amend-refused');
  // A day later: the wall-clock time in the poll's zone, whatever the browser's.
  const next = new Date(Date.parse(`${was}:00Z`) + 86400000).toISOString().slice(0, 16);
  await page.fill(field, next);
  await Promise.all([page.waitForNavigation(), page.click('#amend-voting_close button[type="submit"]')]);
  check((await text(page, '#done')).includes('The deadline was moved'), 'moved');
  const shown = (s) => `${s.replace('T', ' ')} +02:00`;
  const amendments = await text(page, '#amendments');
  check(amendments.includes(`from ${shown(was)} to ${shown(next)}`), `the amendment listed: ${amendments}`);
  check((await text(page, '#timetable dl')).includes(shown(next)), 'the new timetable in force');
  check((await page.inputValue(field)) === next, 'the field holds the new deadline');
  await axe(page, 'timetable amended');
  await screenshot(page, DESKTOP, 'timetable-amended');
  await onPhone('timetable-amended');
});

await test('close voting, tally, the trustees decrypt, the result shows', async () => {
  await control('voting-deadline');
  await step('voting-close', 'Close voting?', 'Voting is closed.');
  await step('tally', 'Start the tally?', 'The tally has started');
  await control('decrypt');
  await goto(page, C);
  check((await text(page, '.phase')).includes('The results are out'), `phase ${await text(page, '.phase')}`);
  const rows = await page.locator('#result tbody tr').count();
  check(rows === 4, `four candidates in the result: ${rows}`);
  const decrypted = await page.locator('#trustees tbody tr td:last-child').allTextContents();
  check(decrypted.filter((d) => d === 'Yes').length === 2, `two trustees decrypted: ${decrypted}`);
  await axe(page, 'console result');
  await screenshot(page, DESKTOP, 'result');
  await onPhone('result');
});

await test('in French; keyboard; sign out', async () => {
  await goto(page, `${C}?lang=fr`);
  check((await page.getAttribute('html', 'lang')) === 'fr', 'French');
  check((await text(page, '#result-title')).includes('Résultat'), 'French panel');
  await axe(page, 'console (fr)');
  await screenshot(page, DESKTOP, 'console-fr');
  await goto(page, C);
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.classList.contains('skip-link')), 'first Tab reaches the skip link');
  await Promise.all([page.waitForNavigation(), page.click('.console-nav button')]);
  check((await text(page, 'main')).includes('You have signed out.'), 'signed out');
  const res = await goto(page, C, false);
  check(res.status() === 401 && (await text(page, 'h1')).includes('Sign in'), 'the console needs a sign-in again');
  check(sessionsEnded > 0, 'sessions ended when the clock passed their 8 hours, and the organiser signed in again');
  await screenshot(page, DESKTOP, 'signed-out');
});

await browser.close();
writeFileSync(cfg.out, JSON.stringify(out));
console.log(`console: ${run.passed} passed, ${run.failed} failed`);
process.exit(run.failed === 0 ? 0 : 1);
