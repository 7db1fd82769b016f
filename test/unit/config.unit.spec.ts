// The processes' configuration: every bad variable is named with what it expects; defaults otherwise.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadAppConfig } from '../../runtime/config.js';
import { loadStackConfig } from '../../ops/config.js';

describe('loadAppConfig', () => {
  it('fills in the local defaults', () => {
    const config = loadAppConfig({});
    expect(config).toMatchObject({ TEMPORAL_ADDRESS: '127.0.0.1:7233', KAFKA_BROKERS: ['127.0.0.1:9092'], TASK_QUEUE: 'mediation-cases', API_PORT: 8080 });
  });

  it('names each bad variable and what it expects', () => {
    let error: unknown;
    try {
      loadAppConfig({ KAFKA_BROKERS: 'kafka-1:9092,not a broker', API_PORT: '99999', DATABASE_URL: 'mysql://x', TEMPORAL_ADDRESS: 'no-port' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/KAFKA_BROKERS\.1: expected host:port/);
    expect(message).toMatch(/API_PORT: /);
    expect(message).toMatch(/DATABASE_URL: expected a postgres:\/\/ URL/);
    expect(message).toMatch(/TEMPORAL_ADDRESS: expected host:port/);
  });

  it('reads the sign-on settings: claim names, a role map, an algorithm allow-list', () => {
    const config = loadAppConfig({ OIDC_ISSUER: 'https://sso.example/realms/m', OIDC_ROLE_CLAIM: 'realm_access.roles', OIDC_ROLE_MAP: '{"调解员":"mediator"}', OIDC_ALGORITHMS: 'RS256, ES256' });
    expect(config).toMatchObject({ OIDC_ISSUER: 'https://sso.example/realms/m', OIDC_AUDIENCE: 'urn:mediation-engine:api', OIDC_ROLE_CLAIM: 'realm_access.roles', OIDC_ROLE_MAP: { 调解员: 'mediator' }, OIDC_ALGORITHMS: ['RS256', 'ES256'] });
    expect(() => loadAppConfig({ OIDC_ROLE_MAP: '{not json' })).toThrow(/OIDC_ROLE_MAP: expected a JSON object/);
    expect(() => loadAppConfig({ OIDC_ALGORITHMS: 'HS256' })).toThrow(/OIDC_ALGORITHMS\.0/);
    expect(() => loadAppConfig({ OIDC_ISSUER: 'not a url' })).toThrow(/OIDC_ISSUER/);
  });
});

describe('loadStackConfig', () => {
  it('puts the test profile on its own ports so npm test can run beside npm start', () => {
    const dev = loadStackConfig('dev', {});
    const test = loadStackConfig('test', {});
    expect(dev.temporal.port).toBe(7233);
    expect(test.temporal.port).toBe(17233);
    expect(test.kafka.port).not.toBe(dev.kafka.port);
    expect(test.dataDir).not.toBe(dev.dataDir);
    // The test profile runs the Web UI (its codec browser test); the bench runs the dev server headless.
    expect(test.temporal.ui).toBe(true);
    expect(test.temporal.uiPort).toBe(18233);
    expect(loadStackConfig('bench', {}).temporal.ui).toBe(false);
    expect(dev.oidc).toMatchObject({ port: 9000, issuer: 'http://127.0.0.1:9000', external: false });
    expect(test.oidc.port).toBe(19000);
    expect(loadStackConfig('dev', { OIDC_ISSUER: 'https://sso.example' }).oidc).toMatchObject({ external: true, issuer: 'https://sso.example' });
  });

  it('rejects a bad port by name', () => {
    expect(() => loadStackConfig('dev', { KAFKA_PORT: 'ninety' })).toThrow(/KAFKA_PORT/);
  });
});
