// The read models over HTTP: the questions of DOMAIN.md — queues, overdue and at-risk cases, open
// supervision notices, KPIs with their year-on-year change, early warning — and the auditor's archive.
// Query strings are validated by zod, so a bad parameter is named in a 400.
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { Department, DisputeType, Level } from '../events/vocabulary.js';
import type { Db } from '../readmodels/db.js';
import { atRiskCases, caseArchive, deadLetters, departmentQueue, earlyWarnings, kpis, openSupervision, overdueCases } from '../readmodels/queries.js';
import { HttpError, parseBody, type Router } from './http.js';
import { actorOf } from './actor.js';
import { redact } from '../events/index.js';
import type { Role } from '../events/vocabulary.js';

const Instant = z.iso.datetime();
const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month YYYY-MM');
const Day = z.iso.date();

const DeadlineFilter = z.strictObject({ now: Instant.optional(), department: Department.optional(), level: Level.optional() });
const QueueQuery = z.strictObject({ level: Level.optional(), now: Instant.optional(), limit: z.coerce.number().int().min(1).max(1000).optional() });
const KpiQuery = z.strictObject({
  from: Month,
  to: Month,
  department: Department.optional(),
  level: Level.optional(),
  disputeType: DisputeType.optional(),
  groupBy: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(z.enum(['department', 'level', 'disputeType'])))
    .optional(),
});
const WarningQuery = z.strictObject({
  asOf: z.union([Day, Instant]),
  threshold: z.coerce.number().int().min(1).optional(),
  windowDays: z.coerce.number().int().min(1).max(366).optional(),
});

function query<S extends z.ZodType>(schema: S, req: IncomingMessage): z.infer<S> {
  return parseBody(schema, Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams), 'query ');
}

export function readModelRoutes(router: Router, db: Db, schema: string): Router {
  const ok = (body: unknown) => ({ status: 200, body });
  return router
    .on('GET', '/queues/:department', async (req, params) => {
      const department = Department.safeParse(params.department);
      if (!department.success) throw new HttpError(404, 'not-found', `no department ${params.department}; departments: ${Department.options.join(', ')}`);
      return ok(await departmentQueue(db, schema, department.data, query(QueueQuery, req)));
    })
    .on('GET', '/overdue', async (req) => ok(await overdueCases(db, schema, query(DeadlineFilter, req))))
    .on('GET', '/at-risk', async (req) => ok(await atRiskCases(db, schema, query(DeadlineFilter, req))))
    .on('GET', '/supervision', async (req) => ok(await openSupervision(db, schema, query(DeadlineFilter, req))))
    .on('GET', '/kpis', async (req) => ok(await kpis(db, schema, query(KpiQuery, req))))
    .on('GET', '/early-warnings', async (req) => ok(await earlyWarnings(db, schema, query(WarningQuery, req))))
    // The stored events themselves: for auditors and supervisors, with personal data redacted.
    .on('GET', '/cases/:id/archive', async (req, params) => {
      requireRole(req, ['auditor', 'supervisor']);
      return ok((await caseArchive(db, schema, params.id ?? '')).map(redact));
    })
    .on('GET', '/dead-letters', async (req) => {
      requireRole(req, ['auditor', 'supervisor']);
      return ok(await deadLetters(db, schema));
    });
}

function requireRole(req: IncomingMessage, roles: readonly Role[]): void {
  const actor = actorOf(req);
  if (!roles.includes(actor.role)) throw new HttpError(403, 'forbidden', `only ${roles.join(' or ')} may read stored events`);
}
