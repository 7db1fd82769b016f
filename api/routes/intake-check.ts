// The clerk's checks while typing a new case: the form against the same checks as POST /cases (nothing is
// written), and the open cases against the same enterprise and complainant (重复件提示).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { renderRejection, type CaseState } from '../../domain/case/index.js';
import { normaliseResidentId, RESIDENT_ID } from '../../domain/identifiers/index.js';
import { openCasesOfEnterprise } from '../../readmodels/open-cases.js';
import { actorOf } from '../auth.js';
import { caseListScope, factsOf, inScope } from '../authz.js';
import { callerOf, type Caller } from '../case-access.js';
import type { ApiDeps } from '../deps.js';
import { CreditCodeField, ResidentIdField } from '../fields.js';
import { intakeRejection, NewCaseBody, toReceiveCase } from '../intake.js';
import { ApiError, parseInput, problemResponses } from '../problem.js';

const AnyObject = z.looseObject({});

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
    creditCode: CreditCodeField.describe("the respondent's unified social credit code"),
    idNumbers: z.array(ResidentIdField).max(100).default([]).describe("the complainants' resident ID numbers (in the body, never in a URL or a log)"),
  })
  .meta({ id: 'DuplicateCheck' });

const DuplicateCheck = z.object({
  enterpriseAndComplainant: z.array(OpenCase).describe('open cases against this enterprise with a complainant of these ID numbers'),
  enterpriseOnly: z.array(OpenCase).describe('open cases against this enterprise of other complainants'),
});

/** The open cases against one enterprise shown at intake: the same complainant's first, then the latest. */
const DUPLICATES_SHOWN = 200;

export const intakeCheckRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  /**
   * Open cases in the caller's scope against the enterprise with this credit code, each marked when one of
   * its complainants has one of these ID numbers (by the blind index); those first, then the latest.
   */
  async function possibleDuplicates({ staff, grant }: Caller, creditCode: string, idNumbers: readonly string[]) {
    const ofComplainant = new Set(idNumbers.length > 0 ? await deps.personalDataKeys.complainantIndex().casesOf(idNumbers) : []);
    // Narrowed (scope, credit code) and ordered (same complainant first, then the latest) in SQL.
    const states = await openCasesOfEnterprise(deps.db, deps.schema, { scope: caseListScope(staff, grant), creditCode, first: [...ofComplainant], limit: DUPLICATES_SHOWN });
    return states
      .filter((s): s is Extract<CaseState, { caseId: string }> => s.status !== 'none')
      .filter((s) => {
        const f = factsOf(s);
        return f !== undefined && inScope(staff, grant, f);
      })
      .map((s) => ({ caseId: s.caseId, status: s.status, receivedAt: s.receivedAt, sameComplainant: ofComplainant.has(s.caseId) }))
      .sort((a, b) => Number(b.sameComplainant) - Number(a.sameComplainant) || b.receivedAt.localeCompare(a.receivedAt));
  }

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
      const caller = callerOf(req);
      // The duplicate hint works on the form as typed so far, before it parses as a whole.
      const raw = req.body as { respondent?: { creditCode?: unknown }; complainants?: { idNumber?: unknown }[] };
      const creditCode = raw.respondent?.creditCode;
      const idNumbers = (Array.isArray(raw.complainants) ? raw.complainants : [])
        .map((c) => (typeof c?.idNumber === 'string' ? normaliseResidentId(c.idNumber) : ''))
        .filter((n) => RESIDENT_ID.test(n));
      const openCases = typeof creditCode === 'string' && creditCode.length === 18 ? await possibleDuplicates(caller, creditCode, idNumbers) : [];
      let body: NewCaseBody;
      try {
        body = parseInput(NewCaseBody, req.body, req.locale);
      } catch (err) {
        if (err instanceof ApiError && err.fields) return { ok: false, problems: err.fields, openCases };
        throw err;
      }
      const refused = intakeRejection(toReceiveCase('MC-INTAKE-CHECK', body), actorOf(caller.staff), new Date());
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
      const found = await possibleDuplicates(callerOf(req), req.body.creditCode, req.body.idNumbers);
      return { enterpriseAndComplainant: found.filter((c) => c.sameComplainant), enterpriseOnly: found.filter((c) => !c.sameComplainant) };
    },
  );
};

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The core names personal fields by their marked value (…name.value); the form knows them by name. */
function personalFieldPath(field: string): string {
  return field.replace(/\.value$/, '');
}
