// The HTTP API: intake of new cases, the case summary from the read model, and health.
import crypto from 'node:crypto';
import http from 'node:http';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Db } from '../readmodels/db.js';
import type { PartitionLag } from '../readmodels/consumer.js';
import type { Admin } from 'kafkajs';
import type { caseWorkflow } from '../workflows/case-workflow.js';
import { actorOf } from './actor.js';
import { health } from './health.js';
import { HttpError, parseBody, Router } from './http.js';
import { intakeRejection, NewCaseBody, newCaseNumber, toReceiveCase } from './intake.js';
import { runCommand } from './commands.js';
import { readModelRoutes } from './readmodel-routes.js';
import { redact } from '../events/index.js';
import { caseViewQuery } from '../workflows/messages.js';
import { WorkflowNotFoundError } from '@temporalio/common';

export interface ApiDeps {
  temporal: Client;
  taskQueue: string;
  kafkaAdmin: Admin;
  db: Db;
  schema: string;
  projectorLag: () => Promise<PartitionLag[]>;
  log: Logger;
}

export function createApi(deps: ApiDeps): http.Server {
  const router = new Router()
    .on('GET', '/health', () => health({ temporal: deps.temporal.connection, kafkaAdmin: deps.kafkaAdmin, db: deps.db, projectorLag: deps.projectorLag }))
    .on('POST', '/cases', async (req, _params, body) => {
      const actor = actorOf(req);
      const input = parseBody(NewCaseBody, body);
      const caseId = input.caseNumber ?? newCaseNumber(new Date());
      const requestId = crypto.randomUUID();
      const receive = toReceiveCase(caseId, input);
      const refused = intakeRejection(receive, actor, new Date());
      if (refused) throw new HttpError(refused.status, refused.code, refused.reason, refused.details);
      try {
        await deps.temporal.workflow.start<typeof caseWorkflow>('caseWorkflow', {
          workflowId: caseId,
          // A case number is never used twice, not even after the old case's workflow has ended.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          taskQueue: deps.taskQueue,
          args: [{ caseId, receive: { command: receive, actor, commandId: `cmd-${requestId}`, correlationId: `req-${requestId}` } }],
        });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) throw new HttpError(409, 'conflict', `case ${caseId} already exists`);
        throw err;
      }
      deps.log.info({ caseId, channel: input.channel, actor: actor.id }, 'case received');
      return { status: 201, body: { caseId, links: { self: `/cases/${caseId}` } } };
    })
    .on('POST', '/cases/:id/commands/:type', async (req, params, body) => {
      const result = await runCommand(deps.temporal, req, params.id ?? '', params.type ?? '', body);
      return { status: 200, body: { events: result.events.map(redact) } };
    })
    .on('GET', '/cases/:id/state', async (_req, params) => {
      const id = params.id ?? '';
      try {
        const view = await deps.temporal.workflow.getHandle(id).query(caseViewQuery);
        return { status: 200, body: view };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw new HttpError(404, 'not-found', `there is no case ${id}`);
        throw err;
      }
    })
    .on('GET', '/cases/:id', async (_req, params) => {
      const id = params.id ?? '';
      const found = await deps.db.query(`select * from ${deps.schema}.case_summary where case_id = $1`, [id]);
      const row = found.rows[0];
      if (!row) throw new HttpError(404, 'not-found', `no case ${id} in the read model (a case just received appears within a second)`);
      return { status: 200, body: row };
    });

  readModelRoutes(router, deps.db, deps.schema);

  const server = http.createServer((req, res) => {
    res.on('unexpected-error', (err: unknown) => deps.log.error({ err, method: req.method, url: req.url }, 'request failed'));
    void router.handle(req, res);
  });
  return server;
}
