// `npm start` on a fresh data directory formats Kafka's storage with a new cluster id. An id beginning
// with '-' is read as a flag by `kafka-storage format -t` and the start failed — about once in 64.
import { expect, it } from 'vitest';
import { newKafkaClusterId } from '../../ops/services.js';

it('given random bytes whose base64url begins with "-", when a cluster id is made, then it draws again', () => {
  const draws = [Buffer.from('f8' + '00'.repeat(15), 'hex'), Buffer.from('01'.repeat(16), 'hex')];
  expect(draws[0]!.toString('base64url').startsWith('-')).toBe(true);
  let i = 0;
  const id = newKafkaClusterId(() => draws[i++]!);
  expect(i).toBe(2);
  expect(id).toBe(draws[1]!.toString('base64url'));
});

it('never begins with "-" and is 22 URL-safe characters, over many draws', () => {
  for (let n = 0; n < 5_000; n++) expect(newKafkaClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
});
