// Runs the shipped WebAssembly (web/pkg, built by scripts/build-wasm) under
// Node 20, as a page or a Web Worker would call it: for the Rust tests
// (tests/wasm_booth.rs) and the benchmarks (README, "The browser's
// WebAssembly"). No cryptography here: every value comes from the module.
//
//   node tests/wasm/node.mjs ballot  PKG FIXTURE          seeded ballot (hex) of the fixture
//   node tests/wasm/node.mjs booth   PKG FIXTURE          the booth's calls, checked; JSON
//   node tests/wasm/node.mjs bench   PKG FIXTURE [N]      prepare / choose / cast timings
//   node tests/wasm/node.mjs verify  PKG RECORD [CHUNK]   the record verifier; JSON report
//
// PKG is the web/pkg directory; FIXTURE the JSON written by
// tests/wasm_booth.rs (target/wasm-fixtures/poll-30.json).
import { copyFileSync, mkdtempSync, openSync, readSync, closeSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

// The glue is an ES module named .js with no package.json beside it: import
// a copy named .mjs, and instantiate the .wasm from its bytes.
async function load(pkg) {
  const dir = mkdtempSync(join(tmpdir(), 'shortlist-wasm-'));
  const glue = join(dir, 'shortlist_wasm.mjs');
  copyFileSync(join(pkg, 'shortlist_wasm.js'), glue);
  const m = await import(pathToFileURL(glue).href);
  m.initSync({ module: readFileSync(join(pkg, 'shortlist_wasm_bg.wasm')) });
  rmSync(dir, { recursive: true, force: true });
  return m;
}

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const unhex = (text) => new Uint8Array(Buffer.from(text, 'hex'));
const readFixture = (path) => JSON.parse(readFileSync(path, 'utf8'));

function throws(f, what) {
  try {
    f();
  } catch (e) {
    if (!(e instanceof Error)) throw new Error(`${what}: threw a non-Error`);
    return e.message;
  }
  throw new Error(`${what}: did not throw`);
}

function ballot(m, fx) {
  const poll = m.Poll.fromEntries(JSON.stringify(fx.entries));
  return hex(m.insecureSeededBallotForTests(poll, unhex(fx.seed), fx.selections));
}

function booth(m, fx) {
  const out = {};
  const poll = m.Poll.fromEntries(JSON.stringify(fx.entries));
  poll.checkManifestHash(fx.manifest_hash);
  out.wrong_hash = throws(() => poll.checkManifestHash('00'.repeat(32)), 'checkManifestHash');
  out.bad_entries = throws(() => m.Poll.fromEntries('{"not": "a list"}'), 'fromEntries');
  out.title = poll.title();
  out.poll_id = poll.pollId();
  out.revote = poll.revote();
  out.can_vote = poll.canVote();
  out.timetable = JSON.parse(poll.timetableJson());
  const contests = JSON.parse(poll.contestsJson());
  out.contests = contests.length;
  out.candidates = contests[0].candidates.length;
  out.first_candidate = contests[0].candidates[0];
  out.max_selections = contests[0].max_selections;

  const cred = m.Credential.generate();
  const again = m.Credential.fromSecret(cred.exportSecret());
  out.credential_round_trip = again.publicKeyHex() === cred.publicKeyHex();
  out.bad_secret = throws(() => m.Credential.fromSecret('abcd'), 'fromSecret');

  const ids = contests[0].candidates.map((c) => c.candidate_id);
  const prepared = poll.prepare();
  out.too_many = throws(() => prepared.choose(JSON.stringify([ids.slice(0, 10)])), 'choose 10');
  out.unknown_candidate = throws(() => prepared.choose('[[999999]]'), 'choose unknown');
  const chosen = prepared.choose(JSON.stringify([ids.slice(0, 3)]));
  out.chosen_twice = throws(() => prepared.choose('[[]]'), 'choose twice');
  out.cast_fingerprint = chosen.fingerprint();
  const payload = chosen.castPayload(cred);
  out.cast_payload = hex(payload);
  out.cast_again_same = hex(chosen.castPayload(cred)) === hex(payload);
  out.cast_other_credential = throws(() => chosen.castPayload(m.Credential.generate()), 'cast by another');
  out.audit_after_cast = throws(() => chosen.auditPayload(), 'audit after cast');

  const audited = poll.prepare().choose(JSON.stringify([ids.slice(1, 3)]));
  out.audit_fingerprint = audited.fingerprint();
  const spoiled = audited.auditPayload();
  out.audit_summary = JSON.parse(spoiled.summaryJson());
  out.audit_payload = hex(spoiled.payload());
  out.cast_after_audit = throws(() => audited.castPayload(cred), 'cast after audit');
  out.audit_twice = throws(() => audited.auditPayload(), 'audit twice');

  out.tracking_code = m.checkReceipt(poll, unhex(fx.receipt), unhex(fx.ballot));
  out.receipt_wrong_ballot = throws(() => m.checkReceipt(poll, unhex(fx.receipt), payload), 'receipt');
  out.receipt = JSON.parse(m.receiptJson(unhex(fx.receipt)));
  m.checkConsistency(poll, unhex(fx.old_checkpoint), unhex(fx.new_checkpoint), unhex(fx.consistency));
  out.consistency_swapped = throws(
    () => m.checkConsistency(poll, unhex(fx.new_checkpoint), unhex(fx.old_checkpoint), unhex(fx.consistency)),
    'consistency',
  );
  out.checkpoint = JSON.parse(m.checkpointJson(unhex(fx.new_checkpoint)));
  return out;
}

function bench(m, fx, n) {
  const entries = JSON.stringify(fx.entries);
  const t0 = performance.now();
  const poll = m.Poll.fromEntries(entries);
  const fromEntries = performance.now() - t0;
  const ids = JSON.parse(poll.contestsJson())[0].candidates.map((c) => c.candidate_id);
  const cred = m.Credential.generate();
  const nine = JSON.stringify([ids.slice(0, 9)]);
  const times = { prepare: [], choose: [], cast: [], total: [] };
  let first = 0;
  for (let i = 0; i < n + 2; i++) {
    const t0 = performance.now();
    const prepared = poll.prepare();
    const t1 = performance.now();
    const chosen = prepared.choose(nine);
    const t2 = performance.now();
    chosen.castPayload(cred);
    const t3 = performance.now();
    prepared.free();
    chosen.free();
    if (i === 0) first = t3 - t0; // includes the joint key's tables, once per poll
    if (i < 2) continue; // warm-up
    times.prepare.push(t1 - t0);
    times.choose.push(t2 - t1);
    times.cast.push(t3 - t2);
    times.total.push(t3 - t0);
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ms = (x) => Number(x.toFixed(2));
  const report = { runs: n, candidates: ids.length, choose: 9, from_entries_ms: ms(fromEntries), first_ballot_ms: ms(first) };
  for (const [k, xs] of Object.entries(times)) report[`${k}_ms_median`] = ms(median(xs));
  return report;
}

function verify(m, path, chunk) {
  const v = new m.RecordVerifier();
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(chunk);
  const t0 = performance.now();
  let read;
  while ((read = readSync(fd, buf, 0, chunk, null)) > 0) {
    v.feed(buf.subarray(0, read));
  }
  closeSync(fd);
  const report = JSON.parse(v.finish());
  const seconds = (performance.now() - t0) / 1000;
  return {
    bytes: size,
    seconds: Number(seconds.toFixed(2)),
    ballots: report.ballots,
    ballots_per_second: Math.round(report.ballots / seconds),
    passed: report.passed,
    report,
  };
}

const [cmd, pkg, arg, extra] = process.argv.slice(2);
if (!cmd || !pkg || !arg) {
  console.error('usage: node tests/wasm/node.mjs ballot|booth|bench|verify PKG FILE [N|CHUNK]');
  process.exit(2);
}
const m = await load(resolve(pkg));
switch (cmd) {
  case 'ballot':
    console.log(ballot(m, readFixture(arg)));
    break;
  case 'booth':
    console.log(JSON.stringify(booth(m, readFixture(arg)), null, 2));
    break;
  case 'bench':
    console.log(JSON.stringify(bench(m, readFixture(arg), Number(extra ?? 50)), null, 2));
    break;
  case 'verify':
    console.log(JSON.stringify(verify(m, arg, Number(extra ?? 1 << 20)), null, 2));
    break;
  default:
    console.error(`unknown command ${cmd}`);
    process.exit(2);
}
