// How much memory the worker's workflows may take: the workflow thread's heap limit and how many case
// workflows stay cached (Temporal's `maxCachedWorkflows`), from one budget (WORKER_MEMORY_MIB) and the
// footprint measured by `npm run bench -- --only memory`.
//
// With the SDK's reusable V8 context every workflow gets its own module cache, so a workflow that imported
// the core itself would evaluate all of it again — zod and every event and command schema built from it,
// the SLA policies, the calendar, the message catalogue — and keep those objects while cached: about
// 2.8 MiB of live heap and ~55 ms of CPU per workflow (docs/measurements/2026-11-30-performance.md). So the
// core is evaluated once per workflow thread and shared (workflows/shared/core.ts): a case workflow, started and
// accepted, keeps ~0.1 MiB of heap and costs ~27 ms of CPU to create, start and accept
// (`node --expose-gc --import tsx bench/workflow-footprint.ts`, both sides in one run).
//
// What a cached workflow costs the worker in RSS, measured through a server with a cache large enough to
// keep every open case (2026-11-30, load average 8–25 on 2 shared cores):
//
//   npx tsx bench/main.ts --only memory --cache 3000 --open 250,500,1000,2000,3000   (npm run bench servers)
//   open (all cached):  idle   250   500   1,000  2,000  3,000
//   worker RSS MiB:      299   413   494     618    932  1,269      → 0.31–0.34 MiB per cached workflow
//
// Of that, ~0.1 MiB is the workflow's live heap in the V8 context (its own instance of the workflow module,
// its state — the case, its clocks, the outbox — its handlers and promises; workflow-footprint.ts). The rest
// lies outside the workflow's live objects: the SDK core's (Rust) record of each cached run (its state
// machines, the last activation and the payloads it carries, encrypted: the case input is the largest) and
// heap the workflow thread has not yet collected. So the cache is sized on the RSS figure, rounded up to
// 0.5 MiB: a 2 GiB budget caches 1,536 workflows, whose measured cost is ~520 MiB over the idle worker.
// Beyond the cache RSS stays flat (each new case evicts one): `--only memory` with the default cache shows
// it against thousands of open cases, and so 100,000 open cases take what the full cache takes.
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
/**
 * Measured RSS per cached case workflow with the shared core: 0.31–0.34 MiB, rounded up (see above; it was
 * 3 while each workflow evaluated the core again, 2.8 MiB measured).
 */
export const CACHED_WORKFLOW_MIB = 0.5;

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
