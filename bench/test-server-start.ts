// How long the Java time-skipping test server takes to answer, started the way the tests start it
// (TestWorkflowEnvironment.createTimeSkipping with the ops/bin wrapper). The SDK gives up after ~5 s.
//   npx tsx bench/test-server-start.ts [runs]
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { repoRoot } from '../ops/config.js';

const runs = Number(process.argv[2] ?? 5);
const wrapper = process.env.TEMPORAL_TEST_SERVER_PATH ?? path.join(repoRoot, 'ops', 'bin', 'temporal-test-server');
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: wrapper } } });
  times.push(performance.now() - t0);
  await env.teardown();
}
times.sort((a, b) => a - b);
const ms = (x: number | undefined) => `${Math.round(x ?? NaN)} ms`;
console.log(JSON.stringify({ runs, min: ms(times[0]), median: ms(times[Math.floor(times.length / 2)]), max: ms(times[times.length - 1]) }));
