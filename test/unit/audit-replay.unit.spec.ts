// Replay for auditors: the timeline (actors, reasons, clock changes), the state as of a moment, the
// comparison with the workflow's view, and the dossier.
import { describe, expect, it } from 'vitest';
import { foldEvents } from '../../domain/case/index.js';
import { nextDueAt } from '../../domain/sla/index.js';
import { verifyChain } from '../../events/index.js';
import { compareWithWorkflow } from '../../audit/compare.js';
import { exportDossier } from '../../audit/dossier.js';
import { loadCase, stateAsOf, timeline } from '../../audit/replay.js';
import type { CaseView } from '../../workflows/messages.js';
import { DAY, decidedHistory, HOUR, iso, T0, toRecords } from './audit-fixtures.js';

const history = decidedHistory('case-1');
const entry = (type: string) => timeline(history).find((e) => e.type === type)!;

describe('timeline', () => {
  it('given the history, then one entry per event with time, sequence, type, actor and status change', () => {
    const entries = timeline(history);
    expect(entries.map((e) => e.sequence)).toEqual(history.map((e) => e.sequence));
    expect(entries[0]).toMatchObject({
      sequence: 1,
      occurredAt: iso(T0),
      type: 'CaseReceived',
      actor: { id: 'intake-clerk-1', role: 'intake-clerk' },
      status: { before: 'none', after: 'received' },
    });
    expect(entries[1]).toMatchObject({ type: 'CaseAccepted', status: { before: 'received', after: 'accepted' }, notes: ['属劳动争议'] });
  });

  it('given reasons and notes in the data, then they are listed', () => {
    expect(entry('CaseSuspended')).toMatchObject({ reason: 'awaiting-materials', notes: ['等待工资台账'] });
    expect(entry('ExtensionAgreed')).toMatchObject({ reason: '核对工资台账需要时间' });
    expect(entry('CaseEscalated')).toMatchObject({ reason: 'clock-breach' });
    expect(entry('SessionHeld').notes).toEqual(['双方陈述意见']);
  });

  it('given clock-moving events, then each lists the clock changes it caused', () => {
    const changes = (type: string) => entry(type).clockChanges.map((c) => `${c.clock} ${c.change}`);
    expect(changes('CaseReceived')).toEqual(['complaint-reply started', 'enterprise-committee-accept started']);
    expect(changes('CaseAccepted')).toEqual(['enterprise-committee-accept stopped', 'mediation-conclude started']);
    expect(changes('CaseSuspended')).toEqual(['mediation-conclude paused']);
    expect(changes('CaseResumed')).toEqual(['mediation-conclude resumed']);
    expect(changes('ExtensionAgreed')).toEqual(['mediation-conclude extended']);
    expect(changes('ClockBreached')).toEqual(['complaint-reply breached']);

    // Two days suspended move the due date by two days; the extension adds five more.
    expect(entry('CaseResumed').clockChanges[0]!.detail).toMatch(/^resumed: due 2025-03-18 → 2025-03-20 \(paused 2025-03-05T02:00:00.000Z → 2025-03-07T02:00:00.000Z\)$/);
    expect(entry('ExtensionAgreed').clockChanges[0]).toMatchObject({ detail: 'extended by 5 days: due 2025-03-20 → 2025-03-25', due: '2025-03-25' });
    const warned = timeline(history).filter((e) => e.type === 'ClockWarned').flatMap((e) => e.clockChanges.map((c) => `${c.clock} ${c.detail}`));
    expect(warned).toContain('complaint-reply warned at 50% (due 2025-03-10)');
    expect(warned).toContain('complaint-reply warned at 75% (due 2025-03-10)');
  });

  it('redacts personal data unless asked to show it', () => {
    const redacted = JSON.stringify(timeline(history)[0]!.data);
    expect(redacted).not.toContain('张三');
    expect(redacted).not.toContain('13800000000');
    expect(redacted).toContain('"ref":"person-1"');
    const shown = JSON.stringify(timeline(history, { showPersonalData: true })[0]!.data);
    expect(shown).toContain('张三');
  });
});

describe('state as of a moment', () => {
  it('given a moment before the receipt, then there is no case yet', () => {
    const r = stateAsOf(history, iso(T0 - 1));
    expect(r).toMatchObject({ sequence: 0, eventsApplied: 0, state: { status: 'none' }, clocks: [], nextEvent: { sequence: 1, type: 'CaseReceived' } });
  });

  it('given the exact moment of an event, then that event is included', () => {
    expect(stateAsOf(history, iso(T0 + HOUR))).toMatchObject({ sequence: 2, state: { status: 'accepted' } });
  });

  it('given a moment during the suspension, then the case is suspended and the mediation clock paused', () => {
    const r = stateAsOf(history, iso(T0 + 3 * DAY));
    expect(r.sequence).toBe(8);
    expect(r.state).toMatchObject({ status: 'in-mediation', suspended: { reason: 'awaiting-materials' } });
    const mediation = r.clocks.find((c) => c.clock === 'mediation-conclude')!;
    expect(mediation).toMatchObject({ status: 'paused', msLeft: null, due: '2025-03-18' });
    const reply = r.clocks.find((c) => c.clock === 'complaint-reply')!;
    // Due at the end of 10 March in Beijing (16:00Z); three days after T0 there are 4 days 14 hours left.
    expect(reply).toMatchObject({ status: 'running', dueAt: '2025-03-10T16:00:00.000Z', late: false, warningsDue: [] });
    expect(reply.msLeft).toBe(Date.parse('2025-03-10T16:00:00.000Z') - (T0 + 3 * DAY));
  });

  it('given a moment after the reply was due but before the clock check, then the clock is overdue, not yet breached', () => {
    const r = stateAsOf(history, iso(T0 + 9 * DAY));
    const reply = r.clocks.find((c) => c.clock === 'complaint-reply')!;
    expect(reply).toMatchObject({ status: 'running', late: true, breached: false, warningsDue: [0.5, 0.75], warned: [] });
    expect(reply.msLeft).toBeLessThan(0);
    expect(r.state).toMatchObject({ level: 'town' });
  });

  it('given a moment after the clock check, then the breaches, the escalation and the supervision are there', () => {
    const r = stateAsOf(history, iso(T0 + 10 * DAY));
    expect(r.sequence).toBe(25);
    expect(r.state).toMatchObject({ level: 'county' });
    expect(r.clocks.find((c) => c.clock === 'complaint-reply')).toMatchObject({ breached: true, warned: [0.5, 0.75] });
    if (r.state.status === 'none') throw new Error('no case');
    expect(Object.values(r.state.supervision).map((n) => n.reason)).toEqual(['clock-breach', 'clock-breach', 'clock-breach']);
  });

  it('given a moment after the last event, then the state is the fold of the whole history', () => {
    expect(stateAsOf(history, iso(T0 + 20 * DAY)).state).toEqual(foldEvents(history));
  });
});

function viewOf(events = history): CaseView {
  const state = foldEvents(events);
  const clocks = state.status === 'none' ? {} : state.clocks;
  return JSON.parse(
    JSON.stringify({ state, lastHash: events[events.length - 1]!.hash, publishedSequence: events.length, clocks, nextDueAt: nextDueAt(clocks) ?? null }),
  ) as CaseView;
}

describe('compare with the workflow', () => {
  it('given the view the workflow would report, then no difference', () => {
    expect(compareWithWorkflow(history, viewOf())).toMatchObject({ same: true, differences: [], replayedEvents: 26, replayedSequence: 26 });
  });

  it('given a workflow state that differs, then each differing path is listed', () => {
    const view = viewOf();
    if (view.state.status === 'none') throw new Error('no case');
    view.state.level = 'town';
    view.state.referrals['case-1/R-5']!.status = 'answered';
    view.clocks['mediation-conclude']!.due = '2025-03-26';
    const c = compareWithWorkflow(history, view);
    expect(c.same).toBe(false);
    expect(c.differences.map((d) => d.path)).toEqual(['state.level', 'state.referrals["case-1/R-5"].status', 'clocks["mediation-conclude"].due']);
    expect(c.differences).toEqual([
      { path: 'state.level', replayed: 'county', workflow: 'town' },
      { path: 'state.referrals["case-1/R-5"].status', replayed: 'open', workflow: 'answered' },
      { path: 'clocks["mediation-conclude"].due', replayed: '2025-03-25', workflow: '2025-03-26' },
    ]);
  });

  it('given a log missing its last event, then the head, the published sequence and the state differ', () => {
    const c = compareWithWorkflow(history.slice(0, -1), viewOf());
    expect(c.same).toBe(false);
    const paths = c.differences.map((d) => d.path);
    expect(paths.slice(0, 2)).toEqual(['lastHash', 'publishedSequence']);
    expect(c.differences[1]).toEqual({ path: 'publishedSequence', replayed: 25, workflow: 26 });
    expect(paths).toContain('state.version');
    expect(paths).toContain('state.sessions["case-1/S-7"].status');
  });
});

describe('dossier', () => {
  const loaded = loadCase('case-1', toRecords(history));
  const now = iso(T0 + 11 * DAY);

  it('given a case, then events as stored, verification, state, clocks as of now and the timeline', () => {
    const d = exportDossier(loaded, { source: 'test', now });
    expect(d).toMatchObject({ format: 'mediation-case-dossier', formatVersion: 1, caseId: 'case-1', exportedAt: now, personalData: 'redacted', notes: [] });
    expect(d.verification.ok).toBe(true);
    expect(d.state).toEqual(foldEvents(history));
    expect(d.timeline).toHaveLength(26);
    expect(d.clocks.find((c) => c.clock === 'mediation-conclude')).toMatchObject({ status: 'running', due: '2025-03-25' });
    expect(d.events[0]!.location).toEqual({ kind: 'kafka', topic: 'case-events', partition: 0, offset: '0' });
  });

  it('keeps the chain verifiable without personal data: the fields shrink to the commitment the hash covers', () => {
    const d = exportDossier(loaded, { source: 'test', now });
    const text = JSON.stringify(d);
    expect(text).not.toContain('张三');
    expect(text).not.toContain('13800000000');
    expect(verifyChain(d.events.map((e) => e.event))).toEqual({ ok: true });
    const shown = exportDossier(loaded, { source: 'test', now, showPersonalData: true });
    expect(shown.personalData).toBe('included');
    expect(JSON.stringify(shown)).toContain('张三');
  });
});
