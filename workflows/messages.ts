// Everything a client says to a case workflow, defined once: the task queue, the workflow input, one
// update per staff command (named after the command, so the Web UI shows "AcceptCase", not "command"),
// and the queries. The API, the CLI and the tests import these; the workflow registers them.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { canonicalJson, sha256Hex, type CaseEvent, type Actor } from '../events/index.js';
import { COMMAND_TYPES, type CaseCommand, type CommandType } from '../domain/case/commands.js';
import type { CaseState } from '../domain/case/state.js';
import type { SlaClocks } from '../domain/sla/index.js';

export const TASK_QUEUE = 'mediation-cases';

/** A command with who sent it and the ids that tie its events to the request. */
export interface CommandRequest<C extends CaseCommand = CaseCommand> {
  command: C;
  actor: Actor;
  /** Unique per command; becomes the causationId of its events. */
  commandId: string;
  /** The request or conversation; becomes the correlationId of its events. */
  correlationId: string;
  /**
   * What makes a retry the same command, when the API computed it from the command as the client sent it
   * (its text before encryption, which gives every request a fresh nonce); else commandFingerprint.
   */
  fingerprint?: string;
  /** MergeCase only: the target case as the API found it (the core refuses a merge without it). */
  mergeTarget?: { caseId: string; status: CaseState['status'] };
  /** MergeCase only: the reason as the surviving case records it (under its own text key), for the merge saga. */
  intoReason?: Extract<CaseCommand, { type: 'RecordMergedDuplicate' }>['data']['reason'];
  /** MergeCase only: the API's signature on the surviving case's half (mergeIntoRequest), which the merge saga sends. */
  intoAuthorization?: CommandAuthorization;
  /** The API's signature over the rest of the request (runtime/command-signing.ts); the worker refuses a command without a good one. */
  authorization?: CommandAuthorization;
}

/** Who vouches for a command: the API's Ed25519 signature over commandSignedText, with the key's id and the time. */
export interface CommandAuthorization {
  keyId: string;
  signedAt: string;
  /** base64url, 64 bytes. */
  signature: string;
}

/**
 * What the API signs and the worker verifies: the whole request but the signature — the case and the command
 * (its data as the workflow receives it, encrypted fields included), the actor, the command and correlation
 * ids, the merge target, the command's fingerprint — with the key id and the time of signing. Canonical JSON,
 * so the API and the workflow sandbox make the same bytes.
 */
export function commandSignedText(req: CommandRequest, auth: Pick<CommandAuthorization, 'keyId' | 'signedAt'>): string {
  const { authorization: _, ...rest } = req;
  return canonicalJson({ v: 1, caseId: req.command.caseId, fingerprint: commandFingerprint(req), request: rest, keyId: auth.keyId, signedAt: auth.signedAt });
}

/**
 * The surviving case's half of a merge, as the duplicate's workflow sends it (the merge saga) and the API signs
 * it beforehand: one construction, so the bytes signed are the bytes sent.
 */
export function mergeIntoRequest(req: CommandRequest<Extract<CaseCommand, { type: 'MergeCase' }>>): CommandRequest<Extract<CaseCommand, { type: 'RecordMergedDuplicate' }>> {
  const command = req.command;
  return {
    command: { type: 'RecordMergedDuplicate', caseId: command.data.intoCaseId, data: { fromCaseId: command.caseId, reason: req.intoReason ?? command.data.reason } },
    actor: req.actor,
    commandId: `${req.commandId}-into`,
    correlationId: req.correlationId,
  };
}

export interface CaseWorkflowInput {
  caseId: string;
  receive: CommandRequest<Extract<CaseCommand, { type: 'ReceiveCase' }>>;
}

/** What a continued-as-new run starts from: the state, the chain's head and what was published. */
export interface CaseWorkflowCarry {
  caseId: string;
  events: number;
  state: CaseState;
  lastHash: string;
  publishedSequence: number;
  /** Where this case's last published event sits on the topic (for idempotent re-publishing). */
  topicPosition?: { partition: number; offset: string };
  /** A referral reported its deadline passed while the previous run was finishing. */
  clockCheckRequested?: boolean;
  /** The last commands applied, so a client's retry that arrives after a continue-as-new is still a repeat. */
  recentCommands?: RecentCommand[];
  /**
   * A run started after the case's run ended (a closed case, its reopen window passed), from the ended run's
   * final state, to record an erasure: it decides this one command with the same core rule, publishes its
   * events as the next of the chain, refuses every other command, and completes (api/erasure-after-end.ts).
   */
  afterEnd?: CommandRequest<Extract<CaseCommand, { type: 'ErasePersonalData' }>>;
}

/** What a case run returns when it completes. */
export interface CaseResult {
  caseId: string;
  status: string;
  events: number;
  /** An after-end run: the events its command recorded, or the core's refusal. */
  afterEnd?: CommandResult | { rejection: { code: string; reason: string; key?: string; params?: Record<string, unknown> } };
}

/**
 * A command the workflow applied, remembered so that the same command id sent again (a client retrying
 * after a lost response, with the same Idempotency-Key) is answered with the first result instead of
 * being applied twice. The fingerprint tells a true repeat from a different command under a reused key.
 */
export interface RecentCommand {
  commandId: string;
  fingerprint: string;
  events: CaseEvent[];
}

/** How many applied commands a case remembers for repeats (each with its events: kept small on purpose). */
export const RECENT_COMMANDS = 32;

/** What makes two requests the same command: who sends it and what it says (not the ids around it). */
export function commandFingerprint(req: Pick<CommandRequest, 'command' | 'actor' | 'fingerprint'>): string {
  return req.fingerprint ?? sha256Hex(canonicalJson({ command: req.command, actor: req.actor.id }));
}

/** An update returns the events the command produced (already sealed into the chain). */
export interface CommandResult {
  events: CaseEvent[];
  /** True when this command id was applied before: the events are the first application's, nothing new was written. */
  repeated?: boolean;
  /** MergeCase: the surviving case recorded the duplicate before this case did (the merge saga): nothing is left for the caller to send. */
  mergedOnTarget?: boolean;
}

export const commandUpdates = Object.fromEntries(
  COMMAND_TYPES.map((type) => [type, defineUpdate<CommandResult, [CommandRequest]>(type)]),
) as { [T in CommandType]: ReturnType<typeof defineUpdate<CommandResult, [CommandRequest]>> };

export interface CaseView {
  state: CaseState;
  lastHash: string;
  /** Sequence of the last event published to Kafka. */
  publishedSequence: number;
  clocks: SlaClocks;
  nextDueAt: string | null;
  /** Present while the case's events keep failing to reach Kafka: an operator's alert (GET /health). */
  publishStalled?: PublishStall;
  /** Present while the core keeps rejecting the case's clock check: a bug to fix, an operator's alert. */
  clockCheckFailing?: ClockCheckFailure;
}

/** A publish that has failed for more than a round of attempts; cleared when the batch goes out. */
export interface PublishStall {
  /** When the first attempt of the batch that is stuck started (workflow time). */
  since: string;
  /** Attempts that failed so far, over every round. */
  attempts: number;
  /** The last failure, as Kafka or the worker said it (no event data, no personal data). */
  lastError: string;
  /** The sequence of the first event of the batch that is stuck. */
  sequence: number;
}

/** A clock check the core rejected; retried with backoff, cleared when a check is applied. */
export interface ClockCheckFailure {
  since: string;
  attempts: number;
  lastError: string;
  /** When the next retry is due; absent once the retries are used up (until the next due moment or a command). */
  retryAt?: string;
}

export const caseViewQuery = defineQuery<CaseView>('caseView');
/** What a run would carry into its successor: how an after-end run is seeded from an ended one. */
export const caseCarryQuery = defineQuery<CaseWorkflowCarry>('caseCarry');

// --- referrals (child workflows) ------------------------------------------------------------------------

export interface ReferralInput {
  caseId: string;
  referralId: string;
  department: string;
  /** End of the OLA: the referral-objection clock's due moment. */
  dueAt: string;
}

export type ReferralStatus = 'open' | 'accepted' | 'answered' | 'objected' | 'cancelled';

export interface ReferralView {
  caseId: string;
  referralId: string;
  department: string;
  dueAt: string;
  status: ReferralStatus;
  overdue: boolean;
}

/** Case → referral: the department acted on it (or the case ended). */
export const referralSettledSignal = defineSignal<[{ status: Exclude<ReferralStatus, 'open'> }]>('referralSettled');
/** Referral → case: the OLA passed without a response. */
export const referralOverdueSignal = defineSignal<[{ referralId: string; childWorkflowId: string }]>('referralOverdue');
export const referralViewQuery = defineQuery<ReferralView>('referralView');

/** The child workflow id of a referral: findable from the case number and the referral id. */
export function referralWorkflowId(caseId: string, referralId: string): string {
  return `${caseId}/referral/${referralId.split('/').pop()}`;
}
