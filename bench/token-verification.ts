// What bearer-token verification costs per request: the same route (GET /queues/union on an in-memory
// read model) served by two copies of the API, one verifying a real access token of the local OpenID
// provider with jose (signature ES256, issuer, audience, expiry; keys fetched once and cached), the other
// with a verifier that accepts without looking. Also jwtVerify alone.
//   npx tsx bench/token-verification.ts [requests]      (starts its own provider on OIDC_PORT, default 39500)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jwtVerify } from 'jose';
import type { Client } from '@temporalio/client';
import type { Admin } from 'kafkajs';
import pino from 'pino';
import { createVerifier, remoteKeys, type AuthSettings, type Staff } from '../api/auth.js';
import { createApi } from '../api/server.js';
import { testPersonalDataKeys } from '../testkit/payload-keys.js';
import { repoRoot } from '../ops/config.js';
import { openDb } from '../readmodels/db.js';
import { createSchemaSql } from '../readmodels/schema.js';

const requests = Number(process.argv[2] ?? 5000);
// A port of its own, apart from the local stack's provider.
const port = 39500;
const issuer = `http://127.0.0.1:${port}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-oidc-'));
const provider = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'ops/oidc/main.ts')], {
  cwd: repoRoot,
  env: { ...process.env, OIDC_PORT: String(port), OIDC_DATA_DIR: dataDir, LOG_LEVEL: 'warn', LOG_FORMAT: 'json' },
  stdio: 'ignore',
});
try {
  for (let i = 0; ; i++) {
    if ((await fetch(`${issuer}/.well-known/openid-configuration`).catch(() => undefined))?.ok) break;
    if (i > 100) throw new Error('the OpenID provider did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  const tokenRes = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('mediation-cli:mediation-cli-dev-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const token = ((await tokenRes.json()) as { access_token: string }).access_token;
  const settings: AuthSettings = {
    issuer,
    audience: 'urn:mediation-engine:api',
    algorithms: ['ES256', 'RS256', 'PS256', 'EdDSA'],
    claims: { role: 'mediation_role', department: 'mediation_department', level: 'mediation_level', town: 'mediation_town' },
    roleMap: {},
    clockToleranceSeconds: 5,
  };
  const keys = await remoteKeys(issuer);

  const db = await openDb({ memory: true });
  await db.exec(createSchemaSql('rm'));
  const stubs = {
    temporal: { connection: {} } as unknown as Client,
    taskQueue: 'none',
    kafkaAdmin: {} as Admin,
    db,
    schema: 'rm',
    projectorLag: async () => [],
    log: pino({ level: 'silent' }),
    writeRateLimit: 1_000_000,
    personalDataKeys: testPersonalDataKeys(db),
  };
  const auditor: Staff = { id: 'mediation-cli', role: 'auditor', level: 'county' };
  const verified = await createApi({ ...stubs, verify: createVerifier(settings, keys), accessLogSchema: 'access_a' });
  const unverified = await createApi({ ...stubs, verify: async () => auditor, accessLogSchema: 'access_b' });
  const urls = { verified: await verified.listen({ port: 0, host: '127.0.0.1' }), unverified: await unverified.listen({ port: 0, host: '127.0.0.1' }) };

  const run = async (base: string) => {
    const times: number[] = [];
    for (let i = 0; i < requests; i++) {
      const t0 = performance.now();
      const res = await fetch(`${base}/queues/union`, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b);
  };
  const stats = (t: number[]) => ({ medianMs: +t[Math.floor(t.length / 2)]!.toFixed(3), p95Ms: +t[Math.floor(t.length * 0.95)]!.toFixed(3), perSecond: Math.round((t.length / t.reduce((a, b) => a + b, 0)) * 1000) });
  // Warm both, then alternate so that neither gets the warmer machine.
  await run(urls.verified);
  await run(urls.unverified);
  const a1 = await run(urls.unverified);
  const v1 = await run(urls.verified);
  const a2 = await run(urls.unverified);
  const v2 = await run(urls.verified);
  const withToken = stats([...v1, ...v2].sort((a, b) => a - b));
  const without = stats([...a1, ...a2].sort((a, b) => a - b));

  const n = requests * 2;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await jwtVerify(token, keys, { issuer, audience: settings.audience, algorithms: settings.algorithms });
  const verifyUs = ((performance.now() - t0) / n) * 1000;

  console.log(
    JSON.stringify(
      {
        requests: requests * 2,
        route: 'GET /queues/union (PGlite in memory, empty queue)',
        verified: withToken,
        unverified: without,
        costPerRequestMs: +(withToken.medianMs - without.medianMs).toFixed(3),
        jwtVerifyAloneUs: +verifyUs.toFixed(1),
        node: process.version,
        cpus: os.cpus().length,
      },
      null,
      2,
    ),
  );
  await verified.close();
  await unverified.close();
  await db.close();
} finally {
  provider.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
}
