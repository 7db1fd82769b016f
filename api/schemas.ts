// Response schemas of the read-model routes: what /openapi.json promises and what the serializer checks.
import { z } from 'zod';
import { Level } from '../events/vocabulary.js';

export const QueueItem = z
  .object({
    caseId: z.string(),
    department: z.string(),
    role: z.enum(['lead', 'referral', 'clock']).describe("lead: the case's lead department; referral: a referral in progress; clock: answers for a running deadline"),
    level: Level,
    status: z.string(),
    priority: z.enum(['normal', 'urgent']),
    collective: z.boolean(),
    suspended: z.boolean(),
    receivedAt: z.string(),
    respondentName: z.string(),
    dueAt: z.string().nullable().describe('the earliest due moment among the running deadlines this department answers for'),
    clockKey: z.string().nullable(),
    timeLeftMs: z.number().nullable().describe('dueAt − now; negative when overdue'),
  })
  .meta({ id: 'QueueItem' });

export const DeadlineCase = z
  .object({
    caseId: z.string(),
    status: z.string(),
    level: Level,
    leadDepartment: z.string().nullable(),
    respondentName: z.string(),
    priority: z.string(),
    clocks: z.array(
      z.object({ clockKey: z.string(), policyId: z.string(), department: z.string(), dueAt: z.string(), warnAt: z.string().nullable(), breached: z.boolean() }),
    ),
    dueAt: z.string(),
    timeLeftMs: z.number().describe('negative for overdue cases (how late), positive for cases at risk (time left)'),
  })
  .meta({ id: 'DeadlineCase' });

export const OpenNotice = z
  .object({
    noticeId: z.string(),
    caseId: z.string(),
    department: z.string(),
    accountableUnit: z.string(),
    level: Level,
    reason: z.enum(['clock-breach', 'collective-dispute', 'manual']),
    clockKey: z.string().nullable(),
    issuedAt: z.string(),
    dueAt: z.string(),
    overdue: z.boolean(),
    caseStatus: z.string(),
    respondentName: z.string(),
  })
  .meta({ id: 'SupervisionNotice' });

export const ParkedEvent = z
  .object({
    id: z.string(),
    caseId: z.string().nullable(),
    sequence: z.number().nullable(),
    partition: z.number(),
    offset: z.string(),
    reason: z.string(),
    parkedAt: z.string(),
  })
  .meta({ id: 'ParkedEvent' });

export const RedriveResult = z
  .object({
    caseId: z.string(),
    retried: z.number().describe('parked events of the case tried again'),
    applied: z.number().describe('now in the read models'),
    duplicates: z.number().describe('already there (skipped)'),
    parked: z.number().describe('parked again, with their current reason (see GET /dead-letters)'),
  })
  .meta({ id: 'RedriveResult' });

export const AccessEntry = z
  .object({
    at: z.string(),
    actorId: z.string(),
    actorRole: z.string(),
    caseId: z.string(),
    fields: z.array(z.string()).describe('which personal fields were shown in full'),
    requestId: z.string(),
    purpose: z.string(),
  })
  .meta({ id: 'AccessEntry' });
