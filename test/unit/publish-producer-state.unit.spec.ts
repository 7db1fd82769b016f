// Which Kafka errors mean the broker lost the idempotent producer's sequence state, so the publish activity
// renews its producer (activities/publish.ts). The fault drill found the case: after a broker SIGKILL every
// later send failed with OUT_OF_ORDER_SEQUENCE_NUMBER until the worker was restarted.
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { lostProducerState } from '../../activities/publish.js';

const protocolError = (type: string, code: number) => new KafkaJSProtocolError({ type, code, retriable: false, message: type } as unknown as Error);

describe('lostProducerState', () => {
  it('given the broker refuses the sequence or the producer id, then the producer must be renewed', () => {
    expect(lostProducerState(protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45))).toBe(true);
    expect(lostProducerState(protocolError('UNKNOWN_PRODUCER_ID', 59))).toBe(true);
    expect(lostProducerState(protocolError('INVALID_PRODUCER_EPOCH', 47))).toBe(true);
  });

  it('given kafkajs gave up retrying such an error, then the cause still says so', () => {
    const wrapped = new KafkaJSNumberOfRetriesExceeded(protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45), { retryCount: 2, retryTime: 300 });
    expect(lostProducerState(wrapped)).toBe(true);
  });

  it('given an outage or any other refusal, then the producer is kept (retrying is enough)', () => {
    expect(lostProducerState(new KafkaJSConnectionError('Connection error: ECONNREFUSED'))).toBe(false);
    expect(lostProducerState(protocolError('NOT_LEADER_OR_FOLLOWER', 6))).toBe(false);
    expect(lostProducerState(protocolError('MESSAGE_TOO_LARGE', 10))).toBe(false);
    expect(lostProducerState(new Error('OUT_OF_ORDER_SEQUENCE_NUMBER'))).toBe(false);
    expect(lostProducerState('OUT_OF_ORDER_SEQUENCE_NUMBER')).toBe(false);
  });
});
