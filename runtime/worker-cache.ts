// How many case workflows the worker keeps in memory (Temporal's `maxCachedWorkflows`), from a memory
// budget and the footprint measured by `npm run bench -- --only memory`.
//
// Each cached workflow costs about 2.8 MiB of RSS (bench: 250 → 1,000 open cases took the worker from
// 1,003 to 3,093 MiB with every one cached). It is held in the workflow thread, not the main heap: with
// the SDK's reusable V8 context, every workflow gets its own module cache, so each one evaluates the whole
// bundle again — zod and every event and command schema built from it, the SLA policies, the calendar,
// the rejection catalogue, the 2025 decider kept for old runs — and holds those objects as long as it is
// cached. The SDK's default cache size comes from the heap limit (about 2,300 on an 8 GiB-heap machine),
// so a town with a few thousand open cases would reach ~6 GiB before anything is evicted.
//
// A workflow evicted from the cache costs nothing until it next has work (a command or a clock due);
// then it is replayed from its history, which costs CPU (the module evaluation above, then the replay).
// So the cache is sized to the memory budget, and the number of open cases no longer matters for memory.

/** RSS of a worker with no workflow cached, plus headroom for activities, Kafka buffers and GC slack. */
export const WORKER_BASE_MIB = 512;
/** Measured RSS per cached case workflow (2.8 MiB, rounded up). */
export const CACHED_WORKFLOW_MIB = 3;

/** The cache size that keeps a worker within `memoryMiB` of RSS (at least 10). */
export function workflowCacheSize(memoryMiB: number): number {
  if (!Number.isFinite(memoryMiB) || memoryMiB <= 0) throw new RangeError(`worker memory budget must be a positive number of MiB, not ${memoryMiB}`);
  return Math.max(10, Math.floor((memoryMiB - WORKER_BASE_MIB) / CACHED_WORKFLOW_MIB));
}
