// decide(): clocks and supervision. Split from decide.ts along its section markers; decide.ts dispatches.
import type { EventData } from '../../../events/schemas.js';
import { Department, type Level } from '../../../events/vocabulary.js';
import { clockSignals } from '../clocks.js';
import type { CommandOf } from '../commands.js';
import { addHours, Emitter, reject, type Decision, type DecisionContext } from '../decision.js';
import { accountableFor, accountableUnitOf, leadOf } from '../rules.js';
import { levelAbove, type OpenCase } from '../state.js';
import { activeReferralOf } from './referrals.js';
import { endedCase } from './mediation.js';
import { ruleSetOf } from './helpers.js';

/**
 * Time-driven. Each due warning becomes ClockWarned. Each breach becomes ClockBreached and, as its
 * policy says, escalation one level up and supervision (督办) of the accountable department's head.
 * Several breaches found in one check raise the case one level, not several: escalation moves one
 * step at a time, and the next check escalates again if clocks are still breached. A breach of a
 * department's referral clock also marks that referral overdue.
 */
export function checkClocks(state: OpenCase, e: Emitter, context: DecisionContext): Decision {
  let level = state.level;
  let escalated = false;
  for (const signal of clockSignals(state.clocks, context.now)) {
    if (signal.kind === 'warning') {
      e.emit('ClockWarned', { clockKey: signal.clockKey, threshold: signal.threshold, at: signal.at });
      continue;
    }
    if (signal.kind === 'lapse') {
      // A party's window: no escalation, no supervision, no overdue referral — nobody missed a duty.
      e.emit('ClockLapsed', { clockKey: signal.clockKey, at: signal.at });
      continue;
    }
    e.emit('ClockBreached', { clockKey: signal.clockKey, at: signal.at });
    const up = levelAbove(level);
    if (signal.action.escalate && !escalated && up) {
      e.emit('CaseEscalated', { fromLevel: level, toLevel: up, reason: 'clock-breach', clockKey: signal.clockKey });
      level = up;
      escalated = true;
    }
    const scoped = Department.safeParse(signal.scope);
    if (signal.action.supervise) {
      const department = accountableFor(state, signal.action, signal.scope);
      e.emit('SupervisionIssued', supervision(state, e, context, department, level, 'clock-breach', signal.clockKey));
    }
    const referral = scoped.success ? activeReferralOf(state, scoped.data) : undefined;
    if (referral && !referral.overdue) {
      e.emit('ReferralOverdue', { referralId: referral.referralId, department: referral.department });
    }
  }
  return e.done();
}

export function supervision(
  state: OpenCase,
  e: Emitter,
  context: DecisionContext,
  department: Department,
  level: Level,
  reason: 'clock-breach' | 'manual',
  clockKey?: string,
  note?: EventData<'SupervisionIssued'>['note'],
) {
  const accountableUnit = accountableUnitOf(state, department);
  const dueHours = ruleSetOf(state, context)?.supervisionDueHours ?? 72;
  return {
    noticeId: e.newId('SN'),
    department,
    accountableUnit,
    accountableHeadRole: 'principal-head' as const,
    level,
    reason,
    clockKey,
    dueAt: addHours(context.now, dueHours),
    note,
  };
}

export function escalateCase(state: OpenCase, cmd: CommandOf<'EscalateCase'>, e: Emitter): Decision {
  const ended = endedCase(state, 'EscalateCase');
  if (ended) return ended;
  const up = levelAbove(state.level);
  if (!up) return reject('illegal-state', 'escalation.at-top');
  return e.emit('CaseEscalated', { fromLevel: state.level, toLevel: up, reason: 'manual', note: cmd.data.note }).done();
}

export function issueSupervision(state: OpenCase, cmd: CommandOf<'IssueSupervision'>, e: Emitter, context: DecisionContext): Decision {
  if (state.status === 'closed') return reject('illegal-state', 'case.closed');
  return e
    .emit('SupervisionIssued', supervision(state, e, context, leadOf(state), state.level, 'manual', undefined, cmd.data.note))
    .done();
}

export function answerSupervision(state: OpenCase, cmd: CommandOf<'AnswerSupervision'>, e: Emitter, context: DecisionContext): Decision {
  const notice = state.supervision[cmd.data.noticeId];
  if (!notice) return reject('not-found', 'supervision.not-found', { noticeId: cmd.data.noticeId });
  const { actor } = context;
  if (actor.role === 'department-liaison' && actor.department !== notice.department) {
    return reject('forbidden', 'supervision.other-department', { actorDepartment: actor.department ?? '', department: notice.department });
  }
  if (notice.answered) return reject('illegal-state', 'supervision.already-answered', { noticeId: notice.noticeId });
  return e.emit('SupervisionAnswered', cmd.data).done();
}
