// How much memory the worker's workflows may take: the workflow thread's heap limit and how many case
// workflows stay cached (Temporal's `maxCachedWorkflows`), from one budget (WORKER_MEMORY_MIB) and the
// footprint measured by `npm run bench -- --only memory`.
//
// Until issue 13's fix each cached workflow held about 2.8 MiB of live heap (bench: 250 → 1,000 open cases,
// all cached, took the worker from 1,003 to 3,093 MiB): with the SDK's reusable V8 context every workflow
// gets its own module cache, so each one evaluated the whole core again — zod and every event and command
// schema built from it, the SLA policies, the calendar, the rejection catalogue, the 2025 decider kept for
// old runs — and kept those objects while it was cached; ~55 ms of CPU per workflow created. Now the core
// is evaluated once per workflow thread and shared (workflows/shared/core.ts): a case workflow, started and
// accepted, keeps ~0.1 MiB of heap and costs ~27 ms of CPU to create, start and accept
// (`node --expose-gc --import tsx bench/workflow-footprint.ts`, both sides in one run). Through a server
// (`npm run bench -- --only memory --open 250,500`, then the same with BENCH_SHARED_CORE=0, one session):
// 256 cached of 500 open took the worker to 395 MiB RSS (0.39 MiB per cached workflow over the idle
// worker), against 1,422 MiB (4.45 MiB) with the core per workflow. CACHED_WORKFLOW_MIB stays at the old
// measure until the curve has been taken at thousands of cached workflows: a larger cache is then the
// next step (at 0.4 MiB each, 1,536 MiB of heap would hold ~1,900 with half left for garbage).
//
// Bounding the cache alone does not bound the process: an evicted workflow's objects are garbage, and the
// workflow thread's heap (by default sized from the machine's memory) grows on before V8 collects them
// (bench: cache 512, 1,000 open cases → 2,740 MiB). So the heap is bounded too (--max-old-space-size, a
// process-wide V8 flag that the workflow thread inherits; ops/main.ts starts the worker with it), and the
// cache fills only half of that heap, leaving the other half for garbage and for the workflows' work.
//
// A workflow evicted from the cache costs nothing until it next has work (a command or a clock due); then
// it is replayed from its history, which costs CPU (the module evaluation above, then the replay).

/** RSS outside the workflow heap: the main thread, the SDK's core (Rust), Kafka buffers, code. */
export const WORKER_BASE_MIB = 512;
/** Measured live heap per cached case workflow (2.8 MiB, rounded up). */
export const CACHED_WORKFLOW_MIB = 3;

export interface WorkerMemory {
  /** --max-old-space-size for the worker process (its workflow thread inherits it). */
  heapMiB: number;
  /** maxCachedWorkflows. */
  cachedWorkflows: number;
}

/** The heap limit and cache size that keep a worker within `memoryMiB` of RSS. */
export function workerMemory(memoryMiB: number): WorkerMemory {
  if (!Number.isFinite(memoryMiB) || memoryMiB < 600) throw new RangeError(`worker memory budget must be at least 600 MiB, not ${memoryMiB}`);
  const heapMiB = Math.floor(memoryMiB - WORKER_BASE_MIB);
  return { heapMiB, cachedWorkflows: Math.max(10, Math.floor(heapMiB / 2 / CACHED_WORKFLOW_MIB)) };
}

/** The cache size for a budget (see workerMemory). */
export function workflowCacheSize(memoryMiB: number): number {
  return workerMemory(memoryMiB).cachedWorkflows;
}
