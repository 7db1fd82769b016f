// What the core would accept from this user now: the actions on one case (a dry run of decide(), nothing
// written) and "my work" (待办), the open cases in scope on which it offers a next step, each with its
// deadline light (domain/sla/light.ts). The rules stay in the core and in api/authz.ts; these routes ask them.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { availableActions, COMMAND_TYPES, type AvailableAction, type CaseState, type CommandType } from '../../domain/case/index.js';
import { caseLight } from '../../domain/sla/index.js';
import { decodeCursor, encodeCursor, openCaseStatesPage } from '../../readmodels/open-cases.js';
import { LightSchema } from '../../readmodels/queries.js';
import { actorOf, type Staff } from '../auth.js';
import { caseListScope, factsOf, inScope } from '../authz.js';
import { callerOf, liveCaseInScope } from '../case-access.js';
import { HTTP_COMMANDS } from '../commands.js';
import type { ApiDeps } from '../deps.js';
import { ApiError, problemResponses } from '../problem.js';

const CaseParams = z.object({ id: z.string().min(1).max(64).describe('the case number') });

const Action = z
  .object({
    type: z.string().describe('the command type, sent as POST /cases/:id/commands/:type'),
    target: z
      .object({ referralId: z.string(), sessionId: z.string(), noticeId: z.string(), clock: z.string(), department: z.string() })
      .partial()
      .optional()
      .describe('what the action is aimed at (a referral, session, notice or clock), when the command names one'),
    nextStep: z.boolean().describe('moves the case towards its outcome, reply and closing'),
  })
  .meta({ id: 'AllowedAction' });

const WorkItem = z
  .object({
    caseId: z.string(),
    status: z.string(),
    level: z.string(),
    town: z.string(),
    respondentName: z.string(),
    disputeType: z.string().nullable(),
    collective: z.boolean(),
    priority: z.string(),
    suspended: z.boolean(),
    receivedAt: z.string(),
    actions: z.array(z.string()).describe('the next steps the core offers this user'),
    dueAt: z.string().nullable().describe("the earliest due moment of the centre's running deadlines"),
    clock: z.string().nullable(),
    timeLeftMs: z.number().nullable(),
    light: LightSchema.describe('红黄绿灯 over the running duty clocks: red overdue, yellow past a first warning, green otherwise'),
  })
  .meta({ id: 'WorkItem' });
export type WorkItem = z.infer<typeof WorkItem>;

const OFFERED: readonly CommandType[] = COMMAND_TYPES.filter((t) => HTTP_COMMANDS.includes(t));

/** The actions the core would accept from this user now; none for the roles that only read. */
function actionsFor(state: CaseState, staff: Staff, now: string): AvailableAction[] {
  if (staff.role === 'auditor' || staff.role === 'data-protection-officer') return [];
  return availableActions(state, OFFERED, { now, actor: actorOf(staff), commandId: 'dry-run', correlationId: 'dry-run' });
}

/** A "my work" row: the case, the next steps offered, its next deadline and its light; null when nothing is offered. */
function workItem(state: CaseState, staff: Staff, now: string): WorkItem | null {
  if (state.status === 'none') return null;
  const next = actionsFor(state, staff, now).filter((a) => a.nextStep);
  if (next.length === 0) return null;
  const { light, next: clock } = caseLight(state.clocks, now);
  return {
    caseId: state.caseId,
    status: state.status,
    level: state.level,
    town: state.respondent.town,
    respondentName: state.respondent.name,
    disputeType: state.disputeType,
    collective: state.collective,
    priority: state.priority,
    suspended: state.suspended !== null,
    receivedAt: state.receivedAt,
    actions: [...new Set(next.map((a) => a.type))],
    dueAt: clock?.dueAt ?? null,
    clock: clock?.key ?? null,
    timeLeftMs: clock ? Date.parse(clock.dueAt) - Date.parse(now) : null,
    light,
  };
}

export const myWorkRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.get(
    '/cases/:id/actions',
    {
      config: { operation: 'cases.actions' },
      schema: {
        summary: 'The commands this user may send on the case now',
        description: 'Asked of the core by a dry run of every command on the case as its workflow holds it (nothing is written). A refusal that depends only on the data entered still lists the action.',
        params: CaseParams,
        response: { 200: z.object({ caseId: z.string(), asOf: z.string(), actions: z.array(Action) }), ...problemResponses },
      },
    },
    async (req) => {
      const caller = callerOf(req);
      const view = await liveCaseInScope(deps.temporal, caller, req.params.id);
      const now = new Date().toISOString();
      return { caseId: req.params.id, asOf: now, actions: actionsFor(view.state, caller.staff, now) };
    },
  );

  app.get(
    '/my-work',
    {
      config: { operation: 'work.read' },
      schema: {
        summary: 'The cases waiting for me (待办), least time left first',
        description:
          'The open cases in my scope on which the core offers me a next step now, with the earliest running deadline and its traffic light. ' +
          'A page at a time: `limit` open cases of my scope are looked at (the ones without a next step for me are left out, so a page may hold fewer), ' +
          'and when there may be more the response carries `x-next-cursor` (and a `link` rel="next"): send it back as `after` for the next page.',
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(1000).optional().describe('open cases looked at per page (default 500)'),
          after: z.string().max(400).optional().describe('the x-next-cursor of the previous page'),
        }),
        response: { 200: z.array(WorkItem), ...problemResponses },
      },
    },
    async (req, reply) => {
      const { staff, grant } = callerOf(req);
      const now = new Date().toISOString();
      const after = req.query.after === undefined ? undefined : decodeCursor(req.query.after);
      if (req.query.after !== undefined && !after) throw new ApiError(400, 'validation', 'validation.invalid', { fields: 'after' });
      const limit = req.query.limit ?? 500;
      const page = await openCaseStatesPage(deps.db, deps.schema, { scope: caseListScope(staff, grant), limit, ...(after ? { after } : {}) });
      if (page.next) {
        const cursor = encodeCursor(page.next);
        void reply.header('x-next-cursor', cursor).header('link', `</my-work?limit=${limit}&after=${cursor}>; rel="next"`);
      }
      // The page's own order (SQL's) is already least time left first.
      return page.states.flatMap((state) => {
        const facts = factsOf(state);
        const item = facts && inScope(staff, grant, facts) ? workItem(state, staff, now) : null;
        return item ? [item] : [];
      });
    },
  );
};
