// The events of a case: one zod schema per event type's data, one envelope, and the union of both.
// These schemas are the single source of the event types (z.infer below).
import { CREDIT_CODE } from '../domain/identifiers/index.js';
import { z } from './zod.js';
import { PersonalValue, personalText } from './personal-data.js';
import {
  CalendarDate,
  Channel,
  Department,
  DisputeType,
  Fen,
  Id,
  Instant,
  Level,
  Role,
  Text,
} from './vocabulary.js';

// ---------------------------------------------------------------- envelope

export const Actor = z.strictObject({
  id: Id,
  role: Role,
  /** Set for department liaisons: the department they act for. */
  department: Department.optional(),
});
export type Actor = z.infer<typeof Actor>;

const HASH = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits (sha256)');

/** prevHash of a case's first event: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

const envelopeFields = {
  eventId: Id,
  caseId: Id,
  /** 1-based and gapless within a case. */
  sequence: z.number().int().positive(),
  schemaVersion: z.number().int().positive(),
  occurredAt: Instant,
  actor: Actor,
  /** The command (or event) that caused this event. */
  causationId: Id,
  /** The conversation this event belongs to (e.g. the HTTP request or the timer firing). */
  correlationId: Id,
};
const sealFields = { prevHash: HASH, hash: HASH };

// ---------------------------------------------------------------- shared parts of data

/**
 * Free text that may name people (notes, reasons, opinions, minutes, terms, …): encrypted at the edge under
 * the case's text subject (events/personal-data.ts). Every free-text field of an event or command is this,
 * unless it must stay readable after an erasure (PersonalDataErased's own reason; test/unit names the few).
 */
export const PText = personalText(Text);

export const Complainant = z.strictObject({
  /** Stable id of the person across cases; also the `ref` of their personal fields. */
  personId: Id,
  name: PersonalValue,
  idNumber: PersonalValue.optional(),
  phone: PersonalValue.optional(),
  /** In a collective dispute, the elected representatives are listed; the rest are counted. */
  isRepresentative: z.boolean(),
});
export type Complainant = z.infer<typeof Complainant>;

/**
 * The enterprise's contact person (联系人): a data subject of their own, with their own data key, so that
 * their name and phone are encrypted at the edge and erased like a complainant's.
 */
export const RespondentContact = z.strictObject({
  /** Stable id of the contact person; also the `ref` of their personal fields. */
  personId: Id,
  name: PersonalValue,
  phone: PersonalValue.optional(),
});
export type RespondentContact = z.infer<typeof RespondentContact>;

export const Respondent = z.strictObject({
  name: z.string().min(1).max(500),
  /** 统一社会信用代码: 18 characters of digits and capital letters (I, O, Z, S, V excluded). */
  creditCode: z.string().regex(CREDIT_CODE, 'must be an 18-character unified social credit code'),
  town: z.string().min(1).max(200),
  industry: z.string().min(1).max(200),
  /**
   * The government department that 分管联系 the enterprise (e.g. 经信局, 商务局, a town government).
   * Seed 003: that department handles the dispute and its head is accountable (一把手负责制).
   * Free text because it is outside the five mediation departments.
   */
  responsibleDepartment: z.string().min(1).max(200),
  /** The level of the mediation network the enterprise belongs to at intake. */
  level: Level,
  contact: RespondentContact.optional(),
});
export type Respondent = z.infer<typeof Respondent>;

export const Claim = z.strictObject({
  disputeTypeHint: DisputeType,
  /** Names people: encrypted at the edge (a plain string stored in an earlier event is still read). */
  summary: PText,
  amountClaimedFen: Fen.optional(),
  /** When the right was infringed (or known to be); drives the 1-year limitation (第二十七条). */
  infringedOn: CalendarDate.optional(),
});
export type Claim = z.infer<typeof Claim>;

export const RejectionReason = z.enum([
  'limitation-expired',
  'not-a-labour-dispute',
  'outside-jurisdiction',
  'already-in-proceedings',
  'insufficient-information',
]);
export const Redirect = z.enum(['arbitration', 'litigation', 'labour-inspection', 'petitions', 'civil-court', 'none']);

/** clock-breach: CheckClocks; collective-dispute: the intake alert of 第七条; manual: IssueSupervision. */
export const SupervisionReason = z.enum(['clock-breach', 'collective-dispute', 'manual']);

export const PaymentInstalment = z.strictObject({ dueOn: CalendarDate, amountFen: Fen });
export const AgreementItem = z.strictObject({
  kind: z.enum(['wages', 'economic-compensation', 'social-insurance', 'medical-and-injury', 'overtime-pay', 'other']),
  amountFen: Fen,
});

// ---------------------------------------------------------------- data of each event type

/** CaseReceived v3 (current). v1 had a single plain `complainantName`, v2 no rules edition; see upcasters.ts. */
export const CaseReceivedData = z.strictObject({
  channel: Channel,
  complainants: z.array(Complainant).min(1),
  /** Workers who share the request; at least the number of listed complainants. */
  workerCount: z.number().int().positive(),
  /** workerCount ≥ 10 (第七条); written by the decider so readers need not know the rule. */
  collective: z.boolean(),
  /** Collective disputes are urgent (emergency path, seed 004). */
  priority: z.enum(['normal', 'urgent']),
  respondent: Respondent,
  claim: Claim,
  /** The petition's number when `petitions` transferred it (channel petition-transfer). */
  petitionRef: Id.optional(),
  /** The routing-rule version in force at receipt; the case keeps it for its whole life. */
  routingRulesVersion: Id,
  /**
   * The rules edition in force at receipt (domain/case/clocks.ts, RULES_EDITIONS): the case is decided and
   * its clocks counted under it for its whole life.
   */
  rulesEdition: Id,
});

export const CaseAcceptedData = z.strictObject({
  note: PText.optional(),
});

export const CaseRejectedData = z.strictObject({
  reasonCode: RejectionReason,
  /** In words for the complainant, e.g. why the limitation has run out. */
  explanation: PText,
  /** Where the complainant should go instead. */
  redirectTo: Redirect,
  legalBasis: z.string().max(500).optional(),
});

export const CaseClassifiedData = z.strictObject({
  disputeType: DisputeType,
  workerCount: z.number().int().positive(),
  collective: z.boolean(),
  amountClaimedFen: Fen.optional(),
  note: PText.optional(),
});

export const CaseRoutedData = z.strictObject({
  ruleId: Id,
  rulesVersion: Id,
  leadDepartment: Department,
  joiningDepartments: z.array(Department),
  level: Level,
  /** 限期解决: the time limit the rule sets, in calendar days. */
  timeLimitDays: z.number().int().positive(),
  /** The department answerable for the outcome (its head: 一把手负责制). */
  accountableUnit: z.string().min(1).max(200),
  /** True when a referral objection (mis-routing) sent the case elsewhere. */
  reroute: z.boolean(),
  /** The decider's words, or (a reroute) the objection's: see ReferralObjected, which carries its reason. */
  reason: PText.optional(),
});

const referral = { referralId: Id, department: Department };

export const ReferralOpenedData = z.strictObject({ ...referral, task: PText });
export const ReferralAcceptedData = z.strictObject({ ...referral });
export const ReferralAnsweredData = z.strictObject({ ...referral, opinion: PText });
export const ReferralObjectedData = z.strictObject({
  ...referral,
  /** Why this department is the wrong one (信访工作条例 第二十三条: within 5 working days). */
  reason: PText,
  suggestedDepartment: Department.optional(),
});
export const ReferralOverdueData = z.strictObject({ ...referral });
/**
 * A referral still open when its case ends (closed, withdrawn, merged) is ended with the case's outcome,
 * on record, before the case itself ends: a closed case has no open referral.
 */
export const ReferralClosedData = z.strictObject({
  ...referral,
  reason: z.enum(['case-closed', 'case-withdrawn', 'case-merged']),
});

export const SessionScheduledData = z.strictObject({
  sessionId: Id,
  at: Instant,
  place: z.string().min(1).max(500),
  departments: z.array(Department).min(1),
});

export const SessionHeldData = z.strictObject({
  sessionId: Id,
  outcome: z.enum(['progress', 'adjourned', 'party-absent']),
  /** Names people: encrypted at the edge (a plain string stored in an earlier event is still read). */
  minutes: PText,
  departmentOpinions: z.array(z.strictObject({ department: Department, opinion: PText })),
});

export const ExtensionAgreedData = z.strictObject({
  days: z.number().int().positive().max(365),
  /** The SLA policy id of the clock extended; absent = the mediation clock. */
  clock: Id.optional(),
  /** 第十四条: only both parties together can extend mediation. Literal true so no event can say otherwise. */
  consent: z.strictObject({ complainant: z.literal(true), respondent: z.literal(true) }),
  reason: PText,
});

/**
 * An extension of another body's clock (arbitration award +15, petition handling +30, the court's
 * confirmation decision +10) is approved by that body's head with a written reason, and the parties are
 * notified — it needs no party consent (劳动争议调解仲裁法 第四十三条; 信访工作条例 第三十四条; 法释〔2011〕5号 第五条).
 */
export const ExtensionApprovedData = z.strictObject({
  days: z.number().int().positive().max(365),
  /** The SLA policy id of the clock extended. */
  clock: Id,
  /** Who approved, by office (e.g. 仲裁委主任, 信访局负责人, 法院院长). */
  approvedBy: z.string().min(1).max(200),
  /** The written reason, as notified to the parties. */
  reason: PText,
  /** The written notice to the parties (its reference or how it was given). */
  partiesNotified: PText,
});

export const CaseSuspendedData = z.strictObject({
  reason: z.enum([
    'awaiting-materials',
    'party-unavailable',
    'parallel-proceedings',
    'force-majeure',
    // 工伤认定 (工伤保险条例 第二十条) and 劳动能力鉴定 (第二十五条) decide what a work-injury claim is worth.
    'awaiting-work-injury-determination',
    'awaiting-capacity-appraisal',
    'other',
  ]),
  /** When the wait is expected to end, if known (e.g. the determination's statutory 60 days). */
  expectedEndOn: CalendarDate.optional(),
  note: PText.optional(),
});
export const CaseResumedData = z.strictObject({ note: PText.optional() });

export const ClockWarnedData = z.strictObject({
  clockKey: Id,
  /** Fraction of the limit used when the warning fired, e.g. 0.5 or 0.75. */
  threshold: z.number().gt(0).lt(1),
  at: Instant,
});
export const ClockBreachedData = z.strictObject({ clockKey: Id, at: Instant });
/**
 * A party's own window (e.g. 30 days to apply for judicial confirmation) ran out unused: it lapses, it is
 * not a breach — nobody at the centre missed a duty, so nothing escalates and nobody is supervised.
 */
export const ClockLapsedData = z.strictObject({ clockKey: Id, at: Instant });

export const CaseEscalatedData = z.strictObject({
  fromLevel: Level,
  toLevel: Level,
  /** clock-breach: CheckClocks found a breached clock; manual: a supervisor escalated (EscalateCase). */
  reason: z.enum(['clock-breach', 'manual']),
  clockKey: Id.optional(),
  note: PText.optional(),
});

export const SupervisionIssuedData = z.strictObject({
  /** 督办 notice number. */
  noticeId: Id,
  /** The mediation department supervised (the case's lead department). */
  department: Department,
  /** Whose head answers for it (一把手负责制). */
  accountableUnit: z.string().min(1).max(200),
  accountableHeadRole: z.literal('principal-head'),
  level: Level,
  reason: SupervisionReason,
  clockKey: Id.optional(),
  dueAt: Instant,
  note: PText.optional(),
});
export const SupervisionAnsweredData = z.strictObject({ noticeId: Id, response: PText });

export const AgreementReachedData = z.strictObject({
  agreementId: Id,
  totalAmountFen: Fen,
  /** What the total is made of; sums to totalAmountFen. */
  items: z.array(AgreementItem),
  /** When each part is to be paid; sums to totalAmountFen. */
  schedule: z.array(PaymentInstalment),
  /** The agreement takes effect on signature; the 30-day judicial-confirmation window starts here. */
  effectiveAt: Instant,
  /** Names people: encrypted at the edge (a plain string stored in an earlier event is still read). */
  terms: PText,
});

export const JudicialConfirmationRequestedData = z.strictObject({
  agreementId: Id,
  court: z.string().min(1).max(200),
  /** 人民调解法 第三十三条: the parties apply jointly. */
  jointApplication: z.literal(true),
});
/**
 * The competent body accepted (受理) the application made to it: the court a judicial-confirmation
 * application (法释〔2011〕5号 第四条), hr's arbitration commission an arbitration application (劳动争议调解仲裁法
 * 第二十九条). Its own act, distinct from the department joining the mediation as a referral.
 */
export const Application = z.enum(['judicial-confirmation', 'arbitration']);
export type Application = z.infer<typeof Application>;
export const ApplicationAcceptedData = z.strictObject({ application: Application });
export const JudicialConfirmationGrantedData = z.strictObject({ agreementId: Id, rulingRef: Id });
export const JudicialConfirmationRefusedData = z.strictObject({ agreementId: Id, reason: PText });

export const PaymentRecordedData = z.strictObject({
  agreementId: Id,
  amountFen: Fen.refine((n) => n > 0, 'a payment must be more than 0 fen'),
  paidOn: CalendarDate,
  /** Sum of all payments so far, this one included. */
  paidToDateFen: Fen,
});

export const MediationFailedData = z.strictObject({
  reason: z.enum(['respondent-unwilling', 'no-agreement', 'time-limit-expired', 'party-absent']),
  note: PText.optional(),
});
export const ReferredToArbitrationData = z.strictObject({
  commission: z.string().min(1).max(200),
  note: PText.optional(),
});
export const ReferredToLitigationData = z.strictObject({
  court: z.string().min(1).max(200),
  /** 支付令: for wage arrears the court can issue a payment order on the agreement. */
  paymentOrder: z.boolean(),
  note: PText.optional(),
});
export const CaseWithdrawnData = z.strictObject({ reason: PText });

export const ReplySentData = z.strictObject({
  /** Seed 001: a reply within 7 days, or a public posting at the enterprise. */
  method: z.enum(['written', 'phone', 'in-person', 'public-posting']),
  summary: PText,
});
export const FeedbackRecordedData = z.strictObject({
  score: z.number().int().min(1).max(5),
  comment: PText.optional(),
});
export const RecheckOpenedData = z.strictObject({
  reason: z.enum(['low-satisfaction', 'review-request']),
  score: z.number().int().min(1).max(5).optional(),
});

export const CaseOutcome = z.enum([
  'rejected',
  'agreement',
  'mediation-failed',
  'referred-to-arbitration',
  'referred-to-litigation',
  'withdrawn',
  'merged',
]);
export type CaseOutcome = z.infer<typeof CaseOutcome>;

export const CaseClosedData = z.strictObject({ outcome: CaseOutcome, note: PText.optional() });
export const CaseReopenedData = z.strictObject({
  reason: z.enum(['agreement-not-performed', 'new-facts', 'recheck']),
  note: PText,
});
export const CaseMergedData = z.strictObject({ intoCaseId: Id, reason: PText });
/** The surviving case records the duplicate merged into it (the duplicate records CaseMerged). */
export const DuplicateMergedInData = z.strictObject({ fromCaseId: Id, reason: PText });
export const CaseLinkedData = z.strictObject({
  linkedCaseId: Id,
  relation: z.enum(['same-enterprise', 'same-collective', 'related']),
});

/**
 * The personal data of the case's subjects was erased (个人信息保护法 第四十七条): their data keys are
 * destroyed after this event is on record, so every encrypted field of the case, wherever a copy lies,
 * can no longer be read. The chain is untouched: the hashes cover the ciphertext.
 */
export const PersonalDataErasedData = z.strictObject({
  /** The subject refs whose keys are destroyed: the complainants and the case's free text. */
  subjects: z.array(z.string().min(1).max(200)).min(1),
  reason: Text,
  /** The legal basis of the erasure, e.g. 个人信息保护法 第四十七条第一款第一项. */
  legalBasis: z.string().min(1).max(500),
});

// ---------------------------------------------------------------- the catalogue

/** Every event type, its current schema version and its data schema. */
export const eventCatalogue = {
  CaseReceived: { version: 3, data: CaseReceivedData },
  CaseAccepted: { version: 1, data: CaseAcceptedData },
  CaseRejected: { version: 1, data: CaseRejectedData },
  CaseClassified: { version: 1, data: CaseClassifiedData },
  CaseRouted: { version: 1, data: CaseRoutedData },
  ReferralOpened: { version: 1, data: ReferralOpenedData },
  ReferralAccepted: { version: 1, data: ReferralAcceptedData },
  ReferralAnswered: { version: 1, data: ReferralAnsweredData },
  ReferralObjected: { version: 1, data: ReferralObjectedData },
  ReferralOverdue: { version: 1, data: ReferralOverdueData },
  ReferralClosed: { version: 1, data: ReferralClosedData },
  SessionScheduled: { version: 1, data: SessionScheduledData },
  SessionHeld: { version: 1, data: SessionHeldData },
  ExtensionAgreed: { version: 1, data: ExtensionAgreedData },
  ExtensionApproved: { version: 1, data: ExtensionApprovedData },
  CaseSuspended: { version: 1, data: CaseSuspendedData },
  CaseResumed: { version: 1, data: CaseResumedData },
  ClockWarned: { version: 1, data: ClockWarnedData },
  ClockBreached: { version: 1, data: ClockBreachedData },
  ClockLapsed: { version: 1, data: ClockLapsedData },
  CaseEscalated: { version: 1, data: CaseEscalatedData },
  SupervisionIssued: { version: 1, data: SupervisionIssuedData },
  SupervisionAnswered: { version: 1, data: SupervisionAnsweredData },
  AgreementReached: { version: 1, data: AgreementReachedData },
  JudicialConfirmationRequested: { version: 1, data: JudicialConfirmationRequestedData },
  ApplicationAccepted: { version: 1, data: ApplicationAcceptedData },
  JudicialConfirmationGranted: { version: 1, data: JudicialConfirmationGrantedData },
  JudicialConfirmationRefused: { version: 1, data: JudicialConfirmationRefusedData },
  PaymentRecorded: { version: 1, data: PaymentRecordedData },
  MediationFailed: { version: 1, data: MediationFailedData },
  ReferredToArbitration: { version: 1, data: ReferredToArbitrationData },
  ReferredToLitigation: { version: 1, data: ReferredToLitigationData },
  CaseWithdrawn: { version: 1, data: CaseWithdrawnData },
  ReplySent: { version: 1, data: ReplySentData },
  FeedbackRecorded: { version: 1, data: FeedbackRecordedData },
  RecheckOpened: { version: 1, data: RecheckOpenedData },
  CaseClosed: { version: 1, data: CaseClosedData },
  CaseReopened: { version: 1, data: CaseReopenedData },
  CaseMerged: { version: 1, data: CaseMergedData },
  DuplicateMergedIn: { version: 1, data: DuplicateMergedInData },
  CaseLinked: { version: 1, data: CaseLinkedData },
  PersonalDataErased: { version: 1, data: PersonalDataErasedData },
} as const;

type Catalogue = typeof eventCatalogue;
export type EventType = keyof Catalogue;
export const EVENT_TYPES = Object.keys(eventCatalogue) as EventType[];
export const EventTypeSchema = z.enum(EVENT_TYPES as [EventType, ...EventType[]]);

export type EventData<T extends EventType> = z.infer<Catalogue[T]['data']>;

export const currentVersion = (type: EventType): number => eventCatalogue[type].version;

// ---------------------------------------------------------------- whole events

/** The envelope and seal of every stored event, whatever its type. */
export const EnvelopeBase = z.strictObject({ ...envelopeFields, ...sealFields });
type EnvelopeFields = z.infer<typeof EnvelopeBase>;

/** A sealed, stored event of one type. */
export type EventOf<T extends EventType> = EnvelopeFields & { type: T; data: EventData<T> };
/** Any sealed, stored event of a case. */
export type CaseEvent = { [T in EventType]: EventOf<T> }[EventType];
/** The envelope's fields with an open type and data (what the chain functions need). */
export type EventEnvelope = EnvelopeFields & { type: EventType; data: unknown };

/** An event as the decider emits it: everything but the chain fields, which sealEvent adds. */
export type UnsealedEventOf<T extends EventType> = Omit<EventOf<T>, 'prevHash' | 'hash'>;
export type UnsealedEvent = { [T in EventType]: UnsealedEventOf<T> }[EventType];

function eventSchema<T extends EventType>(type: T) {
  return z.strictObject({
    ...envelopeFields,
    ...sealFields,
    type: z.literal(type),
    schemaVersion: z.literal(eventCatalogue[type].version),
    data: eventCatalogue[type].data,
  });
}

function unsealedEventSchema<T extends EventType>(type: T) {
  return z.strictObject({
    ...envelopeFields,
    type: z.literal(type),
    schemaVersion: z.literal(eventCatalogue[type].version),
    data: eventCatalogue[type].data,
  });
}

// The union types are spelled out from the catalogue above; z.discriminatedUnion picks the member
// schema by `type` and reports errors against that member only.
const eventSchemas = EVENT_TYPES.map((type) => eventSchema(type));
const unsealedEventSchemas = EVENT_TYPES.map((type) => unsealedEventSchema(type));

export const CaseEventSchema = z.discriminatedUnion(
  'type',
  eventSchemas as unknown as [ReturnType<typeof eventSchema>, ...ReturnType<typeof eventSchema>[]],
) as unknown as z.ZodType<CaseEvent>;

export const UnsealedEventSchema = z.discriminatedUnion(
  'type',
  unsealedEventSchemas as unknown as [
    ReturnType<typeof unsealedEventSchema>,
    ...ReturnType<typeof unsealedEventSchema>[],
  ],
) as unknown as z.ZodType<UnsealedEvent>;

/** The data schema of one event type (current version). */
export function dataSchemaOf<T extends EventType>(type: T): Catalogue[T]['data'] {
  return eventCatalogue[type].data;
}
