// Which search attributes a case workflow upserts, and when: plain code over the case state.
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { nextDueAt, type CaseState } from '../../domain/case/index.js';
import { CaseLevel, CaseStatus, ClockCheckFailing, Collective, LeadDepartment, NextDueAt, PublishStalled } from '../search-attributes.js';

/**
 * The case's attributes as last upserted, to upsert only what changed: an upsert is a history event. The
 * failure attributes appear only once a failure has been shown (set, later removed), so other cases'
 * attributes stay as they were.
 */
export class CaseAttributes {
  private last = '';
  private shown = { publish: false, clock: false };

  /** The pairs to upsert for this state and these failures, or undefined when nothing changed. */
  changes(state: CaseState, failing: { publish: boolean; clock: boolean }): SearchAttributeUpdatePair[] | undefined {
    if (state.status === 'none') return undefined;
    const due = nextDueAt(state.clocks);
    const pairs: SearchAttributeUpdatePair[] = [
      { key: CaseStatus, value: state.status },
      { key: CaseLevel, value: state.level },
      { key: LeadDepartment, value: state.route?.leadDepartment ?? null },
      { key: NextDueAt, value: due ? new Date(due) : null },
      { key: Collective, value: state.collective },
    ];
    if (failing.publish || this.shown.publish) pairs.push({ key: PublishStalled, value: failing.publish ? true : null });
    if (failing.clock || this.shown.clock) pairs.push({ key: ClockCheckFailing, value: failing.clock ? true : null });
    this.shown = failing;
    const fingerprint = JSON.stringify(pairs.map((p) => p.value));
    if (fingerprint === this.last) return undefined;
    this.last = fingerprint;
    return pairs;
  }
}
