// given / when / then for the case decider (emmett's DeciderSpecification, in a few lines).
//
//   given(events).when(command).then(expectedEvents)   — the decision's events, as { type, data }
//   given(events).when(command).thenRejects('illegal-state', /reason/)
//
// Every `then` also checks what must hold of any decision: the events continue the case's sequence
// and carry the context's time, actor and causation; they seal onto the chain and verify; the state
// they lead to keeps its invariants.
import { expect } from 'vitest';
import { sealEvents, verifyChain } from '../../events/chain.js';
import { currentVersion, GENESIS_HASH, type UnsealedEvent } from '../../events/schemas.js';
import type { Actor } from '../../events/schemas.js';
import { allowedRoles } from '../../domain/case/authority.js';
import type { CaseCommand } from '../../domain/case/commands.js';
import { decide } from '../../domain/case/decide.js';
import type { Decision, DecisionContext, RejectionCode } from '../../domain/case/decision.js';
import { foldEvents } from '../../domain/case/evolve.js';
import { assertInvariants } from '../../domain/case/invariants.js';
import type { CaseState } from '../../domain/case/state.js';
import { CASE_ID, T0, type EventInput } from '../../testkit/case-fixtures.js';

/** A sensible actor for a command: a mediator where allowed, else a clerk, a supervisor, the system. */
export function defaultActor(type: CaseCommand['type']): Actor {
  const roles = allowedRoles[type];
  for (const role of ['mediator', 'intake-clerk', 'supervisor', 'system', 'data-protection-officer'] as const) {
    if (roles.includes(role)) return { id: `${role}-1`, role };
  }
  throw new Error(`no default actor for ${type}`);
}

export function contextFor(command: CaseCommand, overrides: Partial<DecisionContext> = {}): DecisionContext {
  return {
    now: T0,
    commandId: `cmd-${command.type}`,
    correlationId: 'corr-1',
    ...overrides,
    actor: overrides.actor ?? defaultActor(command.type),
  };
}

/** Fills the envelope of test events: sequences from 1, a fixed actor, times from T0 onwards. */
export function toHistory(inputs: readonly (EventInput | UnsealedEvent)[]): UnsealedEvent[] {
  return inputs.map((input, index) => {
    if ('sequence' in input) return input;
    const sequence = index + 1;
    return {
      eventId: `${CASE_ID}:${sequence}`,
      caseId: CASE_ID,
      sequence,
      type: input.type,
      schemaVersion: currentVersion(input.type),
      occurredAt: input.occurredAt ?? T0,
      actor: { id: 'clerk-0', role: 'intake-clerk' },
      causationId: `given-${sequence}`,
      correlationId: 'given',
      data: input.data,
    } as UnsealedEvent;
  });
}

export interface WhenResult {
  decision: Decision;
  state: CaseState;
  /** Asserts the decision's events, compared as { type, data }. Returns the events and the new state. */
  then(expected: readonly EventInput[]): { events: UnsealedEvent[]; after: CaseState };
  thenRejects(code: RejectionCode, reason?: RegExp): void;
}

export function given(inputs: readonly (EventInput | UnsealedEvent)[] = []) {
  const history = toHistory(inputs);
  const state = foldEvents(history);
  return {
    state,
    history,
    when(command: CaseCommand, overrides: Partial<DecisionContext> = {}): WhenResult {
      const context = contextFor(command, overrides);
      const decision = decide(state, command, context);
      return {
        decision,
        state,
        then(expected) {
          if (!decision.ok) throw new Error(`expected events, got rejection ${decision.rejection.code}: ${decision.rejection.reason}`);
          expect(decision.events.map((e) => ({ type: e.type, data: e.data }))).toEqual(
            expected.map((e) => ({ type: e.type, data: e.data })),
          );
          decision.events.forEach((event, i) => {
            expect(event.sequence).toBe(history.length + i + 1);
            expect(event.caseId).toBe(command.caseId);
            expect(event.occurredAt).toBe(context.now);
            expect(event.actor).toEqual(context.actor);
            expect(event.causationId).toBe(context.commandId);
            expect(event.correlationId).toBe(context.correlationId);
          });
          const log = sealEvents([...history, ...decision.events], GENESIS_HASH);
          expect(verifyChain(log)).toEqual({ ok: true });
          const after = foldEvents([...history, ...decision.events]);
          assertInvariants(after);
          return { events: decision.events, after };
        },
        thenRejects(code, reason) {
          if (decision.ok) {
            throw new Error(`expected a ${code} rejection, got events ${decision.events.map((e) => e.type).join(', ') || '(none)'}`);
          }
          expect(decision.rejection.code).toBe(code);
          if (reason) expect(decision.rejection.reason).toMatch(reason);
        },
      };
    },
  };
}
