// What must hold of every reachable case state. The property tests drive random command sequences
// through decide/evolve and call this after every step; a replay tool can call it too.
import { COLLECTIVE_THRESHOLD, LEVELS } from '../../events/vocabulary.js';
import { ENDED_STATUSES, OUTCOME_STATUSES, WORKING_STATUSES, type CaseState } from './state.js';

export function invariantViolations(state: CaseState): string[] {
  if (state.status === 'none') {
    return Object.keys(state).length === 1 ? [] : ['a state without a case has other fields'];
  }
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };

  check(Number.isInteger(state.version) && state.version >= 1, `version ${state.version} is not a positive integer`);
  check(LEVELS.includes(state.level), `unknown level ${state.level}`);
  check(state.collective === state.workerCount >= COLLECTIVE_THRESHOLD, 'collective must mean ≥ 10 workers');
  check(state.workerCount >= state.complainantRefs.length, 'fewer workers than listed complainants');
  check(!state.collective || state.collectiveAlerted, 'a collective dispute without a supervisor alert');
  check(!state.collective || state.priority === 'urgent', 'a collective dispute that is not urgent');

  const routedStatuses = ['routed', 'in-mediation', 'agreement', 'mediation-failed', 'referred-out'];
  check(!routedStatuses.includes(state.status) || state.route !== null, `status ${state.status} without a route`);
  check(state.route === null || state.disputeType !== null, 'a route without a dispute type');
  if (state.route) {
    check(!state.route.joiningDepartments.includes(state.route.leadDepartment), 'the lead department also joins');
    check(new Set(state.route.joiningDepartments).size === state.route.joiningDepartments.length, 'a department joins twice');
  }

  check(state.suspended === null || WORKING_STATUSES.includes(state.status), `suspended while ${state.status}`);

  const needsOutcome = [...OUTCOME_STATUSES, 'replied', 'closed'];
  check(needsOutcome.includes(state.status) === (state.outcome !== null), `status ${state.status} with outcome ${state.outcome}`);
  check(state.status !== 'agreement' || state.agreement !== null, 'status agreement without an agreement');
  check(state.outcome !== 'merged' || (state.status === 'closed' && state.mergedInto !== null), 'merged but not closed');
  check(state.status !== 'closed' || !state.recheckOpen, 'closed with a re-check open');
  check(!state.recheckOpen || state.status === 'replied', 're-check open outside the reply stage');
  check(state.feedbackScore === null || state.status === 'replied' || state.status === 'closed', 'feedback before a reply');

  if (state.agreement) {
    const { paidFen, totalAmountFen } = state.agreement;
    check(paidFen >= 0 && paidFen <= totalAmountFen, `paid ${paidFen} of ${totalAmountFen} fen`);
  }

  const active = Object.values(state.referrals).filter((r) => r.status === 'open' || r.status === 'accepted');
  const departments = active.map((r) => r.department);
  check(new Set(departments).size === departments.length, 'two active referrals to one department');
  for (const [id, referral] of Object.entries(state.referrals)) check(referral.referralId === id, `referral ${id} filed under another id`);
  for (const [id, session] of Object.entries(state.sessions)) check(session.sessionId === id, `session ${id} filed under another id`);
  for (const [id, notice] of Object.entries(state.supervision)) check(notice.noticeId === id, `notice ${id} filed under another id`);
  check(new Set(state.links).size === state.links.length && !state.links.includes(state.caseId), 'bad case links');

  for (const clock of Object.values(state.clocks)) {
    check(clock.status !== 'paused' || clock.pausedAt !== undefined, `clock ${clock.key} paused without a pause start`);
  }
  // A case that is over owes nothing that could escalate or bring supervision: no duty clock runs. The
  // parties' own windows (judicial confirmation, review request) may run on; they escalate nothing.
  if (caseIsOver(state)) {
    for (const clock of Object.values(state.clocks)) {
      const active = clock.status === 'running' || clock.status === 'paused';
      check(!active || !(clock.onBreach.escalate || clock.onBreach.supervise), `duty clock ${clock.key} still runs in a ${state.status} case`);
    }
  }
  // Each referral ends before its case does.
  if (state.status === 'closed' || state.status === 'withdrawn') {
    check(!active.some(() => true), `a ${state.status} case with referral ${active[0]?.referralId} still open`);
  }
  return problems;
}

/** Closed, withdrawn, rejected or merged: the case's own work is over. */
export function caseIsOver(state: Extract<CaseState, { caseId: string }>): boolean {
  return ENDED_STATUSES.includes(state.status) || state.mergedInto !== null;
}

export function assertInvariants(state: CaseState): void {
  const problems = invariantViolations(state);
  if (problems.length > 0) throw new Error(`case state breaks its invariants:\n- ${problems.join('\n- ')}`);
}
