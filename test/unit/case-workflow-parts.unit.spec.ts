// The plain parts the case workflow wires onto Temporal (workflows/case/): the case entity, the outbox, the
// clock schedule and the search-attribute diffing. No server: given a state, when a request or a report
// comes, then what the part decides.
import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { GENESIS_HASH, PUBLISH_BATCH_BYTES, publishedBytes, RECORD_OVERHEAD_BYTES, sealEvents, type CaseEvent } from '../../events/index.js';
import { foldEvents, initialState, nextDueAt, type CaseState } from '../../domain/case/index.js';
import { CaseEntity } from '../../workflows/case/entity.js';
import { OUTBOX_BATCH, Outbox, PUBLISH_FIRST_ROUND_ATTEMPTS, PUBLISH_LATER_ROUND_ATTEMPTS } from '../../workflows/case/outbox.js';
import { CLOCK_CHECK_ATTEMPTS, ClockSchedule, clockRetryDelayMs } from '../../workflows/case/clock-schedule.js';
import { CaseAttributes } from '../../workflows/case/attributes.js';
import { RECENT_COMMANDS, type CommandRequest } from '../../workflows/messages.js';
import { toHistory } from '../support/decider-spec.js';
import { CASE_ID, T0, cmd, receiveCase, routed } from '../../testkit/case-fixtures.js';

const clerk = { id: 'clerk-1', role: 'intake-clerk' } as const;
const mediator = { id: 'mediator-1', role: 'mediator' } as const;
const request = (command: CommandRequest['command'], commandId: string, actor: CommandRequest['actor'] = mediator): CommandRequest => ({ command, actor, commandId, correlationId: `corr-${commandId}` });
const received = () => {
  const entity = new CaseEntity({ state: initialState, lastHash: GENESIS_HASH, events: 0 }, () => Date.parse(T0));
  entity.apply(receiveCase(), request(receiveCase(), 'receive', clerk));
  return entity;
};
const rejectionOf = (fn: () => unknown): ApplicationFailure => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  }
  throw new Error('expected a rejection');
};

describe('the case entity', () => {
  it('given a new case, when it is received, then its events are sealed onto the chain, folded and counted', () => {
    const entity = new CaseEntity({ state: initialState, lastHash: GENESIS_HASH, events: 0 }, () => Date.parse(T0));
    const { events, effects } = entity.apply(receiveCase(), request(receiveCase(), 'receive', clerk));
    expect(events.map((e) => e.type)).toEqual(['CaseReceived']);
    expect(events[0]!.prevHash).toBe(GENESIS_HASH);
    expect(entity.lastHash).toBe(events[0]!.hash);
    expect(entity.eventCount).toBe(1);
    expect(entity.state).toMatchObject({ status: 'received', rulesEdition: '2026.2' });
    expect(effects).toEqual([[]]);
  });

  it('when the same command comes again, then it is answered from memory; under a reused id with another command, it is refused', () => {
    const entity = received();
    const accept = request(cmd('AcceptCase', {}), 'c-1', clerk);
    const first = entity.applyOnce(accept);
    expect(first.applied?.events.map((e) => e.type)).toEqual(['CaseAccepted']);
    const again = entity.applyOnce(accept);
    expect(again).toEqual({ result: { events: first.result.events, repeated: true } });
    expect(entity.eventCount).toBe(2);
    const reused = rejectionOf(() => entity.applyOnce(request(cmd('RejectCase', { reasonCode: 'not-a-labour-dispute', explanation: 'x', redirectTo: 'civil-court' }), 'c-1', clerk)));
    expect(reused.type).toBe('rejected:validation');
    expect(reused.details?.[0]).toMatchObject({ key: 'command.id-reused' });
  });

  it(`remembers the last ${RECENT_COMMANDS} commands only`, () => {
    const full = Array.from({ length: RECENT_COMMANDS }, (_, i) => ({ commandId: `old-${i}`, fingerprint: 'f', events: [] }));
    const entity = new CaseEntity({ state: received().state, lastHash: received().lastHash, events: 1, recentCommands: full }, () => Date.parse(T0));
    entity.applyOnce(request(cmd('AcceptCase', {}), 'c-new', clerk));
    expect(entity.recentCommands).toHaveLength(RECENT_COMMANDS);
    expect(entity.recentCommands[0]!.commandId).toBe('old-1');
    expect(entity.recentCommands.at(-1)!.commandId).toBe('c-new');
  });

  it('when the core refuses, then the refusal carries its code, key and params, and nothing changes', () => {
    const entity = received();
    const before = entity.state;
    const refusal = rejectionOf(() => entity.apply(cmd('CloseCase', {}), request(cmd('CloseCase', {}), 'close')));
    expect(refusal.type).toMatch(/^rejected:/);
    expect(refusal.nonRetryable).toBe(true);
    expect(refusal.details?.[0]).toHaveProperty('key');
    expect(entity.state).toBe(before);
    expect(entity.eventCount).toBe(1);
  });

  it('takes the validator’s decision in the handler that follows it, and decides again when anything came between', () => {
    let now = Date.parse(T0);
    const entity = new CaseEntity({ state: initialState, lastHash: GENESIS_HASH, events: 0 }, () => now);
    entity.apply(receiveCase(), request(receiveCase(), 'receive', clerk));
    const accept = request(cmd('AcceptCase', {}), 'c-1', clerk);
    entity.validate(accept.command, accept);
    const validated = entity.decideAndFold(accept.command, accept);
    const applied = entity.apply(accept.command, accept);
    expect(applied.events).toEqual(validated.events);
    // A later moment: decided afresh, with the time of the handler.
    const entity2 = new CaseEntity({ state: initialState, lastHash: GENESIS_HASH, events: 0 }, () => now);
    entity2.apply(receiveCase(), request(receiveCase(), 'receive', clerk));
    entity2.validate(accept.command, accept);
    now += 60_000;
    expect(entity2.apply(accept.command, accept).events[0]!.occurredAt).toBe(new Date(now).toISOString());
  });

  it('given a state carried without a rules edition, then it is read as the first edition', () => {
    const carried = foldEvents(toHistory(routed));
    if (carried.status === 'none') throw new Error('no case');
    const { rulesEdition: _edition, ...withoutEdition } = carried;
    const entity = new CaseEntity({ state: withoutEdition as CaseState, lastHash: GENESIS_HASH, events: routed.length }, () => Date.parse(T0));
    expect(entity.state).toMatchObject({ rulesEdition: '2026.2' });
  });
});

describe('the outbox', () => {
  const events = (n: number, note = 'x'): CaseEvent[] =>
    sealEvents(
      toHistory(Array.from({ length: n }, () => ({ type: 'CaseAccepted' as const, data: { note } }))).map((e) => ({ ...e, caseId: CASE_ID })),
      GENESIS_HASH,
    );

  it(`given more than ${OUTBOX_BATCH} events, then a batch holds ${OUTBOX_BATCH}, in order, until they are published`, () => {
    const outbox = new Outbox<string>({ publishedSequence: 0 });
    outbox.push(events(OUTBOX_BATCH + 5), 'trace-1');
    const batch = outbox.nextBatch();
    expect(batch.events.map((e) => e.sequence)).toEqual(Array.from({ length: OUTBOX_BATCH }, (_, i) => i + 1));
    expect(batch.context).toBe('trace-1');
    expect(outbox.nextBatch().events).toEqual(batch.events);
    outbox.published(batch.events, { partition: 0, offset: '99' });
    expect(outbox.publishedSequence).toBe(OUTBOX_BATCH);
    expect(outbox.topicPosition).toEqual({ partition: 0, offset: '99' });
    expect(outbox.nextBatch().events.map((e) => e.sequence)).toEqual([101, 102, 103, 104, 105]);
  });

  it(`cuts a batch at ${PUBLISH_BATCH_BYTES} bytes as published`, () => {
    const outbox = new Outbox<string>({ publishedSequence: 0 });
    outbox.push(events(OUTBOX_BATCH, '调'.repeat(5000)), 't');
    const batch = outbox.nextBatch().events;
    const bytes = (list: CaseEvent[]) => list.reduce((sum, e) => sum + publishedBytes(e) + RECORD_OVERHEAD_BYTES, 0);
    expect(batch.length).toBeLessThan(OUTBOX_BATCH);
    expect(bytes(batch)).toBeLessThanOrEqual(PUBLISH_BATCH_BYTES);
    expect(bytes(events(batch.length + 1, '调'.repeat(5000)))).toBeGreaterThan(PUBLISH_BATCH_BYTES);
  });

  it('when rounds of attempts run out, then it shows a stall that adds up the attempts; when the batch goes out, the stall ends', () => {
    const outbox = new Outbox<string>({ publishedSequence: 0 });
    const batch = events(2);
    outbox.push(batch, 't');
    const startedAt = Date.parse(T0);
    expect(outbox.roundFailed(1, new Error('broker down', { cause: new Error('ECONNREFUSED') }), batch, startedAt)).toEqual({
      since: T0,
      attempts: PUBLISH_FIRST_ROUND_ATTEMPTS,
      lastError: 'ECONNREFUSED',
      sequence: 1,
    });
    expect(outbox.roundFailed(2, new Error('still down'), batch, startedAt + 999_999).attempts).toBe(PUBLISH_FIRST_ROUND_ATTEMPTS + PUBLISH_LATER_ROUND_ATTEMPTS);
    expect(outbox.stall?.since).toBe(T0);
    const ended = outbox.published(batch, undefined);
    expect(ended?.attempts).toBe(PUBLISH_FIRST_ROUND_ATTEMPTS + PUBLISH_LATER_ROUND_ATTEMPTS);
    expect(outbox.stall).toBeUndefined();
    expect(outbox.empty).toBe(true);
  });
});

describe('the clock schedule', () => {
  const state = foldEvents(toHistory(routed));
  const due = state.status === 'none' ? undefined : nextDueAt(state.clocks);
  const dueMs = Date.parse(due!);

  it('given a case with clocks, then it wakes at the next due moment; once that moment is checked, it does not wake for it again', () => {
    const schedule = new ClockSchedule();
    expect(schedule.wakeAt(state)).toBe(dueMs);
    expect(schedule.takeCheck(state, dueMs - 1)).toBeUndefined();
    expect(schedule.takeCheck(state, dueMs)).toEqual({ early: false });
    expect(schedule.wakeAt(state)).toBeUndefined();
    expect(schedule.takeCheck(state, dueMs + 1)).toBeUndefined();
  });

  it('when a referral asks for a check before the moment, then it checks early and still wakes for the moment', () => {
    const schedule = new ClockSchedule();
    schedule.requested = true;
    expect(schedule.takeCheck(state, dueMs - 1000)).toEqual({ early: true });
    expect(schedule.requested).toBe(false);
    expect(schedule.wakeAt(state)).toBe(dueMs);
  });

  it(`when the core rejects the check, then it retries with backoff, at most ${CLOCK_CHECK_ATTEMPTS} times, and shows the failure until a check is applied`, () => {
    const schedule = new ClockSchedule();
    const now = dueMs;
    schedule.takeCheck(state, now);
    const first = schedule.rejected('calendar not loaded', now);
    expect(first).toMatchObject({ attempts: 1, lastError: 'calendar not loaded', since: new Date(now).toISOString(), retryAt: new Date(now + clockRetryDelayMs(1)).toISOString() });
    expect(schedule.wakeAt(state)).toBe(now + 60_000);
    expect(schedule.carriedRequest).toBe(true);
    let last = first;
    for (let i = 2; i <= CLOCK_CHECK_ATTEMPTS; i++) {
      expect(schedule.takeCheck(state, now + 10 * 3_600_000 * i)).toBeDefined();
      last = schedule.rejected('still', now + 10 * 3_600_000 * i);
    }
    expect(last.attempts).toBe(CLOCK_CHECK_ATTEMPTS);
    expect(last.retryAt).toBeUndefined();
    expect(clockRetryDelayMs(CLOCK_CHECK_ATTEMPTS)).toBe(3_600_000);
    expect(schedule.checked()).toBe(last);
    expect(schedule.failure).toBeUndefined();
  });
});

describe('the search attributes of a case', () => {
  const state = foldEvents(toHistory(routed));

  it('are upserted when they change only, and the failure attributes only once a failure was shown', () => {
    const attributes = new CaseAttributes();
    expect(attributes.changes(initialState, { publish: false, clock: false })).toBeUndefined();
    const first = attributes.changes(state, { publish: false, clock: false });
    expect(first?.map((p) => p.key.name)).toEqual(['CaseStatus', 'CaseLevel', 'LeadDepartment', 'NextDueAt', 'Collective']);
    expect(attributes.changes(state, { publish: false, clock: false })).toBeUndefined();
    expect(attributes.changes(state, { publish: true, clock: false })?.at(-1)).toMatchObject({ value: true });
    const cleared = attributes.changes(state, { publish: false, clock: false });
    expect(cleared?.find((p) => p.key.name === 'PublishStalled')).toMatchObject({ value: null });
    // The next upsert names the five case attributes again (the failure attribute no longer), then none.
    expect(attributes.changes(state, { publish: false, clock: false })).toHaveLength(5);
    expect(attributes.changes(state, { publish: false, clock: false })).toBeUndefined();
  });
});
