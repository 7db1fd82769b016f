// Who is acting, proven: the API accepts only `Authorization: Bearer <JWT>` access tokens of the configured
// OpenID provider, verified with jose against the issuer's published keys (issuer, audience, expiry and
// an allow-list of asymmetric algorithms). Role and jurisdiction come from claims whose names are
// configuration, so a centre points the API at its own IdP without code changes.
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Actor, Department, Level } from '../events/index.js';
import { Department as DepartmentSchema, Level as LevelSchema } from '../events/vocabulary.js';
import type { AppConfig } from '../runtime/config.js';
import { ApiError } from './problem.js';

/** The staff roles a token can carry. `system` and `complainant` are the engine's own and never come from a token. */
export const STAFF_ROLES = ['intake-clerk', 'mediator', 'department-liaison', 'supervisor', 'auditor', 'data-protection-officer'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface Staff {
  /** The token's subject: a person, or a service client. */
  id: string;
  role: StaffRole;
  department?: Department;
  /** Jurisdiction: the network level the person works at and, below the county, their town. */
  level?: Level;
  town?: string;
  clientId?: string;
}

export interface AuthSettings {
  issuer: string;
  audience: string;
  algorithms: string[];
  claims: { role: string; department: string; level: string; town: string };
  roleMap: Record<string, string>;
  clockToleranceSeconds: number;
  /**
   * The longest life a token may claim (exp − iat) and have left (exp − now), in seconds: a token minted
   * for years by a misconfigured or compromised client is refused though its signature is good.
   */
  maxTokenLifetimeSeconds?: number;
}

/** When the settings name none: a working day's sign-in. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

export function authSettings(config: AppConfig): AuthSettings {
  if (!config.OIDC_ISSUER) throw new Error('OIDC_ISSUER is not set: the API accepts only tokens of a configured OpenID provider');
  return {
    issuer: config.OIDC_ISSUER,
    audience: config.OIDC_AUDIENCE,
    algorithms: config.OIDC_ALGORITHMS,
    claims: { role: config.OIDC_ROLE_CLAIM, department: config.OIDC_DEPARTMENT_CLAIM, level: config.OIDC_LEVEL_CLAIM, town: config.OIDC_TOWN_CLAIM },
    roleMap: config.OIDC_ROLE_MAP,
    clockToleranceSeconds: config.OIDC_CLOCK_TOLERANCE_SECONDS,
    maxTokenLifetimeSeconds: config.OIDC_MAX_TOKEN_LIFETIME_SECONDS,
  };
}

/**
 * How long the API trusts its copy of the issuer's key set. A key the provider removed (revoked, rotated
 * out) stops verifying within `maxAgeMs` of its removal; a token with a key id the copy lacks makes jose
 * fetch the set again at once, unless it fetched less than `cooldownMs` ago (so a flood of made-up key ids
 * cannot turn into a flood of fetches).
 */
export interface KeySetCache {
  maxAgeMs: number;
  cooldownMs: number;
}

export const DEFAULT_KEY_SET_CACHE: KeySetCache = { maxAgeMs: 60_000, cooldownMs: 5_000 };

/** The issuer's key set, from its discovery document unless a JWKS URL is configured. Keys are cached by jose. */
export async function remoteKeys(issuer: string, jwksUri?: string, cache: KeySetCache = DEFAULT_KEY_SET_CACHE): Promise<JWTVerifyGetKey> {
  let uri = jwksUri;
  if (!uri) {
    const res = await fetch(new URL('.well-known/openid-configuration', issuer.endsWith('/') ? issuer : `${issuer}/`), { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`the OpenID provider ${issuer} answered ${res.status} for its discovery document`);
    uri = ((await res.json()) as { jwks_uri?: string }).jwks_uri;
    if (!uri) throw new Error(`the OpenID provider ${issuer} publishes no jwks_uri`);
  }
  return createRemoteJWKSet(new URL(uri), { cooldownDuration: Math.min(cache.cooldownMs, cache.maxAgeMs), cacheMaxAge: cache.maxAgeMs });
}

export type Verifier = (authorization: string | undefined) => Promise<Staff>;

export function createVerifier(settings: AuthSettings, keys: JWTVerifyGetKey): Verifier {
  const maxLifetime = settings.maxTokenLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  return async (authorization) => {
    const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization?.trim() ?? '');
    if (!match?.[1]) throw new ApiError(401, 'unauthenticated', 'auth.missing');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1], keys, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: settings.algorithms,
        clockTolerance: settings.clockToleranceSeconds,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (err) {
      throw new ApiError(401, 'invalid-token', 'auth.invalid', { reason: tokenFailure(err) });
    }
    const lifetime = tokenLifetimeFailure(payload, maxLifetime, settings.clockToleranceSeconds);
    if (lifetime) throw new ApiError(401, 'invalid-token', 'auth.invalid', { reason: lifetime });
    return staffOf(payload, settings);
  };
}

/** Why a verified token lives too long, or undefined. `iat` is optional in a JWT; `exp` is required above. */
export function tokenLifetimeFailure(payload: JWTPayload, maxSeconds: number, toleranceSeconds: number, nowSeconds = Math.floor(Date.now() / 1000)): string | undefined {
  const exp = payload.exp!;
  if (typeof payload.iat === 'number' && exp - payload.iat > maxSeconds) return `lifetime over ${maxSeconds} s (exp − iat)`;
  if (exp - nowSeconds > maxSeconds + toleranceSeconds) return `lifetime over ${maxSeconds} s (exp − now)`;
  return undefined;
}

function tokenFailure(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `claim ${err.claim} ${err.reason === 'check_failed' ? 'does not match' : err.reason}`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey) return 'signature not from the issuer';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (err instanceof joseErrors.JOSEError) return err.code;
  return 'unreadable';
}

function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), payload);
}

/** The staff member a verified token names. A role claim may be one name or a list (the first staff role wins). */
export function staffOf(payload: JWTPayload, settings: AuthSettings): Staff {
  const raw = claimAt(payload, settings.claims.role);
  const names = (Array.isArray(raw) ? raw : [raw]).filter((r): r is string => typeof r === 'string').map((r) => settings.roleMap[r] ?? r);
  const role = names.find((r): r is StaffRole => (STAFF_ROLES as readonly string[]).includes(r));
  if (!role) throw new ApiError(403, 'no-staff-role', 'auth.role', { claim: settings.claims.role });
  const department = DepartmentSchema.safeParse(claimAt(payload, settings.claims.department));
  const levelClaim = claimAt(payload, settings.claims.level);
  const level = LevelSchema.safeParse(levelClaim);
  const townClaim = claimAt(payload, settings.claims.town);
  const town = typeof townClaim === 'string' ? townClaim.trim() : undefined;
  // Scope claims fail closed: a claim that is missing, empty or unreadable narrows nothing, so the token
  // gets no access at all rather than the widest scope (an absent town once meant "every town").
  const missing = (claim: string, why: string) => new ApiError(403, 'missing-scope-claim', 'auth.scope-claim', { claim, why });
  if (role === 'department-liaison' && !department.success) throw missing(settings.claims.department, `role ${role}`);
  if (levelClaim !== undefined && !level.success) throw missing(settings.claims.level, `unknown level ${JSON.stringify(levelClaim).slice(0, 40)}`);
  if (JURISDICTION_ROLES.has(role) && !level.success) throw missing(settings.claims.level, `role ${role}`);
  if (townClaim !== undefined && !town) throw missing(settings.claims.town, 'empty');
  if (level.success && level.data !== 'county' && !town) throw missing(settings.claims.town, `level ${level.data}`);
  const clientId = typeof payload.client_id === 'string' ? payload.client_id : undefined;
  return {
    id: payload.sub!,
    role,
    ...(department.success ? { department: department.data } : {}),
    ...(level.success ? { level: level.data } : {}),
    ...(town ? { town } : {}),
    ...(clientId ? { clientId } : {}),
  };
}

/**
 * Roles whose scope is a jurisdiction (api/authz.ts `jurisdiction`, `level-and-town`): their tokens must say
 * the level and, below the county, the town. Liaisons are scoped by department, auditors and the
 * data-protection officer see every case.
 */
const JURISDICTION_ROLES: ReadonlySet<StaffRole> = new Set<StaffRole>(['intake-clerk', 'mediator', 'supervisor']);

/** The actor sealed into events. Only roles the authorisation table lets write get here. */
export function actorOf(staff: Staff): Actor {
  // The data-protection officer's only command is ErasePersonalData (domain/case/authority.ts; api/authz.ts).
  return { id: staff.id, role: staff.role, ...(staff.role === 'department-liaison' && staff.department ? { department: staff.department } : {}) };
}
