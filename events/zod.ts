// Every module of the pure core imports zod from here, so the configuration below is in force before
// any schema is built (zod 4 reads it when it builds an object schema, not when it parses).
//
// Why jitless in the Temporal workflow sandbox: zod 4 compiles object parsers with `new Function` when it
// may. The core runs inside the sandbox (a node:vm context), and interpreting there instead of generating
// code survives any sandbox or CSP that forbids eval and keeps what a replay executes the same code path.
//
// Why compiled in Node (the projector, `audit verify`, the API): there nothing forbids generated code, and
// the compiled parsers take about a third off each event's parse, among the largest costs of verify and of
// the projector (their profiles: docs/measurements/2026-11-30-performance.md). Same schemas, same outcome — zod falls back to the
// interpreter to word an error — and test/unit/zod-compiled.unit.spec.ts checks that both modes accept and
// refuse the same events with the same results. The sandbox has no `process`; Node always does.
import { z } from 'zod';

// Read through globalThis: the core does not use Node's globals (lint), it only asks whether it is in Node.
const inNode = typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === 'string';
z.config({ jitless: !inNode });

export { z };
