import type { Channel, Department, DisputeType, Level } from '../../events/vocabulary.js';
import type { RoutingRule, RoutingRuleSet } from './rules.js';

export interface RoutingInput {
  disputeType: DisputeType;
  /** The enterprise's responsible department (分管联系部门), free text. */
  responsibleDepartment: string;
  level: Level;
  collective: boolean;
  channel: Channel;
}

export interface Route {
  ruleId: string;
  rulesVersion: string;
  leadDepartment: Department;
  joiningDepartments: Department[];
  level: Level;
  timeLimitDays: number;
  accountableUnit: string;
}

function matches(rule: RoutingRule, input: RoutingInput): boolean {
  const { match } = rule;
  if (match.disputeTypes && !match.disputeTypes.includes(input.disputeType)) return false;
  if (match.responsibleDepartments && !match.responsibleDepartments.includes(input.responsibleDepartment)) return false;
  if (match.levels && !match.levels.includes(input.level)) return false;
  if (match.collective !== undefined && match.collective !== input.collective) return false;
  if (match.channels && !match.channels.includes(input.channel)) return false;
  return true;
}

/** The route for a case under one rule set: the first matching rule. */
export function route(ruleSet: RoutingRuleSet, input: RoutingInput): Route {
  const rule = ruleSet.rules.find((candidate) => matches(candidate, input));
  // RoutingRuleSet guarantees a catch-all last rule; reaching this is a rule-set bug.
  if (!rule) throw new Error(`routing rules ${ruleSet.version} have no rule for this case`);

  const joining = rule.route.joining.filter((department) => department !== rule.route.lead);
  // A petition transferred by 信访局 stays followed by it (信访工作条例 第三十一条): petitions joins.
  if (input.channel === 'petition-transfer' && rule.route.lead !== 'petitions' && !joining.includes('petitions')) {
    joining.push('petitions');
  }
  return {
    ruleId: rule.id,
    rulesVersion: ruleSet.version,
    leadDepartment: rule.route.lead,
    joiningDepartments: joining,
    level: rule.route.level === 'enterprise-level' ? input.level : rule.route.level,
    timeLimitDays: rule.route.timeLimitDays,
    accountableUnit:
      rule.route.accountable === 'responsible-department' ? input.responsibleDepartment : rule.route.accountable,
  };
}
