// The case's decided events on their way to Kafka: queued in sequence order, published one batch at a time
// (the same batch until it is out: no sequence twice, order kept), with the stall an operator must see
// when publishing keeps failing. Plain code: the workflow runs the publish activity and reports back.
import { PUBLISH_BATCH_BYTES, RECORD_OVERHEAD_BYTES, publishedBytes, type CaseEvent } from '../../events/index.js';
import type { PublishStall } from '../messages.js';
import type { TopicPosition } from '../../activities/publish.js';

export const OUTBOX_BATCH = 100;
// Attempts of a publish round. The first round (about 30 s of backoff plus the attempts) tells a hiccup
// from a stall; when it runs out the case shows `publishStalled`, and later rounds (about an hour each at
// the one-minute ceiling) go on for as long as Kafka is away. A round is three history events, so a stall
// of a month adds about 2,200: bounded well under Temporal's limit.
export const PUBLISH_FIRST_ROUND_ATTEMPTS = 6;
export const PUBLISH_LATER_ROUND_ATTEMPTS = 60;
/** A round that failed faster than this (an error no retry helps) waits out the rest: no busy loop. */
export const PUBLISH_ROUND_MIN_MS = 60_000;

export const attemptsOfRound = (round: number): number => (round === 1 ? PUBLISH_FIRST_ROUND_ATTEMPTS : PUBLISH_LATER_ROUND_ATTEMPTS);

/** The first cause's message, short: what an operator reads (no event data). */
export const errorText = (err: unknown): string => {
  const cause = err instanceof Error && 'cause' in err && err.cause instanceof Error ? err.cause : err;
  return (cause instanceof Error ? cause.message : String(cause)).slice(0, 500);
};

/**
 * Events not yet on Kafka, each with a context it was decided in (T: the trace context, when the worker
 * traces — a batch is published in its first event's context, so a command's trace runs on to Kafka).
 */
export class Outbox<T> {
  private readonly queue: { event: CaseEvent; context: T }[] = [];
  publishedSequence: number;
  topicPosition: TopicPosition | undefined;
  stall: PublishStall | undefined;

  constructor(carry: { publishedSequence: number; topicPosition?: TopicPosition }) {
    this.publishedSequence = carry.publishedSequence;
    this.topicPosition = carry.topicPosition;
  }

  get empty(): boolean {
    return this.queue.length === 0;
  }

  push(events: readonly CaseEvent[], context: T): void {
    for (const event of events) this.queue.push({ event, context });
  }

  /** The next batch: at most OUTBOX_BATCH events and PUBLISH_BATCH_BYTES (one event at least), and its context. */
  nextBatch(): { events: CaseEvent[]; context: T | undefined } {
    const head = this.queue.slice(0, OUTBOX_BATCH);
    let count = head.length;
    let bytes = 0;
    for (let i = 0; i < head.length; i++) {
      bytes += publishedBytes(head[i]!.event) + RECORD_OVERHEAD_BYTES;
      if (i > 0 && bytes > PUBLISH_BATCH_BYTES) {
        count = i;
        break;
      }
    }
    return { events: head.slice(0, count).map((q) => q.event), context: head[0]?.context };
  }

  /** The batch is on the topic: it leaves the queue. Returns the stall it ended, if any. */
  published(batch: readonly CaseEvent[], position: TopicPosition | undefined): PublishStall | undefined {
    if (position) this.topicPosition = position;
    this.queue.splice(0, batch.length);
    this.publishedSequence = batch[batch.length - 1]?.sequence ?? this.publishedSequence;
    const ended = this.stall;
    this.stall = undefined;
    return ended;
  }

  /** A round of attempts ran out: the stall as it stands now. */
  roundFailed(round: number, err: unknown, batch: readonly CaseEvent[], startedAt: number): PublishStall {
    this.stall = {
      since: this.stall?.since ?? new Date(startedAt).toISOString(),
      attempts: (this.stall?.attempts ?? 0) + attemptsOfRound(round),
      lastError: errorText(err),
      sequence: batch[0]!.sequence,
    };
    return this.stall;
  }
}
