// POST /cases: the body a clerk's client sends, and how it becomes a ReceiveCase command. Personal data
// arrives in plain text here — the only place it does — and leaves as marked fields with a random salt
// (events/personal-data.ts), so no later part handles a bare name, ID number or phone number.
import crypto from 'node:crypto';
import { z } from 'zod';
import { Claim, Respondent, personalValue } from '../events/index.js';
import { Channel, Id, Text } from '../events/vocabulary.js';
import { MAX_COMPLAINANTS } from '../events/limits.js';
import type { CommandOf } from '../domain/case/commands.js';
import { decideIntake, rejectionHttpStatus, type Actor } from '../domain/case/index.js';
import { chinaDateOf } from '../domain/calendar/index.js';
import { ResidentIdField } from './fields.js';
import { msg } from './i18n.js';
import type { CoreRejection } from './messages.js';

const ComplainantInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  // Shape only here; the core checks the check digit (GB 11643) and the phone formats, naming every problem.
  idNumber: ResidentIdField.optional(),
  phone: z.string().regex(/^\+?[\d\s-]{5,20}$/, { error: msg('field.phone') }).optional(),
  isRepresentative: z.boolean().default(true),
});

/** The enterprise's contact person as the clerk types them: made a data subject of their own below. */
const RespondentContactInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  phone: z.string().regex(/^\+?[\d\s-]{5,20}$/, { error: msg('field.phone') }).optional(),
});

export const NewCaseBody = z
  .strictObject({
  /** Optional: a case number the centre already assigned; otherwise one is made. */
  caseNumber: z.string().regex(/^[A-Za-z0-9-]{3,64}$/, { error: msg('field.case-number') }).optional(),
  channel: Channel,
  complainants: z.array(ComplainantInput).min(1, { error: msg('field.complainants') }).max(MAX_COMPLAINANTS, { error: msg('field.complainants-too-many') }),
  workerCount: z.number().int().positive(),
  respondent: Respondent.extend({ contact: RespondentContactInput.optional() }),
  // Plain text only from a caller: the edge encrypts the summary itself (an encrypted object is a 400).
  claim: Claim.extend({ summary: Text }),
  petitionRef: Id.optional(),
  })
  .meta({ id: 'NewCase' });
export type NewCaseBody = z.infer<typeof NewCaseBody>;

/** e.g. MC-20251120-7F3A9C: date of receipt (China) and 24 random bits. */
export function newCaseNumber(now: Date): string {
  const china = chinaDateOf(now.toISOString()).replaceAll('-', '');
  return `MC-${china}-${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
}

export function toReceiveCase(caseId: string, body: NewCaseBody): CommandOf<'ReceiveCase'> {
  const salt = () => crypto.randomBytes(16).toString('hex');
  const complainants = body.complainants.map((c) => {
    const personId = `person-${crypto.randomUUID()}`;
    return {
      personId,
      name: personalValue(personId, c.name, salt()),
      ...(c.idNumber ? { idNumber: personalValue(personId, c.idNumber, salt()) } : {}),
      ...(c.phone ? { phone: personalValue(personId, c.phone, salt()) } : {}),
      isRepresentative: c.isRepresentative,
    };
  });
  const { contact, ...enterprise } = body.respondent;
  const contactId = `person-${crypto.randomUUID()}`;
  const respondent = {
    ...enterprise,
    ...(contact
      ? { contact: { personId: contactId, name: personalValue(contactId, contact.name, salt()), ...(contact.phone ? { phone: personalValue(contactId, contact.phone, salt()) } : {}) } }
      : {}),
  };
  return {
    type: 'ReceiveCase',
    caseId,
    data: {
      channel: body.channel,
      complainants,
      workerCount: body.workerCount,
      respondent,
      claim: body.claim,
      ...(body.petitionRef ? { petitionRef: body.petitionRef } : {}),
    },
  };
}

/**
 * The core's intake decision, run before the workflow is started: a case the core would refuse is answered
 * with its rejection (4xx, every problem named) and no workflow is started, so no case number is burnt.
 */
export function intakeRejection(
  receive: CommandOf<'ReceiveCase'>,
  actor: Actor,
  now: Date,
): { status: number; code: string; reason: string; details: Pick<CoreRejection, 'key' | 'params' | 'problems'> } | null {
  const decision = decideIntake(receive, { now: now.toISOString(), actor, commandId: 'intake-dry-run', correlationId: 'intake-dry-run' });
  if (decision.ok) return null;
  const { code, reason, key, params, problems } = decision.rejection;
  const details = { key, params, ...(problems ? { problems: problems.map((p) => ({ key: p.key, params: p.params })) } : {}) };
  return { status: rejectionHttpStatus[code], code, reason, details };
}
