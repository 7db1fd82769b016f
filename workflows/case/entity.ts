// The case as the workflow holds it: state, chain head and the commands it answered lately. It handles a
// request the way the update handlers need — decide, seal, fold — and returns the events with the effects
// they imply. Plain code: no Temporal calls; time comes from `now` (the workflow's deterministic clock).
import { ApplicationFailure } from '@temporalio/common';
import { sealEvents, type CaseEvent } from '../../events/index.js';
import { decide, effectsOf, evolve, withEdition, type CaseCommand, type CaseEffect, type CaseState, type DecisionContext } from '../../domain/case/index.js';
import { commandFingerprint, RECENT_COMMANDS, type CaseWorkflowCarry, type CommandRequest, type CommandResult, type RecentCommand } from '../messages.js';

export type Request = Pick<CommandRequest, 'actor' | 'commandId' | 'correlationId' | 'mergeTarget'>;

/**
 * What one applied command changed: its sealed events, and what each of them requires of the world (one
 * list per event, often empty). The workflow performs them an event at a time: the order of its Temporal
 * commands (publishing, timers, child workflows) follows from that, and recorded histories replay only in it.
 */
export interface Applied {
  events: CaseEvent[];
  effects: CaseEffect[][];
}

interface Folded {
  events: CaseEvent[];
  next: CaseState;
}

/** A refusal as an update answers it; `details` (key, params) let the caller render it (renderRejection). */
export function rejected(code: string, message: string, details?: Record<string, unknown>): ApplicationFailure {
  return ApplicationFailure.create({ type: `rejected:${code}`, message, nonRetryable: true, ...(details ? { details: [details] } : {}) });
}

export class CaseEntity {
  state: CaseState;
  lastHash: string;
  eventCount: number;
  /** Commands applied lately (the newest last), so a retried command is answered, not applied twice. */
  readonly recentCommands: RecentCommand[];
  /**
   * The validator's decision, kept for the handler that follows it in the same activation: the same
   * request on the same state at the same time decides the same events, so the handler need not decide,
   * seal and fold again. Anything in between (another command, a clock check, a later moment) misses it.
   * Validators do not run on replay, where the handler decides as before: the same events either way.
   */
  private validated: { state: CaseState; lastHash: string; now: number; request: string; result: Folded } | undefined;

  constructor(
    carry: Pick<CaseWorkflowCarry, 'state' | 'lastHash' | 'events' | 'recentCommands'>,
    private readonly now: () => number,
  ) {
    this.state = withEdition(carry.state);
    this.lastHash = carry.lastHash;
    this.eventCount = carry.events;
    this.recentCommands = [...(carry.recentCommands ?? [])];
  }

  /**
   * The events a command would produce, folded as a dry run. A command whose events the core cannot fold
   * (a bug, or a clock starting before the first loaded calendar year) is refused like any rejection
   * instead of failing the workflow task over and over.
   */
  decideAndFold(command: CaseCommand, req: Request): Folded {
    const decision = decide(this.state, command, this.contextFor(req));
    if (!decision.ok) {
      const { code, reason, key, params, problems } = decision.rejection;
      throw rejected(code, reason, { key, params, ...(problems ? { problems } : {}) });
    }
    const events = sealEvents(decision.events, this.lastHash);
    let next = this.state;
    try {
      for (const event of events) next = evolve(next, event);
    } catch (err) {
      throw rejected('illegal-state', err instanceof Error ? err.message : String(err));
    }
    return { events, next };
  }

  /** The validator's dry run: refuses by throwing, and keeps the result for the handler. */
  validate(command: CaseCommand, req: Request): void {
    const result = this.decideAndFold(command, req);
    this.validated = { state: this.state, lastHash: this.lastHash, now: this.now(), request: JSON.stringify(req), result };
  }

  /** Decides (or takes the validator's decision) and makes the events the case's. */
  apply(command: CaseCommand, req: Request): Applied {
    const { events, next } = this.decidedBefore(req) ?? this.decideAndFold(command, req);
    this.state = next;
    const last = events[events.length - 1];
    if (last) this.lastHash = last.hash;
    this.eventCount += events.length;
    return { events, effects: events.map((event) => effectsOf(next, event)) };
  }

  /**
   * The same command id again: the first result when it is the same command, a refusal when the id was
   * reused for a different one (a client bug that must not pass as a repeat).
   */
  repeatOf(req: CommandRequest): RecentCommand | undefined {
    const seen = this.recentCommands.find((r) => r.commandId === req.commandId);
    if (!seen) return undefined;
    if (seen.fingerprint !== commandFingerprint(req)) {
      throw rejected('validation', `command id ${req.commandId} was already used for a different command`, { key: 'command.id-reused', params: { commandId: req.commandId } });
    }
    return seen;
  }

  /** A staff command: answered from memory when it is a repeat, else applied and remembered. */
  applyOnce(req: CommandRequest): { result: CommandResult; applied?: Applied } {
    const seen = this.repeatOf(req);
    if (seen) return { result: { events: seen.events, repeated: true } };
    const applied = this.apply(req.command, req);
    this.recentCommands.push({ commandId: req.commandId, fingerprint: commandFingerprint(req), events: applied.events });
    if (this.recentCommands.length > RECENT_COMMANDS) this.recentCommands.splice(0, this.recentCommands.length - RECENT_COMMANDS);
    return { result: { events: applied.events }, applied };
  }

  private contextFor(req: Request): DecisionContext {
    return {
      now: new Date(this.now()).toISOString(),
      actor: req.actor,
      commandId: req.commandId,
      correlationId: req.correlationId,
      ...(req.mergeTarget ? { mergeTarget: req.mergeTarget } : {}),
    };
  }

  private decidedBefore(req: Request): Folded | undefined {
    const v = this.validated;
    this.validated = undefined;
    if (!v || v.state !== this.state || v.lastHash !== this.lastHash || v.now !== this.now() || v.request !== JSON.stringify(req)) return undefined;
    return v.result;
  }
}
