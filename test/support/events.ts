// Sealed event fixtures for projector and audit tests: a short, valid case history built with the same
// events/ functions the workflow uses.
import { GENESIS_HASH, personalValue, sealEvents, type CaseEvent, type UnsealedEvent } from '../../events/index.js';

const SALT = '0123456789abcdef0123456789abcdef';

export function receivedEvent(caseId: string, at = '2025-09-20T02:00:00.000Z'): UnsealedEvent {
  return {
    eventId: `${caseId}-e1`,
    caseId,
    sequence: 1,
    type: 'CaseReceived',
    schemaVersion: 3,
    occurredAt: at,
    actor: { id: 'clerk-1', role: 'intake-clerk' },
    causationId: `${caseId}-cmd1`,
    correlationId: `${caseId}-req1`,
    data: {
      channel: 'walk-in',
      complainants: [{ personId: 'person-1', name: personalValue('person-1', '张三', SALT), isRepresentative: true }],
      workerCount: 1,
      collective: false,
      priority: 'normal',
      respondent: {
        name: '某某电子有限公司',
        creditCode: '91330100MA2XXXXX1B',
        town: '城关镇',
        industry: 'manufacturing',
        responsibleDepartment: '经信局',
        level: 'enterprise',
      },
      claim: { disputeTypeHint: 'wage-arrears', summary: 'three months of wages unpaid', amountClaimedFen: 1_200_000 },
      routingRulesVersion: 'routing-2025.1',
      rulesEdition: '2026.2',
    },
  } as UnsealedEvent;
}

export function acceptedEvent(caseId: string, sequence: number, at = '2025-09-21T02:00:00.000Z'): UnsealedEvent {
  return {
    eventId: `${caseId}-e${sequence}`,
    caseId,
    sequence,
    type: 'CaseAccepted',
    schemaVersion: 1,
    occurredAt: at,
    actor: { id: 'clerk-1', role: 'intake-clerk' },
    causationId: `${caseId}-cmd${sequence}`,
    correlationId: `${caseId}-req${sequence}`,
    data: {},
  } as UnsealedEvent;
}

/** CaseReceived then CaseAccepted, sealed into a chain. */
export function shortHistory(caseId: string): CaseEvent[] {
  return sealEvents([receivedEvent(caseId), acceptedEvent(caseId, 2)], GENESIS_HASH);
}
