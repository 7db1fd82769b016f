// The read models over HTTP: the questions of DOMAIN.md — queues, overdue and at-risk cases, open
// supervision notices, KPIs with their year-on-year change, early warning — plus the projector's dead
// letters and the access log. Lists are narrowed to the caller's scope in SQL (api/authz.ts).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Department, DisputeType, Level } from '../../events/vocabulary.js';
import type { Db } from '../../readmodels/db.js';
import { redriveParked, RedriveResult } from '../../readmodels/projector.js';
import { atRiskCases, complaintTrend, deadLetters, departmentQueue, earlyWarnings, kpiCases, kpis, openSupervision, overdueCases } from '../../readmodels/queries.js';
import { ComplaintTrend, DeadlineCase, EarlyWarning, KpiCase, KpiRow, OpenNotice, ParkedEvent, QueueItem } from '../../readmodels/queries.js';
import { AccessEntry, type AccessLog } from '../access-log.js';
import { callerOf } from '../case-access.js';
import { listFilter } from '../authz.js';
import { CreditCodeField } from '../fields.js';
import { msg } from '../i18n.js';
import { ApiError, problemResponses } from '../problem.js';

const Instant = z.iso.datetime();
const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: msg('field.month') });
const Day = z.iso.date();
const Limit = z.coerce.number().int().min(1).max(1000).optional();

const DeadlineFilter = z.strictObject({ now: Instant.optional(), department: Department.optional(), level: Level.optional(), limit: Limit });
const QueueQuery = z.strictObject({ level: Level.optional(), now: Instant.optional(), limit: Limit });
const KpiQuery = z.strictObject({
  from: Month,
  to: Month,
  department: Department.optional(),
  level: Level.optional(),
  disputeType: DisputeType.optional(),
  groupBy: z
    .string()
    .transform((s) => (s === '' ? [] : s.split(',')))
    .pipe(z.array(z.enum(['department', 'level', 'disputeType'])))
    .optional()
    .describe('comma-separated dimensions kept in the rows (default all three); empty: one row per month, everything summed'),
});
const KpiCasesQuery = z.strictObject({
  from: Month,
  to: Month,
  department: Department.optional(),
  level: Level.optional(),
  disputeType: DisputeType.optional(),
  limit: Limit,
});
const TrendQuery = z.strictObject({
  asOf: z.union([Day, Instant]),
  creditCodes: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(CreditCodeField).min(1).max(50))
    .describe('comma-separated unified social credit codes'),
  windowDays: z.coerce.number().int().min(1).max(366).optional(),
  windows: z.coerce.number().int().min(2).max(24).optional(),
});
const WarningQuery = z.strictObject({
  asOf: z.union([Day, Instant]),
  threshold: z.coerce.number().int().min(1).optional(),
  windowDays: z.coerce.number().int().min(1).max(366).optional(),
});
const AccessQuery = z.strictObject({ caseId: z.string().optional(), actorId: z.string().optional(), from: Instant.optional(), to: Instant.optional(), limit: Limit });

export const readModelRoutes: FastifyPluginAsyncZod<{ db: Db; schema: string; accessLog: AccessLog }> = async (app, { db, schema, accessLog }) => {
  const rows = <T extends z.ZodType>(summary: string, row: T) => ({ summary, response: { 200: z.array(row), ...problemResponses } });
  /** The department a caller may ask about: a liaison only their own. */
  const department = (forced: Department | undefined, asked: Department | undefined): Department | undefined => {
    if (forced && asked && forced !== asked) throw new ApiError(403, 'forbidden', 'forbidden.department', { department: forced });
    return forced ?? asked;
  };

  app.get(
    '/queues/:department',
    { config: { operation: 'queues.read' }, schema: { ...rows("A department's open cases, least time left first", QueueItem), params: z.object({ department: z.string() }), querystring: QueueQuery } },
    async (req) => {
      const asked = Department.safeParse(req.params.department);
      if (!asked.success) throw new ApiError(404, 'not-found', 'not-found.department', { department: req.params.department, departments: Department.options.join(', ') });
      const { staff, grant } = callerOf(req);
      const scope = listFilter(staff, grant);
      return departmentQueue(db, schema, department(scope.department, asked.data)!, { ...req.query, ...(scope.town ? { town: scope.town } : {}) });
    },
  );
  for (const [path, query, summary] of [
    ['/overdue', overdueCases, 'Cases past a deadline'],
    ['/at-risk', atRiskCases, 'Cases past a warning threshold and not yet due'],
  ] as const) {
    app.get(path, { config: { operation: 'deadlines.read' }, schema: { ...rows(summary, DeadlineCase), querystring: DeadlineFilter } }, async (req) => {
      const { staff, grant } = callerOf(req);
      const scope = listFilter(staff, grant);
      const dept = department(scope.department, req.query.department);
      return query(db, schema, { ...req.query, ...(dept ? { department: dept } : {}), ...(scope.town ? { town: scope.town } : {}) });
    });
  }
  app.get('/supervision', { config: { operation: 'supervision.read' }, schema: { ...rows('Open supervision notices (督办), late ones flagged', OpenNotice), querystring: DeadlineFilter } }, async (req) => {
    const { staff, grant } = callerOf(req);
    const scope = listFilter(staff, grant);
    const dept = department(scope.department, req.query.department);
    return openSupervision(db, schema, { ...req.query, ...(dept ? { department: dept } : {}), ...(scope.town ? { town: scope.town } : {}) });
  });
  app.get('/kpis', { config: { operation: 'kpis.read' }, schema: { ...rows('KPIs per period with their year-on-year change', KpiRow), querystring: KpiQuery } }, async (req) => kpis(db, schema, req.query));
  app.get(
    '/kpis/cases',
    { config: { operation: 'kpis.read' }, schema: { ...rows('The drill-down: the cases received in the months of one department, level and/or dispute type', KpiCase), querystring: KpiCasesQuery } },
    async (req) => kpiCases(db, schema, req.query),
  );
  app.get(
    '/early-warnings/trend',
    { config: { operation: 'kpis.read' }, schema: { ...rows("Each enterprise's complaints in consecutive windows up to asOf (the early-warning window last)", ComplaintTrend), querystring: TrendQuery } },
    async (req) => complaintTrend(db, schema, req.query),
  );
  app.get('/early-warnings', { config: { operation: 'kpis.read' }, schema: { ...rows('Enterprises with a rising number of complaints', EarlyWarning), querystring: WarningQuery } }, async (req) =>
    earlyWarnings(db, schema, req.query),
  );
  app.get('/dead-letters', { config: { operation: 'dead-letters.read' }, schema: { ...rows('Events the projector parked (gap, broken chain, undecodable)', ParkedEvent), querystring: z.strictObject({ caseId: z.string().optional(), limit: Limit }) } }, async (req) =>
    deadLetters(db, schema, req.query),
  );
  // Once the cause of a parking is fixed (a projector bug deployed away), an operator re-drives the case:
  // `mediation dead-letters retry <case>`. What still does not fit is parked again, nothing is lost.
  app.post(
    '/dead-letters/:caseId/retry',
    {
      config: { operation: 'dead-letters.retry' },
      schema: {
        summary: "Re-drive a case's parked events into the read models (after their cause is fixed)",
        params: z.object({ caseId: z.string().min(1).max(64) }),
        response: { 200: RedriveResult, ...problemResponses },
      },
    },
    async (req) => {
      const result = await redriveParked(db, schema, req.params.caseId);
      req.log.info({ ...result, actor: callerOf(req).staff.id }, 'parked events re-driven');
      return result;
    },
  );
  app.get('/access-log', { config: { operation: 'access-log.read' }, schema: { ...rows('Who read which personal data of which case, when', AccessEntry), querystring: AccessQuery } }, async (req) => accessLog.query(req.query));
};
