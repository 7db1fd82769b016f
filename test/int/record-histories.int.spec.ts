// Not a test: the recorder of the replay fixtures (test/fixtures/record-histories.ts), run inside the test
// stack by `npm run record-histories` (RECORD_HISTORIES=1). Skipped in every other run.
import { describe, expect, it } from 'vitest';
import { PATH_NAMES } from '../support/paths.js';
import { stack } from '../support/stack.js';
import { recordHistories } from '../fixtures/record-histories.js';

const describeRecording = process.env.RECORD_HISTORIES === '1' && stack ? describe : describe.skip;

describeRecording('recording the replay fixtures', () => {
  it('records the history of every lifecycle path', { timeout: 600_000 }, async () => {
    const recorded = await recordHistories({ brokers: stack!.kafkaBrokers, testServerPath: stack!.testServerPath });
    for (const name of PATH_NAMES) expect(recorded.map((r) => r.path)).toContain(name);
    expect(recorded.filter((r) => r.workflowType === 'referralWorkflow' && r.path === 'misrouted-referral').length).toBeGreaterThan(0);
  });
});
