// Routing rules are data with a version. Seed 003: "哪个部门分管联系的企业出现劳动纠纷,就由哪个部门负责处理,
// 实行一把手负责制,限期解决" — the department responsible for the enterprise handles the dispute, its
// head is accountable, within a time limit. A case records the version in force when it was received
// and is routed by that version for its whole life, even after a newer version is published.
import { z } from '../../events/zod.js';
import { Channel, Department, DisputeType, Level } from '../../events/vocabulary.js';

export const RoutingRule = z.strictObject({
  id: z.string().min(1),
  description: z.string(),
  /** Every listed condition must hold; an absent condition matches anything. */
  match: z.strictObject({
    disputeTypes: z.array(DisputeType).min(1).optional(),
    responsibleDepartments: z.array(z.string().min(1)).min(1).optional(),
    levels: z.array(Level).min(1).optional(),
    collective: z.boolean().optional(),
    channels: z.array(Channel).min(1).optional(),
  }),
  route: z.strictObject({
    lead: Department,
    joining: z.array(Department),
    /** 'enterprise-level' keeps the level of the enterprise; a Level puts the case at that level. */
    level: z.union([z.literal('enterprise-level'), Level]),
    /** 限期解决, in calendar days (default 15: 劳动争议调解仲裁法 第十四条). */
    timeLimitDays: z.number().int().positive(),
    /** Whose head answers: the enterprise's responsible department (一把手负责制) or a named department. */
    accountable: z.union([z.literal('responsible-department'), Department]),
  }),
});
export type RoutingRule = z.infer<typeof RoutingRule>;

export const RoutingRuleSet = z
  .strictObject({
    version: z.string().min(1),
    /** Rules are tried in order; the first match wins. */
    rules: z.array(RoutingRule).min(1),
    /** A collective dispute alerts a supervisor at intake; the alert is due within this many hours. */
    collectiveAlertHours: z.number().int().positive(),
    /** A supervision notice (督办) is due within this many hours of issue. */
    supervisionDueHours: z.number().int().positive(),
  })
  .refine((set) => Object.keys(set.rules.at(-1)?.match ?? {}).length === 0, {
    message: 'the last rule must match everything, so that every case has a route',
  });
export type RoutingRuleSet = z.infer<typeof RoutingRuleSet>;

/** The versions a deployment knows, and the one new cases get. */
export interface RoutingCatalogue {
  currentVersion: string;
  ruleSets: Readonly<Record<string, RoutingRuleSet>>;
}

const ALL_OTHERS: RoutingRule = {
  id: 'default',
  description: 'Anything else: the union centre leads, people\'s mediation (justice) joins.',
  match: {},
  route: { lead: 'union', joining: ['justice'], level: 'enterprise-level', timeLimitDays: 15, accountable: 'responsible-department' },
};

/** Version 2025.1 — the first published rule set. */
export const rules2025v1: RoutingRuleSet = RoutingRuleSet.parse({
  version: '2025.1',
  collectiveAlertHours: 24,
  supervisionDueHours: 72,
  rules: [
    {
      id: 'collective',
      description:
        'Collective dispute (≥ 10 workers, 第七条): the county joint centre takes it on the emergency path; all departments but the court join.',
      match: { collective: true },
      route: { lead: 'union', joining: ['hr', 'justice', 'petitions'], level: 'county', timeLimitDays: 15, accountable: 'responsible-department' },
    },
    {
      id: 'construction-wages',
      description: 'Wage arrears in enterprises under 住建局 (migrant construction workers): the court joins for a payment order.',
      match: { disputeTypes: ['wage-arrears'], responsibleDepartments: ['住建局'] },
      route: { lead: 'union', joining: ['hr', 'court'], level: 'town', timeLimitDays: 15, accountable: 'responsible-department' },
    },
    {
      id: 'wage-arrears',
      description: 'Wage arrears: union leads; labour inspection (hr) and the court (支付令) join.',
      match: { disputeTypes: ['wage-arrears'] },
      route: { lead: 'union', joining: ['hr', 'court'], level: 'enterprise-level', timeLimitDays: 15, accountable: 'responsible-department' },
    },
    {
      id: 'social-insurance',
      description: 'Social insurance: hr (社保) leads, the union joins.',
      match: { disputeTypes: ['social-insurance'] },
      route: { lead: 'hr', joining: ['union'], level: 'town', timeLimitDays: 15, accountable: 'hr' },
    },
    {
      id: 'work-injury',
      description: 'Work injury: hr (工伤认定) leads; union and legal aid (justice) join.',
      match: { disputeTypes: ['work-injury'] },
      route: { lead: 'hr', joining: ['union', 'justice'], level: 'town', timeLimitDays: 15, accountable: 'hr' },
    },
    {
      id: 'contract-termination',
      description: 'Contract termination and compensation: union leads, hr and justice join.',
      match: { disputeTypes: ['contract-termination'] },
      route: { lead: 'union', joining: ['hr', 'justice'], level: 'enterprise-level', timeLimitDays: 15, accountable: 'responsible-department' },
    },
    ALL_OTHERS,
  ],
});

export const defaultRoutingCatalogue: RoutingCatalogue = {
  currentVersion: rules2025v1.version,
  ruleSets: { [rules2025v1.version]: rules2025v1 },
};
