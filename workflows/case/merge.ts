// A merge is one act on two cases: the surviving case records the duplicate first (an activity, retried
// while that case cannot be reached), then this case records the merge, under the lock, so nothing changes
// this case in between. While a case is being merged it takes no duplicate itself: two cases merged into
// each other at once would otherwise wait on each other for ever.
import { condition, deprecatePatch } from '@temporalio/workflow';
import type { CommandOf } from '../../domain/case/index.js';
import type { CommandRequest, CommandResult } from '../messages.js';
import { RETIRED_PATCHES } from '../retired-patches.js';
import { rejected, type CaseEntity } from './entity.js';
import { mergeOnTarget, mergeRefused, type Lock } from './temporal.js';

export class MergeSaga {
  private into: string | undefined;

  constructor(
    private readonly caseId: string,
    private readonly entity: CaseEntity,
    private readonly lock: Lock,
    private readonly applyOnce: (req: CommandRequest) => CommandResult,
  ) {}

  /** True while this case waits for the surviving case to record it. */
  get merging(): boolean {
    return this.into !== undefined;
  }

  /** The MergeCase handler: this case's own decision first (refused here, it touches no other case). */
  async merge(req: CommandRequest<CommandOf<'MergeCase'>>): Promise<CommandResult> {
    deprecatePatch(RETIRED_PATCHES.mergeSaga);
    await condition(() => this.lock.idle);
    this.lock.take();
    try {
      const seen = this.entity.repeatOf(req);
      if (seen) return { events: seen.events, repeated: true, mergedOnTarget: true };
      this.entity.decideAndFold(req.command, req);
      this.into = req.command.data.intoCaseId;
      try {
        await mergeOnTarget(this.caseId, req, req.command);
      } catch (err) {
        throw mergeRefused(err, req.command);
      } finally {
        this.into = undefined;
      }
      return { ...this.applyOnce(req), mergedOnTarget: true };
    } finally {
      this.lock.release();
    }
  }

  /** The surviving side's refusal of a duplicate while this case is itself being merged. */
  notWhileMerging(): void {
    if (this.into !== undefined) throw rejected('illegal-state', `this case is itself being merged into case ${this.into}`, { key: 'merge.target-merging', params: { intoCaseId: this.into } });
  }
}
