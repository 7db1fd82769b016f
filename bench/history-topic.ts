// The benchmarks' generated history on a Kafka topic: the same events (seed 7) for the suite's projector
// and verify sections and for the projector's profile, so their figures describe the same data.
import { canonicalJson } from '../events/index.js';
import { connectProducer, createKafka } from '../runtime/kafka.js';
import { generateEvents } from '../testkit/history-generator.js';

/** Publishes at least `wanted` events of the generated history to `topic`; returns how many. */
export async function publishHistory(brokers: string[], topic: string, wanted: number, progress?: (published: number) => void): Promise<number> {
  const producer = await connectProducer(createKafka(brokers, 'bench-publish'));
  let events = 0;
  let batch: { key: string; value: string }[] = [];
  // About 20 events a case; the generator yields in time order, so stopping at the wanted count leaves the
  // latest cases shorter, still valid chains.
  for (const event of generateEvents({ cases: Math.ceil(wanted / 12), seed: 7 })) {
    if (events >= wanted) break;
    batch.push({ key: event.caseId, value: canonicalJson(event) });
    events++;
    if (batch.length >= 5_000) {
      await producer.send({ topic, acks: -1, messages: batch });
      batch = [];
      progress?.(events);
    }
  }
  if (batch.length > 0) await producer.send({ topic, acks: -1, messages: batch });
  await producer.disconnect();
  return events;
}
