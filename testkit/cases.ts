// A sample case, as staff post it to the API and as the workflow receives it, and signed requests for the
// case workflow: shared by the tests, the benchmarks and the drill.
import { personalValue } from '../events/index.js';
import type { CaseCommand } from '../domain/case/commands.js';
import type { Actor, Channel } from '../events/index.js';
import type { CaseWorkflowInput, CommandRequest } from '../workflows/messages.js';
import { signCommand } from '../runtime/command-signing.js';

export const clerk: Actor = { id: 'clerk-1', role: 'intake-clerk' };
export const mediator: Actor = { id: 'mediator-1', role: 'mediator' };
export const supervisor: Actor = { id: 'supervisor-1', role: 'supervisor' };

let n = 0;
export function request<C extends CaseCommand>(command: C, actor: Actor): CommandRequest<C> {
  n++;
  // Signed as the API signs (the worker refuses unsigned commands), with the tests' key (vitest.config.ts).
  return signCommand({ command, actor, commandId: `cmd-${n}-${command.type}`, correlationId: `test-${n}` });
}

/** The enterprise and the claim of every sample case. */
export const sampleRespondent = {
  name: '某某纺织有限公司',
  creditCode: '91330100MA2XXXXX1B',
  town: '城关镇',
  industry: 'textiles',
  responsibleDepartment: '经信局',
  level: 'enterprise',
} as const;

export const sampleClaim = { disputeTypeHint: 'wage-arrears', summary: '拖欠两个月工资', amountClaimedFen: 800_000 } as const;

/** A new case as staff post it (POST /cases): plain personal data, which the API encrypts. */
export function newCaseBody(caseNumber?: string, complainant: { name: string; phone: string } = { name: '钱七', phone: '13900000002' }) {
  return {
    ...(caseNumber === undefined ? {} : { caseNumber }),
    channel: 'walk-in' as const,
    complainants: [complainant],
    workerCount: 1,
    respondent: sampleRespondent,
    claim: sampleClaim,
  };
}

/** The workflow's input for a new sample case: the ReceiveCase a clerk sent, signed, with the name sealed as the API seals it. */
export function receiveInput(
  caseId: string,
  opts: { workerCount?: number; channel?: Channel; petitionRef?: string } = {},
): CaseWorkflowInput {
  const salt = 'fedcba9876543210fedcba9876543210';
  return {
    caseId,
    receive: request(
      {
        type: 'ReceiveCase',
        caseId,
        data: {
          channel: opts.channel ?? 'walk-in',
          ...(opts.petitionRef === undefined ? {} : { petitionRef: opts.petitionRef }),
          complainants: [{ personId: `${caseId}-p1`, name: personalValue(`${caseId}-p1`, '李四', salt), isRepresentative: true }],
          workerCount: opts.workerCount ?? 1,
          respondent: sampleRespondent,
          claim: sampleClaim,
        },
      },
      clerk,
    ),
  };
}
