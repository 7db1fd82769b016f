// The local OpenID provider's seeded staff and clients (development and tests only). Each account carries
// the claims a centre's own IdP would carry; their names match the API's default claim mapping
// (runtime/config.ts: OIDC_*_CLAIM). `system` and `complainant` are not staff roles: no account has them.
export type SeedRole = 'intake-clerk' | 'mediator' | 'department-liaison' | 'supervisor' | 'auditor' | 'data-protection-officer';

export interface SeedAccount {
  username: string;
  password: string;
  name: string;
  role: SeedRole;
  department?: 'union' | 'court' | 'petitions' | 'hr' | 'justice';
  /** Jurisdiction: the network level the person works at and, below the county, their town. */
  level?: 'enterprise' | 'town' | 'county';
  town?: string;
}

export const DEV_PASSWORD = 'mediation-dev';
const TOWN = '城关镇';

export const seedAccounts: readonly SeedAccount[] = [
  { username: 'clerk', password: DEV_PASSWORD, name: '登记员 李静', role: 'intake-clerk', level: 'town', town: TOWN },
  { username: 'mediator', password: DEV_PASSWORD, name: '调解员 王强', role: 'mediator', level: 'town', town: TOWN },
  { username: 'liaison-union', password: DEV_PASSWORD, name: '工会联络员', role: 'department-liaison', department: 'union', level: 'county' },
  { username: 'liaison-court', password: DEV_PASSWORD, name: '法院联络员', role: 'department-liaison', department: 'court', level: 'county' },
  { username: 'liaison-petitions', password: DEV_PASSWORD, name: '信访局联络员', role: 'department-liaison', department: 'petitions', level: 'county' },
  { username: 'liaison-hr', password: DEV_PASSWORD, name: '人社局联络员', role: 'department-liaison', department: 'hr', level: 'county' },
  { username: 'liaison-justice', password: DEV_PASSWORD, name: '司法局联络员', role: 'department-liaison', department: 'justice', level: 'county' },
  { username: 'supervisor-town', password: DEV_PASSWORD, name: '镇督办 陈刚', role: 'supervisor', level: 'town', town: TOWN },
  { username: 'supervisor-county', password: DEV_PASSWORD, name: '县督办 周敏', role: 'supervisor', level: 'county' },
  { username: 'auditor', password: DEV_PASSWORD, name: '审计员 孙丽', role: 'auditor', level: 'county' },
  { username: 'dpo', password: DEV_PASSWORD, name: '个人信息保护负责人 赵磊', role: 'data-protection-officer', level: 'county' },
];

export const CONSOLE_CLIENT_ID = 'mediation-console';

/** Service clients (client credentials) and the staff role their tokens carry. */
export const serviceClients = [
  // The `mediation` CLI and scripts that read: an auditor's view, personal data redacted.
  { clientId: 'mediation-cli', secret: 'mediation-cli-dev-secret', role: 'auditor' as const, level: 'county' as const },
  // A channel that files cases on its own (e.g. the 12351 hotline system): an intake clerk of the county.
  { clientId: 'mediation-intake-bridge', secret: 'mediation-intake-dev-secret', role: 'intake-clerk' as const, level: 'county' as const },
] as const;

/** The API's resource indicator (RFC 8707): the audience of its access tokens. */
export const API_AUDIENCE = 'urn:mediation-engine:api';
