// decide(): mediation: sessions, extensions, suspension. Split from decide.ts along its section markers; decide.ts dispatches.
import { Department } from '../../../events/vocabulary.js';
import { chinaDateOf } from '../../calendar/index.js';
import { policyById } from '../clocks.js';
import type { ExtensionRule } from '../../sla/index.js';
import type { CaseCommand, CommandOf } from '../commands.js';
import { addHours, Emitter, isAfter, reject, type Decision, type DecisionContext } from '../decision.js';
import { defaultCasePolicy } from '../policy.js';
import { ENDED_STATUSES, WORKING_STATUSES, type OpenCase } from '../state.js';
import { needStatus, slaFor } from './helpers.js';

export function scheduleSession(state: OpenCase, cmd: CommandOf<'ScheduleSession'>, e: Emitter, context: DecisionContext): Decision {
  const wrong = needStatus(state, ['routed', 'in-mediation'], 'ScheduleSession');
  if (wrong) return wrong;
  if (isAfter(context.now, cmd.data.at)) return reject('validation', 'session.in-past');
  const horizon = (context.policy ?? defaultCasePolicy).sessionHorizonDays;
  if (isAfter(cmd.data.at, addHours(context.now, horizon * 24))) {
    return reject('validation', 'session.too-far', { days: horizon });
  }
  return e.emit('SessionScheduled', { sessionId: e.newId('S'), ...cmd.data }).done();
}

export function holdSession(state: OpenCase, cmd: CommandOf<'HoldSession'>, e: Emitter, context: DecisionContext): Decision {
  const wrong = needStatus(state, ['in-mediation'], 'HoldSession');
  if (wrong) return wrong;
  const session = state.sessions[cmd.data.sessionId];
  if (!session) return reject('not-found', 'session.not-found', { sessionId: cmd.data.sessionId });
  if (session.status === 'held') return reject('illegal-state', 'session.already-held', { sessionId: session.sessionId });
  if (isAfter(session.at, context.now)) return reject('illegal-state', 'session.not-yet', { sessionId: session.sessionId, at: session.at });
  return e.emit('SessionHeld', cmd.data).done();
}

/**
 * Extends the mediation's 15 days (第十四条), which only both parties together can do (浙江省条例 第十条),
 * within the centre's ceiling (domain/sla/policies.ts). Other bodies' clocks are extended by their head
 * (ApproveExtension), not by the parties.
 */
export function agreeExtension(state: OpenCase, cmd: CommandOf<'AgreeExtension'>, e: Emitter, context: DecisionContext): Decision {
  const { data } = cmd;
  const key = data.clock ?? 'mediation-conclude';
  const ended = endedCase(state, 'AgreeExtension');
  if (ended) return ended;
  const found = extensionRuleFor(state, key, context);
  if ('ok' in found) return found;
  if (found.rule.approval === 'head') {
    return reject('validation', 'extension.needs-head', { clock: key, approver: found.rule.approver?.en ?? 'the head', approverZh: found.rule.approver?.zh ?? '负责人' });
  }
  if (key === 'mediation-conclude') {
    const wrong = needStatus(state, ['routed', 'in-mediation'], 'AgreeExtension');
    if (wrong) return wrong;
  }
  if (!data.complainantConsents || !data.respondentConsents) return reject('validation', 'extension.needs-consent');
  const refused = extensionRefused(state, key, found.rule, data.days, context);
  if (refused) return refused;
  return e
    .emit('ExtensionAgreed', { days: data.days, clock: data.clock, consent: { complainant: true, respondent: true }, reason: data.reason })
    .done();
}

/**
 * 仲裁 (第四十三条), 信访 (第三十四条), 法院 (法释〔2011〕5号 第五条): the competent head approves an extension
 * with a written reason, and the parties are notified. The parties' consent is not asked.
 */
export function approveExtension(state: OpenCase, cmd: CommandOf<'ApproveExtension'>, e: Emitter, context: DecisionContext): Decision {
  const { data } = cmd;
  const ended = endedCase(state, 'ApproveExtension');
  if (ended) return ended;
  const found = extensionRuleFor(state, data.clock, context);
  if ('ok' in found) return found;
  if (found.rule.approval !== 'head') return reject('validation', 'extension.needs-consent-not-head', { clock: data.clock });
  const { actor } = context;
  const department = departmentOfClock(data.clock);
  if (actor.role === 'department-liaison' && department && actor.department !== department) {
    return reject('forbidden', 'extension.other-department', { actorDepartment: actor.department ?? '', department });
  }
  const refused = extensionRefused(state, data.clock, found.rule, data.days, context);
  if (refused) return refused;
  return e.emit('ExtensionApproved', data).done();
}

/** The department whose head extends a clock (the arbitration commission sits in hr). */
export function departmentOfClock(clock: string): Department | undefined {
  if (clock.startsWith('arbitration-')) return 'hr';
  if (clock.startsWith('petition-')) return 'petitions';
  if (clock.startsWith('court-')) return 'court';
  return undefined;
}

export function extensionRuleFor(state: OpenCase, key: string, context: DecisionContext): { rule: ExtensionRule } | Decision {
  const policy = policyById(slaFor(state, context).policies, key);
  const rule = policy?.extend[0];
  if (!policy || !rule) return reject('validation', 'extension.not-extendable', { clock: key });
  return { rule };
}

/** A clock that is not running, has breached, or would pass its ceiling cannot be extended. */
export function extensionRefused(state: OpenCase, key: string, rule: ExtensionRule, days: number, context: DecisionContext): Decision | null {
  const clock = state.clocks[key];
  if (!clock || (clock.status !== 'running' && clock.status !== 'paused')) return reject('illegal-state', 'extension.not-running', { clock: key });
  // The breach stands: an extension cannot revive a deadline that has passed.
  if (clock.breached || !isAfter(clock.dueAt, context.now)) return reject('illegal-state', 'extension.breached', { clock: key, dueAt: clock.dueAt });
  const granted = clock.extensions.reduce((sum, extension) => sum + extension.days, 0);
  if (rule.maxTotalDays !== undefined && granted + days > rule.maxTotalDays) {
    return reject('validation', 'extension.ceiling', { clock: key, max: rule.maxTotalDays, granted, source: rule.ceilingSource ?? '' });
  }
  return null;
}

/** Withdrawn, rejected and closed cases take no more escalation, suspension or extension. */
export function endedCase(state: OpenCase, command: CaseCommand['type']): Decision | null {
  if (!ENDED_STATUSES.includes(state.status)) return null;
  return reject('illegal-state', 'case.ended', { command, status: state.status });
}

export function suspendCase(state: OpenCase, cmd: CommandOf<'SuspendCase'>, e: Emitter, context: DecisionContext): Decision {
  const ended = endedCase(state, 'SuspendCase');
  if (ended) return ended;
  const wrong = needStatus(state, WORKING_STATUSES, 'SuspendCase');
  if (wrong) return wrong;
  const { expectedEndOn } = cmd.data;
  if (expectedEndOn !== undefined && expectedEndOn < chinaDateOf(context.now)) {
    return reject('validation', 'suspension.end-in-past', { date: expectedEndOn });
  }
  return e.emit('CaseSuspended', cmd.data).done();
}

export function resumeCase(state: OpenCase, cmd: CommandOf<'ResumeCase'>, e: Emitter): Decision {
  if (!state.suspended) return reject('illegal-state', 'suspension.not-suspended');
  return e.emit('CaseResumed', { note: cmd.data.note }).done();
}
