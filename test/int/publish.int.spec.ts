// The publish activity against a real Kafka broker: a first attempt sends; a retried attempt (the worker
// died after Kafka stored the batch, before Temporal heard of it) sends only the events not yet there.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Producer, Kafka } from 'kafkajs';
import { createPublishActivities, type PublishResult } from '../../activities/publish.js';
import { connectProducer, createKafka } from '../../runtime/kafka.js';
import { GENESIS_HASH, sealEvents } from '../../events/index.js';
import { acceptedEvent, receivedEvent } from '../support/events.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { createTopic, readTopic } from '../support/temporal.js';

describeWithStack('publishEvents on a real broker', () => {
  const topic = uniqueName('case_events');
  let kafka: Kafka;
  let producer: Producer;

  beforeAll(async () => {
    await createTopic(stack!.kafkaBrokers, topic, 3);
    kafka = createKafka(stack!.kafkaBrokers, 'publish-test');
    producer = await connectProducer(kafka);
  });
  afterAll(async () => {
    await producer?.disconnect();
  });

  const attempt = (n: number, ...args: Parameters<ReturnType<typeof createPublishActivities>['publishEvents']>): Promise<PublishResult> =>
    new MockActivityEnvironment({ attempt: n }).run(createPublishActivities({ kafka, producer, topic }).publishEvents, ...args);

  it('sends on the first attempt, and a retry sends only what is missing', async () => {
    const caseId = uniqueName('MC');
    const events = sealEvents(
      [receivedEvent(caseId), acceptedEvent(caseId, 2), acceptedEvent(caseId, 3), acceptedEvent(caseId, 4)].map((e, i) => ({ ...e, sequence: i + 1, eventId: `${caseId}:${i + 1}` })),
      GENESIS_HASH,
    );
    const first = await attempt(1, { events: events.slice(0, 2) });
    expect(first).toMatchObject({ published: 2, alreadyThere: 0 });

    // The same batch again, as a retry that does not know its predecessor succeeded: nothing is sent.
    const retrySame = await attempt(2, { events: events.slice(0, 2) });
    expect(retrySame).toMatchObject({ published: 0, alreadyThere: 2, position: first.position });

    // A retry of a larger batch whose head is on the topic already: only the tail goes out.
    const retryLarger = await attempt(3, { events, after: undefined });
    expect(retryLarger).toMatchObject({ published: 2, alreadyThere: 2 });

    const messages = await readTopic(stack!.kafkaBrokers, topic, 4);
    expect(messages.map((m) => m.value.sequence)).toEqual([1, 2, 3, 4]);
    expect(new Set(messages.map((m) => m.key))).toEqual(new Set([caseId]));
  });

  it('a retry with the position of the previous batch reads only from there', async () => {
    const caseId = uniqueName('MC');
    const events = sealEvents([receivedEvent(caseId), acceptedEvent(caseId, 2)], GENESIS_HASH);
    const first = await attempt(1, { events: events.slice(0, 1) });
    const second = await attempt(2, { events: events.slice(1), after: first.position! });
    expect(second).toMatchObject({ published: 1, alreadyThere: 0 });
    const again = await attempt(3, { events: events.slice(1), after: first.position! });
    expect(again).toMatchObject({ published: 0, alreadyThere: 1 });
  });
});
