// Identifier fields as the API reads them from a request: the shapes are the domain's (domain/identifiers),
// the messages the catalogue's. A resident ID number typed with a lower-case x or grouped with spaces is
// accepted and normalised here, at the edge, so the core and the blind index see one form.
import { z } from 'zod';
import { CREDIT_CODE, normaliseResidentId, RESIDENT_ID } from '../domain/identifiers/index.js';
import { msg } from './i18n.js';

export const ResidentIdField = z
  .string()
  .transform(normaliseResidentId)
  .pipe(z.string().regex(RESIDENT_ID, { error: msg('field.id-number') }))
  .describe('居民身份证号: 17 digits and a check character (x or X; spaces and hyphens between groups are ignored)');

export const CreditCodeField = z.string().regex(CREDIT_CODE, { error: msg('field.credit-code') }).describe('统一社会信用代码: 18 characters');
