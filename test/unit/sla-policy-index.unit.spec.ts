// Given generated case histories (the domain driven as the workflow drives it: staff commands and
// CheckClocks at every due moment; the recorded workflow histories hold their events encrypted), when the clocks are folded event by event with
// evolveClocks (which looks only at the policies with a trigger of the event's type) and with the
// reference that looks at every policy, then the clocks are equal after every event, under both policy
// sets. And the projector's `late` fact, which is only re-checked when the clocks changed, is what a check
// after every event gives: a duty clock of some state so far breached, or stopped after its due moment.
import { describe, expect, it } from 'vitest';
import { chinaCalendar } from '../../domain/calendar/index.js';
import { initialState, type CaseState } from '../../domain/case/index.js';
import { evolveClocks, isDuty, evolveClocksOverEveryPolicy, slaPolicySet, slaPolicySet2025, type SlaClocks, type SlaPolicySet } from '../../domain/sla/index.js';
import type { CaseEvent } from '../../events/index.js';
import { emptyDoc, evolveDoc } from '../../readmodels/case-document.js';
import { generateCases } from '../../testkit/history-generator.js';

const generated = [...generateCases({ cases: 300, seed: 11 }), ...generateCases({ cases: 200, seed: 5, until: '2025-03-01T00:00:00.000Z' })];
const histories: CaseEvent[][] = generated.map((c) => c.events);

function foldBothWays(events: readonly CaseEvent[], policies: SlaPolicySet): number {
  let indexed: SlaClocks = {};
  let everyPolicy: SlaClocks = {};
  let changes = 0;
  for (const event of events) {
    const next = evolveClocks(indexed, event, policies, chinaCalendar);
    everyPolicy = evolveClocksOverEveryPolicy(everyPolicy, event, policies, chinaCalendar);
    expect(next, `${event.caseId} #${event.sequence} ${event.type}`).toEqual(everyPolicy);
    if (next !== indexed) changes++;
    indexed = next;
  }
  return changes;
}

describe('evolveClocks against the reference that looks at every policy', () => {
  it.each([
    ['the current policy set', slaPolicySet],
    ['the 2025 policy set', slaPolicySet2025],
  ])('given %s and 500 generated histories, then the clocks agree after every event', (_name, policies) => {
    let events = 0;
    let changes = 0;
    for (const history of histories) {
      events += history.length;
      changes += foldBothWays(history, policies);
    }
    // The histories exercise the clocks: starts, stops, pauses, extensions, warnings and breaches.
    expect(events).toBeGreaterThan(5_000);
    expect(changes).toBeGreaterThan(events / 4);
  });
});

describe("the projector's late fact", () => {
  const lateNow = (state: CaseState): boolean =>
    state.status !== 'none' &&
    Object.values(state.clocks).some(
      (c) => isDuty(c) && (c.breached || (c.status === 'stopped' && c.endedAt !== undefined && Date.parse(c.endedAt) > Date.parse(c.dueAt))),
    );

  it('given generated histories, then late is true from the first state with a late duty clock on, and only then', () => {
    let lateCases = 0;
    for (const history of histories) {
      let doc = emptyDoc();
      let everLate = false;
      for (const event of history) {
        doc = evolveDoc(doc, event);
        everLate ||= lateNow(doc.state);
        expect(doc.facts?.late, `${event.caseId} #${event.sequence}`).toBe(everLate);
      }
      if (everLate) lateCases++;
    }
    expect(lateCases).toBeGreaterThan(10);
    expect(lateCases).toBeLessThan(histories.length);
    expect(initialState.status).toBe('none');
  });
});
