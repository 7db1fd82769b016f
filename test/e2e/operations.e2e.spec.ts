// Operations, end to end on the real stack.
// - Parked events: a case whose events reach the topic out of order is parked by the live projector;
//   /health raises an alert and /metrics counts it; `mediation dead-letters list` shows why; once the cause
//   is gone, `mediation dead-letters retry <case>` (a county supervisor) re-drives it into the read models
//   and the alert clears. The service client (an auditor) may list, not re-drive.
// - Prometheus metrics: requests by route template, projector events and lag, parked events; no case id
//   and nothing a person typed in any label.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../cli/main.js';
import { canonicalJson } from '../../events/index.js';
import { createKafka } from '../../runtime/kafka.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { shortHistory } from '../support/events.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { tokenFor } from '../support/tokens.js';

let s: ApiStack;

describeWithStack('operations: parked events and metrics', () => {
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
    expect(metric(await scrape(), 'mediation_parked_events')).toBeGreaterThanOrEqual(2);

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
    expect(metric(await scrape(), 'mediation_parked_events')).toBe(0);
  }, 120_000);

  it('serves Prometheus metrics: requests by route template, projector events and lag, and no case id', async () => {
    const before = await scrape();
    const created = await s.call('clerk', 'POST', '/cases', {
      channel: 'walk-in',
      complainants: [{ name: '钱七', phone: '13900000002' }],
      workerCount: 1,
      respondent: { name: '城关镇某纺织厂', creditCode: '91330100MA2XXXXX1B', town: '城关镇', industry: 'textiles', responsibleDepartment: '经信局', level: 'enterprise' },
      claim: { disputeTypeHint: 'wage-arrears', summary: '拖欠工资三个月', amountClaimedFen: 300_000 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const caseId = (created.body as { caseId: string }).caseId;
    const read = await s.call('clerk', 'GET', `/cases/${caseId}`);
    // The projector applies CaseReceived: its counter moves.
    const after = await waitFor('the projector to count the new event', async () => {
      const text = await scrape();
      return metric(text, 'mediation_projector_events_total{result="applied"}') > metric(before, 'mediation_projector_events_total{result="applied"}') ? text : undefined;
    });
    expect(metric(after, 'mediation_http_requests_total{method="POST",route="/cases",status="201"}')).toBeGreaterThanOrEqual(1);
    expect(metric(after, `mediation_http_requests_total{method="GET",route="/cases/:id",status="${read.status}"}`)).toBeGreaterThanOrEqual(1);
    expect(after).toMatch(/^mediation_http_request_duration_seconds_bucket\{/m);
    expect(after).toMatch(/^mediation_projector_lag_events\{partition="0"\} \d+/m);
    expect(after).toMatch(/^mediation_process_resident_memory_bytes \d+/m);
    // Labels carry route templates only: no case id, no name, no phone.
    for (const secret of [caseId, '钱七', '13900000002']) expect(after).not.toContain(secret);
  }, 120_000);
});

async function scrape(): Promise<string> {
  const res = await fetch(`${s.base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

/** A sample's value in the exposition text (0 when absent). `name` may include its labels, in order. */
function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}
