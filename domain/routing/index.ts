export {
  RoutingRule,
  RoutingRuleSet,
  rules2025v1,
  defaultRoutingCatalogue,
  type RoutingCatalogue,
} from './rules.js';
export { route, type Route, type RoutingInput } from './route.js';
