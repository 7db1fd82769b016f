import { describe, expect, it } from 'vitest';
import { CACHED_WORKFLOW_MIB, WORKER_BASE_MIB, workflowCacheSize } from '../../runtime/worker-cache.js';

describe('workflowCacheSize', () => {
  it('given the 2 GiB budget, then the cached workflows and the base stay within it', () => {
    const n = workflowCacheSize(2048);
    expect(n).toBe(512);
    expect(WORKER_BASE_MIB + n * CACHED_WORKFLOW_MIB).toBeLessThanOrEqual(2048);
    expect(WORKER_BASE_MIB + (n + 1) * CACHED_WORKFLOW_MIB).toBeGreaterThan(2048);
  });

  it('given a budget barely above the base, then at least 10; given a bad budget, then a RangeError naming it', () => {
    expect(workflowCacheSize(600)).toBe(29);
    expect(workflowCacheSize(520)).toBe(10);
    expect(() => workflowCacheSize(0)).toThrow(/worker memory budget .* not 0/);
    expect(() => workflowCacheSize(Number.NaN)).toThrow(RangeError);
  });
});
