// Patches of the case workflow whose old branch is gone: each is called with deprecatePatch() at the very
// point where its patched() call was, because a run started before its retirement has the patch's marker in
// its history there, and replay must meet it in the same workflow task and the same order (a marker met
// anywhere else fails replay: test/unit/replay.unit.spec.ts with test/fixtures/histories/archived/).
//
// When to delete a call altogether: once no open run has the patch's marker recorded by patched(), that is,
// no run of a case started (or continued as new) before the retirement commit is still open. Such a run
// ends at its case's end plus the reopen window (REOPEN_WINDOW_DAYS, 365 days), or at its next
// continue-as-new, so the earliest date is one year after the retirement reached production. Check with
// the visibility query `TemporalChangeVersion = '<id>' AND ExecutionStatus = 'Running'` (the SDK records
// each patch id there); when it finds nothing, delete the call and its entry here, and drop the archived
// histories recorded before the retirement. docs/rule-changes.md keeps the table of what each guarded.
export const RETIRED_PATCHES = {
  /** The rules and SLA policies of 2026.1 (the 2025 decider before). */
  issue9Rules: 'issue-9-rules',
  /** A party's window lapses instead of breaching; no referral accepted while its application awaits acceptance. */
  issue21Rules: 'issue-21-rules',
  /** Publishing in rounds of attempts, so that a stall shows (publishStalled). */
  publishStallVisible: 'publish-stall-visible',
  /** A child workflow per referral. */
  referralChildWorkflows: 'referral-child-workflows',
  /** A closed case's clocks (a party's windows) still wake the workflow. */
  clocksWhileClosed: 'clocks-while-closed',
  /** One clock timer per due moment, kept across commands that do not move it. */
  clockTimerKept: 'clock-timer-kept',
  /** A rejected clock check is retried with backoff and shown (clockCheckFailing). */
  clockCheckRetried: 'clock-check-retried',
  /** A merge records the duplicate on the surviving case first (the merge saga); met at a case's first MergeCase. */
  mergeSaga: 'merge-saga',
  /** A clock check asked for early does not remember the next, future due moment; met at the first such check. */
  earlyCheckKeepsNextTimer: 'early-check-keeps-next-timer',
} as const;

/** The commit that retired them (the last before which runs recorded their markers with patched()). */
export const RETIRED_AFTER_COMMIT = '22b4c9c';
