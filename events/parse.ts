import { EventParseError } from './errors.js';
import { CaseEventSchema, currentVersion, eventCatalogue, type CaseEvent, type EventType } from './schemas.js';
import { upcastData } from './upcasters.js';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(raw: Record<string, unknown>): string {
  const type = typeof raw['type'] === 'string' ? raw['type'] : 'event';
  return `${type} (case ${String(raw['caseId'])}, sequence ${String(raw['sequence'])})`;
}

/**
 * A stored or received event → a current-version CaseEvent: upcast, then validate.
 * Throws EventParseError naming the offending field. The result's `hash` is the stored one; verify
 * the chain on the stored form before parsing (see upcasters.ts).
 */
export function parseEvent(raw: unknown): CaseEvent {
  if (!isRecord(raw)) throw new EventParseError('an event must be a JSON object');
  const type = raw['type'];
  if (typeof type !== 'string' || !Object.hasOwn(eventCatalogue, type)) {
    throw new EventParseError(`${describe(raw)}: type: unknown event type ${JSON.stringify(type)}`, [
      { path: 'type', message: 'unknown event type' },
    ]);
  }
  const eventType = type as EventType;
  const stored = raw['schemaVersion'];
  const current = currentVersion(eventType);
  if (typeof stored !== 'number' || !Number.isInteger(stored) || stored < 1 || stored > current) {
    throw new EventParseError(
      `${describe(raw)}: schemaVersion: ${JSON.stringify(stored)} is not a known version (1..${current})`,
      [{ path: 'schemaVersion', message: 'unknown schema version' }],
    );
  }
  let data = raw['data'];
  if (stored < current) {
    if (!isRecord(data)) throw new EventParseError(`${describe(raw)}: data: must be an object`);
    data = upcastData(eventType, stored, current, data, {
      caseId: String(raw['caseId']),
      eventId: String(raw['eventId']),
    });
  }
  const result = CaseEventSchema.safeParse({ ...raw, schemaVersion: current, data });
  if (!result.success) throw EventParseError.fromZod(describe(raw), result.error);
  return result.data;
}
