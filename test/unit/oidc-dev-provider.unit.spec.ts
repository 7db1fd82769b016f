// The development OpenID provider (public passwords) only guards a stack on this machine alone; and it
// locks an account after repeated wrong passwords.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devProviderRefusal, isLoopbackHost, loadStackConfig, repoRoot } from '../../ops/config.js';
import { CONSOLE_CLIENT_ID, DEV_PASSWORD } from '../../ops/oidc/accounts.js';
import { SignInLockout } from '../../ops/oidc/lockout.js';

describe('npm start and the development provider', () => {
  const refusal = (env: NodeJS.ProcessEnv) => devProviderRefusal(loadStackConfig('dev', env));

  it('starts it for a stack on loopback', () => {
    expect(refusal({})).toBeUndefined();
    expect(refusal({ TEMPORAL_ADDRESS: '127.0.0.1:7233', KAFKA_BROKERS: 'localhost:9092', DATABASE_URL: 'postgres://postgres@127.0.0.1:5433/mediation' })).toBeUndefined();
  });

  it('refuses it, naming why in Chinese and English, when the stack is exposed or uses real clusters', () => {
    for (const [env, named] of [
      [{ MEDIATION_HOST: '0.0.0.0' }, 'MEDIATION_HOST'],
      [{ MEDIATION_HOST: '192.0.2.10' }, 'MEDIATION_HOST'],
      [{ TEMPORAL_ADDRESS: 'temporal.centre.example:7233' }, 'TEMPORAL_ADDRESS'],
      [{ KAFKA_BROKERS: '127.0.0.1:9092,SASL_SSL://kafka-1.centre.example:9093' }, 'KAFKA_BROKERS'],
      [{ DATABASE_URL: 'postgres://app@db.centre.example:5432/mediation' }, 'DATABASE_URL'],
    ] as const) {
      const message = refusal(env);
      expect(message, JSON.stringify(env)).toContain(named);
      expect(message).toContain('拒绝启动开发用 OpenID 提供方');
      expect(message).toContain('OIDC_ISSUER');
    }
    // A real provider is configured: nothing to refuse.
    expect(refusal({ MEDIATION_HOST: '0.0.0.0', TEMPORAL_ADDRESS: 'temporal.centre.example:7233', OIDC_ISSUER: 'https://idp.centre.example' })).toBeUndefined();
  });

  it('tells loopback from other hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '10.0.0.1', 'example.com', '::', 'localhost.example.com']) expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe('sign-in lockout', () => {
  it('locks after 5 wrong passwords within 15 minutes, for 15 minutes; older failures do not count', () => {
    let now = 1_000_000;
    const lockout = new SignInLockout(undefined, () => now);
    for (let i = 0; i < 4; i++) expect(lockout.failed('clerk')).toBeUndefined();
    now += 16 * 60_000; // the four are outside the window now
    for (let i = 0; i < 4; i++) expect(lockout.failed('clerk')).toBeUndefined();
    expect(lockout.lockedUntilOf('clerk')).toBeUndefined();
    expect(lockout.failed('clerk')).toBe(now + 15 * 60_000);
    expect(lockout.lockedUntilOf('clerk')).toBe(now + 15 * 60_000);
    expect(lockout.lockedUntilOf('mediator')).toBeUndefined();
    now += 15 * 60_000;
    expect(lockout.lockedUntilOf('clerk')).toBeUndefined();
  });

  describe('the provider', () => {
    let child: ReturnType<typeof spawn>;
    let issuer: string;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oidc-lockout-'));

    beforeAll(async () => {
      const port = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as net.AddressInfo).port;
          s.close(() => resolve(p));
        });
      });
      issuer = `http://127.0.0.1:${port}`;
      child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'ops/oidc/main.ts')], {
        cwd: repoRoot,
        env: { ...process.env, OIDC_HOST: '127.0.0.1', OIDC_PORT: String(port), OIDC_DATA_DIR: dataDir, API_PORT: '18080', LOG_LEVEL: 'warn' },
        stdio: 'ignore',
      });
      for (let i = 0; i < 300; i++) {
        const up = await fetch(`${issuer}/.well-known/openid-configuration`).then((r) => r.ok, () => false);
        if (up) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the provider did not start');
    }, 60_000);
    afterAll(() => {
      child?.kill('SIGTERM');
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('refuses even the right password after 5 wrong ones, and says so in Chinese on its sign-in page', async () => {
      const cookies = new Map<string, string>();
      const step = async (url: string, init: RequestInit = {}) => {
        const res = await fetch(new URL(url, issuer), { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
        for (const c of res.headers.getSetCookie()) {
          const [pair = ''] = c.split(';');
          cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
        }
        return res;
      };
      const authorize = new URL('/auth', issuer);
      authorize.search = new URLSearchParams({
        client_id: CONSOLE_CLIENT_ID,
        response_type: 'code',
        redirect_uri: 'http://127.0.0.1:18080/callback',
        scope: 'openid profile',
        code_challenge: crypto.createHash('sha256').update('v'.repeat(43)).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      const interaction = (await step(authorize.toString())).headers.get('location')!;
      expect(interaction).toMatch(/^\/interaction\//);
      const post = async (password: string) =>
        (await step(interaction, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: 'auditor', password }) })).headers.get('location');
      const after: Array<string | null> = [];
      for (let i = 0; i < 5; i++) after.push(await post(`wrong-${i}`));
      expect(after.slice(0, 4).every((l) => l?.endsWith('?failed'))).toBe(true);
      expect(after[4]).toMatch(/\?locked$/);
      expect(await post(DEV_PASSWORD)).toMatch(/\?locked$/);
      const page = await (await step(`${interaction}?locked`)).text();
      expect(page).toContain('账户已暂时锁定');
    });
  });
});
