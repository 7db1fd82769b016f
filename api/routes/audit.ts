// A case's history for the people who check it: the timeline (who, when, what, why), the auditor's replay
// (chain verification, the state and clocks at a moment, the comparison with the live workflow) and the
// dossier (卷宗). All read from the read models' event archive, after the caller's scope check.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { compareWithWorkflow, exportDossier, loadCase, stateAsOf, timeline } from '../../audit/index.js';
import { readCaseFromArchive, type ArchiveSource } from '../../audit/archive.js';
import { redact } from '../../events/personal-data.js';
import type { AccessLog } from '../access-log.js';
import { AUTHORISATION } from '../authz.js';
import { callerOf, storedCaseInScope, type Caller } from '../case-access.js';
import { caseView } from '../commands.js';
import type { ApiDeps } from '../deps.js';
import { message } from '../i18n.js';
import { revealCaseText } from '../personal-data.js';
import { ApiError, problemResponses } from '../problem.js';

const CaseParams = z.object({ id: z.string().min(1).max(64).describe('the case number') });
const AnyObject = z.looseObject({});

export const auditRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps; accessLog: AccessLog }> = async (app, { deps, accessLog }) => {
  const archive: ArchiveSource = { kind: 'archive', db: deps.db, schema: deps.schema, describe: 'the read models' };

  async function loadScoped(caller: Caller, caseId: string) {
    await storedCaseInScope(deps, caller, caseId);
    return loadCase(caseId, await readCaseFromArchive(archive, caseId));
  }

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
      const caller = callerOf(req);
      const { staff } = caller;
      const loaded = await loadScoped(caller, req.params.id);
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
      const loaded = await loadScoped(callerOf(req), req.params.id);
      const asOf = req.query.asOf ?? new Date().toISOString();
      let comparison: unknown = null;
      try {
        comparison = compareWithWorkflow(loaded.events, await caseView(deps.temporal, req.params.id));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
      }
      return redact({
        caseId: req.params.id,
        verification: loaded.verification,
        first: loaded.events[0]?.occurredAt ?? null,
        last: loaded.events[loaded.events.length - 1]?.occurredAt ?? null,
        timeline: timeline(loaded.events),
        asOf: stateAsOf(loaded.events, asOf),
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
      const loaded = await loadScoped(callerOf(req), req.params.id);
      const dossier = exportDossier(loaded, { source: 'read-model event archive', now: new Date().toISOString() });
      reply.header('content-disposition', `attachment; filename="dossier-${req.params.id}.json"`);
      return dossier as unknown as Record<string, unknown>;
    },
  );
};
