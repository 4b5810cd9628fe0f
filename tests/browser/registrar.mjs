// Registrar mode in the browser (issue 11; spec: board §4.12.1): at a
// phone and a desktop viewport, a member opens the registrar's link
// `…/booth#c=CREDENTIAL&m=HASH`, the booth derives the credential key in
// WebAssembly (nothing is registered), the member chooses, casts and gets
// a checked receipt; the credential leaves the address bar. A mistyped
// credential is refused on the page. Started by `tests/browser.rs` with a
// JSON config (argv[2]); screenshots under `registrar/`.
import { readFileSync, writeFileSync } from 'node:fs';
import { axe, check, DESKTOP, launch, PHONE, runner, screenshots } from './harness.mjs';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const run = runner('registrar');
const browser = await launch(cfg.chromium);
const screenshot = screenshots(cfg.screenshots, 'registrar-');
const P = `/p/${encodeURIComponent(cfg.poll)}`;
const codes = [];

async function open(ctx, path) {
  const page = await ctx.newPage();
  run.watch(page);
  const res = await page.goto(cfg.base + path);
  check(res, `no response for ${path}`);
  check((res.headers()['content-security-policy'] || '').includes("default-src 'none'"), `${path}: no strict CSP`);
  return page;
}

async function text(page, selector) {
  return (await page.locator(selector).first().textContent({ timeout: 30000 })) || '';
}

try {
  for (const [k, vp] of [PHONE, DESKTOP].entries()) {
    await run.test(`${vp.name}: a member votes from the registrar's link`, async () => {
      const ctx = await browser.newContext({ ...vp.options, locale: 'en-GB' });
      const page = await open(ctx, `${P}/booth#c=${cfg.credentials[k]}&m=${cfg.manifest_hash}`);
      await page.waitForSelector('#choices-form', { timeout: 60000 });
      check(!(await page.evaluate(() => location.hash)).includes('c='), 'the credential leaves the address bar');
      await axe(page, 'registrar booth choices');
      await screenshot(page, vp, 'booth-choose');
      await page.locator('#choices-form input[type="checkbox"]').first().setChecked(true);
      await page.click('#continue');
      await page.waitForSelector('#cast');
      await page.click('#cast');
      await page.waitForSelector('#tracking-code', { timeout: 60000 });
      const code = await page.getAttribute('#tracking-code', 'data-code');
      check(/^[0-9a-f]{64}$/.test(code), `tracking code ${code}`);
      check((await text(page, '#step-heading')) === 'You have voted', 'says voted with the receipt');
      codes.push(code);
      await axe(page, 'registrar booth voted');
      await screenshot(page, vp, 'booth-voted');
      await ctx.close();
    });
    await run.test(`${vp.name}: a mistyped credential is refused on the page`, async () => {
      const ctx = await browser.newContext({ ...vp.options, locale: 'en-GB' });
      const c = cfg.credentials[k];
      const typo = (c[0] === '0' ? '1' : '0') + c.slice(1);
      const page = await open(ctx, `${P}/booth#c=${typo}&m=${cfg.manifest_hash}`);
      await page.waitForSelector('#booth-error', { timeout: 60000 });
      check((await text(page, '#booth-error')).includes('typing mistake'), 'explains the typing mistake');
      await screenshot(page, vp, 'booth-credential-typo');
      await ctx.close();
    });
  }
} finally {
  await browser.close();
}
writeFileSync(cfg.out, JSON.stringify({ tracking_codes: codes }));
console.log(`browser: ${run.passed} passed, ${run.failed} failed`);
process.exit(run.failed === 0 && run.passed > 0 ? 0 : 1);
