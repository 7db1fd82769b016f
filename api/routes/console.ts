// What the staff console (console/) needs beyond the case and read-model routes: who is signed in and
// what the authorisation table lets them do, the actions the core would accept now (a dry run of
// decide()), the intake checks as the clerk types, "my work", and the auditor's replay of a case.
// Every rule stays in the core or in api/authz.ts; these routes only ask them.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loadCase, stateAsOf, timeline, compareWithWorkflow, exportDossier } from '../../audit/index.js';
import { readCaseFromArchive, type ArchiveSource } from '../../audit/archive.js';
import { availableActions, COMMAND_TYPES, renderRejection, type AvailableAction, type CaseState, type CommandType } from '../../domain/case/index.js';
import { redact } from '../../events/personal-data.js';
import { decodeCursor, encodeCursor, openCasesOfEnterprise, openCaseStatesPage } from '../../readmodels/open-cases.js';
import { caseState } from '../../readmodels/queries.js';
import { isDuty } from '../../domain/sla/index.js';
import type { AccessLog } from '../access-log.js';
import { actorOf, type Staff } from '../auth.js';
import { AUTHORISATION, caseListScope, factsOf, grantFor, inScope, OPERATIONS, requireInScope, type Grant } from '../authz.js';
import { caseView, HTTP_COMMANDS } from '../commands.js';
import { message } from '../i18n.js';
import { intakeRejection, NewCaseBody, toReceiveCase } from '../intake.js';
import { msg } from '../i18n.js';
import { revealCaseText } from '../personal-data.js';
import { ApiError, parseInput, problemResponses } from '../problem.js';
import type { ApiDeps } from '../deps.js';

const CaseParams = z.object({ id: z.string().min(1).max(64).describe('the case number') });
const AnyObject = z.looseObject({});

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

const Me = z.object({
  id: z.string(),
  role: z.string(),
  department: z.string().optional(),
  level: z.string().optional(),
  town: z.string().optional(),
  operations: z.array(z.enum(OPERATIONS)).describe('the operations of the authorisation table this user may perform'),
});

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
    dueAt: z.string().nullable().describe('the earliest due moment of the running clocks'),
    clock: z.string().nullable(),
    timeLeftMs: z.number().nullable(),
    light: z.enum(['green', 'yellow', 'red']).describe('红黄绿灯: red overdue, yellow past the first warning, green otherwise'),
  })
  .meta({ id: 'WorkItem' });

const OpenCase = z
  .object({
    caseId: z.string(),
    status: z.string(),
    receivedAt: z.string(),
    sameComplainant: z.boolean().describe('a complainant of that case has one of the ID numbers given (by the blind index)'),
  })
  .meta({ id: 'PossibleDuplicate' });
export type PossibleDuplicate = z.infer<typeof OpenCase>;

const IntakeCheck = z.object({
  ok: z.boolean(),
  problems: z.array(z.object({ field: z.string(), message: z.string() })).describe('every problem, by field, in the caller’s language'),
  openCases: z
    .array(OpenCase)
    .describe('open cases in the caller’s scope against the same enterprise (credit code), those of the same complainant first: link or merge rather than file twice'),
});

const DuplicateCheckBody = z
  .strictObject({
    creditCode: z.string().regex(/^[0-9A-HJ-NPQRTUWXY]{18}$/, { error: msg('field.credit-code') }).describe("the respondent's unified social credit code"),
    idNumbers: z
      .array(z.string().regex(/^\d{17}[\dXx]$/, { error: msg('field.id-number') }))
      .max(100)
      .default([])
      .describe("the complainants' resident ID numbers (in the body, never in a URL or a log)"),
  })
  .meta({ id: 'DuplicateCheck' });

const DuplicateCheck = z.object({
  enterpriseAndComplainant: z.array(OpenCase).describe('open cases against this enterprise with a complainant of these ID numbers'),
  enterpriseOnly: z.array(OpenCase).describe('open cases against this enterprise of other complainants'),
});

interface Options {
  deps: ApiDeps;
  accessLog: AccessLog;
}

export const consoleRoutes: FastifyPluginAsyncZod<Options> = async (app, { deps, accessLog }) => {
  const staffOf = (req: { staff: Staff | undefined; grant: Grant | undefined }) => ({ staff: req.staff!, grant: req.grant! });
  const archive: ArchiveSource = { kind: 'archive', db: deps.db, schema: deps.schema, describe: 'the read models' };

  app.get(
    '/console/config',
    { config: { public: true }, schema: { summary: "The console's sign-on settings (issuer and client id)", security: [], response: { 200: z.object({ issuer: z.string().nullable(), clientId: z.string().nullable() }) } } },
    async () => ({ issuer: deps.oidc?.issuer ?? null, clientId: deps.oidc?.consoleClientId ?? null }),
  );

  app.get('/me', { schema: { summary: 'Who is signed in, and what the authorisation table lets them do', response: { 200: Me, ...problemResponses } } }, async (req) => {
    const staff = req.staff!;
    const operations = OPERATIONS.filter((op) => {
      if (!AUTHORISATION[op][staff.role]) return false;
      try {
        grantFor(staff, op);
        return true;
      } catch {
        return false;
      }
    });
    return { id: staff.id, role: staff.role, ...(staff.department ? { department: staff.department } : {}), ...(staff.level ? { level: staff.level } : {}), ...(staff.town ? { town: staff.town } : {}), operations };
  });

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
      const { staff, grant } = staffOf(req);
      const view = await caseView(deps.temporal, req.params.id);
      const facts = factsOf(view.state);
      if (!facts) throw new ApiError(404, 'not-found', 'not-found.case', { caseId: req.params.id });
      requireInScope(staff, grant, facts);
      const now = new Date().toISOString();
      return { caseId: req.params.id, asOf: now, actions: actionsFor(view.state, staff, now) };
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
      const { staff, grant } = staffOf(req);
      const now = new Date().toISOString();
      const nowMs = Date.parse(now);
      const items: z.infer<typeof WorkItem>[] = [];
      const after = req.query.after === undefined ? undefined : decodeCursor(req.query.after);
      if (req.query.after !== undefined && !after) throw new ApiError(400, 'validation', 'validation.invalid', { fields: 'after' });
      const limit = req.query.limit ?? 500;
      const page = await openCaseStatesPage(deps.db, deps.schema, { scope: caseListScope(staff, grant), limit, ...(after ? { after } : {}) });
      if (page.next) {
        const cursor = encodeCursor(page.next);
        void reply.header('x-next-cursor', cursor).header('link', `</my-work?limit=${limit}&after=${cursor}>; rel="next"`);
      }
      for (const state of page.states) {
        const facts = factsOf(state);
        if (state.status === 'none' || !facts || !inScope(staff, grant, facts)) continue;
        const next = actionsFor(state, staff, now).filter((a) => a.nextStep);
        if (next.length === 0) continue;
        // The centre's deadlines only: a party's window running out is not the centre's lateness (no red light).
        const running = Object.values(state.clocks).filter((c) => c.status === 'running' && isDuty(c)).sort((a, b) => a.dueAt.localeCompare(b.dueAt));
        const first = running[0];
        const overdue = running.some((c) => c.breached || Date.parse(c.dueAt) <= nowMs);
        const warned = running.some((c) => c.warnAt.some((w) => Date.parse(w.at) <= nowMs));
        items.push({
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
          dueAt: first?.dueAt ?? null,
          clock: first?.key ?? null,
          timeLeftMs: first ? Date.parse(first.dueAt) - nowMs : null,
          light: overdue ? 'red' : warned ? 'yellow' : 'green',
        });
      }
      // The page's own order (SQL's) is already least time left first.
      return items;
    },
  );

  app.post(
    '/cases/intake-check',
    {
      config: { operation: 'cases.create' },
      schema: {
        summary: 'Check a case form without receiving it (as the clerk types)',
        description: "The same checks as POST /cases — the request schema, then the core's intake decision (ID number and credit code check digits, phone formats, registry) — with every problem by field. Nothing is written.",
        body: AnyObject,
        response: { 200: IntakeCheck, ...problemResponses },
      },
    },
    async (req) => {
      const { staff, grant } = staffOf(req);
      const raw = req.body as { respondent?: { creditCode?: unknown }; complainants?: { idNumber?: unknown }[] };
      const creditCode = raw.respondent?.creditCode;
      const idNumbers = (Array.isArray(raw.complainants) ? raw.complainants : []).map((c) => c?.idNumber).filter((n): n is string => typeof n === 'string' && /^\d{17}[\dXx]$/.test(n));
      const openCases = typeof creditCode === 'string' && creditCode.length === 18 ? await possibleDuplicates(staff, grant, creditCode, idNumbers) : [];
      let body: NewCaseBody;
      try {
        body = parseInput(NewCaseBody, req.body, req.locale);
      } catch (err) {
        if (err instanceof ApiError && err.fields) return { ok: false, problems: err.fields, openCases };
        throw err;
      }
      const refused = intakeRejection(toReceiveCase('MC-INTAKE-CHECK', body), actorOf(staff), new Date());
      if (!refused) return { ok: true, problems: [], openCases };
      const list = refused.details.problems ?? [{ key: refused.details.key!, params: refused.details.params ?? {} }];
      return {
        ok: false,
        openCases,
        problems: list.map((p) => {
          const field = typeof p.params?.['field'] === 'string' ? p.params['field'] : undefined;
          const text = p.key ? renderRejection({ key: p.key, params: p.params ?? {} }, req.locale) : refused.reason;
          // The message names its field first ("complainants.0.idNumber：…"); the form shows it at the field.
          return { field: field ? personalFieldPath(field) : '(form)', message: field ? text.replace(new RegExp(`^${escapeRegExp(field)}[：:]\\s*`), '') : text };
        }),
      };
    },
  );

  app.post(
    '/cases/duplicate-check',
    {
      config: { operation: 'cases.create' },
      schema: {
        summary: 'Open cases against the same enterprise, and those of the same complainant (重复件提示)',
        description:
          "The ID numbers go in the body (never in a URL or an access log) and are compared by their keyed blind index (runtime/complainant-index.ts); the complainants' data stays encrypted. Only cases in the caller's scope are answered. Link (LinkCase) or merge (MergeCase) with the case rather than file twice.",
        body: DuplicateCheckBody,
        response: { 200: DuplicateCheck, ...problemResponses },
      },
    },
    async (req) => {
      const { staff, grant } = staffOf(req);
      const found = await possibleDuplicates(staff, grant, req.body.creditCode, req.body.idNumbers);
      return { enterpriseAndComplainant: found.filter((c) => c.sameComplainant), enterpriseOnly: found.filter((c) => !c.sameComplainant) };
    },
  );

  app.get(
    '/cases/:id/timeline',
    {
      config: { operation: 'cases.read' },
      schema: {
        summary: 'The events of the case as a timeline: who, when, what, why',
        description:
          "The case's free text (notes, reasons, opinions, minutes, terms) decrypted for the roles whose grant shows personal data, each such read written to the access log; \"已删除\" / \"erased\" once erased; left out for the others. Names, ID numbers and phones stay redacted.",
        params: CaseParams,
        response: { 200: z.array(AnyObject), ...problemResponses },
      },
    },
    async (req) => {
      const { staff, grant } = staffOf(req);
      const loaded = await loadScoped(staff, grant, req.params.id);
      const { events, opened } = await revealCaseText(loaded.events, req.params.id, deps.personalDataKeys, {
        // Who may read personal data is the table's 'cases.personal-data' row (the scope was checked above).
        full: AUTHORISATION['cases.personal-data'][staff.role]?.personalData === 'full',
        erasedWord: message('personal-data.erased', req.locale),
        unreadableWord: message('personal-data.unreadable', req.locale),
        onUnreadable: (err) => req.log.error({ caseId: req.params.id, err }, 'a free text of the case cannot be decrypted: shown as unreadable'),
      });
      if (opened > 0) {
        await accessLog.record({ actorId: staff.id, actorRole: staff.role, caseId: req.params.id, fields: ['caseText'], requestId: req.id, purpose: `GET /cases/:id/timeline (${opened} fields)` });
      }
      return timeline(events).map((entry) => redact(entry) as unknown as Record<string, unknown>);
    },
  );

  app.get(
    '/cases/:id/audit',
    {
      config: { operation: 'cases.audit' },
      schema: {
        summary: "An auditor's replay of the case: chain verification, timeline, the state and clocks at a moment, and the comparison with the live workflow",
        params: CaseParams,
        querystring: z.strictObject({ asOf: z.iso.datetime().optional().describe('the moment to show (default: now)') }),
        response: { 200: AnyObject, ...problemResponses },
      },
    },
    async (req) => {
      const { staff, grant } = staffOf(req);
      const loaded = await loadScoped(staff, grant, req.params.id);
      const asOf = req.query.asOf ?? new Date().toISOString();
      let comparison: unknown = null;
      try {
        comparison = compareWithWorkflow(loaded.events, await caseView(deps.temporal, req.params.id));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
      }
      const at = stateAsOf(loaded.events, asOf);
      return redact({
        caseId: req.params.id,
        verification: loaded.verification,
        first: loaded.events[0]?.occurredAt ?? null,
        last: loaded.events[loaded.events.length - 1]?.occurredAt ?? null,
        timeline: timeline(loaded.events),
        asOf: at,
        comparison,
      }) as unknown as Record<string, unknown>;
    },
  );

  app.get(
    '/cases/:id/dossier',
    {
      config: { operation: 'cases.audit' },
      schema: { summary: 'The case dossier (卷宗) as JSON, personal data redacted', params: CaseParams, response: { 200: AnyObject, ...problemResponses } },
    },
    async (req, reply) => {
      const { staff, grant } = staffOf(req);
      const loaded = await loadScoped(staff, grant, req.params.id);
      const dossier = exportDossier(loaded, { source: 'read-model event archive', now: new Date().toISOString() });
      reply.header('content-disposition', `attachment; filename="dossier-${req.params.id}.json"`);
      return dossier as unknown as Record<string, unknown>;
    },
  );

  /**
   * Open cases in the caller's scope against the enterprise with this credit code, each marked when one of
   * its complainants has one of these ID numbers (by the blind index); those first, then the latest.
   */
  async function possibleDuplicates(staff: Staff, grant: Grant, creditCode: string, idNumbers: readonly string[]) {
    const ofComplainant = new Set(idNumbers.length > 0 ? await deps.personalDataKeys.complainantIndex().casesOf(idNumbers) : []);
    // Narrowed (scope, credit code) and ordered (same complainant first, then the latest) in SQL.
    const states = await openCasesOfEnterprise(deps.db, deps.schema, { scope: caseListScope(staff, grant), creditCode, first: [...ofComplainant], limit: DUPLICATES_SHOWN });
    const sameEnterprise = states
      .filter((s): s is Extract<CaseState, { caseId: string }> => s.status !== 'none')
      .filter((s) => { const f = factsOf(s); return f !== undefined && inScope(staff, grant, f); });
    return sameEnterprise
      .map((s) => ({ caseId: s.caseId, status: s.status, receivedAt: s.receivedAt, sameComplainant: ofComplainant.has(s.caseId) }))
      .sort((a, b) => Number(b.sameComplainant) - Number(a.sameComplainant) || b.receivedAt.localeCompare(a.receivedAt));
  }

  async function loadScoped(staff: Staff, grant: Grant, caseId: string) {
    const found = await caseState(deps.db, deps.schema, caseId);
    const facts = found && factsOf(found.state);
    if (!found || !facts) throw new ApiError(404, 'not-found', 'not-found.case-summary', { caseId });
    requireInScope(staff, grant, facts);
    return loadCase(caseId, await readCaseFromArchive(archive, caseId));
  }
};

/** The open cases against one enterprise shown at intake: the same complainant's first, then the latest. */
const DUPLICATES_SHOWN = 200;

const OFFERED: readonly CommandType[] = COMMAND_TYPES.filter((t) => HTTP_COMMANDS.includes(t));

function actionsFor(state: CaseState, staff: Staff, now: string): AvailableAction[] {
  if (staff.role === 'auditor' || staff.role === 'data-protection-officer') return [];
  return availableActions(state, OFFERED, { now, actor: actorOf(staff), commandId: 'dry-run', correlationId: 'dry-run' });
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The core names personal fields by their marked value (…name.value); the form knows them by name. */
function personalFieldPath(field: string): string {
  return field.replace(/\.value$/, '');
}
