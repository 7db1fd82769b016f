// One case: receive it, run a staff command on it, read its summary, its live state, its complainants'
// personal data (logged), and its stored events.
import crypto from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clockLights } from '../../domain/sla/index.js';
import { canonicalJson, redact, textSubjectOf, type EventData, type PersonalValue } from '../../events/index.js';
import { caseArchive, caseSummary, CaseSummary, LightSchema } from '../../readmodels/queries.js';
import type { CaseWorkflowInput } from '../../workflows/messages.js';
import type { AccessLog } from '../access-log.js';
import { actorOf } from '../auth.js';
import { factsOf, inScope, requireInScope } from '../authz.js';
import { callerOf, liveCaseInScope, storedCaseInScope } from '../case-access.js';
import { secondCaseInScope } from '../second-case.js';
import { assertCommandType, caseView, HTTP_COMMANDS, runCommand } from '../commands.js';
import { intakeRejection, NewCaseBody, newCaseNumber, toReceiveCase } from '../intake.js';
import { message } from '../i18n.js';
import { encryptCaseText, encryptCommandText, encryptReceive, refuseUnfitText, reveal, UNREADABLE } from '../personal-data.js';
import { ApiError, problemResponses, RejectedError } from '../problem.js';
import type { ApiDeps } from '../deps.js';

const CaseId = z.string().min(1).max(64).describe('the case number, e.g. MC-20251120-7F3A9C');
const CaseParams = z.object({ id: CaseId });
const AnyObject = z.looseObject({});
// Printable ASCII without spaces, as the IETF draft and Stripe use; a UUID is the usual choice.
const IdempotencyHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,128}$/, '须为 1 到 128 个可见 ASCII 字符（建议使用 UUID）')
    .optional()
    .describe('the same key on a retry makes it the same command: applied once, answered with the first result'),
});

const Complainants = z.object({
  caseId: z.string(),
  personalData: z.enum(['full', 'redacted']),
  complainants: z.array(
    z.object({
      personId: z.string(),
      isRepresentative: z.boolean(),
      name: z.string().nullable().describe('"已删除" / "erased" once erased; "无法解密" / "unreadable" when it cannot be decrypted'),
      idNumber: z.string().nullable().optional(),
      phone: z.string().nullable().optional(),
      erased: z.boolean().describe('the personal data has been erased (its key destroyed)'),
    }),
  ),
  claimSummary: z.string().describe('the claim as received (it names people): shown like the names'),
  respondentContact: z
    .object({ personId: z.string(), name: z.string().nullable(), phone: z.string().nullable().optional(), erased: z.boolean() })
    .nullable()
    .describe("the enterprise's contact person, a data subject of their own (null when none was given)"),
});

interface Options {
  deps: ApiDeps;
  accessLog: AccessLog;
  writeLimit: { max: number; timeWindow: string };
  startCase: (caseId: string, receive: CaseWorkflowInput['receive']) => Promise<void>;
}

type PersonalField = PersonalValue;

export const caseRoutes: FastifyPluginAsyncZod<Options> = async (app, { deps, accessLog, writeLimit, startCase }) => {
  app.post(
    '/cases',
    {
      config: { operation: 'cases.create', rateLimit: writeLimit },
      schema: {
        summary: 'Receive a case (登记)',
        description: 'Personal data enters here only; it leaves as marked fields with a salted commitment.',
        body: NewCaseBody,
        response: { 201: z.object({ caseId: z.string(), links: z.object({ self: z.string() }) }), ...problemResponses },
      },
    },
    async (req, reply) => {
      const { staff, grant } = callerOf(req);
      const input = req.body;
      requireInScope(staff, grant, { caseId: input.caseNumber ?? 'new', town: input.respondent.town, level: input.respondent.level, departments: [] });
      // The characters of every name and of the summary, on the plain text (the core checks the names again).
      refuseUnfitText(NewCaseBody, input, req.locale);
      const caseId = input.caseNumber ?? newCaseNumber(new Date());
      const plain = toReceiveCase(caseId, input);
      // The core's own decision first: a case it would refuse is answered 4xx, and no workflow (and no case
      // number) is spent on it. It runs on the plain command (check digits, phone formats); only the
      // encrypted one leaves this process.
      const refused = intakeRejection(plain, actorOf(staff), new Date());
      if (refused) throw new RejectedError(refused.status, { code: refused.code, reason: refused.reason, ...refused.details });
      const receive = await encryptReceive(plain, deps.personalDataKeys);
      try {
        await startCase(caseId, { command: receive, actor: actorOf(staff), commandId: `cmd-${crypto.randomUUID()}`, correlationId: req.id });
      } catch (err) {
        // A chosen case number that is taken: 409 only when the caller may see that case (a retry of its own
        // receipt); a case outside the caller's scope is answered as one they cannot use, never as existing.
        if (err instanceof ApiError && err.status === 409 && input.caseNumber !== undefined) {
          const taken = factsOf((await caseView(deps.temporal, caseId).catch(() => undefined))?.state ?? { status: 'none' });
          if (!taken || !inScope(staff, grant, taken)) throw new ApiError(404, 'not-found', 'not-found.case-number', { caseId });
        }
        throw err;
      }
      // The blind index of the complainants' ID numbers, for the duplicate warning at intake. Once the case is
      // started (no row for a case that was refused or already existed); a failure here costs a warning, not
      // the receipt, so it is logged and the case answered.
      try {
        await deps.personalDataKeys.complainantIndex().record(
          caseId,
          plain.data.complainants.flatMap((c, i) => {
            const idNumber = input.complainants[i]?.idNumber;
            return idNumber ? [{ subjectRef: c.personId, idNumber }] : [];
          }),
        );
      } catch (err) {
        req.log.error({ caseId, err }, 'complainant index not written: the duplicate warning will not know this case; see the key store database');
      }
      req.log.info({ caseId, channel: input.channel, actor: staff.id }, 'case received');
      return reply.status(201).send({ caseId, links: { self: `/cases/${caseId}` } });
    },
  );

  app.post(
    '/cases/:id/commands/:type',
    {
      config: { operation: 'cases.command', rateLimit: writeLimit },
      schema: {
        summary: 'Run a staff command on a case',
        description: `The body is the command's data (domain/case/commands.ts). Commands: ${HTTP_COMMANDS.join(', ')}. A refusal by the core writes nothing.`,
        params: z.object({ id: CaseId, type: z.string().describe('the command type, e.g. AcceptCase') }),
        headers: IdempotencyHeaders,
        body: AnyObject.optional(),
        response: { 200: z.object({ events: z.array(AnyObject) }), ...problemResponses },
      },
    },
    async (req) => {
      const { staff, grant } = callerOf(req);
      const type = assertCommandType(req.params.type);
      await liveCaseInScope(deps.temporal, { staff, grant }, req.params.id);
      // A second case the command names (merge target, linked case): in the caller's scope too, else 404.
      const second = await secondCaseInScope(deps.temporal, staff, grant, { caseId: req.params.id, type, body: req.body });
      const body = await encryptCommandText(type, req.params.id, req.body, deps.personalDataKeys, req.locale);
      // The surviving case records the merge's reason too: under its own text key, so that it is erased with it.
      const plainReason = (req.body as { reason?: unknown; intoCaseId?: unknown } | undefined) ?? {};
      const mergedInReason =
        type === 'MergeCase' && typeof plainReason.reason === 'string' && typeof plainReason.intoCaseId === 'string'
          ? await encryptCaseText(plainReason.intoCaseId, plainReason.reason, deps.personalDataKeys)
          : undefined;
      const idempotencyKey = req.headers['idempotency-key'];
      const result = await runCommand(deps.temporal, {
        caseId: req.params.id,
        type,
        body,
        actor: actorOf(staff),
        requestId: req.id,
        locale: req.locale,
        ...(mergedInReason ? { mergedInReason } : {}),
        ...(type === 'MergeCase' && second ? { mergeTarget: second } : {}),
        ...(idempotencyKey
          ? // The fingerprint of the command as sent, before encryption gave its text a fresh nonce: a retry's
            // ciphertext differs, its plain text does not. Keyed with the case's text key, so that it says
            // nothing about the text to whoever reads the workflow's history, and nothing at all once erased.
            { idempotencyKey, fingerprint: await deps.personalDataKeys.fingerprint(textSubjectOf(req.params.id), canonicalJson({ type, data: req.body ?? {}, actor: staff.id })) }
          : {}),
      });
      return { events: result.events.map((e) => redact(e) as unknown as Record<string, unknown>) };
    },
  );

  app.get(
    '/cases/:id/state',
    {
      config: { operation: 'cases.state' },
      schema: {
        summary: 'The case as the workflow holds it now: state, SLA clocks with their lights, next due moment, chain head',
        params: CaseParams,
        response: {
          200: z.looseObject({
            lights: z.record(z.string(), LightSchema).describe('红黄绿灯 of each running duty clock, by clock key (a party’s window has none)'),
          }),
          ...problemResponses,
        },
      },
    },
    async (req) => {
      const view = await liveCaseInScope(deps.temporal, callerOf(req), req.params.id);
      return { ...view, lights: clockLights(view.clocks, new Date().toISOString()) };
    },
  );

  app.get(
    '/cases/:id',
    {
      config: { operation: 'cases.read' },
      schema: { summary: 'The case summary from the read model (no personal data)', params: CaseParams, response: { 200: CaseSummary, ...problemResponses } },
    },
    async (req) => {
      await storedCaseInScope(deps, callerOf(req), req.params.id);
      const summary = await caseSummary(deps.db, deps.schema, req.params.id);
      if (!summary) throw new ApiError(404, 'not-found', 'not-found.case-summary', { caseId: req.params.id });
      return summary;
    },
  );

  app.get(
    '/cases/:id/complainants',
    {
      config: { operation: 'cases.personal-data' },
      schema: {
        summary: "The complainants' names, ID numbers and phones, the claim, the enterprise's contact person",
        description: 'In full for the roles that need them, each such read written to the access log; redacted for the others.',
        params: CaseParams,
        response: { 200: Complainants, ...problemResponses },
      },
    },
    async (req) => {
      const { staff, grant } = callerOf(req);
      await storedCaseInScope(deps, { staff, grant }, req.params.id);
      const received = (await caseArchive(deps.db, deps.schema, req.params.id)).find((e) => e.type === 'CaseReceived');
      if (!received) throw new ApiError(404, 'not-found', 'not-found.case-summary', { caseId: req.params.id });
      const full = grant.personalData === 'full';
      const data = (received.event as { data: Pick<EventData<'CaseReceived'>, 'complainants' | 'claim' | 'respondent'> }).data;
      const shown = new Set<string>();
      const erasedWord = message('personal-data.erased', req.locale);
      const erasedRefs = new Set<string>();
      // Decrypted on demand, only for a full grant; a destroyed key shows as erased.
      const show = async (field: PersonalField | string | undefined, name: string, ref: string) => {
        if (field === undefined) return undefined;
        if (!full) return '[redacted]';
        const plain = await reveal(field, deps.personalDataKeys, (err) =>
          req.log.error({ caseId: req.params.id, field: name, err }, 'a personal value cannot be decrypted: shown as unreadable'),
        );
        if (plain === UNREADABLE) return message('personal-data.unreadable', req.locale);
        if (plain === null) {
          erasedRefs.add(ref);
          return erasedWord;
        }
        shown.add(name);
        return plain;
      };
      const complainants = [];
      for (const c of data.complainants) {
        const name = (await show(c.name, 'name', c.personId)) ?? null;
        const idNumber = c.idNumber ? { idNumber: await show(c.idNumber, 'idNumber', c.personId) } : {};
        const phone = c.phone ? { phone: await show(c.phone, 'phone', c.personId) } : {};
        complainants.push({ personId: c.personId, isRepresentative: c.isRepresentative, name, ...idNumber, ...phone, erased: erasedRefs.has(c.personId) });
      }
      const claimSummary = (await show(data.claim.summary, 'claimSummary', 'case-text')) ?? erasedWord;
      const contact = data.respondent.contact;
      const respondentContact = contact
        ? {
            personId: contact.personId,
            name: (await show(contact.name, 'respondentContact.name', contact.personId)) ?? null,
            ...(contact.phone ? { phone: await show(contact.phone, 'respondentContact.phone', contact.personId) } : {}),
            erased: erasedRefs.has(contact.personId),
          }
        : null;
      if (shown.size > 0) {
        await accessLog.record({ actorId: staff.id, actorRole: staff.role, caseId: req.params.id, fields: [...shown].sort(), requestId: req.id, purpose: 'GET /cases/:id/complainants' });
      }
      return { caseId: req.params.id, personalData: full ? ('full' as const) : ('redacted' as const), complainants, claimSummary, respondentContact };
    },
  );

  app.get(
    '/cases/:id/archive',
    {
      config: { operation: 'cases.archive' },
      schema: { summary: 'The stored events of a case, personal data redacted', params: CaseParams, response: { 200: z.array(AnyObject), ...problemResponses } },
    },
    async (req) => {
      await storedCaseInScope(deps, callerOf(req), req.params.id);
      return (await caseArchive(deps.db, deps.schema, req.params.id)).map((e) => redact(e) as unknown as Record<string, unknown>);
    },
  );
};
