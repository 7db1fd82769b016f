// A case history for the audit tests, decided by the real core (decide → seal → evolve) so that its clocks
// start, pause, resume, extend, warn and breach as they would in a workflow; and helpers that turn events
// into stored records (the bytes on the topic) and tamper with them.
import { allowedRoles } from '../../domain/case/authority.js';
import type { CaseCommand, CommandType } from '../../domain/case/commands.js';
import { decide, evolve, initialState, type CaseState } from '../../domain/case/index.js';
import { canonicalJson, GENESIS_HASH, sealEvents, type Actor, type CaseEvent } from '../../events/index.js';
import { decodeRecord, type StoredRecord } from '../../audit/records.js';
import { sampleCommands } from '../../testkit/sample-commands.js';

/** Monday 3 March 2025, 10:00 in Beijing. */
export const T0 = Date.parse('2025-03-03T02:00:00.000Z');
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const iso = (ms: number) => new Date(ms).toISOString();

function actorFor(type: CommandType): Actor {
  const roles = allowedRoles[type];
  for (const role of ['mediator', 'intake-clerk', 'supervisor', 'system'] as const) {
    if (roles.includes(role)) return { id: `${role}-1`, role };
  }
  throw new Error(`no actor for ${type}`);
}

/**
 * Received, accepted, classified, routed (two referrals), a session scheduled, suspended for two days
 * (awaiting materials), resumed, extended by 5 days, a clock check on day 10 (warnings, breaches,
 * escalation, supervision, overdue referrals), the session held. 26 events.
 */
export function decidedHistory(caseId = 'case-1'): CaseEvent[] {
  let state: CaseState = initialState;
  let lastHash = GENESIS_HASH;
  const log: CaseEvent[] = [];
  const run = (offsetMs: number, command: Omit<CaseCommand, 'caseId'>) => {
    const full = { ...command, caseId } as CaseCommand;
    const decision = decide(state, full, {
      now: iso(T0 + offsetMs),
      actor: actorFor(full.type),
      commandId: `cmd-${log.length + 1}`,
      correlationId: `req-${log.length + 1}`,
    });
    if (!decision.ok) throw new Error(`${full.type}: ${decision.rejection.reason}`);
    for (const event of sealEvents(decision.events, lastHash)) {
      state = evolve(state, event);
      log.push(event);
      lastHash = event.hash;
    }
  };
  run(0, { type: 'ReceiveCase', data: sampleCommands.ReceiveCase } as Omit<CaseCommand, 'caseId'>);
  run(HOUR, { type: 'AcceptCase', data: { note: '属劳动争议' } } as Omit<CaseCommand, 'caseId'>);
  run(2 * HOUR, { type: 'ClassifyCase', data: { disputeType: 'wage-arrears' } } as Omit<CaseCommand, 'caseId'>);
  run(3 * HOUR, { type: 'RouteCase', data: {} } as Omit<CaseCommand, 'caseId'>);
  run(DAY, { type: 'ScheduleSession', data: { at: iso(T0 + 2 * DAY), place: '调解室', departments: ['union'] } } as Omit<CaseCommand, 'caseId'>);
  run(2 * DAY, { type: 'SuspendCase', data: { reason: 'awaiting-materials', note: '等待工资台账' } } as Omit<CaseCommand, 'caseId'>);
  run(4 * DAY, { type: 'ResumeCase', data: {} } as Omit<CaseCommand, 'caseId'>);
  run(5 * DAY, {
    type: 'AgreeExtension',
    data: { days: 5, complainantConsents: true, respondentConsents: true, reason: '核对工资台账需要时间' },
  } as Omit<CaseCommand, 'caseId'>);
  run(10 * DAY, { type: 'CheckClocks', data: {} } as Omit<CaseCommand, 'caseId'>);
  const sessionId = state.status === 'none' ? '' : Object.keys(state.sessions)[0]!;
  run(10 * DAY + HOUR, {
    type: 'HoldSession',
    data: { sessionId, outcome: 'progress', minutes: '双方陈述意见', departmentOpinions: [] },
  } as Omit<CaseCommand, 'caseId'>);
  return log;
}

/** The bytes the publisher writes for an event (canonical JSON), as a topic record at `offset`. */
export function recordFromText(text: string, key: string, offset: number, headerSequence?: number): StoredRecord {
  return decodeRecord(text, key, { kind: 'kafka', topic: 'case-events', partition: 0, offset: String(offset) }, headerSequence?.toString());
}

export function toRecords(events: readonly unknown[], firstOffset = 0): StoredRecord[] {
  return events.map((event, i) => {
    const e = event as { caseId: string; sequence: number };
    return recordFromText(canonicalJson(event), e.caseId, firstOffset + i, e.sequence);
  });
}

/** The stored text of an event with the first occurrence of `from` replaced by `to` (a tampered byte). */
export function tamperedText(event: CaseEvent, from: string, to: string): string {
  const text = canonicalJson(event);
  if (!text.includes(from)) throw new Error(`'${from}' is not in event ${event.sequence}`);
  return text.replace(from, to);
}
