// A duty clock breaches, escalates the case and supervises a department's head. That is only fair when the
// centre could have stopped it: for every duty clock of every SLA policy, in every state where it is
// running, the commands decide() accepts then (by whichever staff role or department may send them) must
// include one that stops it — or, for a clock that measures the whole handling (信访办结 ends with the
// closing), a short run of such commands, with no time passing. And a clock that is the first stage of
// another (acceptance, then decision) must be stoppable by the act that starts the next stage: deciding at
// once is not a way to meet 3 days to accept. Checked over generated case histories (the core driven as the
// workflow drives it) and over the usual route where court and hr sit in the mediation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowedRoles } from '../../domain/case/authority.js';
import { probesFor } from '../../domain/case/available.js';
import { COMMAND_TYPES, type CaseCommand, type CommandType } from '../../domain/case/commands.js';
import { decide } from '../../domain/case/decide.js';
import { evolve, foldEvents } from '../../domain/case/evolve.js';
import type { CaseState, OpenCase } from '../../domain/case/state.js';
import { isDuty, slaPolicySet } from '../../domain/sla/index.js';
import { type Actor, type CaseEvent, type UnsealedEvent } from '../../events/schemas.js';
import { Department } from '../../events/vocabulary.js';
import { agreementEvent, AGREEMENT_ID, at, CASE_ID, closed, days, ev, routed, SESSION_ID, T0 } from '../../testkit/case-fixtures.js';
import { toHistory } from '../support/decider-spec.js';
import { generateCases } from '../../testkit/history-generator.js';

/** Commands people do not send, or that name another case (their target is looked up outside the core). */
const NOT_TRIED: ReadonlySet<CommandType> = new Set<CommandType>(['ReceiveCase', 'CheckClocks', 'ErasePersonalData', 'MergeCase', 'RecordMergedDuplicate', 'LinkCase']);
const STAFF_ROLES = ['mediator', 'intake-clerk', 'supervisor', 'complainant', 'system'] as const;

interface Candidate {
  command: CaseCommand;
  actor: Actor;
}

/** The dry run's probes (domain/case/available.ts), with the department a liaison would act for. */
function probes(type: CommandType, s: OpenCase, now: string): { data: Record<string, unknown>; department?: Department }[] {
  return probesFor(type, s, now).map((p) => ({ data: p.data, ...(p.target?.department ? { department: p.target.department } : {}) }));
}

/** Every command the centre (staff, liaisons, the system) could send now, each with every role allowed to. */
function candidates(s: OpenCase, now: string): Candidate[] {
  const out: Candidate[] = [];
  for (const type of COMMAND_TYPES) {
    if (NOT_TRIED.has(type)) continue;
    const roles = allowedRoles[type];
    for (const probe of probes(type, s, now)) {
      const command = { type, caseId: s.caseId, data: probe.data } as CaseCommand;
      for (const role of STAFF_ROLES) {
        if (!roles.includes(role)) continue;
        const id = role === 'complainant' ? s.complainantRefs[0] : `${role}-1`;
        if (id) out.push({ command, actor: { id, role } });
      }
      if (roles.includes('department-liaison')) {
        for (const department of probe.department ? [probe.department] : Department.options) {
          out.push({ command, actor: { id: `liaison-${department}`, role: 'department-liaison', department } });
        }
      }
    }
  }
  return out;
}

/** The states each accepted command leads to (decided and folded as the workflow does). */
function successors(s: OpenCase, now: string): { label: string; state: OpenCase }[] {
  const out: { label: string; state: OpenCase }[] = [];
  for (const { command, actor } of candidates(s, now)) {
    const decision = decide(s, command, { now, actor, commandId: `try-${command.type}`, correlationId: 'try' });
    if (!decision.ok) continue;
    const next = decision.events.reduce<CaseState>((folded, event: UnsealedEvent) => evolve(folded, event), s);
    if (next.status !== 'none') out.push({ label: `${command.type} by ${actor.department ?? actor.role}`, state: next });
  }
  return out;
}

const runningDuties = (s: OpenCase): string[] =>
  Object.values(s.clocks)
    .filter((c) => c.status === 'running' && isDuty(c))
    .map((c) => c.key);

/**
 * The running duty clocks of a state that no run of at most `depth` accepted commands stops (breadth first,
 * no time passing). Every accepted command is tried at each level; states that differ only in what no rule
 * here reads (ids, texts, who acted) are explored once.
 */
function unstoppable(s: OpenCase, now: string, depth: number): string[] {
  let open = runningDuties(s);
  let frontier: OpenCase[] = [s];
  for (let level = 1; level <= depth && open.length > 0; level++) {
    const next: OpenCase[] = [];
    const seen = new Set<string>();
    for (const state of frontier) {
      for (const { label, state: after } of successors(state, now)) {
        open = open.filter((key) => after.clocks[key]?.status !== 'stopped');
        const notices = Object.values(after.supervision).filter((n) => !n.answered).length;
        const referrals = Object.values(after.referrals).map((r) => `${r.department}:${r.status}`).sort().join(',');
        const shape = `${after.status}|${after.suspended ? 1 : 0}|${after.recheckOpen ? 1 : 0}|${notices}|${after.repliesSent}|${after.feedbackScore}|${referrals}|${Object.values(after.clocks).map((c) => `${c.key}:${c.status}`).join(',')}`;
        void label;
        if (!seen.has(shape)) {
          seen.add(shape);
          next.push(after);
        }
      }
      if (open.length === 0) break;
    }
    frontier = next;
  }
  return open;
}

/**
 * The next stage of a duty clock: the policies whose start waits for it (`whileActive`), e.g. the court's
 * 15 days to decide start at its acceptance, counted while the 3 days to accept run.
 */
const followers = (policyId: string): string[] =>
  slaPolicySet.policies.filter((p) => (p.onBreach.escalate || p.onBreach.supervise) && p.start.some((t) => t.whileActive === policyId)).map((p) => p.id);

/**
 * The running duty clocks with a next stage that no single accepted command ends by starting that stage.
 * Deciding early (a judicial confirmation granted) also stops an acceptance clock, but the acceptance is an
 * act of its own that the body must be able to record within its days, and it is what starts the next.
 */
function stagesNotReachable(s: OpenCase, now: string): string[] {
  const staged = runningDuties(s).filter((key) => followers(s.clocks[key]!.policyId).length > 0);
  if (staged.length === 0) return [];
  const after = successors(s, now).map((x) => x.state);
  return staged.filter(
    (key) =>
      !after.some(
        (next) =>
          next.clocks[key]?.status === 'stopped' &&
          followers(s.clocks[key]!.policyId).some((f) => next.clocks[f]?.status === 'running' && next.clocks[f]?.startedAt === now),
      ),
  );
}

/**
 * What the commands' rules read of a state, and the duty clocks running in it: two states alike in all of
 * it offer the same commands with the same effect on those clocks, so one of them is checked.
 */
function shapeOf(s: OpenCase): string {
  return JSON.stringify([
    s.status,
    s.channel === 'petition-transfer',
    s.suspended !== null,
    s.recheckOpen,
    s.route?.leadDepartment ?? null,
    s.reopenCount,
    s.repliesSent > 0,
    s.feedbackScore,
    s.mergedInto,
    s.agreement ? [s.agreement.judicial, s.agreement.paidFen < s.agreement.totalAmountFen] : null,
    Object.values(s.sessions).map((x) => x.status).sort(),
    Object.values(s.referrals).map((r) => `${r.department}:${r.status}:${r.overdue}`).sort(),
    Object.values(s.supervision).map((n) => `${n.department}:${n.answered}`).sort(),
    Object.values(s.clocks).map((c) => `${c.key}:${c.status}`).sort(),
  ]);
}
const checked = new Map<string, string[]>();

/** Checks every state of a history in which a duty clock runs; returns the clocks no command could stop. */
function holesIn(events: readonly (CaseEvent | UnsealedEvent)[]): string[] {
  const holes: string[] = [];
  let state: CaseState = { status: 'none' };
  for (const event of events) {
    state = evolve(state, event);
    if (state.status === 'none' || runningDuties(state).length === 0) continue;
    const now = new Date(Date.parse(event.occurredAt) + 60_000).toISOString();
    const shape = shapeOf(state);
    let open = checked.get(shape);
    if (open === undefined) {
      open = [...unstoppable(state, now, 6), ...stagesNotReachable(state, now).map((key) => `${key} (its next stage cannot start)`)];
      checked.set(shape, open);
    }
    for (const key of open) holes.push(`${event.caseId} after #${event.sequence} ${event.type} (${state.status}): ${key}`);
  }
  return holes;
}

// The usual route of DOMAIN.md: court and hr join the mediation and accept their referrals; then either an
// agreement and an application for judicial confirmation, or a failure and an arbitration application.
const joined = [
  ...routed,
  ev('ReferralAccepted', { referralId: `${CASE_ID}/R-5`, department: 'hr' }),
  ev('ReferralAccepted', { referralId: `${CASE_ID}/R-6`, department: 'court' }),
  ev('SessionScheduled', { sessionId: SESSION_ID, at: at(T0, days(2)), place: '调解室', departments: ['union', 'hr', 'court'] }),
  ev('SessionHeld', { sessionId: SESSION_ID, outcome: 'progress', minutes: '-', departmentOpinions: [] }),
];
const usualRoutes = {
  'judicial confirmation': toHistory([...joined, agreementEvent, ev('JudicialConfirmationRequested', { agreementId: AGREEMENT_ID, court: '-', jointApplication: true })]),
  arbitration: toHistory([...joined, ev('MediationFailed', { reason: 'no-agreement' }), ev('ReferredToArbitration', { commission: '-' })]),
  // A review (复查) requested after closure: its 30-day decision clock.
  review: toHistory([...closed, ev('CaseReopened', { reason: 'recheck', note: '申请复查' }), ev('RecheckOpened', { reason: 'review-request' })]),
};

describe('no duty clock runs that the centre has no command to stop', () => {
  it('covers every duty policy of the current set (each can start in the histories checked below)', () => {
    const duties = slaPolicySet.policies.filter((p) => p.onBreach.escalate || p.onBreach.supervise).map((p) => p.id);
    const started = new Set<string>();
    for (const events of [...Object.values(usualRoutes), ...[...generateCases({ cases: 150, seed: 21 })].map((c) => c.events)]) {
      const state = foldEvents(events);
      if (state.status !== 'none') for (const c of Object.values(state.clocks)) started.add(c.policyId);
    }
    expect(duties.filter((id) => !started.has(id))).toEqual([]);
  });

  it.each(Object.entries(usualRoutes))('in the usual route ending in %s (court and hr sitting in the mediation)', (_name, events) => {
    expect(holesIn(events)).toEqual([]);
  });

  it('in every state of generated case histories', { timeout: 240_000 }, () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (seed) => {
        for (const generated of generateCases({ cases: 5, seed, until: '2026-06-30T16:00:00.000Z' })) {
          expect(holesIn(generated.events)).toEqual([]);
        }
      }),
      { numRuns: 4, seed: 2112 },
    );
  });
});
