// TEMPORARY (helper6): runs bench/audit-verify-all.ts against the npm test Kafka. Not to be committed.
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { describeWithStack, stack } from '../support/stack.js';
describeWithStack('bench', () => {
  it('verify --all on 100k events', () => {
    for (const [pp, max] of [[8388608, 33554432], [2097152, 8388608], [1048576, 4194304]]) {
      const out = execFileSync('npx', ['tsx', 'bench/audit-verify-all.ts', process.env.BENCH_EVENTS ?? '100000', '6'], { env: { ...process.env, H6_PP: String(pp), H6_MAX: String(max), KAFKA_BROKERS: stack!.kafkaBrokers.join(',') }, encoding: 'utf8', timeout: 600_000 });
      console.log(`pp=${pp} max=${max}\n${out}`);
      expect(out).toContain('verify --all');
    }
  }, 1_700_000);
});
