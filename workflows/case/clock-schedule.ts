// When the case workflow next lets the core check the SLA clocks (CheckClocks): at the next due moment, when
// a referral reports its deadline passed, and after a rejected check. Plain code: the workflow sleeps until
// `wakeAt`, asks `takeCheck` and reports how the check went.
import { nextDueAt, type CaseState } from '../../domain/case/index.js';
import type { ClockCheckFailure } from '../messages.js';

// A check the core rejects is retried 1 minute after, then doubling up to an hour, at most
// CLOCK_CHECK_ATTEMPTS times (about 4 hours): a transient rejection (calendar data loaded late, a race with
// a command) clears itself; one that persists is a bug in the core, shown as `clockCheckFailing` until the
// next due moment or command checks again.
export const CLOCK_CHECK_ATTEMPTS = 8;
export const clockRetryDelayMs = (attempt: number): number => Math.min(60_000 * 2 ** (attempt - 1), 3_600_000);

export class ClockSchedule {
  /** A check asked for out of turn (a referral's deadline passed, or a retry carried over a continue-as-new). */
  requested: boolean;
  failure: ClockCheckFailure | undefined;
  /** The due moment last checked, so that one the core does not clear cannot spin the loop. */
  private lastCheckedDue: string | undefined;
  /** The next retry of a rejected check (epoch ms). */
  private retryAt: number | undefined;

  constructor(requested = false) {
    this.requested = requested;
  }

  /** The moment to wake for (epoch ms): the next due moment not yet checked, or a retry, whichever is first. */
  wakeAt(state: CaseState): number | undefined {
    const due = state.status === 'none' ? undefined : nextDueAt(state.clocks);
    const at = due && due !== this.lastCheckedDue ? Date.parse(due) : undefined;
    if (this.retryAt === undefined) return at;
    return at === undefined ? this.retryAt : Math.min(at, this.retryAt);
  }

  /**
   * Whether a check is due now; if so it is taken (the request and retry cleared). `early`: asked for before
   * the next due moment came, which is then not remembered as checked, so its timer is still set.
   */
  takeCheck(state: CaseState, now: number): { early: boolean } | undefined {
    const current = state.status === 'none' ? undefined : nextDueAt(state.clocks);
    const isDue = current !== undefined && Date.parse(current) <= now;
    const retryDue = this.retryAt !== undefined && this.retryAt <= now;
    if (!this.requested && !(isDue && current !== this.lastCheckedDue) && !retryDue) return undefined;
    this.requested = false;
    this.retryAt = undefined;
    if (isDue) this.lastCheckedDue = current;
    return { early: !isDue };
  }

  /** The check was applied; the failure it ends, if any. */
  checked(): ClockCheckFailure | undefined {
    const ended = this.failure;
    this.failure = undefined;
    return ended;
  }

  /** The core rejected the check: the failure as it stands, with the next retry unless the attempts are used up. */
  rejected(error: string, now: number): ClockCheckFailure {
    const attempts = (this.failure?.attempts ?? 0) + 1;
    this.retryAt = attempts < CLOCK_CHECK_ATTEMPTS ? now + clockRetryDelayMs(attempts) : undefined;
    this.failure = {
      since: this.failure?.since ?? new Date(now).toISOString(),
      attempts,
      lastError: error,
      ...(this.retryAt !== undefined ? { retryAt: new Date(this.retryAt).toISOString() } : {}),
    };
    return this.failure;
  }

  /** What a continued-as-new run must know: a check asked for, or a retry still pending, checks at once. */
  get carriedRequest(): boolean {
    return this.requested || this.retryAt !== undefined;
  }
}
