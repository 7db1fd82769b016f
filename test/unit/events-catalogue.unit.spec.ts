// The event catalogue against its neighbours. The SLA policies key on event type names (checked by
// the compiler: their Trigger type is events' EventType) and on data fields (checked here at run time),
// so a renamed field fails a test instead of silently stopping a clock.
import { describe, expect, it } from 'vitest';
import { slaPolicySet } from '../../domain/sla/index.js';
import { dataSchemaOf, EVENT_TYPES, eventCatalogue } from '../../events/index.js';

describe('event catalogue', () => {
  it('has the 41 event types of the lifecycle and PersonalDataErased', () => {
    expect(EVENT_TYPES).toHaveLength(42);
    expect(new Set(EVENT_TYPES).size).toBe(42);
    expect(EVENT_TYPES).toContain('PersonalDataErased');
  });

  it('has every data field an SLA trigger or scope reads', () => {
    for (const policy of slaPolicySet.policies) {
      const triggers = [...policy.start, ...policy.stop, ...policy.pause, ...policy.resume, ...policy.reset, ...policy.cancel, ...policy.extend.map((r) => r.on)];
      for (const trigger of triggers) {
        const shape = dataSchemaOf(trigger.type).shape as Record<string, unknown>;
        for (const field of Object.keys(trigger.where ?? {})) {
          expect(shape, `${policy.id}: ${trigger.type}.data.${field}`).toHaveProperty(field);
        }
        if (policy.scopeBy && policy.start.includes(trigger)) {
          expect(shape, `${policy.id}: scope ${trigger.type}.data.${policy.scopeBy}`).toHaveProperty(policy.scopeBy);
        }
      }
    }
  });

  it('starts every event type at a positive schema version; CaseReceived is at v3 (v1 and v2 upcast)', () => {
    for (const type of EVENT_TYPES) expect(eventCatalogue[type].version).toBeGreaterThanOrEqual(1);
    expect(eventCatalogue.CaseReceived.version).toBe(3);
  });
});
