// Bench only (bench/command-signature.ts): the signature check replaced by one that accepts every command,
// so the same workflow code can be measured with and without it. Never part of a worker's bundle.
import type { CommandRequest } from '../workflows/messages.js';

export function commandAuthorizationFailure(_req: CommandRequest): string | undefined {
  return undefined;
}
