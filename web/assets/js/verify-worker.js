// The record verifier in a Web Worker: chunks in, progress and the report
// out. The verifier is our Rust one, compiled to WebAssembly.
import init, { RecordVerifier } from '/assets/pkg/shortlist_wasm.js';

const ready = init();
let verifier = null;
let queue = Promise.resolve();
let last = 0;

self.onmessage = (ev) => {
  const m = ev.data;
  queue = queue.then(async () => {
    try {
      await ready;
      if (!verifier) verifier = new RecordVerifier();
      if (m.type === 'expect') {
        verifier.expectManifestHash(m.manifest_hash);
      } else if (m.type === 'chunk') {
        const checked = verifier.feed(m.chunk);
        const now = Date.now();
        if (now - last > 100) {
          last = now;
          self.postMessage({ type: 'progress', checked });
        }
      } else if (m.type === 'finish') {
        const report = verifier.finish();
        self.postMessage({ type: 'report', report });
      }
    } catch (e) {
      self.postMessage({ type: 'error', message: String(e && e.message ? e.message : e) });
    }
  });
};
