// A party's own window (人民调解法 第三十三条: 30 days to apply for judicial confirmation) running out is not a
// breach of the centre: the core records it as ClockLapsed and ends the clock (status lapsed), and the read
// models — which take the clock and whether it is a duty from the core — keep it out of the deadline rows
// (overdue and at-risk lists, queues), out of lateness (on-time rate) and out of the escalations and notices.
import { describe, expect, it } from 'vitest';
import { decide } from '../../domain/case/decide.js';
import type { DecisionContext } from '../../domain/case/decision.js';
import { sealEvents } from '../../events/chain.js';
import { GENESIS_HASH, type CaseEvent, type UnsealedEvent } from '../../events/schemas.js';
import { emptyDoc, evolveDoc } from '../../readmodels/case-document.js';
import { rowsOf } from '../../readmodels/registry.js';
import { at, closed, days, T0 } from '../../testkit/case-fixtures.js';
import { given, toHistory } from '../support/decider-spec.js';

// The agreement took effect at T0 (2025-03-03); the case closed the same day; 30 days end on 2025-04-02.
const DAY_40 = at(T0, days(40));

function afterTheWindow(extra: Partial<DecisionContext> = {}) {
  const history = toHistory(closed);
  const check = decide(given(closed).state, { type: 'CheckClocks', caseId: history[0]!.caseId, data: {} }, {
    now: DAY_40,
    actor: { id: 'case-workflow', role: 'system' },
    commandId: 'clock-check',
    correlationId: 'clock-check',
    ...extra,
  });
  if (!check.ok) throw new Error(check.rejection.reason);
  const events = sealEvents([...history, ...check.events] as UnsealedEvent[], GENESIS_HASH) as CaseEvent[];
  const doc = events.reduce(evolveDoc, emptyDoc());
  return { checkEvents: check.events, doc, rows: rowsOf(doc)! };
}

describe('a party window that ran out, in the read models', () => {
  it('is recorded as a lapse, with no escalation, no supervision, nothing overdue', () => {
    const { checkEvents } = afterTheWindow();
    expect(checkEvents.filter((e) => e.type !== 'ClockWarned').map((e) => [e.type, (e.data as { clockKey?: string }).clockKey])).toEqual([
      ['ClockLapsed', 'judicial-confirmation-apply'],
    ]);
  });

  it('leaves no deadline row (no red light, not overdue) and does not make the case late', () => {
    const { doc, rows } = afterTheWindow();
    if (doc.state.status === 'none') throw new Error('no case');
    expect(doc.state.clocks['judicial-confirmation-apply']).toMatchObject({ status: 'lapsed', breached: false });
    expect(rows.clocks.map((r) => r.clock_key)).not.toContain('judicial-confirmation-apply');
    expect(doc.facts?.late).toBe(false);
    expect(rows.kpi.on_time).toBe(true);
    expect(rows.notices).toEqual([]);
  });
});
