// ErasePersonalData (个人信息保护法 第四十七条): the data-protection officer only, with a reason and the legal
// basis, and never while a legal hold applies (the case open, or its judicial confirmation pending or still
// open to application).
import { describe, expect, it } from 'vitest';
import { at, CASE_ID, closed, cmd, days, ev, inMediation, T0 } from '../../testkit/case-fixtures.js';
import { given } from '../support/decider-spec.js';
import { renderMessage } from '../../domain/case/messages.js';

const erase = { reason: '当事人申请删除个人信息', legalBasis: '个人信息保护法 第四十七条第一款第一项' };
const dpo = { id: 'dpo-1', role: 'data-protection-officer' as const };
const later = at(T0, days(60));

describe('ErasePersonalData', () => {
  it('given a closed case past its judicial-confirmation window, when the officer erases, then PersonalDataErased names every subject and nothing else changes', () => {
    const { after } = given(closed)
      .when(cmd('ErasePersonalData', erase), { actor: dpo, now: later })
      .then([ev('PersonalDataErased', { subjects: ['person-1', `${CASE_ID}/text`], ...erase })]);
    expect(after).toMatchObject({ status: 'closed', outcome: 'agreement', personalDataErased: true, complainantRefs: ['person-1'] });
  });

  it('refuses while the 30-day judicial-confirmation window of the agreement is still open', () => {
    given(closed).when(cmd('ErasePersonalData', erase), { actor: dpo, now: at(T0, days(5)) }).thenRejects('illegal-state', /judicial-confirmation window/);
    expect(renderMessage('erasure.legal-hold-judicial-window', { dueAt: '2025-04-02T15:59:59.999Z' }, 'zh-CN')).toBe('司法确认申请期限（至 2025-04-02T15:59:59.999Z）尚未届满，不能删除个人信息');
  });

  it('refuses while the case is being handled', () => {
    given(inMediation).when(cmd('ErasePersonalData', erase), { actor: dpo, now: later }).thenRejects('illegal-state', /close the case first/);
    expect(renderMessage('erasure.legal-hold-open', { status: 'in-mediation' }, 'zh-CN')).toBe('案件尚在办理中（调解中），不能删除个人信息；请先结案');
  });

  it('refuses anyone but the data-protection officer', () => {
    given(closed).when(cmd('ErasePersonalData', erase), { actor: { id: 'm', role: 'mediator' }, now: later }).thenRejects('forbidden');
    given(closed).when(cmd('ErasePersonalData', erase), { actor: { id: 's', role: 'supervisor' }, now: later }).thenRejects('forbidden');
  });

  it('refuses without a reason or a legal basis, naming the field', () => {
    given(closed).when(cmd('ErasePersonalData', { ...erase, legalBasis: ' ' }), { actor: dpo, now: later }).thenRejects('validation', /legalBasis/);
    given(closed).when(cmd('ErasePersonalData', { ...erase, reason: '' }), { actor: dpo, now: later }).thenRejects('validation', /reason/);
  });

  it('refuses a second erasure', () => {
    const erased = [...closed, ev('PersonalDataErased', { subjects: ['person-1', `${CASE_ID}/text`], ...erase }, later)];
    given(erased).when(cmd('ErasePersonalData', erase), { actor: dpo, now: at(later, 1) }).thenRejects('illegal-state', /already been erased/);
  });
});
