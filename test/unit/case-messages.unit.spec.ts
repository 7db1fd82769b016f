// The message catalogue: every key in both languages with the same params, the API's answers and the core's
// rejections under distinct keys, and every rejection decide() returns carries a key of it and renders in both
// languages with nothing left unfilled.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMAND_TYPES } from '../../domain/case/commands.js';
import { decide } from '../../domain/case/decide.js';
import type { Rejection } from '../../domain/case/decision.js';
import { apiMessages, LOCALES, MESSAGE_KEYS, messages, REJECTION_KEYS, rejectionMessages, renderMessage, renderRejection, templateParams } from '../../domain/case/messages.js';
import { Role } from '../../events/vocabulary.js';
import { accepted, agreed, at, closed, inMediation, receiveCase, received, replied, routed, sessionHeld, T0 } from '../../testkit/case-fixtures.js';
import { given, toHistory } from '../support/decider-spec.js';
import { foldEvents } from '../../domain/case/evolve.js';
import { sampleCommand } from '../../testkit/sample-commands.js';

describe('the message catalogue', () => {
  it('has every key in zh-CN and en, naming the same params', () => {
    for (const key of MESSAGE_KEYS) {
      const templates = messages[key] as Record<string, string>;
      for (const locale of LOCALES) expect(templates[locale], `${key} ${locale}`).toBeTruthy();
      // A param may come in a Chinese form of its own (approverZh for approver).
      const names = (t: string) => [...new Set(templateParams(t).map((p) => p.replace(/Zh$/, '')))].sort();
      expect(names(templates['zh-CN']!), key).toEqual(names(templates['en']!));
    }
  });

  it('keeps the API\'s answers and the core\'s rejections under distinct keys', () => {
    const shared = Object.keys(apiMessages).filter((k) => k in rejectionMessages);
    expect(shared).toEqual([]);
    expect(MESSAGE_KEYS.length).toBe(Object.keys(apiMessages).length + REJECTION_KEYS.length);
  });

  it('renders the API\'s answers with the same renderer: params filled, terms in the locale\'s words', () => {
    expect(renderMessage('forbidden.role', { role: 'auditor', operation: 'cases.command' }, 'zh-CN')).toBe('角色“审计人员”无权执行“cases.command”');
    expect(renderMessage('forbidden.role', { role: 'auditor', operation: 'cases.command' }, 'en')).toBe('the role auditor may not cases.command');
    expect(renderMessage('too-large', { limit: 1024 }, 'en')).toBe('the request body is larger than 1024 bytes');
    expect(renderMessage('not-found.case', {}, 'zh-CN')).toBe('没有案件 {caseId}');
  });

  it('speaks to a clerk in Chinese by default, with the article right in English', () => {
    const noConsent = { type: 'AgreeExtension', caseId: 'case-1', data: { days: 5, complainantConsents: true, respondentConsents: false, reason: 'x' } } as const;
    const r = given(inMediation).when(noConsent).decision;
    if (r.ok) throw new Error('expected a rejection');
    expect(renderRejection(r.rejection)).toBe('调解延期须经双方当事人同意');
    expect(renderRejection(r.rejection, 'en')).toBe("an extension needs both parties' consent");
    const clerk = given(routed).when(sampleCommand('EscalateCase'), { actor: { id: 'c', role: 'intake-clerk' } }).decision;
    if (clerk.ok) throw new Error('expected a rejection');
    expect(clerk.rejection.reason).toBe('an intake clerk may not escalate the case');
    expect(renderRejection(clerk.rejection)).toBe('登记员无权上提一级');
    const mediator = given(routed).when(sampleCommand('EscalateCase'), { actor: { id: 'm', role: 'mediator' } }).decision;
    expect(!mediator.ok && mediator.rejection.reason).toBe('a mediator may not escalate the case');
  });

  it('renders each problem of a many-problem rejection in the locale', () => {
    const d = given([]).when(receiveCase({ workerCount: 1, channel: 'petition-transfer', respondent: { ...receiveCase().data.respondent, town: '无此镇' } }), { actor: { id: 'c', role: 'intake-clerk' } }).decision;
    if (d.ok) throw new Error('expected a rejection');
    expect(renderRejection(d.rejection)).toMatch(/^共 2 处问题：petitionRef：信访转送件须填写信访件编号；respondent.town：“无此镇”不在登记目录/);
  });

  it('covers every rejection decide() returns: each carries a known key and renders fully in both languages', () => {
    const seen = new Set<string>();
    const check = (rejection: Rejection) => {
      for (const r of [rejection, ...(rejection.problems ?? [])]) {
        expect(REJECTION_KEYS).toContain(r.key);
        seen.add(r.key);
        for (const locale of LOCALES) expect(renderRejection(r, locale), `${r.key} ${locale}`).not.toMatch(/\{\w+\}/);
      }
    };
    const histories = [[], received, accepted, routed, inMediation, sessionHeld, agreed, replied, closed];
    fc.assert(
      fc.property(
        fc.constantFrom(...histories),
        fc.constantFrom(...COMMAND_TYPES),
        fc.constantFrom(...Role.options),
        fc.constantFrom(0, 24, 24 * 9, 24 * 40),
        (history, type, role, hours) => {
          const state = foldEvents(toHistory(history));
          const actor = role === 'department-liaison' ? { id: 'l', role, department: 'hr' as const } : { id: 'person-1', role };
          const d = decide(state, sampleCommand(type), { now: at(T0, hours), actor, commandId: 'c', correlationId: 'c' });
          if (!d.ok) check(d.rejection);
        },
      ),
      { numRuns: 3000 },
    );
    // The sweep reaches a good part of the catalogue (the rest is reached by the rule specs).
    expect(seen.size).toBeGreaterThan(20);
  });
});
