// The policy table is data: these checks keep it consistent with DOMAIN.md and with the event catalogue.
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, eventCatalogue, Instant } from '../../events/index.js';
import { breachAction, policyById, slaPolicySet, slaPolicySet2025, type SlaPolicy, type Trigger } from '../../domain/sla/index.js';

const triggerLists = (p: SlaPolicy): Record<string, readonly Trigger[]> => ({
  start: p.start,
  stop: p.stop,
  pause: p.pause,
  resume: p.resume,
  reset: p.reset,
  cancel: p.cancel,
  extend: p.extend.map((e) => e.on),
});

describe('SLA policy set sla-2025.1', () => {
  it('has one policy per row of the deadline table, with its limit and unit', () => {
    const table = slaPolicySet.policies.map((p) => [p.id, p.limit, p.unit]);
    expect(table).toEqual([
      ['complaint-reply', 7, 'calendar-days'],
      ['negotiation-response', 5, 'calendar-days'],
      ['enterprise-committee-accept', 3, 'working-days'],
      ['mediation-conclude', 15, 'calendar-days'],
      ['judicial-confirmation-apply', 30, 'calendar-days'],
      ['court-confirmation-accept', 3, 'calendar-days'],
      ['court-confirmation-decide', 15, 'calendar-days'],
      ['arbitration-accept', 5, 'calendar-days'],
      ['arbitration-award', 45, 'calendar-days'],
      ['petition-register-route', 15, 'calendar-days'],
      ['petition-accept', 15, 'calendar-days'],
      ['referral-objection', 5, 'working-days'],
      ['petition-handle', 60, 'calendar-days'],
      ['review-request', 30, 'calendar-days'],
      ['review-decide', 30, 'calendar-days'],
    ]);
    expect(slaPolicySet.version).toBe('sla-2026.2');
    // The set before issue 9 stays, for the runs and audits of cases that started under it.
    expect(slaPolicySet2025.version).toBe('sla-2025.1');
    expect(slaPolicySet2025.policies.map((p) => p.id)).toEqual(slaPolicySet.policies.map((p) => p.id));
  });

  it('caps every extendable clock, says who approves, and cites the source of the ceiling', () => {
    const caps = Object.fromEntries(
      slaPolicySet.policies.flatMap((p) => p.extend.map((e) => [p.id, [e.maxTotalDays, e.approval, e.on.type]])),
    );
    expect(caps).toEqual({
      'mediation-conclude': [15, 'parties-consent', 'ExtensionAgreed'],
      'court-confirmation-decide': [10, 'head', 'ExtensionApproved'],
      'arbitration-award': [15, 'head', 'ExtensionApproved'],
      'petition-handle': [30, 'head', 'ExtensionApproved'],
    });
    for (const policy of slaPolicySet.policies) {
      for (const rule of policy.extend) {
        expect(rule.ceilingSource, policy.id).toBeTruthy();
        if (rule.approval === 'head') expect(rule.approver?.zh, policy.id).toBeTruthy();
      }
    }
    // The mediation ceiling is the centre's own policy, and says so.
    expect(policyById(slaPolicySet, 'mediation-conclude')?.extend[0]?.ceilingSource).toMatch(/本中心规定（可配置）/);
  });

  it.each(slaPolicySet.policies.map((p) => [p.id, p] as const))('%s: names, source, thresholds and starting events', (_id, p) => {
    expect(p.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(p.name.zh).not.toBe('');
    expect(p.name.en).not.toBe('');
    expect(p.source).not.toBe('');
    expect(p.warnAt).toEqual([0.5, 0.75]);
    expect(p.start.length).toBeGreaterThan(0);
  });

  it.each(slaPolicySet.policies.map((p) => [p.id, p] as const))('%s: triggers name real events and one event type plays one role', (_id, p) => {
    const seen = new Map<string, string>();
    for (const [role, triggers] of Object.entries(triggerLists(p))) {
      for (const t of triggers) {
        expect(EVENT_TYPES).toContain(t.type);
        const other = seen.get(t.type);
        // The same type may appear twice in one role (e.g. with different `where`), never in two roles.
        if (other !== undefined) expect(other).toBe(role);
        seen.set(t.type, role);
        if (t.whileActive !== undefined) expect(policyById(slaPolicySet, t.whileActive)?.scopeBy).toBeUndefined();
      }
    }
    expect(seen.has('ClockWarned') || seen.has('ClockBreached')).toBe(false);
  });

  it('takes a start moment from event data only where the statute says so, from a required instant field', () => {
    const startAts = slaPolicySet.policies.flatMap((p) =>
      Object.entries(triggerLists(p)).flatMap(([role, triggers]) =>
        triggers.flatMap((t) => (t.startAt === undefined ? [] : [{ policy: p.id, role, type: t.type, field: t.startAt }])),
      ),
    );
    // 人民调解法 第三十三条 counts from the agreement taking effect, not from when it was recorded.
    expect(startAts).toEqual([{ policy: 'judicial-confirmation-apply', role: 'start', type: 'AgreementReached', field: 'effectiveAt' }]);
    for (const { type, field } of startAts) {
      // The very schema, not .optional(): every such event carries the field, so the clock never falls back.
      expect((eventCatalogue[type].data.shape as Record<string, unknown>)[field]).toBe(Instant);
    }
  });

  it('escalates and supervises on every breach except the lapse of a party’s own time limit', () => {
    const quiet = slaPolicySet.policies.filter((p) => !breachAction(p).escalate).map((p) => p.id);
    expect(quiet).toEqual(['judicial-confirmation-apply', 'review-request']);
    for (const p of slaPolicySet.policies) expect(breachAction(p).supervise).toBe(breachAction(p).escalate);
  });

  it('scopes only the referral objection clock, by department', () => {
    const scoped = slaPolicySet.policies.filter((p) => p.scopeBy !== undefined).map((p) => [p.id, p.scopeBy]);
    expect(scoped).toEqual([['referral-objection', 'department']]);
    expect(policyById(slaPolicySet, 'referral-objection')?.onBreach.accountable).toBe('scope');
  });
});
