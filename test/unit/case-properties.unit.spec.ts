// Properties of the decider over random command sequences.
//
// A run starts from no case (or from a valid history at a later stage) and applies random steps. Each step picks a command — usually one that
// makes sense in the current status, sometimes any command, sometimes by a random role — and fills
// in ids (referrals, sessions, notices) from the state, so that deep states are reached. After every
// step: accepted events are sealed onto the chain and folded in; the state keeps its invariants.
// At the end: the events fold back to the same state (also after a JSON round trip and parseEvent),
// and the chain detects tampering.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMAND_TYPES, type CaseCommand, type CommandType } from '../../domain/case/commands.js';
import { decide } from '../../domain/case/decide.js';
import type { DecisionContext } from '../../domain/case/decision.js';
import { evolve, foldEvents } from '../../domain/case/evolve.js';
import { assertInvariants, caseIsOver } from '../../domain/case/invariants.js';
import { chinaDateOf } from '../../domain/calendar/index.js';
import { type CaseState, type OpenStatus } from '../../domain/case/state.js';
import { canonicalJson } from '../../events/canonical-json.js';
import { sealEvent, sealEvents, verifyChain } from '../../events/chain.js';
import { parseEvent } from '../../events/parse.js';
import { GENESIS_HASH, type CaseEvent, type EventType } from '../../events/schemas.js';
import { Role } from '../../events/vocabulary.js';
import { agreed, at, CASE_ID, complainant, received, replied, routed, sessionHeld, T0 } from '../../testkit/case-fixtures.js';
import { defaultActor, toHistory } from '../support/decider-spec.js';
import { sampleCommands } from '../../testkit/sample-commands.js';

// The commands that make sense in each status; the forward step is listed several times so that
// random runs often get deep into the lifecycle.
const likely: Record<'none' | OpenStatus, CommandType[]> = {
  none: ['ReceiveCase'],
  received: ['AcceptCase', 'AcceptCase', 'AcceptCase', 'AcceptCase', 'RejectCase', 'WithdrawCase', 'MergeCase', 'SuspendCase', 'CheckClocks', 'LinkCase'],
  accepted: ['ClassifyCase', 'ClassifyCase', 'ClassifyCase', 'SuspendCase', 'ResumeCase', 'WithdrawCase', 'CheckClocks'],
  classified: ['RouteCase', 'RouteCase', 'RouteCase', 'ClassifyCase', 'EscalateCase'],
  routed: [
    'ScheduleSession', 'ScheduleSession', 'ScheduleSession', 'ScheduleSession', 'OpenReferral', 'AcceptReferral', 'AnswerReferral',
    'ObjectToReferral', 'MarkReferralOverdue', 'RecordMediationFailure', 'AgreeExtension', 'CheckClocks', 'IssueSupervision',
    'SendReply', 'MergeCase', 'WithdrawCase',
  ],
  'in-mediation': [
    'HoldSession', 'HoldSession', 'HoldSession', 'RecordAgreement', 'RecordAgreement', 'RecordAgreement', 'ScheduleSession',
    'RecordMediationFailure', 'AgreeExtension', 'SuspendCase', 'ResumeCase', 'CheckClocks', 'EscalateCase', 'AnswerSupervision',
    'SendReply', 'RecordMergedDuplicate',
  ],
  agreement: [
    'RequestJudicialConfirmation', 'RequestJudicialConfirmation', 'RequestJudicialConfirmation', 'GrantJudicialConfirmation',
    'GrantJudicialConfirmation', 'RefuseJudicialConfirmation', 'RecordPayment', 'RecordPayment', 'RecordPayment', 'SendReply',
    'ReferToLitigation', 'CheckClocks',
  ],
  'mediation-failed': ['ReferToArbitration', 'ReferToLitigation', 'SendReply', 'AcceptReferral'],
  'referred-out': ['SendReply', 'SendReply', 'AcceptReferral', 'AnswerReferral', 'CheckClocks', 'ApproveExtension'],
  withdrawn: ['SendReply'],
  rejected: ['SendReply', 'CloseCase'],
  replied: ['RecordFeedback', 'RecordFeedback', 'CloseCase', 'CloseCase', 'SendReply', 'AnswerSupervision', 'RecordPayment', 'CheckClocks'],
  closed: ['ReopenCase', 'LinkCase', 'CheckClocks'],
};
const whileSuspended: CommandType[] = ['ResumeCase', 'ResumeCase', 'ResumeCase', 'WithdrawCase', 'CheckClocks', 'AnswerReferral'];

interface Step {
  pickType: number;
  anyCommand: boolean;
  randomRole: boolean;
  role: number;
  pick: number;
  advanceHours: number;
  amount: number;
  workers: number;
  score: number;
}

// Unbiased: fast-check's default bias towards small numbers would always pick the first entries.
const index = fc.noBias(fc.nat({ max: 100_000 }));
const step: fc.Arbitrary<Step> = fc.record({
  pickType: index,
  // One step in eight is any command at all, one in ten comes from a random role.
  anyCommand: fc.nat({ max: 7 }).map((n) => n === 0),
  randomRole: fc.nat({ max: 9 }).map((n) => n === 0),
  role: index,
  pick: index,
  advanceHours: fc.constantFrom(0, 0, 1, 6, 24, 48, 72, 120),
  amount: fc.integer({ min: 1, max: 2_000_000 }),
  workers: fc.integer({ min: 1, max: 14 }),
  score: fc.integer({ min: 1, max: 5 }),
});
const steps = fc.array(step, { minLength: 1, maxLength: 80 });

const nth = <T>(items: readonly T[], n: number): T | undefined => (items.length === 0 ? undefined : items[n % items.length]);

/** A concrete command for the state: sample data, with ids and amounts taken from the state. */
function commandFor(state: CaseState, s: Step, now: string): CaseCommand {
  const status = state.status;
  const plausible = state.status !== 'none' && state.suspended ? whileSuspended : likely[status];
  const type = s.anyCommand ? nth(COMMAND_TYPES, s.pickType)! : nth(plausible, s.pickType)!;
  const data: Record<string, unknown> = { ...sampleCommands[type] };
  if (state.status !== 'none') {
    const referral = nth(Object.keys(state.referrals), s.pick);
    const session = nth(Object.keys(state.sessions), s.pick);
    const notice = nth(Object.keys(state.supervision), s.pick);
    if ('referralId' in data && referral) data['referralId'] = referral;
    if ('sessionId' in data && session) data['sessionId'] = session;
    if ('noticeId' in data && notice) data['noticeId'] = notice;
    if (type === 'RecordPayment' && state.agreement) {
      // Mostly within what is owed; one time in four anything, to probe the overpayment check.
      const owed = state.agreement.totalAmountFen - state.agreement.paidFen;
      data['amountFen'] = s.pick % 4 === 0 ? s.amount : 1 + (s.amount % Math.max(1, owed));
    }
  }
  if (type === 'ReceiveCase') {
    data['workerCount'] = s.workers;
    data['complainants'] = [complainant('person-1'), ...(s.workers > 1 ? [complainant('person-2', '李四')] : [])];
  }
  if (type === 'ScheduleSession') data['at'] = at(now, 2);
  if (type === 'RecordPayment') data['paidOn'] = chinaDateOf(now);
  if (type === 'RecordFeedback') data['score'] = s.score;
  if (type === 'RecordAgreement') {
    data['totalAmountFen'] = s.amount;
    data['items'] = [{ kind: 'wages', amountFen: s.amount }];
    data['schedule'] = [{ dueOn: '2025-12-31', amountFen: s.amount }];
  }
  if (type === 'ObjectToReferral') data['suggestedDepartment'] = nth(['justice', 'hr', 'union', 'court', 'petitions'], s.pick);
  return { type, caseId: CASE_ID, data } as CaseCommand;
}

function actorFor(command: CaseCommand, state: CaseState, s: Step): DecisionContext['actor'] {
  if (s.randomRole) {
    const role = nth(Role.options, s.role)!;
    return role === 'department-liaison' ? { id: 'liaison', role, department: 'hr' } : { id: 'person-1', role };
  }
  // Acting for the right department where one is needed.
  if (command.type === 'GrantJudicialConfirmation' || command.type === 'RefuseJudicialConfirmation') {
    return { id: 'court-1', role: 'department-liaison', department: 'court' };
  }
  if (command.type === 'ObjectToReferral' && state.status !== 'none') {
    const referral = state.referrals[command.data.referralId];
    if (referral) return { id: 'liaison', role: 'department-liaison', department: referral.department };
  }
  return defaultActor(command.type);
}

interface Run {
  state: CaseState;
  log: CaseEvent[];
  rejections: string[];
  /** The run passed through a closed, withdrawn, rejected or merged state. */
  ended: boolean;
}

/** Runs start from no case or from a valid history at a later stage, so deep states are common. */
const startingPoints = { none: [], received, routed, sessionHeld, agreed, replied } as const;
const startingPoint = fc.constantFrom(...(Object.keys(startingPoints) as (keyof typeof startingPoints)[]));

function run(start: keyof typeof startingPoints, stepList: readonly Step[], seen?: Set<EventType>): Run {
  const log: CaseEvent[] = sealEvents(toHistory(startingPoints[start]), GENESIS_HASH);
  let state: CaseState = foldEvents(log);
  let now = T0;
  const rejections: string[] = [];
  let ended = false;
  assertInvariants(state);
  for (const [i, s] of stepList.entries()) {
    now = at(now, s.advanceHours);
    const command = commandFor(state, s, now);
    const context: DecisionContext = {
      now,
      actor: actorFor(command, state, s),
      commandId: `cmd-${i}`,
      correlationId: `corr-${i}`,
      // The merge target as the API would have found it: mostly open, sometimes ended or missing.
      ...(command.type === 'MergeCase' ? { mergeTarget: { caseId: command.data.intoCaseId, status: nth(['in-mediation', 'routed', 'closed', 'none'] as const, s.pick)! } } : {}),
    };
    const decision = decide(state, command, context);
    // Pure: the same inputs decide the same way.
    expect(decide(state, command, context)).toEqual(decision);
    if (!decision.ok) {
      expect(['validation', 'illegal-state', 'forbidden', 'not-found']).toContain(decision.rejection.code);
      expect(decision.rejection.reason.length).toBeGreaterThan(0);
      rejections.push(`${command.type}: ${decision.rejection.code}`);
      continue;
    }
    for (const event of decision.events) {
      expect(event.sequence).toBe(log.length + 1);
      const sealed = sealEvent(event, log.at(-1)?.hash ?? GENESIS_HASH) as CaseEvent;
      log.push(sealed);
      state = evolve(state, sealed);
      seen?.add(event.type);
    }
    assertInvariants(state);
    ended ||= state.status !== 'none' && caseIsOver(state);
  }
  return { state, log, rejections, ended };
}

describe('random command sequences', () => {
  it('never reach a state that breaks the invariants, and reach most of the lifecycle', () => {
    const seen = new Set<EventType>();
    fc.assert(
      fc.property(startingPoint, steps, (start, stepList) => {
        run(start, stepList, seen);
      }),
      { numRuns: 400 },
    );
    // The generator must actually exercise the decider: most event types occur somewhere.
    expect(seen.size, `seen: ${[...seen].join(', ')}`).toBeGreaterThanOrEqual(36);
  });

  it('leave no running duty clock (one whose breach escalates or supervises) and no open referral in a closed, withdrawn, rejected or merged case', () => {
    let endedRuns = 0;
    fc.assert(
      fc.property(startingPoint, steps, (start, stepList) => {
        const { state, ended } = run(start, stepList);
        if (ended) endedRuns++;
        if (state.status === 'none' || !caseIsOver(state)) return;
        const running = Object.values(state.clocks).filter(
          (c) => (c.status === 'running' || c.status === 'paused') && (c.onBreach.escalate || c.onBreach.supervise),
        );
        expect(running.map((c) => c.key)).toEqual([]);
        if (state.status === 'closed' || state.status === 'withdrawn') {
          expect(Object.values(state.referrals).filter((r) => r.status === 'open' || r.status === 'accepted')).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
    // Not vacuous: many runs end a case (every step's state was checked by assertInvariants as well).
    expect(endedRuns).toBeGreaterThan(20);
  });

  it('fold back to the state the decider held — also from the stored, JSON-round-tripped log', () => {
    fc.assert(
      fc.property(startingPoint, steps, (start, stepList) => {
        const { state, log } = run(start, stepList);
        expect(foldEvents(log)).toEqual(state);
        const stored = log.map((event) => JSON.parse(canonicalJson(event)) as unknown);
        expect(foldEvents(stored.map(parseEvent))).toEqual(state);
        expect(state.status === 'none' ? 0 : state.version).toBe(log.length);
      }),
      { numRuns: 200 },
    );
  });

  it('build a chain that verifies, and detect a dropped, duplicated or changed event', () => {
    fc.assert(
      fc.property(startingPoint, steps, fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), (start, stepList, which, where, delta) => {
        const { log } = run(start, stepList);
        fc.pre(log.length >= 2);
        const head = { sequence: log.length, hash: log.at(-1)!.hash };
        expect(verifyChain(log, { head })).toEqual({ ok: true });

        const i = which % log.length;
        const dropped = log.filter((_, j) => j !== i);
        const droppedVerdict = verifyChain(dropped, { head });
        expect(droppedVerdict.ok).toBe(false);
        if (!droppedVerdict.ok) expect(droppedVerdict.faults.map((f) => f.kind)).toContain('gap');

        const duplicated = [...log.slice(0, i + 1), log[i]!, ...log.slice(i + 1)];
        const duplicatedVerdict = verifyChain(duplicated, { head });
        expect(duplicatedVerdict.ok).toBe(false);
        if (!duplicatedVerdict.ok) expect(duplicatedVerdict.faults.map((f) => f.kind)).toEqual(['duplicate']);

        // One byte changed anywhere in the stored log: not JSON any more, or the chain says so.
        const bytes = Buffer.from(log.map((event) => canonicalJson(event)).join('\n'), 'utf8');
        const position = where % bytes.length;
        bytes[position] = (bytes[position]! + delta) & 0xff;
        let tampered: unknown[] | null;
        try {
          tampered = bytes.toString('utf8').split('\n').map((line) => JSON.parse(line) as unknown);
        } catch {
          tampered = null;
        }
        if (tampered) expect(verifyChain(tampered, { head }).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
