// The types around decide(): its context, its result, and the small helpers every command uses.
import { Actor, currentVersion, type EventData, type EventType, type UnsealedEvent } from '../../events/schemas.js';
import { Instant } from '../../events/vocabulary.js';
import type { RoutingCatalogue } from '../routing/index.js';
import type { SlaSetup } from './clocks.js';
import { renderMessage, type MessageParams, type RejectionKey } from './messages.js';
import type { CasePolicy } from './policy.js';
import type { OpenStatus } from './state.js';
import type { Registry } from '../registry/index.js';

/**
 * Everything a decision needs besides state and command. Time and ids arrive here, so decide stays
 * pure: the same state, command and context always give the same events.
 */
export interface DecisionContext {
  /** The moment of the decision (the workflow's Date.now(), which Temporal makes deterministic). */
  now: string;
  actor: Actor;
  /** Id of the command: the causationId of every event it produces. */
  commandId: string;
  correlationId: string;
  /** The routing-rule versions known; default: the built-in catalogue. */
  routing?: RoutingCatalogue;
  /** The calendar and policies for deadlines checked in decide; default: those of the case's rules edition. */
  sla?: SlaSetup;
  /** The centre's case policy (reopen bound, session horizon); default: defaultCasePolicy. */
  policy?: CasePolicy;
  /** The registry of responsible departments and towns; default: the built-in one. */
  registry?: Registry;
  /**
   * For MergeCase: the target case as the caller found it (the workflow or API looks it up; the core
   * stays pure). Absent = not looked up, and the merge is refused.
   */
  mergeTarget?: { caseId: string; status: OpenStatus | 'none' };
  /** Event id for a sequence; default `${caseId}:${sequence}` (unique, and stable across retries). */
  eventId?: (caseId: string, sequence: number) => string;
}

/** Each code maps to an HTTP status at the API edge. */
export type RejectionCode = 'validation' | 'illegal-state' | 'forbidden' | 'not-found';
export const rejectionHttpStatus: Readonly<Record<RejectionCode, number>> = {
  validation: 400,
  forbidden: 403,
  'not-found': 404,
  'illegal-state': 409,
};

export interface Rejection {
  code: RejectionCode;
  /** Stable id of the message (messages.ts): what the caller's own language renders. */
  key: RejectionKey;
  /** The values the message names, e.g. { status: 'routed' }. */
  params: MessageParams;
  /** In English words a clerk understands (renderRejection(rejection, 'en')). */
  reason: string;
  /** When several problems were found (intake), each of them; the first is the rejection itself. */
  problems?: Rejection[];
}

export type Decision = { ok: true; events: UnsealedEvent[] } | { ok: false; rejection: Rejection };

export function rejection(code: RejectionCode, key: RejectionKey, params: MessageParams = {}): Rejection {
  return { code, key, params, reason: renderMessage(key, params, 'en') };
}

export function reject(code: RejectionCode, key: RejectionKey, params: MessageParams = {}): Decision {
  return { ok: false, rejection: rejection(code, key, params) };
}

/** One rejection naming every problem found (the first problem's code and message lead). */
export function rejectAll(problems: readonly Rejection[]): Decision {
  const [first, ...rest] = problems;
  if (!first) throw new Error('rejectAll needs at least one problem');
  if (rest.length === 0) return { ok: false, rejection: first };
  const params = { count: problems.length, problems: problems.map((p) => p.reason).join('; ') };
  return {
    ok: false,
    rejection: { code: first.code, key: 'intake.problems', params, reason: renderMessage('intake.problems', params, 'en'), problems: [...problems] },
  };
}

/** Collects the events of one decision, numbering them on from the case's version. */
export class Emitter {
  readonly events: UnsealedEvent[] = [];

  constructor(
    private readonly caseId: string,
    private readonly version: number,
    private readonly context: DecisionContext,
  ) {}

  /** The sequence the next event will get; ids of new things (referrals, notices…) derive from it. */
  nextSequence(): number {
    return this.version + this.events.length + 1;
  }

  /** An id for a new thing in this case, e.g. `case-7/R-5`, unique because sequences are. */
  newId(prefix: string): string {
    return `${this.caseId}/${prefix}-${this.nextSequence()}`;
  }

  emit<T extends EventType>(type: T, data: EventData<T>): this {
    const sequence = this.nextSequence();
    const event = {
      eventId: this.context.eventId?.(this.caseId, sequence) ?? `${this.caseId}:${sequence}`,
      caseId: this.caseId,
      sequence,
      type,
      schemaVersion: currentVersion(type),
      occurredAt: this.context.now,
      actor: this.context.actor,
      causationId: this.context.commandId,
      correlationId: this.context.correlationId,
      data: withoutUndefined(data),
    };
    this.events.push(event as UnsealedEvent);
    return this;
  }

  done(): Decision {
    return { ok: true, events: this.events };
  }
}

/**
 * Drops keys whose value is undefined (optional fields copied from a command). Canonical JSON refuses
 * undefined rather than silently dropping it, so event data must not carry any.
 */
export function withoutUndefined<T>(data: T): T {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) if (value !== undefined) copy[key] = value;
  return copy as T;
}

export function checkContext(context: DecisionContext): Decision | null {
  if (!Instant.safeParse(context.now).success) return reject('validation', 'context.now-invalid', { now: String(context.now) });
  const actor = Actor.safeParse(context.actor);
  if (!actor.success) return reject('validation', 'context.actor-invalid', { problem: actor.error.issues[0]?.message ?? '' });
  if (context.actor.role === 'department-liaison' && !context.actor.department) {
    return reject('validation', 'context.liaison-without-department');
  }
  return null;
}

export function addHours(instant: string, hours: number): string {
  return new Date(Date.parse(instant) + hours * 3_600_000).toISOString();
}

export function isAfter(a: string, b: string): boolean {
  return Date.parse(a) > Date.parse(b);
}
