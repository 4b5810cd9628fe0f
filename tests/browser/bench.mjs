// Browser benchmarks (issue 13), in Debian's headless Chromium, against a
// running demo server:
//
//   shortlist demo --members 5 --keep 1 --listen 127.0.0.1:8080   (another terminal)
//   node tests/browser/bench.mjs http://127.0.0.1:8080
//
// Prints the booth page's weight as transferred (gzip) and the median time to
// prepare, then choose, prove and sign, a 30-candidate, choose-9 ballot in the
// WebAssembly core (50 ballots after 10 warm-up ones).
import { chromium } from 'playwright-core';

const base = process.argv[2] || 'http://127.0.0.1:8080';
const poll = process.argv[3] || 'demo-shortlist';
const browser = await chromium.launch({
  executablePath: process.env.SHORTLIST_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext();

// The booth's weight: every response the page loads, as sent (gzip).
const booth = await context.newPage();
const sizes = [];
booth.on('requestfinished', async (req) => {
  const s = await req.sizes();
  sizes.push([new URL(req.url()).pathname, s.responseBodySize]);
});
await booth.goto(`${base}/p/${poll}/booth`, { waitUntil: 'networkidle' });
const pageFiles = sizes.filter(([p]) => !p.startsWith('/v1/'));
const weight = pageFiles.reduce((n, [, s]) => n + s, 0);
for (const [p, s] of pageFiles) console.log(`  ${p.padEnd(44)} ${String(s).padStart(8)} bytes`);
console.log(`booth page weight: ${weight} bytes transferred (${(weight / 1000).toFixed(1)} kB)`);

const page = await context.newPage();
await page.goto(`${base}/p/${poll}`);
const r = await page.evaluate(async (poll) => {
  const sl = await import('/assets/pkg/shortlist_wasm.js');
  await sl.default();
  let entries = [];
  for (let from = 0; ;) {
    const got = await (await fetch(`/v1/polls/${poll}/entries?from=${from}`)).json();
    if (!got.length) break;
    entries = entries.concat(got);
    from = got[got.length - 1].index + 1;
  }
  const p = sl.Poll.fromEntries(JSON.stringify(entries));
  const contest = JSON.parse(p.contestsJson())[0];
  const ids = contest.candidates.map((c) => c.candidate_id).slice(0, contest.max_selections);
  const cred = sl.Credential.generate();
  const prepare = [];
  const finish = [];
  for (let i = 0; i < 60; i++) {
    const t0 = performance.now();
    const prepared = p.prepare();
    const t1 = performance.now();
    prepared.choose(JSON.stringify([ids])).castPayload(cred);
    const t2 = performance.now();
    if (i >= 10) {
      prepare.push(t1 - t0);
      finish.push(t2 - t1);
    }
  }
  const median = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  return { candidates: contest.candidates.length, chosen: ids.length, prepare: median(prepare), finish: median(finish) };
}, poll);
console.log(`ballot of ${r.candidates} candidates, ${r.chosen} chosen: prepare ${r.prepare.toFixed(1)} ms, ` +
  `choose + prove + sign ${r.finish.toFixed(1)} ms (medians of 50, headless Chromium)`);
await browser.close();
