// The small closed vocabularies that events, commands, routing rules and SLA policies share.
import { z } from './zod.js';

/** The five departments of joint mediation (联动调处). */
export const Department = z.enum(['union', 'court', 'petitions', 'hr', 'justice']);
export type Department = z.infer<typeof Department>;

/** Levels of the mediation network; escalation moves one step to the right. */
export const Level = z.enum(['enterprise', 'town', 'county']);
export type Level = z.infer<typeof Level>;
export const LEVELS: readonly Level[] = Level.options;

export const Role = z.enum([
  'intake-clerk',
  'mediator',
  'department-liaison',
  'supervisor',
  'auditor',
  'system',
  'complainant',
  /** 个人信息保护负责人: erases a closed case's personal data (ErasePersonalData), changes nothing else. */
  'data-protection-officer',
]);
export type Role = z.infer<typeof Role>;

export const Channel = z.enum(['walk-in', 'hotline-12351', 'online', 'petition-transfer', 'screening']);
export type Channel = z.infer<typeof Channel>;

export const DisputeType = z.enum([
  'wage-arrears',
  'social-insurance',
  'contract-termination',
  'work-injury',
  'hours-and-rest',
  'other',
]);
export type DisputeType = z.infer<typeof DisputeType>;

/** Ten or more workers with a common request make a collective dispute (劳动争议调解仲裁法 第七条). */
export const COLLECTIVE_THRESHOLD = 10;

/** An instant, always written in UTC with a `Z` (e.g. 2025-03-01T08:30:00.000Z) so it sorts as text. */
export const Instant = z.iso.datetime();
/** A calendar date in China (e.g. an instalment's due date), YYYY-MM-DD. */
export const CalendarDate = z.iso.date();

/**
 * Money is integer fen (分): exact to add and compare, and a JSON number stays exact up to
 * 2^53 fen (≈ 90 trillion yuan). A float yuan amount would not add up exactly.
 */
export const Fen = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const Id = z.string().min(1).max(200);
export const Text = z.string().min(1).max(5000);
