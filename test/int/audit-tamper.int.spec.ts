// Tampering on a real topic. A case runs a lifecycle path on the time-skipping test server and publishes its
// events; its log verifies. Then copies of that log go into fresh topics — one with a byte changed, one with
// an event dropped, one with an event published twice — next to a clean case, and `mediation audit verify`
// (one case and --all) exits 1 naming the case, the sequence, the fault and where the record sits, while
// the clean case passes. `compare` against the still-running workflow lists the differences.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Producer } from 'kafkajs';
import { connectProducer, createKafka } from '../../runtime/kafka.js';
import { canonicalJson, type CaseEvent } from '../../events/index.js';
import { runAudit } from '../../cli/main.js';
import type { CliIo } from '../../cli/main.js';
import type { caseWorkflow } from '../../workflows/case-workflow.js';
import { lifecyclePath, runPath } from '../support/paths.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { createTopic } from '../support/temporal.js';
import { caseEventsOnTopic, settledView, startCaseEnv, type CaseEnv, type TopicEvent } from '../support/time-skipping.js';
import { decidedHistory } from '../unit/audit-fixtures.js';

async function audit(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line) };
  const code = await runAudit(argv, io, { env: { ...process.env, ...env }, progressIntervalMs: 0 });
  return { code, out, err, json: () => JSON.parse(out.join('\n')) as Record<string, unknown> };
}

interface Published {
  text: string;
  sequence: number;
}

describeWithStack('mediation audit verify on tampered copies of a real log', () => {
  const source = uniqueName('case_events');
  const caseId = uniqueName('MC');
  const clean = decidedHistory(uniqueName('MC_clean'));
  let ce: CaseEnv;
  let producer: Producer;
  let events: TopicEvent[];
  let lastHash: string;

  beforeAll(async () => {
    await createTopic(stack!.kafkaBrokers, source);
    ce = await startCaseEnv({ testServerPath: stack!.testServerPath, brokers: stack!.kafkaBrokers, topic: source });
    const path = lifecyclePath('agreement-confirmed', { caseId, otherCaseId: uniqueName('MC'), startMs: await ce.now() });
    await runPath(await ce.startCase(path.input), path, ce.env);
    const view = await settledView(ce.env.client.workflow.getHandle<typeof caseWorkflow>(caseId));
    lastHash = view.lastHash;
    events = await caseEventsOnTopic(ce, caseId, view.state.version);
    producer = await connectProducer(createKafka(stack!.kafkaBrokers, 'audit-tamper-test'));
  });
  afterAll(async () => {
    await producer?.disconnect();
    await ce?.stop();
  });

  const env = (topic: string) => ({
    KAFKA_BROKERS: stack!.kafkaBrokers.join(','),
    KAFKA_TOPIC: topic,
    TEMPORAL_ADDRESS: ce.env.address,
    TEMPORAL_NAMESPACE: 'default',
  });
  const original = (): Published[] => events.map((e) => ({ text: canonicalJson(e), sequence: e.sequence }));
  const bySequence = (sequence: number) => events.find((e) => e.sequence === sequence)!;

  /** A fresh topic (3 partitions) with the given copy of the case's log and the clean case, keyed as the publisher keys. */
  async function topicWith(copy: Published[]): Promise<string> {
    const topic = uniqueName('tampered');
    await createTopic(stack!.kafkaBrokers, topic, 3);
    const message = (key: string, p: Published) => ({ key, value: p.text, headers: { sequence: String(p.sequence) } });
    await producer.send({ topic, acks: -1, messages: clean.map((e: CaseEvent) => message(e.caseId, { text: canonicalJson(e), sequence: e.sequence })) });
    await producer.send({ topic, acks: -1, messages: copy.map((p) => message(caseId, p)) });
    return topic;
  }

  const faultLine = (topic: string, sequence: number, kind: string, detail: string) =>
    new RegExp(`^FAULT  case ${caseId}  sequence ${sequence}  ${kind}: ${detail}  \\(at ${topic} partition \\d offset \\d+(; ${topic} partition \\d offset \\d+)*\\)$`);

  it('given the log as published, then verify passes and compare finds no difference', async () => {
    expect((await audit(['verify', caseId], env(source))).code).toBe(0);
    const compare = await audit(['compare', caseId], env(source));
    expect(compare.out[1]).toBe('no difference: the replayed state equals the workflow state');
    expect(compare.code).toBe(0);

    const missing = await audit(['replay', 'MC-nowhere'], env(source));
    expect(missing.code).toBe(1);
    expect(missing.err).toEqual([
      `error: no events of case MC-nowhere in Kafka topic ${source} on ${stack!.kafkaBrokers.join(',')} (its partition only; --all-partitions scans every one)`,
    ]);
    expect((await audit(['replay', 'MC-nowhere', '--all-partitions'], env(source))).code).toBe(1);
    const noWorkflow = await audit(['compare', 'MC-nowhere'], env(source));
    expect(noWorkflow.code).toBe(1);
    expect(noWorkflow.err).toEqual([`error: there is no workflow for case MC-nowhere in namespace default at ${ce.env.address}`]);
  });

  it('given one byte of the agreement amount changed, then verify exits 1: hash mismatch at that case and sequence', async () => {
    const agreement = events.find((e) => e.type === 'AgreementReached')!;
    const copy = original().map((p) =>
      p.sequence === agreement.sequence ? { ...p, text: p.text.replace('"totalAmountFen":800000', '"totalAmountFen":900000') } : p,
    );
    expect(copy.find((p) => p.sequence === agreement.sequence)!.text).toContain('"totalAmountFen":900000');
    const topic = await topicWith(copy);

    const one = await audit(['verify', caseId], env(topic));
    expect(one.code).toBe(1);
    expect(one.out).toHaveLength(2);
    expect(one.out[0]).toMatch(faultLine(topic, agreement.sequence, 'hash-mismatch', `stored hash ${agreement.hash}, computed [0-9a-f]{64}`));
    expect(one.out[1]).toBe(`case ${caseId}: ${events.length} records, 1 fault(s) in Kafka topic ${topic} on ${stack!.kafkaBrokers.join(',')}`);

    const all = await audit(['verify', '--all', '--json'], env(topic));
    expect(all.code).toBe(1);
    expect(all.json()).toMatchObject({
      ok: false,
      cases: 2,
      records: events.length + clean.length,
      faultyCases: 1,
      faults: [{ caseId, sequence: agreement.sequence, kind: 'hash-mismatch', at: [{ kind: 'kafka', topic }] }],
    });

    // The same verdict when worker threads verify the log (audit/verify-threads.ts).
    const threaded = await audit(['verify', '--all', '--json', '--threads', '2'], env(topic));
    expect(threaded.code).toBe(1);
    const { elapsedMs: _e1, recordsPerSecond: _r1, ...threadedVerdict } = threaded.json();
    const { elapsedMs: _e2, recordsPerSecond: _r2, ...singleVerdict } = all.json();
    expect(threadedVerdict).toEqual(singleVerdict);

    // The replay follows the altered amount, so it no longer matches the workflow.
    const compare = await audit(['compare', caseId, '--json'], env(topic));
    expect(compare.code).toBe(1);
    expect(compare.json()['differences']).toEqual([{ path: 'state.agreement.totalAmountFen', replayed: 900000, workflow: 800000 }]);
  });

  it('given an event dropped, then verify exits 1: a gap at the next sequence', async () => {
    const topic = await topicWith(original().filter((p) => p.sequence !== 5));
    const one = await audit(['verify', caseId], env(topic));
    expect(one.code).toBe(1);
    expect(one.out[0]).toMatch(faultLine(topic, 6, 'gap', 'missing sequence 5'));
    expect(one.out).toHaveLength(2);

    const all = await audit(['verify', '--all'], env(topic));
    expect(all.code).toBe(1);
    expect(all.out[0]).toBe(one.out[0]);
    const threaded = await audit(['verify', '--all', '--threads', '2'], env(topic));
    expect(threaded.code).toBe(1);
    expect(threaded.out[0]).toBe(one.out[0]);
    expect(all.out[1]).toMatch(/: 1 fault\(s\) in 1 case\(s\)$/);
    expect(all.err[0]).toMatch(new RegExp(`^verify: reading ${events.length - 1 + clean.length} events from Kafka topic ${topic}`));
  });

  it('given the last event dropped, then verify sees a valid shorter chain but compare reports the missing head', async () => {
    const topic = await topicWith(original().slice(0, -1));
    expect((await audit(['verify', caseId], env(topic))).code).toBe(0);
    const compare = await audit(['compare', caseId, '--json'], env(topic));
    expect(compare.code).toBe(1);
    const differences = compare.json()['differences'] as { path: string }[];
    expect(differences.slice(0, 2)).toEqual([
      { path: 'lastHash', replayed: bySequence(events.length - 1).hash, workflow: lastHash },
      { path: 'publishedSequence', replayed: events.length - 1, workflow: events.length },
    ]);
    expect(differences.map((d) => d.path)).toContain('state.status');
  });

  it('given an event published twice, then verify exits 1: a duplicate naming both copies', async () => {
    const copy = original();
    const topic = await topicWith([...copy, copy[2]!]);
    const duplicated = bySequence(3);
    const one = await audit(['verify', caseId, '--json'], env(topic));
    expect(one.code).toBe(1);
    const faults = one.json()['faults'] as { sequence: number; kind: string; detail: string; at: { offset: string }[] }[];
    expect(faults.map((f) => [f.sequence, f.kind, f.detail])).toEqual([[3, 'duplicate', `sequence 3 / event ${duplicated.eventId} appears again`]]);
    expect(faults[0]!.at).toHaveLength(2);

    const human = await audit(['verify', caseId], env(topic));
    expect(human.out[0]).toMatch(faultLine(topic, 3, 'duplicate', `sequence 3 / event ${duplicated.eventId} appears again`));

    const all = await audit(['verify', '--all', '--json'], env(topic));
    expect(all.code).toBe(1);
    expect((all.json()['faults'] as { caseId: string; sequence: number; kind: string }[]).map((f) => [f.caseId, f.sequence, f.kind])).toEqual([[caseId, 3, 'duplicate']]);

    // The replay folds one copy per sequence: the state still equals the workflow's, but the log is faulty.
    const compare = await audit(['compare', caseId, '--json'], env(topic));
    expect(compare.json()['differences']).toEqual([]);
    expect(compare.code).toBe(1);
    expect(compare.err[0]).toMatch(/^warning: the log of case .* has 1 fault\(s\)/);
  });
});
