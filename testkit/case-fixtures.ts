// Data for tests: a complaint, and the events of a case at each stage of its life.
import { personalValue } from '../events/personal-data.js';
import type { EventData, EventType } from '../events/schemas.js';
import type { CaseCommand, CommandOf } from '../domain/case/commands.js';
import { CURRENT_RULES_EDITION } from '../domain/case/clocks.js';

export const CASE_ID = 'case-1';
/** Monday 3 March 2025, 10:00 in Beijing. */
export const T0 = '2025-03-03T02:00:00.000Z';

export const at = (base: string, hours: number): string => new Date(Date.parse(base) + hours * 3_600_000).toISOString();
export const days = (n: number): number => n * 24;

export const SALT_1 = '0123456789abcdef0123456789abcdef';
export const SALT_2 = 'fedcba9876543210fedcba9876543210';

export function complainant(personId = 'person-1', name = '张三', phone = '13800000000') {
  return {
    personId,
    name: personalValue(personId, name, SALT_1),
    phone: personalValue(personId, phone, SALT_2),
    isRepresentative: true,
  };
}

export const respondent = {
  name: '嘉兴某某纺织有限公司',
  creditCode: '91330400MA2B3C4D56',
  town: '王江泾镇',
  industry: '纺织',
  responsibleDepartment: '经信局',
  level: 'town' as const,
};

export const claim = {
  disputeTypeHint: 'wage-arrears' as const,
  summary: '公司拖欠三个月工资',
  amountClaimedFen: 1_800_000,
  infringedOn: '2025-01-15',
};

export function receiveCase(overrides: Partial<CommandOf<'ReceiveCase'>['data']> = {}): CommandOf<'ReceiveCase'> {
  return {
    type: 'ReceiveCase',
    caseId: CASE_ID,
    data: { channel: 'walk-in', complainants: [complainant()], workerCount: 1, respondent, claim, ...overrides },
  };
}

/** A command for the fixture case. */
export function cmd<T extends CaseCommand['type']>(type: T, data: CommandOf<T>['data']): CommandOf<T> {
  return { type, caseId: CASE_ID, data } as CommandOf<T>;
}

/** An event as a test writes it: type and data; the spec helper fills the envelope. */
export interface EventInput<T extends EventType = EventType> {
  type: T;
  data: EventData<T>;
  occurredAt?: string;
}
export const ev = <T extends EventType>(type: T, data: EventData<T>, occurredAt?: string): EventInput<T> =>
  occurredAt === undefined ? { type, data } : { type, data, occurredAt };

// ------------------------------------------------------------------ histories

export const caseReceived = (overrides: Partial<EventData<'CaseReceived'>> = {}) =>
  ev('CaseReceived', {
    channel: 'walk-in',
    complainants: [complainant()],
    workerCount: 1,
    collective: false,
    priority: 'normal',
    respondent,
    claim,
    routingRulesVersion: '2025.1',
    rulesEdition: CURRENT_RULES_EDITION,
    ...overrides,
  });

export const received = [caseReceived()];
export const accepted = [...received, ev('CaseAccepted', {})];
export const classified = [
  ...accepted,
  ev('CaseClassified', { disputeType: 'wage-arrears', workerCount: 1, collective: false, amountClaimedFen: 1_800_000 }),
];
export const routed = [
  ...classified,
  ev('CaseRouted', {
    ruleId: 'wage-arrears',
    rulesVersion: '2025.1',
    leadDepartment: 'union',
    joiningDepartments: ['hr', 'court'],
    level: 'town',
    timeLimitDays: 15,
    accountableUnit: '经信局',
    reroute: false,
  }),
  ev('ReferralOpened', { referralId: `${CASE_ID}/R-5`, department: 'hr', task: 'join the mediation' }),
  ev('ReferralOpened', { referralId: `${CASE_ID}/R-6`, department: 'court', task: 'join the mediation' }),
];
export const SESSION_ID = `${CASE_ID}/S-7`;
export const inMediation = [
  ...routed,
  ev('SessionScheduled', { sessionId: SESSION_ID, at: at(T0, days(2)), place: '王江泾镇调解室', departments: ['union', 'hr'] }),
];
export const sessionHeld = [
  ...inMediation,
  ev('SessionHeld', { sessionId: SESSION_ID, outcome: 'progress', minutes: '双方陈述', departmentOpinions: [] }),
];
export const AGREEMENT_ID = `${CASE_ID}/A-9`;
export const agreementEvent = ev('AgreementReached', {
  agreementId: AGREEMENT_ID,
  totalAmountFen: 1_500_000,
  items: [{ kind: 'wages', amountFen: 1_500_000 }],
  schedule: [
    { dueOn: '2025-03-31', amountFen: 1_000_000 },
    { dueOn: '2025-04-30', amountFen: 500_000 },
  ],
  effectiveAt: T0,
  terms: '公司分两期支付拖欠工资',
});
export const agreed = [...sessionHeld, agreementEvent];
export const failed = [...sessionHeld, ev('MediationFailed', { reason: 'respondent-unwilling' })];
export const replied = [...agreed, ev('ReplySent', { method: 'written', summary: '调解协议已达成' })];
/** Each referral still open ends with the case, before it (as CloseCase decides). */
export const closed = [
  ...replied,
  ev('ReferralClosed', { referralId: `${CASE_ID}/R-5`, department: 'hr', reason: 'case-closed' }),
  ev('ReferralClosed', { referralId: `${CASE_ID}/R-6`, department: 'court', reason: 'case-closed' }),
  ev('CaseClosed', { outcome: 'agreement' }),
];
