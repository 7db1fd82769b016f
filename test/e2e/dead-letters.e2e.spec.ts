// Parked events, end to end on the real stack: a case whose events reach the topic out of order is parked
// by the live projector; /health raises an alert; `mediation dead-letters list` shows why; once the cause
// is gone, `mediation dead-letters retry <case>` (a county supervisor) re-drives it into the read models
// and the alert clears. The service client (an auditor) may list, not re-drive.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../cli/main.js';
import { canonicalJson } from '../../events/index.js';
import { createKafka } from '../../runtime/kafka.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { shortHistory } from '../support/events.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { tokenFor } from '../support/tokens.js';

let s: ApiStack;

describeWithStack('parked events: list and re-drive', () => {
  beforeAll(async () => {
    s = await startApiStack('deadletters');
  }, 120_000);
  afterAll(async () => {
    await s?.stop();
  });

  const cli = async (argv: string[], token: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l) };
    const code = await runCli(argv, io, { env: { MEDIATION_API_URL: s.base, MEDIATION_TOKEN: token } });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> => {
    const until = Date.now() + ms;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  it('parks a case whose events came out of order, shows it, and re-drives it once its first event is there', async () => {
    const caseId = uniqueName('DL').toUpperCase();
    const [received, accepted] = shortHistory(caseId);
    const producer = createKafka(stack!.kafkaBrokers, 'dead-letters-e2e', undefined, 'cli').producer();
    await producer.connect();
    try {
      // Given the second event on the topic first (a gap), then the first one (parked behind it)
      await producer.send({ topic: s.topic, messages: [{ key: caseId, value: canonicalJson(accepted!) }] });
      await producer.send({ topic: s.topic, messages: [{ key: caseId, value: canonicalJson(received!) }] });
    } finally {
      await producer.disconnect();
    }
    const parked = await waitFor('both events parked', async () => {
      const res = await s.call('supervisor-county', 'GET', `/dead-letters?caseId=${caseId}`);
      const rows = res.body as { sequence: number; reason: string }[];
      return rows.length === 2 ? rows : undefined;
    });
    expect(parked.map((r) => [r.sequence, r.reason])).toEqual([
      [2, 'gap: expected sequence 1, got 2'],
      [1, 'case has parked events before this one'],
    ]);
    const health = (await (await fetch(`${s.base}/health`)).json()) as { alerts: string[] };
    expect(health.alerts.join(' ')).toContain('parked');

    // When the operator lists them (the service client, an auditor, may read)…
    const listed = await cli(['dead-letters', 'list', '--case', caseId], await tokenFor('auditor'));
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out).toContain('gap: expected sequence 1, got 2');
    // …an auditor may not re-drive (checks the system, does not operate it): 403 in Chinese, nothing moved
    const refused = await cli(['dead-letters', 'retry', caseId], await tokenFor('auditor'));
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/403|无权/);
    expect(((await s.call('supervisor-county', 'GET', `/dead-letters?caseId=${caseId}`)).body as unknown[]).length).toBe(2);
    // …and a county supervisor re-drives the case
    const retried = await cli(['dead-letters', 'retry', caseId], await tokenFor('supervisor-county'));
    expect(retried.code, retried.err).toBe(0);
    expect(JSON.parse(retried.out)).toEqual({ caseId, retried: 2, applied: 2, duplicates: 0, parked: 0 });

    // Then nothing is parked, the case is in the read models, and /health has no alert
    expect((await s.call('supervisor-county', 'GET', `/dead-letters?caseId=${caseId}`)).body).toEqual([]);
    const row = await s.db.query<{ last_sequence: number }>(`select last_sequence from rm.case_progress where case_id = $1`, [caseId]);
    expect(row.rows[0]?.last_sequence).toBe(2);
    const after = (await (await fetch(`${s.base}/health`)).json()) as { alerts: string[] };
    expect(after.alerts.join(' ')).not.toContain('parked');
  }, 120_000);
});
