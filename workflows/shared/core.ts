// The pure core, evaluated once per worker thread and shared by every workflow in it (the worker's
// `preloadModules`, runtime/workflow-bundle.ts), instead of once per workflow.
//
// Why: the SDK gives each workflow its own module cache, so without this every case workflow created —
// opened, or replayed after an eviction — evaluated the whole core again: zod and every event and command
// schema built from it, the SLA policies, the calendar, the rejection catalogue. That
// was ~55 ms of CPU and ~2.3 MiB of heap per workflow (bench/workflow-footprint.ts), which bounded how
// fast cases open, how late clocks fire when many fall due together, and how many workflows fit in memory.
//
// Why this is safe: the core keeps no state of a workflow. Its module-level objects are constants (schemas,
// tables) and two memo tables of pure functions (domain/calendar/dates.ts): shared, they give every
// workflow the same answers. The SDK deep-freezes the shared modules' exports, so a workflow cannot change
// them for another.
//
// Why the completing step below: zod 4 builds parts of a schema on first use — each method is bound to
// its schema on first read, and derived internals (a discriminated union's values, an object's shape, …)
// are computed on first read — and stores them on the schema. On a frozen schema that store throws
// ("Cannot define property safeParse, object is not extensible"); a container schema rewrites its own
// parser on its first parse; a pattern check resets its RegExp's lastIndex before each test. So every
// schema built here is completed before the freeze: its patterns made resettable, every such member read
// once, every schema parsed once. The cost is paid once per worker thread.
import { takeBuiltSchemas } from './zod-schemas-built.js';
import * as events from '../../events/index.js';
import * as caseCore from '../../domain/case/index.js';
import * as sla from '../../domain/sla/index.js';
import * as signatures from './ed25519.js';

/** Reads every accessor of `target`'s prototype chain on `target`, so the lazy ones store their value now. */
function readAccessors(target: object): void {
  for (let proto = Object.getPrototypeOf(target) as object | null; proto && proto !== Object.prototype && proto !== Function.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const key of Reflect.ownKeys(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      if (!descriptor?.get || Object.prototype.hasOwnProperty.call(target, key)) continue;
      try {
        Reflect.get(target, key);
      } catch {
        // A derived member that does not apply to this schema (zod throws, and stores nothing): nothing to keep.
      }
    }
  }
}

/**
 * A regular expression whose `lastIndex` can be reset while it is frozen: zod's pattern checks assign
 * `pattern.lastIndex = 0` before each test, which throws on a frozen RegExp (lastIndex is a data property).
 * Here it is an accessor that passes the assignment to a RegExp of its own, kept out of the freeze's reach.
 */
function resettablePattern(pattern: RegExp): Pick<RegExp, 'lastIndex' | 'test' | 'exec' | 'source' | 'flags'> & { toString(): string } {
  const own = new RegExp(pattern.source, pattern.flags);
  return {
    get lastIndex() {
      return own.lastIndex;
    },
    set lastIndex(value: number) {
      own.lastIndex = value;
    },
    test: (text: string) => own.test(text),
    exec: (text: string) => own.exec(text),
    source: pattern.source,
    flags: pattern.flags,
    toString: () => own.toString(),
  };
}

function complete(schemas: object[]): number {
  for (const schema of schemas) {
    const def = (schema as { _zod?: { def?: { pattern?: unknown } } })._zod?.def;
    if (def && def.pattern instanceof RegExp) def.pattern = resettablePattern(def.pattern);
  }
  for (const schema of schemas) {
    readAccessors(schema);
    const internals = (schema as { _zod?: object })._zod;
    if (internals && typeof internals === 'object') readAccessors(internals);
  }
  // A container schema settles its parser on its first parse (zod's memoizer finds out whether the schema
  // can recurse and, when it cannot, puts the plain parser back in its internals): one parse each, of a
  // value every schema refuses or accepts alike.
  for (const schema of schemas) {
    const safeParse = (schema as { safeParse?: unknown }).safeParse;
    if (typeof safeParse !== 'function') continue;
    try {
      (safeParse as (value: unknown) => unknown).call(schema, undefined);
    } catch {
      // A refinement that cannot take `undefined`: the parser is settled all the same.
    }
  }
  return schemas.length;
}

/** How many zod schemas (and checks) the shared core built and completed. */
export const completedSchemas = complete(takeBuiltSchemas());

// Referenced so that the modules are evaluated here (and shared), whatever the bundler keeps.
export const sharedModules = [events, caseCore, sla, signatures] as const;
