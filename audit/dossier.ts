// The case dossier: one JSON document with everything an auditor hands on — the events as stored, the
// verification of their chain, the replayed state, the clocks and the timeline.
import type { CaseState, SlaSetup } from '../domain/case/index.js';
import { defaultSla } from '../domain/case/clocks.js';
import { foldEvents } from '../domain/case/index.js';
import { hashedPersonalValue, mapPersonalValues } from '../events/personal-data.js';
import type { RecordLocation } from './records.js';
import { clocksAt, timeline, type ClockAt, type LoadedCase, type TimelineEntry } from './replay.js';
import type { CaseVerification } from './verify.js';

export interface Dossier {
  format: 'mediation-case-dossier';
  formatVersion: 1;
  caseId: string;
  exportedAt: string;
  source: string;
  personalData: 'redacted' | 'included';
  verification: CaseVerification;
  state: CaseState;
  /** The clocks as they stand at `exportedAt`. */
  clocks: ClockAt[];
  timeline: TimelineEntry[];
  /** Every decodable record exactly as stored (any schema version), in log order, with where it was found. */
  events: { location: RecordLocation; event: unknown }[];
  notes: string[];
}

const LEGACY_PERSONAL_FIELDS = ['complainantName', 'complainantPhone'];

/**
 * Personal fields are reduced to the form the event hash covers (events/personal-data.ts
 * hashedPersonalValue: the encrypted field, or `{ pii, ref, commitment }`), so that anyone can re-verify the
 * chain from the dossier without seeing a name. `redact` (for display) would drop
 * the commitment too and make the hashes unverifiable.
 */
function redactStored(raw: unknown, notes: Set<string>): unknown {
  const reduced = mapPersonalValues(raw, hashedPersonalValue) as Record<string, unknown>;
  const data = reduced?.['data'];
  if (reduced?.['type'] === 'CaseReceived' && reduced['schemaVersion'] === 1 && typeof data === 'object' && data !== null) {
    const copy: Record<string, unknown> = { ...(data as Record<string, unknown>) };
    for (const field of LEGACY_PERSONAL_FIELDS) if (field in copy) copy[field] = '[personal data redacted]';
    notes.add(
      'CaseReceived version 1 keeps the complainant in plain text inside its hash: redacted here, so its hash ' +
        'cannot be re-checked from this dossier (export with --show-personal-data for that)',
    );
    return { ...reduced, data: copy };
  }
  return reduced;
}

export function exportDossier(
  loaded: LoadedCase,
  options: { source: string; now: string; showPersonalData?: boolean; sla?: SlaSetup },
): Dossier {
  const sla = options.sla ?? defaultSla;
  const notes = new Set<string>();
  const state = foldEvents(loaded.events, sla);
  const events = loaded.records
    .filter((r) => r.decodeError === undefined)
    .map((r) => ({ location: r.location, event: options.showPersonalData ? r.raw : redactStored(r.raw, notes) }));
  if (!loaded.verification.ok) {
    notes.add('the log has faults (see verification): state, clocks and timeline are replayed from the events that parse, one per sequence');
  }
  return {
    format: 'mediation-case-dossier',
    formatVersion: 1,
    caseId: loaded.caseId,
    exportedAt: options.now,
    source: options.source,
    personalData: options.showPersonalData ? 'included' : 'redacted',
    verification: loaded.verification,
    state,
    clocks: clocksAt(state.status === 'none' ? {} : state.clocks, options.now),
    timeline: timeline(loaded.events, { sla, showPersonalData: options.showPersonalData ?? false }),
    events,
    notes: [...notes],
  };
}
