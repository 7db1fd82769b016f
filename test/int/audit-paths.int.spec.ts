// The auditor's commands against real servers: every lifecycle path (test/support/paths.ts) runs on the
// time-skipping test server and publishes to a real Kafka topic (3 partitions); then `mediation audit
// compare` finds no difference between the replayed log and the workflow's query, and `verify` passes —
// per case, and over the whole topic with --all. replay, as-of and export read the same events, from the
// topic and from an event archive in the PostgreSQL server.
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { canonicalJson, verifyChain } from '../../events/index.js';
import { readCaseEvents, verifyLog } from '../../audit/index.js';
import { runAudit } from '../../cli/main.js';
import type { CliIo } from '../../cli/main.js';
import { openDb, type Db } from '../../readmodels/db.js';
import { createSchemaSql } from '../../readmodels/schema.js';
import type { caseWorkflow } from '../../workflows/case-workflow.js';
import { mediator, receiveInput, request } from '../../testkit/cases.js';
import { command, intake, lifecyclePath, PATH_NAMES, runPath, sleep } from '../support/paths.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { createTopic } from '../support/temporal.js';
import { caseEventsOnTopic, settledView, startCaseEnv, type CaseEnv, type TopicEvent } from '../support/time-skipping.js';

async function audit(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line) };
  const code = await runAudit(argv, io, { env: { ...process.env, ...env }, progressIntervalMs: 0 });
  return { code, out, err, json: () => JSON.parse(out.join('\n')) as Record<string, unknown> };
}

describeWithStack('mediation audit on every lifecycle path (time-skipping server, real Kafka)', () => {
  const topic = uniqueName('case_events');
  const kafkaEnv = () => ({ KAFKA_BROKERS: stack!.kafkaBrokers.join(','), KAFKA_TOPIC: topic });
  const audited: { caseId: string; events: TopicEvent[] }[] = [];
  let ce: CaseEnv;

  beforeAll(async () => {
    await createTopic(stack!.kafkaBrokers, topic, 3);
  });
  beforeEach(async () => {
    ce = await startCaseEnv({ testServerPath: stack!.testServerPath, brokers: stack!.kafkaBrokers, topic });
  });
  afterEach(async () => {
    await ce?.stop();
  });

  for (const name of PATH_NAMES) {
    it(`path ${name}: compare finds no difference, verify passes`, async () => {
      const caseId = uniqueName('MC');
      const path = lifecyclePath(name, { caseId, otherCaseId: uniqueName('MC'), startMs: await ce.now() });
      await runPath(await ce.startCase(path.input), path, ce.env);

      for (const { caseId: id } of [path.expected, ...(path.expected.others ?? [])]) {
        const view = await settledView(ce.env.client.workflow.getHandle<typeof caseWorkflow>(id));
        // Recorded before anything is asserted: verify --all below expects every case on the shared topic,
        // so a failure here must not turn into a second one there.
        audited.push({ caseId: id, events: await caseEventsOnTopic(ce, id, view.state.version) });
        const env = { ...kafkaEnv(), TEMPORAL_ADDRESS: ce.env.address, TEMPORAL_NAMESPACE: 'default' };

        const compare = await audit(['compare', id, '--json'], env);
        expect(compare.err).toEqual([]);
        const result = compare.json();
        expect(result['differences']).toEqual([]);
        expect(result).toMatchObject({ same: true, replayedSequence: view.state.version, workflow: { version: view.state.version, lastHash: view.lastHash } });
        expect(compare.code).toBe(0);

        const human = await audit(['compare', id], env);
        expect(human.code).toBe(0);
        expect(human.out[1]).toBe('no difference: the replayed state equals the workflow state');

        const verify = await audit(['verify', id], env);
        expect(verify.code).toBe(0);
        expect(verify.out).toEqual([
          `case ${id}: ${view.state.version} events, sequences 1..${view.state.version}, chain intact (head ${view.lastHash}) in Kafka topic ${topic} on ${stack!.kafkaBrokers.join(',')}`,
        ]);
      }
    });
  }

  // The paths keep clear of the clocks (their sleeps are short); this one lives on them: suspended and
  // resumed, extended, then 40 days skipped — warnings, breaches, escalation to the county, supervision
  // notices, overdue referrals, all decided by the workflow's clock loop. 40 days reach past the mediation
  // clock (15 days + 2 paused + 5 extended, moved on by any holiday at its end) on any start day, so there are
  // two breach moments whichever day the test runs: the reply and referral clocks (which may fall on one
  // check, one escalation), then the mediation clock (a second one).
  it('a case left to its clocks: compare finds no difference, verify passes', async () => {
    const caseId = uniqueName('MC');
    await runPath(
      await ce.startCase(receiveInput(caseId)),
      {
        steps: [
          ...intake(caseId, 'wage-arrears'),
          command(request({ type: 'SuspendCase', caseId, data: { reason: 'awaiting-materials', note: '等待工资台账' } }, mediator)),
          sleep('2 days', 'the materials take two days'),
          command(request({ type: 'ResumeCase', caseId, data: {} }, mediator)),
          command(request({ type: 'AgreeExtension', caseId, data: { days: 5, complainantConsents: true, respondentConsents: true, reason: '核账' } }, mediator)),
          sleep('40 days', 'nobody acts: the clocks warn and breach'),
        ],
      },
      ce.env,
    );
    const view = await settledView(ce.env.client.workflow.getHandle<typeof caseWorkflow>(caseId));
    if (view.state.status === 'none') throw new Error('no case');
    const events = await caseEventsOnTopic(ce, caseId, view.state.version);
    audited.push({ caseId, events });
    expect(view.state.level).toBe('county');
    expect(view.clocks['mediation-conclude']?.breached).toBe(true);
    expect(Object.values(view.clocks).filter((c) => c.breached).length).toBeGreaterThanOrEqual(2);

    const env = { ...kafkaEnv(), TEMPORAL_ADDRESS: ce.env.address, TEMPORAL_NAMESPACE: 'default' };
    const compare = await audit(['compare', caseId, '--json'], env);
    expect(compare.json()['differences']).toEqual([]);
    expect(compare.code).toBe(0);
    expect((await audit(['verify', caseId], env)).code).toBe(0);

    const types = events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['CaseSuspended', 'CaseResumed', 'ExtensionAgreed', 'ClockWarned', 'ClockBreached', 'CaseEscalated', 'SupervisionIssued']));
    const replay = await audit(['replay', caseId, '--json'], env);
    const changes = (replay.json()['timeline'] as { clockChanges: { change: string }[] }[]).flatMap((e) => e.clockChanges.map((c) => c.change));
    expect(changes).toEqual(expect.arrayContaining(['started', 'stopped', 'paused', 'resumed', 'extended', 'warned', 'breached']));
  });

  it('verify --all passes over the whole topic and reports every case', async () => {
    const records = audited.reduce((n, c) => n + c.events.length, 0);
    const all = await audit(['verify', '--all', '--json'], kafkaEnv());
    expect(all.code).toBe(0);
    expect(all.json()).toMatchObject({ ok: true, cases: audited.length, records, faults: [], faultyCases: 0 });
    expect(all.err[0]).toBe(`verify: reading ${records} events from Kafka topic ${topic} on ${stack!.kafkaBrokers.join(',')}`);

    // Read in batches of a few events per partition: each record counted once, every chain still whole.
    const small = await verifyLog({ kind: 'kafka', brokers: stack!.kafkaBrokers, topic, fetchBytes: 2048 });
    expect(small).toMatchObject({ ok: true, cases: audited.length, records, faults: [] });
    const one = audited[0]!;
    const read = await readCaseEvents({ kind: 'kafka', brokers: stack!.kafkaBrokers, topic, fetchBytes: 2048 }, one.caseId);
    expect(read.map((r) => r.raw)).toEqual(one.events);

    const human = await audit(['verify', '--all'], kafkaEnv());
    expect(human.out).toHaveLength(1);
    expect(human.out[0]).toMatch(new RegExp(`^verified ${records} events in ${audited.length} cases in [0-9.]+ s \\([0-9,]+ events/s\\) from Kafka topic ${topic} .*: every chain intact$`));
  });

  it('replay, as-of and export read every event of a case, from the topic and from the archive', async () => {
    const { caseId, events } = audited[0]!;
    const replay = await audit(['replay', caseId, '--json'], kafkaEnv());
    expect(replay.code).toBe(0);
    const timeline = replay.json()['timeline'] as { sequence: number; type: string; actor: unknown }[];
    expect(timeline.map((e) => [e.sequence, e.type])).toEqual(events.map((e) => [e.sequence, e.type]));
    expect(timeline.map((e) => e.actor)).toEqual(events.map((e) => e['actor']));

    const human = await audit(['replay', caseId], kafkaEnv());
    expect(human.out.filter((l) => l.startsWith('#'))).toHaveLength(events.length);
    expect(human.out.join('\n')).not.toContain('李四'); // the complainant's name (testkit/cases.ts)

    const last = events[events.length - 1]!;
    const asOf = await audit(['as-of', caseId, last.occurredAt, '--json'], kafkaEnv());
    expect(asOf.json()).toMatchObject({ sequence: last.sequence, state: { status: 'closed' } });
    const before = await audit(['as-of', caseId, new Date(Date.parse(events[0]!.occurredAt) - 1).toISOString(), '--json'], kafkaEnv());
    expect(before.json()).toMatchObject({ sequence: 0, state: { status: 'none' } });

    const exported = await audit(['export', caseId], kafkaEnv());
    expect(exported.code).toBe(0);
    const dossier = exported.json() as { events: { event: unknown }[]; verification: { ok: boolean } };
    expect(dossier.verification.ok).toBe(true);
    expect(verifyChain(dossier.events.map((e) => e.event))).toEqual({ ok: true });

    // The same events in an event archive on the PostgreSQL server (as the projector stores them).
    const schema = uniqueName('rm');
    let db: Db | undefined;
    try {
      db = await openDb({ url: stack!.postgresUrl });
      await db.exec(createSchemaSql(schema));
      for (const c of audited) {
        for (const e of c.events) {
          await db.query(`insert into ${schema}.event_archive (case_id, sequence, event_id, type, occurred_at, event) values ($1, $2, $3, $4, $5, $6)`, [
            e.caseId,
            e.sequence,
            e.eventId,
            e.type,
            e.occurredAt,
            canonicalJson(e),
          ]);
        }
      }
      const archiveEnv = { DATABASE_URL: stack!.postgresUrl, READMODEL_SCHEMA: schema };
      const fromArchive = await audit(['replay', caseId, '--json', '--from', 'archive'], archiveEnv);
      expect(fromArchive.code).toBe(0);
      expect(fromArchive.json()['timeline']).toEqual(replay.json()['timeline']);
      const all = await audit(['verify', '--all', '--from', 'archive', '--json'], archiveEnv);
      expect(all.json()).toMatchObject({ ok: true, cases: audited.length, records: audited.reduce((n, c) => n + c.events.length, 0) });
    } finally {
      await db?.exec(`drop schema if exists ${schema} cascade`);
      await db?.close();
    }
  });
});
