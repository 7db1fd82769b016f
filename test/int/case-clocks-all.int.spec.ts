// The SLA clocks of DOMAIN.md on the time-skipping test server, each driven through a real case: a warning
// at 50% and at 75% of the period and the breach, each at its moment (nothing a minute before, the event a
// minute after); a breach escalates the case one level and issues supervision (督办) to the accountable
// department, except for the parties' own time limits. Then suspension (paused time is not counted),
// extension (only with both parties' consent), the 30-day judicial-confirmation window, and the referral
// OLA carried by the referral child workflow.
//
// Each test gets its own test server, which starts at the real time (so no test inherits the days another
// slept through), and sleeps at most ~31 days: run before December 2026, every date stays inside the
// calendar's loaded years (to 2026). Not covered, for that reason: the breaches of the 45-day arbitration
// award and the 60-day petition handling, which would fall in 2027 (on provisional dates).
//
// The expected schedule of each clock is computed here from DOMAIN.md's table (limit and unit) on the
// calendar data, independently of the SLA module: warnings at the end of the China day on which
// floor(threshold × limit) counted days have passed, the due day moved off rest days for calendar days.
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { addDays, chinaCalendar, chinaDateOf, endOfChinaDay, provisionalExtension, type IsoDate, type PeriodUnit } from '../../domain/calendar/index.js';
import type { OpenStatus } from '../../domain/case/state.js';
import type { SlaClock } from '../../domain/sla/index.js';
import { verifyChain, type Department, type Level } from '../../events/index.js';
import { caseViewQuery, referralViewQuery, referralWorkflowId, type CaseView, type CaseWorkflowInput } from '../../workflows/messages.js';
import { clerk, mediator, receiveInput, request } from '../../testkit/cases.js';
import {
  acceptReferral,
  answerReferral,
  closeCase,
  command,
  holdSession,
  intake,
  liaison,
  recordAgreement,
  recordFeedback,
  rejected,
  runPath,
  scheduleSession,
  sendReply,
  sleep,
  type Step,
} from '../support/paths.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { createTopic } from '../support/temporal.js';
import { caseEventsOnTopic, settledView, startCaseEnv, type CaseEnv, type CaseHandle, type TopicEvent } from '../support/time-skipping.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const LEVELS: readonly Level[] = ['enterprise', 'town', 'county'];
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const chinaDate = (ms: number) => chinaDateOf(new Date(ms).toISOString());
/** Noon in China on a China date. */
const chinaNoon = (d: IsoDate) => Date.parse(`${d}T04:00:00.000Z`);

// ------------------------------------------------------------------ the expected schedule (oracle)

// The calendar data (and past its last year, weekends and the fixed-date holidays, as the clocks count then).
const calendar = provisionalExtension(chinaCalendar);

/** The n-th counted day after `from`; days after `skip.after` up to `skip.through` are not counted. */
function nthDay(from: IsoDate, n: number, unit: PeriodUnit, skip?: { after: IsoDate; through: IsoDate }): IsoDate {
  let d = from;
  for (let counted = 0; counted < n; ) {
    d = addDays(d, 1);
    if (skip && d > skip.after && d <= skip.through) continue;
    if (unit === 'working-days' && !calendar.isWorkingDay(d)) continue;
    counted++;
  }
  return d;
}

function dueDay(from: IsoDate, n: number, unit: PeriodUnit, skip?: { after: IsoDate; through: IsoDate }): IsoDate {
  let due = nthDay(from, n, unit, skip);
  // 民法典 第二百零三条: a period in calendar days that ends on a rest day ends on the next working day.
  if (unit === 'calendar-days') while (!calendar.isWorkingDay(due)) due = addDays(due, 1);
  return due;
}

function expectedSchedule(startedAt: string, limit: number, unit: PeriodUnit) {
  const from = chinaDateOf(startedAt);
  return {
    warnAt: [0.5, 0.75].map((threshold) => ({ threshold, at: endOfChinaDay(nthDay(from, Math.floor(threshold * limit), unit)) })),
    dueAt: endOfChinaDay(dueDay(from, limit, unit)),
  };
}

// ------------------------------------------------------------------ scenarios

interface ClockUnderTest {
  key: string;
  /** From DOMAIN.md's deadline table. */
  limit: number;
  unit: PeriodUnit;
  /** The department whose head gets the 督办 on breach; null: a party's own limit, the breach escalates nothing. */
  supervised: Department | null;
}

interface ClockScenario {
  input: (caseId: string) => CaseWorkflowInput;
  setup: (caseId: string, startMs: number) => Step[];
  clocks: ClockUnderTest[];
  /** The case's status throughout the clocks' run (checked at every moment). */
  status?: OpenStatus;
}

/** A routed wage-arrears case whose referrals are answered, with an agreement and the reply sent. */
function agreedAndReplied(caseId: string, startMs: number): Step[] {
  return [
    ...intake(caseId, 'wage-arrears'),
    answerReferral(caseId, 'hr', '已核实欠薪'),
    answerReferral(caseId, 'court', '可申请支付令'),
    scheduleSession(caseId, startMs + HOUR, ['union']),
    sleep('61 minutes', 'a session is held at or after its scheduled time'),
    holdSession(caseId),
    recordAgreement(caseId, [{ dueOn: chinaDate(startMs + 10 * DAY), amountFen: 800_000 }]),
    sendReply(caseId),
  ];
}

const requestConfirmation = (caseId: string) =>
  command(request({ type: 'RequestJudicialConfirmation', caseId, data: { court: '城关人民法庭', jointApplication: true } }, mediator));
const acceptApplication = (caseId: string, application: 'judicial-confirmation' | 'arbitration') =>
  command(request({ type: 'AcceptApplication', caseId, data: { application } }, liaison(application === 'arbitration' ? 'hr' : 'court')));

/** The usual route: court and hr join the mediation and accept their referrals; agreement; reply. */
function joinedAgreedAndReplied(caseId: string, startMs: number): Step[] {
  return [
    ...intake(caseId, 'wage-arrears'),
    acceptReferral(caseId, 'hr'),
    acceptReferral(caseId, 'court'),
    scheduleSession(caseId, startMs + HOUR, ['union', 'hr']),
    sleep('61 minutes', 'a session is held at or after its scheduled time'),
    holdSession(caseId),
    recordAgreement(caseId, [{ dueOn: chinaDate(startMs + 10 * DAY), amountFen: 800_000 }]),
    sendReply(caseId),
  ];
}

const scenarios: Record<string, ClockScenario> = {
  'complaint-reply (7 days) and mediation-conclude (15 days)': {
    input: (caseId) => receiveInput(caseId),
    setup: (caseId) => [command(request({ type: 'AcceptCase', caseId, data: {} }, clerk))],
    clocks: [
      { key: 'complaint-reply', limit: 7, unit: 'calendar-days', supervised: 'union' },
      { key: 'mediation-conclude', limit: 15, unit: 'calendar-days', supervised: 'union' },
    ],
  },
  'enterprise-committee-accept (3 working days)': {
    input: (caseId) => receiveInput(caseId),
    setup: () => [],
    clocks: [{ key: 'enterprise-committee-accept', limit: 3, unit: 'working-days', supervised: 'union' }],
  },
  'negotiation-response (5 days)': {
    input: (caseId) => receiveInput(caseId),
    setup: (caseId) => [...intake(caseId, 'wage-arrears'), answerReferral(caseId, 'hr', '已核实'), answerReferral(caseId, 'court', '可申请支付令')],
    clocks: [{ key: 'negotiation-response', limit: 5, unit: 'calendar-days', supervised: 'union' }],
  },
  'court-confirmation-accept (3 days)': {
    input: (caseId) => receiveInput(caseId),
    setup: (caseId, startMs) => [...agreedAndReplied(caseId, startMs), requestConfirmation(caseId)],
    clocks: [{ key: 'court-confirmation-accept', limit: 3, unit: 'calendar-days', supervised: 'court' }],
  },
  // The court sits in the mediation with its referral accepted: its acceptance of the application is its own act.
  'court-confirmation-decide (15 days), the court having joined the mediation': {
    input: (caseId) => receiveInput(caseId),
    setup: (caseId, startMs) => [...joinedAgreedAndReplied(caseId, startMs), requestConfirmation(caseId), acceptApplication(caseId, 'judicial-confirmation')],
    clocks: [{ key: 'court-confirmation-decide', limit: 15, unit: 'calendar-days', supervised: 'court' }],
  },
  'arbitration-award (45 days), hr having joined the mediation': {
    input: (caseId) => receiveInput(caseId),
    setup: (caseId, startMs) => [
      ...intake(caseId, 'wage-arrears'),
      acceptReferral(caseId, 'hr'),
      answerReferral(caseId, 'court', '可申请支付令'),
      scheduleSession(caseId, startMs + HOUR, ['union', 'hr']),
      sleep('61 minutes', 'a session is held at or after its scheduled time'),
      holdSession(caseId),
      command(request({ type: 'RecordMediationFailure', caseId, data: { reason: 'no-agreement' } }, mediator)),
      command(request({ type: 'ReferToArbitration', caseId, data: { commission: '县劳动人事争议仲裁委员会' } }, mediator)),
      acceptApplication(caseId, 'arbitration'),
      sendReply(caseId, '已引导申请仲裁'),
    ],
    clocks: [{ key: 'arbitration-award', limit: 45, unit: 'calendar-days', supervised: 'hr' }],
  },
  'arbitration-accept (5 days)': {
    input: (caseId) => receiveInput(caseId),
    setup: (caseId, startMs) => [
      ...intake(caseId, 'wage-arrears'),
      answerReferral(caseId, 'hr', '已核实'),
      answerReferral(caseId, 'court', '可申请支付令'),
      scheduleSession(caseId, startMs + HOUR, ['union']),
      sleep('61 minutes', 'a session is held at or after its scheduled time'),
      holdSession(caseId),
      command(request({ type: 'RecordMediationFailure', caseId, data: { reason: 'no-agreement' } }, mediator)),
      command(request({ type: 'ReferToArbitration', caseId, data: { commission: '县劳动人事争议仲裁委员会' } }, mediator)),
      sendReply(caseId, '已引导申请仲裁'),
    ],
    clocks: [{ key: 'arbitration-accept', limit: 5, unit: 'calendar-days', supervised: 'hr' }],
  },
  'petition-register-route and petition-accept (15 days each)': {
    input: (caseId) => receiveInput(caseId, { channel: 'petition-transfer', petitionRef: 'XF-2026-001123' }),
    setup: () => [],
    clocks: [
      { key: 'petition-register-route', limit: 15, unit: 'calendar-days', supervised: 'petitions' },
      { key: 'petition-accept', limit: 15, unit: 'calendar-days', supervised: 'union' },
    ],
  },
  // A closed case keeps the party's own limits running: the parties may still apply for judicial
  // confirmation, and its lapse is recorded while the case stays closed.
  'judicial-confirmation-apply after the case is closed': {
    input: (caseId) => receiveInput(caseId),
    setup: (caseId, startMs) => [...agreedAndReplied(caseId, startMs), recordFeedback(caseId, 5), closeCase(caseId)],
    clocks: [{ key: 'judicial-confirmation-apply', limit: 30, unit: 'calendar-days', supervised: null }],
    status: 'closed',
  },
  // The petitioner's 30 days to request a review (复查) start when the handled petition is closed. (The petition
  // is accepted into its 60-day handling clock, which ends in 2027: counted provisionally.)
  'review-request (30 days) after a handled petition is closed': {
    input: (caseId) => receiveInput(caseId, { channel: 'petition-transfer', petitionRef: 'XF-2026-001124' }),
    setup: (caseId, startMs) => [...agreedAndReplied(caseId, startMs), recordFeedback(caseId, 5), closeCase(caseId)],
    clocks: [
      { key: 'review-request', limit: 30, unit: 'calendar-days', supervised: null },
      { key: 'judicial-confirmation-apply', limit: 30, unit: 'calendar-days', supervised: null },
    ],
    status: 'closed',
  },
  // A review request (复查) after closure reopens the case with a re-check. The judicial-confirmation window of
  // the agreement, started the same day, runs alongside: it lapses in the same check, escalating nothing.
  'review-decide (30 days), alongside judicial-confirmation-apply': {
    input: (caseId) => receiveInput(caseId),
    setup: (caseId, startMs) => [
      ...agreedAndReplied(caseId, startMs),
      recordFeedback(caseId, 4),
      closeCase(caseId),
      command(request({ type: 'ReopenCase', caseId, data: { reason: 'recheck', note: '申请人请求复查' } }, mediator)),
    ],
    clocks: [
      { key: 'review-decide', limit: 30, unit: 'calendar-days', supervised: 'union' },
      { key: 'judicial-confirmation-apply', limit: 30, unit: 'calendar-days', supervised: null },
    ],
  },
};

// ------------------------------------------------------------------ the generic clock run

function levelBefore(events: TopicEvent[], sequence: number): Level {
  let level: Level = 'enterprise';
  for (const e of events) {
    if (e.sequence >= sequence) break;
    if (e.type === 'CaseReceived') level = (e.data.respondent as { level: Level }).level;
    if (e.type === 'CaseRouted') level = e.data.level as Level;
    if (e.type === 'CaseEscalated') level = e.data.toLevel as Level;
  }
  return level;
}

function signalled(view: CaseView, key: string, threshold: number): boolean {
  const clock = view.clocks[key];
  return threshold === 1 ? clock?.breached === true || clock?.status === 'lapsed' : (clock?.warned.includes(threshold) ?? false);
}

/** The events of a clock on the topic, and what its breach brought with it in the same clock check. */
function expectClockEvents(events: TopicEvent[], c: ClockUnderTest, clock: SlaClock): { breach: TopicEvent; batch: TopicEvent[] } {
  const warned = events.filter((e) => e.type === 'ClockWarned' && e.data.clockKey === c.key);
  // A duty breaches; a party's window (nobody supervised) lapses, and is never recorded as a breach.
  const breached = events.filter((e) => e.type === (c.supervised ? 'ClockBreached' : 'ClockLapsed') && e.data.clockKey === c.key);
  expect(events.filter((e) => e.type === (c.supervised ? 'ClockLapsed' : 'ClockBreached') && e.data.clockKey === c.key), `${c.key}`).toEqual([]);
  expect(warned.map((e) => [e.data.threshold, e.data.at]), `${c.key} warnings`).toEqual(clock.warnAt.map((w) => [w.threshold, w.at]));
  expect(breached.map((e) => e.data.at), `${c.key} breach`).toEqual([clock.dueAt]);
  for (const e of [...warned, ...breached]) {
    const late = Date.parse(e.occurredAt) - Date.parse(e.data.at as string);
    expect(late, `${e.type} ${c.key} recorded ${late} ms after its moment`).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(MINUTE);
  }
  const breach = breached[0]!;
  expect(warned[0]!.sequence).toBeLessThan(warned[1]!.sequence);
  expect(warned[1]!.sequence).toBeLessThan(breach.sequence);

  const batch = events.filter((e) => e.causationId === breach.causationId);
  expect(batch.every((e) => e.actor && (e.actor as { role: string }).role === 'system')).toBe(true);
  const from = levelBefore(events, batch[0]!.sequence);
  const up = LEVELS[LEVELS.indexOf(from) + 1];
  const escalations = batch.filter((e) => e.type === 'CaseEscalated').map((e) => [e.data.fromLevel, e.data.toLevel, e.data.reason]);
  const notices = batch.filter((e) => e.type === 'SupervisionIssued' && e.data.clockKey === c.key);
  if (c.supervised) {
    // Several breaches in one check raise the case one level, not several.
    expect(escalations, `${c.key}: escalation`).toEqual(up ? [[from, up, 'clock-breach']] : []);
    expect(notices.map((e) => [e.data.department, e.data.reason, e.data.level]), `${c.key}: supervision`).toEqual([[c.supervised, 'clock-breach', up ?? from]]);
  } else {
    expect(notices, `${c.key}: no supervision`).toEqual([]);
    expect(batch.filter((e) => e.type === 'CaseEscalated' && e.data.clockKey === c.key)).toEqual([]);
  }
  return { breach, batch };
}

interface ScenarioRun {
  caseId: string;
  handle: CaseHandle;
  view: CaseView & { state: { version: number } };
  events: TopicEvent[];
  clocks: Map<string, SlaClock>;
}

async function runClockScenario(ce: CaseEnv, scenario: ClockScenario): Promise<ScenarioRun> {
  const caseId = uniqueName('MC');
  const startMs = await ce.now();
  const handle = await ce.startCase(scenario.input(caseId));
  await runPath(handle, { steps: scenario.setup(caseId, startMs) }, ce.env);
  let view = await settledView(handle);

  const clocks = new Map<string, SlaClock>();
  for (const c of scenario.clocks) {
    const clock = view.clocks[c.key];
    if (!clock) throw new Error(`clock ${c.key} did not start (clocks: ${Object.keys(view.clocks).join(', ')})`);
    expect({ status: clock.status, limit: clock.limit, unit: clock.unit, warned: clock.warned, breached: clock.breached }).toEqual({
      status: 'running',
      limit: c.limit,
      unit: c.unit,
      warned: [],
      breached: false,
    });
    expect({ warnAt: clock.warnAt, dueAt: clock.dueAt }, `${c.key} schedule`).toEqual(expectedSchedule(clock.startedAt, c.limit, c.unit));
    clocks.set(c.key, clock);
  }

  const moments = scenario.clocks.flatMap((c) => {
    const clock = clocks.get(c.key)!;
    return [...clock.warnAt.map((w) => ({ key: c.key, at: Date.parse(w.at), threshold: w.threshold })), { key: c.key, at: Date.parse(clock.dueAt), threshold: 1 }];
  });
  for (const at of [...new Set(moments.map((m) => m.at))].sort((a, b) => a - b)) {
    await ce.sleepUntil(at - MINUTE);
    view = await settledView(handle);
    if (scenario.status) expect(view.state.status).toBe(scenario.status);
    for (const m of moments.filter((m) => m.at >= at)) {
      expect(signalled(view, m.key, m.threshold), `${m.key} ${m.threshold} a minute before ${new Date(m.at).toISOString()}`).toBe(false);
    }
    await ce.sleepUntil(at + MINUTE);
    view = await settledView(handle);
    if (scenario.status) expect(view.state.status).toBe(scenario.status);
    for (const m of moments.filter((m) => m.at <= at)) {
      expect(signalled(view, m.key, m.threshold), `${m.key} ${m.threshold} a minute after ${new Date(m.at).toISOString()}`).toBe(true);
    }
  }

  const events = await caseEventsOnTopic(ce, caseId, view.state.version);
  expect(events.map((e) => e.sequence)).toEqual(range(view.state.version));
  expect(verifyChain(events, { head: { sequence: view.state.version, hash: view.lastHash } })).toEqual({ ok: true });
  for (const c of scenario.clocks) expectClockEvents(events, c, clocks.get(c.key)!);
  return { caseId, handle, view, events, clocks };
}

async function settledState(handle: CaseHandle) {
  const view = await settledView(handle);
  if (view.state.status === 'none') throw new Error('no case');
  return { view, state: view.state };
}

// ------------------------------------------------------------------ tests

describeWithStack('SLA clocks of a case on the time-skipping test server', () => {
  const topic = uniqueName('case_events');
  let ce: CaseEnv;

  beforeAll(async () => {
    await createTopic(stack!.kafkaBrokers, topic);
  });
  beforeEach(async () => {
    ce = await startCaseEnv({ testServerPath: stack!.testServerPath, brokers: stack!.kafkaBrokers, topic });
  });
  afterEach(async () => {
    await ce?.stop();
  });

  for (const [name, scenario] of Object.entries(scenarios)) {
    const breach = scenario.clocks.some((c) => c.supervised) ? 'the breach escalates one level and supervises' : 'the breach escalates nothing';
    it(`${name}: warnings at 50% and 75%, ${breach}`, async () => {
      await runClockScenario(ce, scenario);
    });
  }

  it('judicial-confirmation-apply (30 days): a party limit — it lapses, escalating nothing; a request after it is refused', async () => {
    const run = await runClockScenario(ce, {
      input: (caseId) => receiveInput(caseId),
      setup: agreedAndReplied,
      clocks: [{ key: 'judicial-confirmation-apply', limit: 30, unit: 'calendar-days', supervised: null }],
    });
    // Nothing but this clock was running: the lapse came alone, and no breach is on record.
    const lapse = run.events.find((e) => e.type === 'ClockLapsed')!;
    expect(run.events.filter((e) => e.causationId === lapse.causationId).map((e) => e.type)).toEqual(['ClockLapsed']);
    expect(run.events.filter((e) => e.type === 'ClockBreached')).toEqual([]);
    expect(run.view.clocks['judicial-confirmation-apply']).toMatchObject({ status: 'lapsed', breached: false });
    expect(run.view.state.status === 'none' ? null : run.view.state.level).toBe('enterprise');

    await runPath(run.handle, { steps: [rejected(request({ type: 'RequestJudicialConfirmation', caseId: run.caseId, data: { court: '城关人民法庭', jointApplication: true } }, mediator), 'illegal-state')] }, ce.env);
    const after = await settledState(run.handle);
    expect(after.state.version).toBe(run.view.state.version);
    expect(after.state.agreement?.judicial).toBe('none');
  });

  it('judicial confirmation applied for on the last day of the 30-day window is accepted; the clock stops unbreached', async () => {
    const caseId = uniqueName('MC');
    const startMs = await ce.now();
    const handle = await ce.startCase(receiveInput(caseId));
    await runPath(handle, { steps: agreedAndReplied(caseId, startMs) }, ce.env);
    const clock = (await settledState(handle)).view.clocks['judicial-confirmation-apply']!;
    expect(clock.dueAt).toBe(expectedSchedule(clock.startedAt, 30, 'calendar-days').dueAt);

    await ce.sleepUntil(Date.parse(clock.dueAt) - 2 * HOUR);
    expect((await settledState(handle)).view.clocks['judicial-confirmation-apply']?.warned).toEqual([0.5, 0.75]);
    const run = await runPath(handle, { steps: [requestConfirmation(caseId)] }, ce.env);
    expect(run.returned.get(caseId)?.map((e) => e.type)).toEqual(['JudicialConfirmationRequested', 'ReferralOpened']);

    await ce.sleepUntil(Date.parse(clock.dueAt) + MINUTE);
    const { state, view } = await settledState(handle);
    expect(state.agreement?.judicial).toBe('requested');
    expect(view.clocks['judicial-confirmation-apply']).toMatchObject({ status: 'stopped', breached: false });
    const events = await caseEventsOnTopic(ce, caseId, state.version);
    expect(events.filter((e) => e.type === 'ClockBreached' && e.data.clockKey === 'judicial-confirmation-apply')).toEqual([]);
  });

  it('suspension pauses the mediation clock: no breach while suspended, and the due moment moves by the paused days', async () => {
    const caseId = uniqueName('MC');
    const handle = await ce.startCase(receiveInput(caseId));
    await runPath(handle, { steps: [command(request({ type: 'AcceptCase', caseId, data: {} }, clerk))] }, ce.env);
    const before = (await settledState(handle)).view.clocks['mediation-conclude']!;
    const accepted = chinaDateOf(before.startedAt);
    expect(before.dueAt).toBe(expectedSchedule(before.startedAt, 15, 'calendar-days').dueAt);

    // Twelve days used (both warnings given), then suspended past the original due moment.
    const suspendedOn = addDays(accepted, 12);
    await ce.sleepUntil(chinaNoon(suspendedOn));
    expect((await settledState(handle)).view.clocks['mediation-conclude']?.warned).toEqual([0.5, 0.75]);
    await runPath(handle, { steps: [command(request({ type: 'SuspendCase', caseId, data: { reason: 'awaiting-materials', note: '等待工资台账' } }, mediator))] }, ce.env);
    expect((await settledState(handle)).view.clocks['mediation-conclude']?.status).toBe('paused');

    await ce.sleepUntil(Date.parse(before.dueAt) + DAY);
    const paused = (await settledState(handle)).view.clocks['mediation-conclude']!;
    expect(paused).toMatchObject({ status: 'paused', breached: false, dueAt: before.dueAt });

    await runPath(handle, { steps: [command(request({ type: 'ResumeCase', caseId, data: { note: '材料已补齐' } }, mediator))] }, ce.env);
    const resumedOn = chinaDate(await ce.now());
    const resumed = (await settledState(handle)).view.clocks['mediation-conclude']!;
    // The days after the suspension day up to the resumption day are not counted: 3 days remain.
    const expectedDue = endOfChinaDay(dueDay(accepted, 15, 'calendar-days', { after: suspendedOn, through: resumedOn }));
    expect(resumed).toMatchObject({ status: 'running', breached: false, dueAt: expectedDue });
    expect(Date.parse(resumed.dueAt)).toBeGreaterThan(Date.parse(before.dueAt));

    await ce.sleepUntil(Date.parse(resumed.dueAt) - MINUTE);
    expect((await settledState(handle)).view.clocks['mediation-conclude']?.breached).toBe(false);
    await ce.sleepUntil(Date.parse(resumed.dueAt) + MINUTE);
    const { state } = await settledState(handle);
    expect(state.clocks['mediation-conclude']?.breached).toBe(true);

    const events = await caseEventsOnTopic(ce, caseId, state.version);
    expect(events.map((e) => e.sequence)).toEqual(range(state.version));
    const seqOf = (type: string) => events.find((e) => e.type === type)!.sequence;
    const c: ClockUnderTest = { key: 'mediation-conclude', limit: 15, unit: 'calendar-days', supervised: 'union' };
    const { breach } = expectClockEvents(events, c, resumed);
    expect(seqOf('CaseSuspended')).toBeLessThan(seqOf('CaseResumed'));
    expect(seqOf('CaseResumed')).toBeLessThan(breach.sequence);
  });

  it("extension: refused without both parties' consent (nothing recorded); with it, the mediation due moment moves", async () => {
    const caseId = uniqueName('MC');
    const startMs = await ce.now();
    const handle = await ce.startCase(receiveInput(caseId));
    await runPath(
      handle,
      { steps: [...intake(caseId, 'wage-arrears'), answerReferral(caseId, 'hr', '已核实'), answerReferral(caseId, 'court', '可申请支付令'), scheduleSession(caseId, startMs + DAY, ['union'])] },
      ce.env,
    );
    const before = await settledState(handle);
    const original = before.view.clocks['mediation-conclude']!;
    expect(original.dueAt).toBe(expectedSchedule(original.startedAt, 15, 'calendar-days').dueAt);

    const extension = (respondentConsents: boolean, clock?: string) =>
      request({ type: 'AgreeExtension', caseId, data: { days: 10, complainantConsents: true, respondentConsents, reason: '需要核对工资台账', ...(clock ? { clock } : {}) } }, mediator);
    // runPath checks each refusal: WorkflowUpdateFailedError, rejected:<code>, and the case unchanged.
    await runPath(handle, { steps: [rejected(extension(false), 'validation'), rejected(extension(true, 'complaint-reply'), 'validation')] }, ce.env);
    const refused = await settledState(handle);
    expect(refused.state.version).toBe(before.state.version);
    expect(refused.view.clocks['mediation-conclude']).toEqual(original);
    // A refused update leaves nothing in the workflow history either (the validator refused it).
    const acceptedUpdates = async () =>
      ((await handle.fetchHistory()).events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'AgreeExtension').length;
    expect(await acceptedUpdates()).toBe(0);

    const run = await runPath(handle, { steps: [command(extension(true))] }, ce.env);
    expect(run.returned.get(caseId)?.map((e) => [e.type, e.data])).toEqual([
      ['ExtensionAgreed', { days: 10, consent: { complainant: true, respondent: true }, reason: '需要核对工资台账' }],
    ]);
    expect(await acceptedUpdates()).toBe(1);
    const extended = (await settledState(handle)).view.clocks['mediation-conclude']!;
    const schedule = expectedSchedule(original.startedAt, 25, 'calendar-days');
    expect({ warnAt: extended.warnAt, dueAt: extended.dueAt }).toEqual(schedule);
    expect(Date.parse(extended.dueAt)).toBeGreaterThan(Date.parse(original.dueAt));

    await ce.sleepUntil(Date.parse(original.dueAt) + MINUTE);
    expect((await settledState(handle)).view.clocks['mediation-conclude']).toMatchObject({ status: 'running', breached: false });
    await ce.sleepUntil(Date.parse(extended.dueAt) - MINUTE);
    expect((await settledState(handle)).view.clocks['mediation-conclude']?.breached).toBe(false);
    await ce.sleepUntil(Date.parse(extended.dueAt) + MINUTE);
    const { state } = await settledState(handle);
    expect(state.clocks['mediation-conclude']?.breached).toBe(true);

    const events = await caseEventsOnTopic(ce, caseId, state.version);
    expect(events.map((e) => e.sequence)).toEqual(range(state.version));
    expect(events.filter((e) => e.type === 'ExtensionAgreed')).toHaveLength(1);
    expectClockEvents(events, { key: 'mediation-conclude', limit: 25, unit: 'calendar-days', supervised: 'union' }, extended);
  });

  it('a normal case — reply (回音) on day 3, agreement on day 12 — has no breach, no escalation and no supervision', async () => {
    const caseId = uniqueName('MC');
    const startMs = await ce.now();
    const handle = await ce.startCase(receiveInput(caseId));
    await runPath(
      handle,
      {
        steps: [
          ...intake(caseId, 'wage-arrears'),
          acceptReferral(caseId, 'hr'),
          acceptReferral(caseId, 'court'),
          scheduleSession(caseId, startMs + DAY, ['union', 'hr']),
        ],
      },
      ce.env,
    );
    await ce.sleepUntil(startMs + 3 * DAY);
    const replied = await runPath(handle, { steps: [sendReply(caseId, '已受理，由工会牵头、人社和法院参与调解')] }, ce.env);
    expect(replied.returned.get(caseId)?.map((e) => e.type)).toEqual(['ReplySent']);
    const afterReply = await settledState(handle);
    // The reply is not the result: the case stays in mediation, and the reply clock has stopped in time.
    expect(afterReply.state.status).toBe('in-mediation');
    expect(afterReply.view.clocks['complaint-reply']).toMatchObject({ status: 'stopped', breached: false });

    await ce.sleepUntil(startMs + 10 * DAY);
    await runPath(handle, { steps: [holdSession(caseId)] }, ce.env);
    await ce.sleepUntil(startMs + 12 * DAY);
    await runPath(handle, { steps: [recordAgreement(caseId, [{ dueOn: chinaDate(startMs + 20 * DAY), amountFen: 600_000 }])] }, ce.env);
    await ce.sleepUntil(startMs + 13 * DAY);

    const { state } = await settledState(handle);
    expect(state.status).toBe('agreement');
    expect(state.level).toBe('enterprise');
    expect(Object.keys(state.supervision)).toEqual([]);
    const events = await caseEventsOnTopic(ce, caseId, state.version);
    expect(events.map((e) => e.sequence)).toEqual(range(state.version));
    expect(events.filter((e) => ['ClockBreached', 'CaseEscalated', 'SupervisionIssued'].includes(e.type))).toEqual([]);
    for (const clock of Object.values(state.clocks)) expect(clock.breached, clock.key).toBe(false);
  });

  it('a head-approved +30 petition-handling extension (信访工作条例 第三十四条) is accepted without party consent', async () => {
    const caseId = uniqueName('MC');
    const handle = await ce.startCase(receiveInput(caseId, { channel: 'petition-transfer', petitionRef: 'XF-2026-001' }));
    await runPath(handle, { steps: [command(request({ type: 'AcceptCase', caseId, data: {} }, clerk))] }, ce.env);
    const original = (await settledState(handle)).view.clocks['petition-handle']!;
    expect(original.dueAt).toBe(expectedSchedule(original.startedAt, 60, 'calendar-days').dueAt);

    const approval = { days: 30, clock: 'petition-handle', approvedBy: '信访局负责人', reason: '涉及多个部门，情况复杂', partiesNotified: '延期告知书已送达信访人' };
    // The parties cannot extend it; the head's approval, recorded by the petitions liaison, does.
    const byParties = request({ type: 'AgreeExtension', caseId, data: { days: 30, clock: 'petition-handle', complainantConsents: true, respondentConsents: true, reason: 'x' } }, mediator);
    const run = await runPath(
      handle,
      { steps: [rejected(byParties, 'validation'), command(request({ type: 'ApproveExtension', caseId, data: approval }, { id: 'xf-1', role: 'department-liaison', department: 'petitions' }))] },
      ce.env,
    );
    expect(run.returned.get(caseId)?.map((e) => [e.type, e.data])).toEqual([['ExtensionApproved', approval]]);
    const extended = (await settledState(handle)).view.clocks['petition-handle']!;
    expect(extended).toMatchObject({ status: 'running', extensions: [{ days: 30 }] });
    expect(extended.dueAt).toBe(expectedSchedule(original.startedAt, 90, 'calendar-days').dueAt);
  });

  it('referral OLA: unanswered for 5 working days, the referral workflow reports it overdue; answered in time, it completes', async () => {
    const run = await runClockScenario(ce, {
      input: (caseId) => receiveInput(caseId),
      setup: (caseId, startMs) => [...intake(caseId, 'wage-arrears'), scheduleSession(caseId, startMs + DAY, ['union']), answerReferral(caseId, 'court', '可申请支付令')],
      clocks: [{ key: 'referral-objection:hr', limit: 5, unit: 'working-days', supervised: 'hr' }],
    });
    const { caseId, handle, events, view } = run;
    if (view.state.status === 'none') throw new Error('no case');
    const referrals = Object.values(view.state.referrals);
    const hr = referrals.find((r) => r.department === 'hr')!;
    const court = referrals.find((r) => r.department === 'court')!;
    expect({ hr: [hr.status, hr.overdue], court: [court.status, court.overdue] }).toEqual({ hr: ['open', true], court: ['answered', false] });

    // The breach of the department's referral clock marks its referral overdue, in the same check.
    const breach = events.find((e) => e.type === 'ClockBreached' && e.data.clockKey === 'referral-objection:hr')!;
    const batch = events.filter((e) => e.causationId === breach.causationId);
    expect(batch.filter((e) => e.type === 'ReferralOverdue').map((e) => e.data)).toEqual([{ referralId: hr.referralId, department: 'hr' }]);
    expect(events.filter((e) => e.type === 'ReferralOverdue')).toHaveLength(1);
    expect(view.clocks['referral-objection:court']).toMatchObject({ status: 'stopped', breached: false, warned: [] });

    // The child workflow of the hr referral said so to the case, and keeps waiting for the answer.
    const history = await handle.fetchHistory();
    const overdueSignals = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'referralOverdue');
    expect(overdueSignals).toHaveLength(1);
    const hrChild = ce.env.client.workflow.getHandle(referralWorkflowId(caseId, hr.referralId));
    expect(await hrChild.query(referralViewQuery)).toMatchObject({ status: 'open', overdue: true, department: 'hr', dueAt: run.clocks.get('referral-objection:hr')!.dueAt });
    expect((await hrChild.describe()).status.name).toBe('RUNNING');
    const courtChild = ce.env.client.workflow.getHandle(referralWorkflowId(caseId, court.referralId));
    expect((await courtChild.describe()).status.name).toBe('COMPLETED');
    expect(await courtChild.query(referralViewQuery)).toMatchObject({ status: 'answered', overdue: false, department: 'court' });

    // A late answer still ends the referral's task: answered, and overdue on record.
    await runPath(handle, { steps: [answerReferral(caseId, 'hr', '逾期答复：已核实欠薪')] }, ce.env);
    const deadline = Date.now() + 10_000;
    while ((await hrChild.describe()).status.name !== 'COMPLETED' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await hrChild.describe()).status.name).toBe('COMPLETED');
    expect(await hrChild.query(referralViewQuery)).toMatchObject({ status: 'answered', overdue: true });
    const after = await handle.query(caseViewQuery);
    expect(after.clocks['referral-objection:hr']).toMatchObject({ status: 'stopped', breached: true });
  });
});
