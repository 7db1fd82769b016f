// 红黄绿灯 (domain/sla/light.ts): the one rule every list and page shows.
import { describe, expect, it } from 'vitest';
import { caseLight, clockLights, deadlineLight, worstLight, type SlaClock, type SlaClocks } from '../../domain/sla/index.js';

const DUE = '2026-03-20T16:00:00.000Z';
const WARN = '2026-03-13T16:00:00.000Z';

function clock(key: string, over: Partial<SlaClock> = {}): SlaClock {
  return {
    key,
    policyId: key,
    status: 'running',
    startedAt: '2026-03-06T02:00:00.000Z',
    limit: 10,
    unit: 'working-days',
    due: '2026-03-20',
    dueAt: DUE,
    rule: '',
    provisional: false,
    warnAt: [{ threshold: 0.75, at: '2026-03-17T16:00:00.000Z' }, { threshold: 0.5, at: WARN }],
    warned: [],
    breached: false,
    pauses: [],
    pausedTotalMs: 0,
    extensions: [],
    onBreach: { escalate: true, supervise: true },
    policyVersion: 'test',
    calendarVersion: 'test',
    ...over,
  } as SlaClock;
}
const clocks = (...list: SlaClock[]): SlaClocks => Object.fromEntries(list.map((c) => [c.key, c]));
const PARTY = { escalate: false, supervise: false } as SlaClock['onBreach'];

describe('the deadline light', () => {
  it('given a deadline, when now is before its first warning, then green', () => {
    expect(deadlineLight({ dueAt: DUE, warnAt: WARN, breached: false }, '2026-03-13T15:59:59.999Z')).toBe('green');
  });
  it('given a deadline, when now reaches its first warning, then yellow until it is due', () => {
    expect(deadlineLight({ dueAt: DUE, warnAt: WARN, breached: false }, WARN)).toBe('yellow');
    expect(deadlineLight({ dueAt: DUE, warnAt: WARN, breached: false }, '2026-03-20T15:59:59.999Z')).toBe('yellow');
  });
  it('given a deadline, when now reaches its due moment, then red', () => {
    expect(deadlineLight({ dueAt: DUE, warnAt: WARN, breached: false }, DUE)).toBe('red');
  });
  it('given a recorded breach, when its due moment was moved later (an extension), then still red', () => {
    expect(deadlineLight({ dueAt: DUE, warnAt: WARN, breached: true }, '2026-03-10T00:00:00.000Z')).toBe('red');
  });
  it('given a deadline without warnings, when not yet due, then green', () => {
    expect(deadlineLight({ dueAt: DUE, warnAt: null, breached: false }, '2026-03-20T15:00:00.000Z')).toBe('green');
  });
  it('given several deadlines, when lit, then the worst counts, and none is green', () => {
    const now = '2026-03-15T00:00:00.000Z';
    expect(worstLight([{ dueAt: DUE, warnAt: null, breached: false }, { dueAt: DUE, warnAt: WARN, breached: false }], now)).toBe('yellow');
    expect(worstLight([], now)).toBe('green');
  });
});

describe("a case's light", () => {
  const now = '2026-03-15T00:00:00.000Z';
  it('given a duty clock past its first warning (the earliest threshold), when lit, then yellow with that clock next', () => {
    const { light, next } = caseLight(clocks(clock('accept')), now);
    expect(light).toBe('yellow');
    expect(next?.key).toBe('accept');
  });
  it("given a party's window overdue, when lit, then it does not count: green, and it is not the next deadline", () => {
    const party = clock('judicial-confirmation-apply', { dueAt: '2026-03-01T00:00:00.000Z', onBreach: PARTY });
    const duty = clock('mediate', { warnAt: [] });
    expect(caseLight(clocks(party, duty), now)).toMatchObject({ light: 'green', next: { key: 'mediate' } });
    expect(clockLights(clocks(party, duty), now)).toEqual({ mediate: 'green' });
  });
  it('given a paused or stopped duty clock past due, when lit, then it does not count', () => {
    const paused = clock('accept', { status: 'paused', dueAt: '2026-03-01T00:00:00.000Z' });
    const stopped = clock('reply', { status: 'stopped', dueAt: '2026-03-01T00:00:00.000Z' });
    expect(caseLight(clocks(paused, stopped), now)).toEqual({ light: 'green', next: null });
  });
  it('given two running duty clocks, when one is overdue, then red, and the earliest due is next', () => {
    const late = clock('reply', { dueAt: '2026-03-14T00:00:00.000Z' });
    expect(caseLight(clocks(clock('accept'), late), now)).toMatchObject({ light: 'red', next: { key: 'reply' } });
    expect(clockLights(clocks(clock('accept'), late), now)).toEqual({ reply: 'red', accept: 'yellow' });
  });
});
