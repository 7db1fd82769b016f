import { describe, expect, it } from 'vitest';
import { agreed, CASE_ID, closed, cmd, ev, failed, inMediation, received, replied, routed } from '../../testkit/case-fixtures.js';
import { given } from '../support/decider-spec.js';

const rejected = [
  ...received,
  ev('CaseRejected', { reasonCode: 'not-a-labour-dispute' as const, explanation: '民间借贷', redirectTo: 'civil-court' as const }),
];

describe('SendReply (答复)', () => {
  it('replies once the case has an outcome', () => {
    const { after } = given(agreed)
      .when(cmd('SendReply', { method: 'written', summary: '调解协议已达成' }))
      .then([ev('ReplySent', { method: 'written', summary: '调解协议已达成' })]);
    expect(after).toMatchObject({ status: 'replied', repliesSent: 1, outcome: 'agreement' });
  });

  it('may reply by public posting at the enterprise (seed 001)', () => {
    given(failed)
      .when(cmd('SendReply', { method: 'public-posting', summary: '已张榜公布' }))
      .then([ev('ReplySent', { method: 'public-posting', summary: '已张榜公布' })]);
  });

  it('given a case in mediation, when a reply (回音) is sent, then it is recorded and the case stays in mediation', () => {
    const { after } = given(inMediation)
      .when(cmd('SendReply', { method: 'phone', summary: '已受理，正在调解' }))
      .then([ev('ReplySent', { method: 'phone', summary: '已受理，正在调解' })]);
    expect(after).toMatchObject({ status: 'in-mediation', repliesSent: 1, outcome: null });
    expect(after.status !== 'none' && after.clocks['complaint-reply']?.status).toBe('stopped');
  });

  it('given a case only received, when a reply is sent, then it is refused: a reply follows acceptance or rejection', () => {
    given(received).when(cmd('SendReply', { method: 'phone', summary: 'x' })).thenRejects('illegal-state', /accepted or rejected/);
  });

  it('refuses a second reply unless a re-check is open', () => {
    given(replied).when(cmd('SendReply', { method: 'phone', summary: 'x' })).thenRejects('illegal-state');
  });

  it('stops the reply clock', () => {
    const { after } = given(agreed).when(cmd('SendReply', { method: 'written', summary: 'x' })).then([ev('ReplySent', { method: 'written', summary: 'x' })]);
    if (after.status === 'none') throw new Error('no case');
    expect(after.clocks['complaint-reply']?.status).toBe('stopped');
  });
});

describe('RecordFeedback (回访)', () => {
  it('records a satisfied complainant', () => {
    const { after } = given(replied)
      .when(cmd('RecordFeedback', { score: 5, comment: '满意' }))
      .then([ev('FeedbackRecorded', { score: 5, comment: '满意' })]);
    expect(after).toMatchObject({ feedbackScore: 5, recheckOpen: false });
  });

  it.each([1, 2])('opens a re-check on a score of %i', (score) => {
    const { after } = given(replied)
      .when(cmd('RecordFeedback', { score }))
      .then([ev('FeedbackRecorded', { score }), ev('RecheckOpened', { reason: 'low-satisfaction', score })]);
    expect(after).toMatchObject({ recheckOpen: true, status: 'replied' });
  });

  it('does not open a re-check on a score of 3', () => {
    given(replied).when(cmd('RecordFeedback', { score: 3 })).then([ev('FeedbackRecorded', { score: 3 })]);
  });

  it('refuses a score outside 1–5', () => {
    given(replied).when(cmd('RecordFeedback', { score: 6 })).thenRejects('validation', /score/);
    given(replied).when(cmd('RecordFeedback', { score: 0 })).thenRejects('validation', /score/);
  });

  it('takes one score per reply; a re-check reply may be scored again', () => {
    const lowScore = [...replied, ev('FeedbackRecorded', { score: 1 }), ev('RecheckOpened', { reason: 'low-satisfaction' as const, score: 1 })];
    given(lowScore).when(cmd('RecordFeedback', { score: 4 })).thenRejects('illegal-state', /re-check is open/);
    given([...replied, ev('FeedbackRecorded', { score: 4 })]).when(cmd('RecordFeedback', { score: 5 })).thenRejects('illegal-state', /already recorded/);

    const rechecked = [...lowScore, ev('ReplySent', { method: 'in-person' as const, summary: '复核后再次答复' })];
    given(lowScore)
      .when(cmd('SendReply', { method: 'in-person', summary: '复核后再次答复' }))
      .then([ev('ReplySent', { method: 'in-person', summary: '复核后再次答复' })]);
    given(rechecked).when(cmd('RecordFeedback', { score: 4 })).then([ev('FeedbackRecorded', { score: 4 })]);
  });

  it('lets the complainant give feedback', () => {
    given(replied)
      .when(cmd('RecordFeedback', { score: 4 }), { actor: { id: 'person-1', role: 'complainant' } })
      .then([ev('FeedbackRecorded', { score: 4 })]);
  });

  it('refuses feedback before the reply', () => {
    given(agreed).when(cmd('RecordFeedback', { score: 4 })).thenRejects('illegal-state', /needs replied/);
  });
});

describe('CloseCase (结案)', () => {
  it('closes a replied case with its outcome', () => {
    // The two joining departments' referrals are still open: each ends, on record, before the case.
    const { after } = given(replied)
      .when(cmd('CloseCase', {}))
      .then([
        ev('ReferralClosed', { referralId: 'case-1/R-5', department: 'hr', reason: 'case-closed' }),
        ev('ReferralClosed', { referralId: 'case-1/R-6', department: 'court', reason: 'case-closed' }),
        ev('CaseClosed', { outcome: 'agreement' }),
      ]);
    expect(after).toMatchObject({ status: 'closed', outcome: 'agreement' });
  });

  it('closes a rejected case directly: the rejection was the written answer', () => {
    given(rejected).when(cmd('CloseCase', { note: '已告知' })).then([ev('CaseClosed', { outcome: 'rejected', note: '已告知' })]);
  });

  it('refuses while a re-check is open', () => {
    const lowScore = [...replied, ev('FeedbackRecorded', { score: 1 }), ev('RecheckOpened', { reason: 'low-satisfaction' as const, score: 1 })];
    given(lowScore).when(cmd('CloseCase', {})).thenRejects('illegal-state', /re-check is open/);
  });

  it('refuses while a supervision notice is unanswered', () => {
    const supervised = [
      ...replied,
      ev('SupervisionIssued', {
        noticeId: `${CASE_ID}/SN-11`,
        department: 'union' as const,
        accountableUnit: '经信局',
        accountableHeadRole: 'principal-head' as const,
        level: 'town' as const,
        reason: 'manual' as const,
        dueAt: '2025-03-06T02:00:00.000Z',
      }),
    ];
    given(supervised).when(cmd('CloseCase', {})).thenRejects('illegal-state', /answer supervision notice case-1\/SN-11/);
  });

  it('refuses before the reply', () => {
    given(agreed).when(cmd('CloseCase', {})).thenRejects('illegal-state', /needs replied or rejected/);
  });
});

describe('ReopenCase', () => {
  it('reopens an agreement that was not performed, back into mediation', () => {
    const data = { reason: 'agreement-not-performed' as const, note: '企业未按期支付第二期' };
    const { after } = given(closed).when(cmd('ReopenCase', data)).then([ev('CaseReopened', data)]);
    expect(after).toMatchObject({ status: 'in-mediation', outcome: null, reopenCount: 1 });
    if (after.status === 'none') throw new Error('no case');
    expect(after.clocks['complaint-reply']?.status).toBe('running'); // a new reply is owed
  });

  it('reopens a rejected case on new facts, back to intake', () => {
    const closedRejected = [...rejected, ev('CaseClosed', { outcome: 'rejected' as const })];
    const data = { reason: 'new-facts' as const, note: '补充劳动合同' };
    const { after } = given(closedRejected).when(cmd('ReopenCase', data)).then([ev('CaseReopened', data)]);
    expect(after).toMatchObject({ status: 'received' });
  });

  it('opens a review (复查) as a re-check that owes a new reply', () => {
    const data = { reason: 'recheck' as const, note: '申请人请求复查' };
    const { after } = given(closed)
      .when(cmd('ReopenCase', data))
      .then([ev('CaseReopened', data), ev('RecheckOpened', { reason: 'review-request' })]);
    expect(after).toMatchObject({ status: 'replied', recheckOpen: true, outcome: 'agreement' });
  });

  it('refuses "agreement not performed" for a case without an agreement', () => {
    const closedRejected = [...rejected, ev('CaseClosed', { outcome: 'rejected' as const })];
    given(closedRejected)
      .when(cmd('ReopenCase', { reason: 'agreement-not-performed', note: 'x' }))
      .thenRejects('validation', /did not end in an agreement/);
  });

  it('refuses a case that is not closed, and a merged one', () => {
    given(replied).when(cmd('ReopenCase', { reason: 'new-facts', note: 'x' })).thenRejects('illegal-state', /needs closed/);
    const merged = [...received, ev('CaseMerged', { intoCaseId: 'case-0', reason: '重复投诉' }), ev('CaseClosed', { outcome: 'merged' as const })];
    given(merged).when(cmd('ReopenCase', { reason: 'new-facts', note: 'x' })).thenRejects('illegal-state', /merged into case-0/);
  });
});

describe('MergeCase / LinkCase', () => {
  it('merges a duplicate complaint into another case and closes it', () => {
    const { after } = given(routed)
      .when(cmd('MergeCase', { intoCaseId: 'case-0', reason: '同一批职工重复投诉' }), { mergeTarget: { caseId: 'case-0', status: 'in-mediation' } })
      .then([
        ev('ReferralClosed', { referralId: 'case-1/R-5', department: 'hr', reason: 'case-merged' }),
        ev('ReferralClosed', { referralId: 'case-1/R-6', department: 'court', reason: 'case-merged' }),
        ev('CaseMerged', { intoCaseId: 'case-0', reason: '同一批职工重复投诉' }),
        ev('CaseClosed', { outcome: 'merged', note: 'duplicate of case-0' }),
      ]);
    expect(after).toMatchObject({ status: 'closed', outcome: 'merged', mergedInto: 'case-0' });
  });

  it('refuses to merge a case into itself, or one with an outcome', () => {
    given(routed).when(cmd('MergeCase', { intoCaseId: CASE_ID, reason: 'x' })).thenRejects('validation', /into itself/);
    given(agreed).when(cmd('MergeCase', { intoCaseId: 'case-0', reason: 'x' })).thenRejects('illegal-state');
  });

  it('links related cases once each', () => {
    const { after } = given(received)
      .when(cmd('LinkCase', { linkedCaseId: 'case-9', relation: 'same-enterprise' }))
      .then([ev('CaseLinked', { linkedCaseId: 'case-9', relation: 'same-enterprise' })]);
    expect(after).toMatchObject({ links: ['case-9'] });
    given([...received, ev('CaseLinked', { linkedCaseId: 'case-9', relation: 'related' as const })])
      .when(cmd('LinkCase', { linkedCaseId: 'case-9', relation: 'related' }))
      .thenRejects('illegal-state', /already linked/);
    given(received).when(cmd('LinkCase', { linkedCaseId: CASE_ID, relation: 'related' })).thenRejects('validation', /itself/);
  });
});
