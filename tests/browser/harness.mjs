// What the browser scripts share (run.mjs for the member pages, console.mjs
// for the organiser console): the viewports, a TAP-like test runner that
// also fails a test on any CSP violation or uncaught page error seen during
// it, Chromium launched headless from Debian's package, axe-core scans and
// numbered full-page screenshots.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** A phone (360×740, touch) and a desktop viewport. */
export const PHONE = { name: 'phone', options: { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } };
export const DESKTOP = { name: 'desktop', options: { viewport: { width: 1280, height: 900 } } };

/** Throws `message` unless `cond` holds. */
export function check(cond, message) {
  if (!cond) throw new Error(message);
}

/**
 * A test runner printing `ok - LABEL: name` or `not ok - …`. With
 * `stopAfterFailure`, the tests after a failure are reported as skipped
 * (one poll runs through them in turn: after a failure the rest cannot hold).
 */
export function runner(label, { stopAfterFailure = false } = {}) {
  const r = {
    passed: 0,
    failed: 0,
    problems: [],
    async test(name, fn) {
      if (stopAfterFailure && r.failed > 0) {
        r.failed++;
        console.log(`not ok - ${label}: ${name} (skipped: an earlier step failed)`);
        return;
      }
      const before = r.problems.length;
      try {
        await fn();
        if (r.problems.length > before) throw new Error(r.problems.slice(before).join('\n'));
        r.passed++;
        console.log(`ok - ${label}: ${name}`);
      } catch (e) {
        r.failed++;
        console.log(`not ok - ${label}: ${name}\n  ${String(e && e.stack ? e.stack : e).split('\n').join('\n  ')}`);
      }
    },
    /** Records the page's CSP violations and uncaught errors as problems of the running test. */
    watch(page) {
      page.on('console', (m) => {
        const text = m.text();
        if (/Content Security Policy|Refused to/i.test(text)) r.problems.push(`${page.url()}: ${text}`);
      });
      page.on('pageerror', (e) => r.problems.push(`${page.url()}: uncaught: ${e.message}`));
    },
  };
  return r;
}

/** Debian's Chromium, headless; every launch gets a fresh temporary profile. */
export function launch(executablePath) {
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** axe-core on the whole page: no serious or critical violation. */
export async function axe(page, label) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } }),
  );
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const text = bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')}`);
  check(bad.length === 0, `axe on ${label}:\n${text.join('\n')}`);
}

/**
 * Numbered full-page screenshots under `dir/VIEWPORT/`, each file named
 * `PREFIXNN-name.png`; `reset()` starts the numbering again.
 */
export function screenshots(dir, prefix = '') {
  let shot = 0;
  const take = async (page, vp, name) => {
    const d = join(dir, vp.name);
    mkdirSync(d, { recursive: true });
    shot++;
    await page.screenshot({ path: join(d, `${prefix}${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
  };
  take.reset = () => {
    shot = 0;
  };
  return take;
}
