// events/zod.ts lets zod compile its object parsers in Node (the projector, audit verify, the API) and keeps
// them interpreted in the workflow sandbox. Given the same stored events, sound or broken, when both modes
// parse them, then they give the same event or the same refusal, word for word.
import { describe, expect, it, vi } from 'vitest';
import { canonicalJson, parseEvent, z } from '../../events/index.js';
import { generateEvents } from '../../testkit/history-generator.js';

type Parse = typeof parseEvent;

async function interpretedParseEvent(): Promise<Parse> {
  // A fresh copy of the event modules, built while zod is jitless (zod reads the setting when it builds an
  // object schema). events/zod.ts runs first in the fresh registry and sets compiled mode; the schemas
  // are built only when parse.js is imported after the switch.
  vi.resetModules();
  const fresh = await import('../../events/zod.js');
  fresh.z.config({ jitless: true });
  try {
    return (await import('../../events/parse.js')).parseEvent;
  } finally {
    fresh.z.config({ jitless: false });
  }
}

function outcome(parse: Parse, raw: unknown): { event: string } | { refused: string } {
  try {
    return { event: JSON.stringify(parse(raw)) };
  } catch (error) {
    return { refused: error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error) };
  }
}

const storedEvents = (): Record<string, unknown>[] =>
  [...generateEvents({ cases: 40, seed: 11 })].map((e) => JSON.parse(canonicalJson(e)) as Record<string, unknown>);

// Breakages a bad producer or a tampered log could carry, one per copy.
const breakages: ((raw: Record<string, unknown>) => void)[] = [
  (raw) => (raw['sequence'] = -1),
  (raw) => (raw['occurredAt'] = '2025-02-30T00:00:00Z'),
  (raw) => (raw['hash'] = 'not-a-hash'),
  (raw) => delete raw['actor'],
  (raw) => (raw['data'] = 'text'),
  (raw) => (raw['unexpected'] = true),
  (raw) => {
    const data = raw['data'] as Record<string, unknown>;
    const first = Object.keys(data)[0];
    if (first !== undefined) data[first] = { nested: [1, 2, 3] };
  },
  (raw) => {
    const data = raw['data'] as Record<string, unknown>;
    const first = Object.keys(data)[0];
    if (first !== undefined) delete data[first];
  },
];

describe('zod compiled (Node) and interpreted (workflow sandbox) parse events alike', () => {
  it('runs compiled here: this process is Node', () => {
    expect(z.config().jitless).toBe(false);
  });

  it('given a generated history, when both modes parse every stored event, then the events are identical', async () => {
    const interpreted = await interpretedParseEvent();
    expect(interpreted).not.toBe(parseEvent);
    const events = storedEvents();
    expect(new Set(events.map((e) => e['type'])).size).toBeGreaterThan(15);
    for (const raw of events) {
      const compiled = outcome(parseEvent, raw);
      expect(compiled).toHaveProperty('event');
      expect(outcome(interpreted, raw)).toEqual(compiled);
    }
  });

  it('given broken copies of the events, when both modes parse them, then they refuse the same ones in the same words', async () => {
    const interpreted = await interpretedParseEvent();
    let refused = 0;
    for (const original of storedEvents().slice(0, 200)) {
      for (const breakIt of breakages) {
        const raw = structuredClone(original);
        breakIt(raw);
        const compiled = outcome(parseEvent, raw);
        if ('refused' in compiled) refused++;
        expect(outcome(interpreted, structuredClone(raw))).toEqual(compiled);
      }
    }
    expect(refused).toBeGreaterThan(800);
  });
});
