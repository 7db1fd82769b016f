// POST /cases/:id/erase-personal-data — the data-protection officer erases a closed case's personal data.
// The core decides (ErasePersonalData: legal holds, reason, legal basis) and PersonalDataErased goes on the
// chain; then the subjects' data keys are destroyed in the key store. Both steps are in the access log.
// A retry after a failure between the two steps finds the event on record and destroys the keys again.
// A case whose run has ended (closed, its reopen window passed) is erased through a short run of its own.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ArchiveSource } from '../../audit/archive.js';
import { ErasePersonalData, personalDataSubjects } from '../../domain/case/index.js';
import { Text } from '../../events/index.js';
import type { AccessLog } from '../access-log.js';
import { actorOf } from '../auth.js';
import { callerOf, requireCaseInScope } from '../case-access.js';
import { caseView, runCommand } from '../commands.js';
import { caseRunState, endedRunSeed, eraseAfterRunEnded } from '../erasure-after-end.js';
import { ApiError, parseInput, problemResponses, RejectedError } from '../problem.js';
import type { ApiDeps } from '../deps.js';

const Body = z
  .strictObject({
    reason: Text.describe('why (e.g. the data subject asked, 个人信息保护法 第四十七条)'),
    legalBasis: z.string().trim().min(1).max(500).describe('the legal basis, e.g. 个人信息保护法 第四十七条第一款第一项'),
  })
  .meta({ id: 'ErasePersonalData' });

const Erased = z.object({
  caseId: z.string(),
  erasedSubjects: z.array(z.string()).describe('the data subjects whose keys were destroyed'),
  alreadyRecorded: z.boolean().describe('PersonalDataErased was already on record (a retry); the keys were destroyed again'),
  sequence: z.number().nullable().describe('the sequence of the PersonalDataErased event (null on a retry)'),
});

export const erasureRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps; accessLog: AccessLog; writeLimit: { max: number; timeWindow: string } }> = async (app, { deps, accessLog, writeLimit }) => {
  const archive: ArchiveSource = { kind: 'archive', db: deps.db, schema: deps.schema, describe: 'the read models' };
  app.post(
    '/cases/:id/erase-personal-data',
    {
      config: { operation: 'cases.erase-personal-data', rateLimit: writeLimit },
      schema: {
        summary: "Erase a closed case's personal data (个人信息删除): destroys its subjects' keys",
        description: 'Data-protection officer only. Refused while a legal hold applies (the case not closed, a judicial confirmation pending or still open to application). The chain stays whole: PersonalDataErased is recorded, every hash still verifies.',
        params: z.object({ id: z.string().min(1).max(64) }),
        body: Body,
        response: { 200: Erased, ...problemResponses },
      },
    },
    async (req) => {
      const caller = callerOf(req);
      const { staff } = caller;
      const caseId = req.params.id;
      // A running case takes the command as an update; a case whose run has ended (its reopen window passed)
      // gets a short run of its own, seeded from where the ended one stopped (api/erasure-after-end.ts).
      const runState = await caseRunState(deps.temporal, caseId);
      if (typeof runState === 'object') throw new ApiError(409, 'conflict', 'erasure.run-stopped', { caseId, status: runState.stopped });
      const seed = runState === 'running' ? null : await endedRunSeed(deps.temporal, archive, caseId, runState);
      const state = seed ? seed.state : (await caseView(deps.temporal, caseId)).state;
      requireCaseInScope(caller, state, caseId, 'not-found.case');
      let subjects: string[];
      let sequence: number | null = null;
      let alreadyRecorded = false;
      try {
        const result = seed
          ? await eraseAfterRunEnded(deps.temporal, deps.taskQueue, seed, { command: parseInput(ErasePersonalData, { type: 'ErasePersonalData', caseId, data: req.body }, req.locale), actor: actorOf(staff), requestId: req.id })
          : await runCommand(deps.temporal, { caseId, type: 'ErasePersonalData', body: req.body, actor: actorOf(staff), requestId: req.id, locale: req.locale });
        const erased = result.events.find((e) => e.type === 'PersonalDataErased');
        if (!erased || erased.type !== 'PersonalDataErased') throw new Error('ErasePersonalData recorded no PersonalDataErased event');
        subjects = erased.data.subjects;
        sequence = erased.sequence;
      } catch (err) {
        if (!(err instanceof RejectedError) || err.rejection.key !== 'erasure.already') throw err;
        alreadyRecorded = true;
        subjects = personalDataSubjects(state);
      }
      await deps.personalDataKeys.erase(subjects);
      // The blind index of their ID numbers goes with the keys (it is kept outside the log for this reason).
      await deps.personalDataKeys.complainantIndex().erase(subjects);
      await accessLog.record({ actorId: staff.id, actorRole: staff.role, caseId, fields: ['erasure'], requestId: req.id, purpose: `POST /cases/:id/erase-personal-data (${subjects.length} subjects; ${req.body.legalBasis})` });
      req.log.info({ caseId, subjects: subjects.length, actor: staff.id, alreadyRecorded }, 'personal data erased');
      return { caseId, erasedSubjects: subjects, alreadyRecorded, sequence };
    },
  );
};
