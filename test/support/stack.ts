import { describe } from 'vitest';
// The servers an integration test talks to. `npm test` (ops/main.ts test) starts them and sets these
// variables; a plain `npx vitest run` without them skips the integration tests and says so, while under
// `npm test` a missing variable is a failure, never a silent skip.
export interface TestStack {
  temporalAddress: string;
  kafkaBrokers: string[];
  postgresUrl: string;
  testServerPath: string;
}

export function testStack(): TestStack | undefined {
  const e = process.env;
  if (!e.TEMPORAL_ADDRESS || !e.KAFKA_BROKERS || !e.TEST_DATABASE_URL || !e.TEMPORAL_TEST_SERVER_PATH) {
    if (e.MEDIATION_STACK === 'test') {
      throw new Error('npm test set MEDIATION_STACK=test but a server address is missing: TEMPORAL_ADDRESS, KAFKA_BROKERS, TEST_DATABASE_URL, TEMPORAL_TEST_SERVER_PATH');
    }
    return undefined;
  }
  return {
    temporalAddress: e.TEMPORAL_ADDRESS,
    kafkaBrokers: e.KAFKA_BROKERS.split(','),
    postgresUrl: e.TEST_DATABASE_URL,
    testServerPath: e.TEMPORAL_TEST_SERVER_PATH,
  };
}

export const stack = testStack();
export const describeWithStack = stack ? describe : describe.skip;

/** A name no other test file uses, for topics, consumer groups, schemas and task queues. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
}
