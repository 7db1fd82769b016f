import { describe, expect, it } from 'vitest';
import { defaultRoutingCatalogue, route, RoutingRuleSet, rules2025v1, type RoutingInput } from '../../domain/routing/index.js';

const input = (overrides: Partial<RoutingInput> = {}): RoutingInput => ({
  disputeType: 'wage-arrears',
  responsibleDepartment: '经信局',
  level: 'enterprise',
  collective: false,
  channel: 'walk-in',
  ...overrides,
});

describe('routing rules 2025.1', () => {
  it('is the current version of the built-in catalogue', () => {
    expect(defaultRoutingCatalogue.currentVersion).toBe('2025.1');
    expect(defaultRoutingCatalogue.ruleSets['2025.1']).toBe(rules2025v1);
  });

  it('routes wage arrears to the union with hr and the court, at the enterprise’s level, the responsible department accountable', () => {
    expect(route(rules2025v1, input())).toEqual({
      ruleId: 'wage-arrears',
      rulesVersion: '2025.1',
      leadDepartment: 'union',
      joiningDepartments: ['hr', 'court'],
      level: 'enterprise',
      timeLimitDays: 15,
      accountableUnit: '经信局',
    });
  });

  it('sends every collective dispute to the county joint centre, whatever its type', () => {
    for (const disputeType of ['wage-arrears', 'work-injury', 'other'] as const) {
      expect(route(rules2025v1, input({ disputeType, collective: true }))).toMatchObject({
        ruleId: 'collective',
        level: 'county',
        leadDepartment: 'union',
        joiningDepartments: ['hr', 'justice', 'petitions'],
      });
    }
  });

  it('matches on the enterprise’s responsible department (住建局: construction wages at town level)', () => {
    expect(route(rules2025v1, input({ responsibleDepartment: '住建局' }))).toMatchObject({
      ruleId: 'construction-wages',
      level: 'town',
      accountableUnit: '住建局',
    });
    expect(route(rules2025v1, input({ responsibleDepartment: '住建局', disputeType: 'hours-and-rest' }))).toMatchObject({ ruleId: 'default' });
  });

  it.each([
    ['social-insurance', 'hr', 'hr'],
    ['work-injury', 'hr', 'hr'],
    ['contract-termination', 'union', '经信局'],
    ['hours-and-rest', 'union', '经信局'],
    ['other', 'union', '经信局'],
  ] as const)('routes %s to %s (accountable: %s)', (disputeType, lead, accountable) => {
    const chosen = route(rules2025v1, input({ disputeType }));
    expect(chosen.leadDepartment).toBe(lead);
    expect(chosen.accountableUnit).toBe(accountable);
    expect(chosen.joiningDepartments).not.toContain(lead);
  });

  it('keeps the petitions bureau on a petition it transferred (信访工作条例 第三十一条)', () => {
    expect(route(rules2025v1, input({ channel: 'petition-transfer' })).joiningDepartments).toEqual(['hr', 'court', 'petitions']);
    // Not twice when the rule already has it.
    expect(route(rules2025v1, input({ channel: 'petition-transfer', collective: true })).joiningDepartments).toEqual([
      'hr',
      'justice',
      'petitions',
    ]);
  });

  it('keeps a town or county enterprise at its level when the rule says so', () => {
    expect(route(rules2025v1, input({ level: 'county', disputeType: 'other' })).level).toBe('county');
  });
});

describe('RoutingRuleSet', () => {
  it('refuses a rule set whose last rule does not match everything', () => {
    const withoutCatchAll = { ...rules2025v1, rules: rules2025v1.rules.slice(0, -1) };
    expect(RoutingRuleSet.safeParse(withoutCatchAll).success).toBe(false);
    expect(RoutingRuleSet.safeParse(rules2025v1).success).toBe(true);
  });

  it('refuses unknown departments and dispute types', () => {
    const bad = { ...rules2025v1, rules: [{ ...rules2025v1.rules.at(-1)!, route: { ...rules2025v1.rules.at(-1)!.route, lead: 'police' } }] };
    expect(RoutingRuleSet.safeParse(bad).success).toBe(false);
  });
});
