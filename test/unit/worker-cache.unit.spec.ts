import { describe, expect, it } from 'vitest';
import { CACHED_WORKFLOW_MIB, WORKER_BASE_MIB, workerMemory, workflowCacheSize } from '../../runtime/worker-cache.js';

describe('workerMemory', () => {
  it('given the 2 GiB budget, then a 1,536 MiB heap with 1,536 workflows cached: half the heap at the measured 0.5 MiB each, the rest for garbage', () => {
    const m = workerMemory(2048);
    expect(m).toEqual({ heapMiB: 1536, cachedWorkflows: 1536 });
    expect(WORKER_BASE_MIB + m.heapMiB).toBeLessThanOrEqual(2048);
    expect(m.cachedWorkflows * CACHED_WORKFLOW_MIB).toBeLessThanOrEqual(m.heapMiB / 2);
    expect((m.cachedWorkflows + 1) * CACHED_WORKFLOW_MIB).toBeGreaterThan(m.heapMiB / 2);
    expect(workflowCacheSize(2048)).toBe(1536);
    // The measured RSS per cached workflow (0.31–0.34 MiB, bench --only memory) fits the rounded figure.
    expect(CACHED_WORKFLOW_MIB).toBeGreaterThanOrEqual(0.34);
  });

  it('given a small budget, then at least 10 cached; given a budget below 600 MiB or not a number, then a RangeError naming it', () => {
    expect(workerMemory(600)).toEqual({ heapMiB: 88, cachedWorkflows: 88 });
    expect(() => workerMemory(599)).toThrow(/at least 600 MiB, not 599/);
    expect(() => workerMemory(Number.NaN)).toThrow(RangeError);
  });
});
