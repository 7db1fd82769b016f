// POST /cases: the body a clerk's client sends, and how it becomes a ReceiveCase command. Personal data
// arrives in plain text here — the only place it does — and leaves as marked fields with a random salt
// (events/personal-data.ts), so no later part handles a bare name, ID number or phone number.
import crypto from 'node:crypto';
import { z } from 'zod';
import { Claim, Respondent, personalValue } from '../events/index.js';
import { Channel, Id } from '../events/vocabulary.js';
import type { CommandOf } from '../domain/case/commands.js';
import { msg } from './i18n.js';

const ComplainantInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  // 18-character resident ID (the last may be X); checked for shape only.
  idNumber: z.string().regex(/^\d{17}[\dX]$/, { error: msg('field.id-number') }).optional(),
  phone: z.string().regex(/^\+?[\d-]{5,20}$/, { error: msg('field.phone') }).optional(),
  isRepresentative: z.boolean().default(true),
});

export const NewCaseBody = z
  .strictObject({
  /** Optional: a case number the centre already assigned; otherwise one is made. */
  caseNumber: z.string().regex(/^[A-Za-z0-9-]{3,64}$/, { error: msg('field.case-number') }).optional(),
  channel: Channel,
  complainants: z.array(ComplainantInput).min(1, { error: msg('field.complainants') }),
  workerCount: z.number().int().positive(),
  respondent: Respondent,
  claim: Claim,
  petitionRef: Id.optional(),
  })
  .meta({ id: 'NewCase' });
export type NewCaseBody = z.infer<typeof NewCaseBody>;

/** e.g. MC-20251120-7F3A9C: date of receipt (China) and 24 random bits. */
export function newCaseNumber(now: Date): string {
  const china = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
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
  return {
    type: 'ReceiveCase',
    caseId,
    data: {
      channel: body.channel,
      complainants,
      workerCount: body.workerCount,
      respondent: body.respondent,
      claim: body.claim,
      ...(body.petitionRef ? { petitionRef: body.petitionRef } : {}),
    },
  };
}
