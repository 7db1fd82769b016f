// The event-size limit of the core (events/limits.ts): an event the broker could never take is refused
// before it exists, naming the field that makes it large; the caps of the command schemas refuse the lists
// that would make it large, naming the list.
import { describe, expect, it } from 'vitest';
import { at, cmd, complainant, days, inMediation, receiveCase, SESSION_ID, T0 } from '../../testkit/case-fixtures.js';
import { given } from '../support/decider-spec.js';
import { MAX_COMPLAINANTS, MAX_EVENT_BYTES, MAX_SESSION_DEPARTMENTS, publishedBytes } from '../../events/limits.js';
import { renderMessage } from '../../domain/case/messages.js';
import type { EncryptedValue } from '../../events/personal-data.js';

/** Free text as the edge encrypts it: base64 ciphertext of `chars` characters (the schema allows 40,000). */
const encrypted = (chars: number, ref = 'case-1/text'): EncryptedValue => ({ pii: true, ref, keyId: 'k1', nonce: 'AAAAAAAAAAAAAAAA', ciphertext: 'A'.repeat(chars) });
const departments = ['union', 'court', 'petitions', 'hr', 'justice'] as const;
const afterSession = { now: at(T0, days(3)) };
const opinions = (count: number, chars: number) => Array.from({ length: count }, (_, i) => ({ department: departments[i % departments.length]!, opinion: encrypted(chars) }));

describe('the event-size limit', () => {
  it('given a case in mediation, when a session is recorded whose event stays under the limit, then it is accepted', () => {
    const { events } = given(inMediation)
      .when(cmd('HoldSession', { sessionId: SESSION_ID, outcome: 'progress', minutes: encrypted(40_000), departmentOpinions: opinions(2, 40_000) }), afterSession)
      .then([{ type: 'SessionHeld', data: { sessionId: SESSION_ID, outcome: 'progress', minutes: encrypted(40_000), departmentOpinions: opinions(2, 40_000) } }]);
    expect(publishedBytes(events[0])).toBeLessThan(MAX_EVENT_BYTES);
  });

  it('given a case in mediation, when a session would make an event over the limit, then it is refused naming the event and the field', () => {
    const when = given(inMediation).when(cmd('HoldSession', { sessionId: SESSION_ID, outcome: 'progress', minutes: encrypted(40_000), departmentOpinions: opinions(MAX_SESSION_DEPARTMENTS, 40_000) }), afterSession);
    when.thenRejects('validation', /^departmentOpinions: too long — the SessionHeld event would be \d+ bytes, more than the 262144/);
    if (when.decision.ok) throw new Error('accepted');
    expect(when.decision.rejection.key).toBe('event.too-large');
    expect(Number(when.decision.rejection.params.bytes)).toBeGreaterThan(MAX_EVENT_BYTES);
    expect(renderMessage('event.too-large', when.decision.rejection.params, 'zh-CN')).toMatch(/^departmentOpinions：内容过长——生成的 SessionHeld 事件将有 \d+ 字节，超过事件日志允许的 262144 字节/);
  });

  it('given no case, when a case is received whose complainants make the event too large, then it is refused naming complainants', () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ ...complainant(`person-${i}`), name: encrypted(40_000, `person-${i}`) }));
    given([]).when(receiveCase({ complainants: many, workerCount: 20 })).thenRejects('validation', /^complainants: too long — the CaseReceived event/);
  });

  it('the measure counts the hash fields sealing adds: an event exactly at the limit passes, a byte more does not', () => {
    // Find the minutes length that puts the sealed event exactly at the limit, then one byte more.
    const held = (chars: number) => given(inMediation).when(cmd('HoldSession', { sessionId: SESSION_ID, outcome: 'progress', minutes: encrypted(chars), departmentOpinions: opinions(6, 40_000) }), afterSession);
    const probe = held(4);
    if (!probe.decision.ok) throw new Error(probe.decision.rejection.reason);
    const sealed = publishedBytes({ ...probe.decision.events[0], prevHash: '0'.repeat(64), hash: '0'.repeat(64) });
    const exact = 4 + (MAX_EVENT_BYTES - sealed);
    expect(held(exact).decision.ok).toBe(true);
    expect(held(exact + 1).decision.ok).toBe(false);
  });
});

describe('the caps of the command schemas', () => {
  it(`refuses more than ${MAX_COMPLAINANTS} complainants, naming the field`, () => {
    const many = Array.from({ length: MAX_COMPLAINANTS + 1 }, (_, i) => complainant(`person-${i}`));
    given([]).when(receiveCase({ complainants: many, workerCount: MAX_COMPLAINANTS + 1 })).thenRejects('validation', /^data.complainants: /);
  });

  it(`refuses more than ${MAX_SESSION_DEPARTMENTS} department opinions at a session, naming the field`, () => {
    given(inMediation)
      .when(cmd('HoldSession', { sessionId: SESSION_ID, outcome: 'progress', minutes: '双方陈述', departmentOpinions: opinions(MAX_SESSION_DEPARTMENTS + 1, 10) }), afterSession)
      .thenRejects('validation', /^data.departmentOpinions: /);
  });
});
