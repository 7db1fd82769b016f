// Repeated wrong passwords lock the account for a while: the local provider's passwords are public (they
// are printed by `npm start`), and even so a guessing loop must not get unlimited tries. Kept in memory:
// the provider is one process, and a restart forgetting the counts is acceptable for a development tool.
export interface LockoutPolicy {
  /** Wrong passwords within `windowMs` that lock the account. */
  maxFailures: number;
  windowMs: number;
  /** How long the account stays locked. */
  lockMs: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

/** OIDC_LOCKOUT_ATTEMPTS, OIDC_LOCKOUT_WINDOW_SECONDS, OIDC_LOCKOUT_SECONDS; the defaults otherwise. */
export function lockoutPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): LockoutPolicy {
  const positive = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected a whole number ≥ 1, got ${raw}`);
    return n;
  };
  return {
    maxFailures: positive('OIDC_LOCKOUT_ATTEMPTS', DEFAULT_LOCKOUT.maxFailures),
    windowMs: positive('OIDC_LOCKOUT_WINDOW_SECONDS', DEFAULT_LOCKOUT.windowMs / 1000) * 1000,
    lockMs: positive('OIDC_LOCKOUT_SECONDS', DEFAULT_LOCKOUT.lockMs / 1000) * 1000,
  };
}

export class SignInLockout {
  private readonly failures = new Map<string, number[]>();
  private readonly lockedUntil = new Map<string, number>();

  constructor(
    private readonly policy: LockoutPolicy = DEFAULT_LOCKOUT,
    private readonly now: () => number = Date.now,
  ) {}

  /** When the account's lock ends (ms since the epoch), or undefined when it is not locked. */
  lockedUntilOf(username: string): number | undefined {
    const until = this.lockedUntil.get(username);
    if (until === undefined) return undefined;
    if (until > this.now()) return until;
    this.lockedUntil.delete(username);
    return undefined;
  }

  /** Counts a wrong password; returns the lock's end when this one locked the account. */
  failed(username: string): number | undefined {
    const now = this.now();
    const recent = (this.failures.get(username) ?? []).filter((t) => now - t < this.policy.windowMs);
    recent.push(now);
    if (recent.length >= this.policy.maxFailures) {
      this.failures.delete(username);
      const until = now + this.policy.lockMs;
      this.lockedUntil.set(username, until);
      return until;
    }
    this.failures.set(username, recent);
    return undefined;
  }

  /** A good sign-in forgets the wrong passwords before it. */
  succeeded(username: string): void {
    this.failures.delete(username);
  }
}
