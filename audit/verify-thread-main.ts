// One verify thread (audit/verify-threads.ts): a LogVerifier over the records of the cases routed to it.
import { parentPort } from 'node:worker_threads';
import { decodeRecord } from './records.js';
import { LogVerifier } from './verify.js';
import type { FromThread, ToThread } from './verify-threads.js';

const port = parentPort;
if (!port) throw new Error('audit/verify-thread-main.ts runs as a worker thread (audit/verify-threads.ts)');
const verifier = new LogVerifier();
port.on('message', (m: ToThread) => {
  try {
    if (m.type === 'records') {
      for (const [text, key, location, headerSequence] of m.records) verifier.add(decodeRecord(text, key, location, headerSequence));
      port.postMessage({ type: 'verified', count: m.records.length } satisfies FromThread);
    } else {
      const verdict = verifier.faultyCases();
      port.postMessage({ type: 'verdict', records: verifier.records, faultyCases: verdict } satisfies FromThread);
    }
  } catch (error) {
    port.postMessage({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies FromThread);
  }
});
