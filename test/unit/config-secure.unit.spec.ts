// The secured-connection variables (runtime/secure-connections.ts): what each combination builds, and each
// mistake named by its variable in Chinese and English before anything connects. The connections
// themselves are tested against real servers in test/e2e/secure-connections.e2e.spec.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadAppConfig } from '../../runtime/config.js';
import { runAudit } from '../../cli/main.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-secure-'));
const pem = (name: string, label = 'CERTIFICATE') => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----\n`);
  return file;
};
const ca = pem('ca.crt');
const clientCert = pem('client.crt');
const clientKey = pem('client.key', 'PRIVATE KEY');
const notPem = path.join(dir, 'not.pem');
fs.writeFileSync(notPem, 'hello');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadAppConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('secured connections: defaults', () => {
  it('given no new variables, then every connection is plaintext, as the local stack expects', () => {
    const config = loadAppConfig({});
    expect(config.kafka).toEqual({ brokers: ['127.0.0.1:9092'], protocol: 'PLAINTEXT' });
    expect(config.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
    expect(config.postgresSsl).toBeUndefined();
  });
});

describe('Kafka', () => {
  it('given SASL_SSL:// brokers and a SCRAM account, then SSL with the CA and SASL are set', () => {
    const config = loadAppConfig({
      KAFKA_BROKERS: 'SASL_SSL://kafka-1:9094, SASL_SSL://kafka-2:9094',
      KAFKA_SSL_CA_FILE: ca,
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'engine',
      KAFKA_SASL_PASSWORD: 's3cret',
    });
    expect(config.KAFKA_BROKERS).toEqual(['kafka-1:9094', 'kafka-2:9094']);
    expect(config.kafka).toMatchObject({ brokers: ['kafka-1:9094', 'kafka-2:9094'], protocol: 'SASL_SSL', sasl: { mechanism: 'scram-sha-512', username: 'engine', password: 's3cret' } });
    expect(config.kafka.ssl).toMatchObject({ rejectUnauthorized: true, ca: [fs.readFileSync(ca, 'utf8')] });
  });

  it('given SSL with a client certificate, then cert and key go to the TLS options; without a CA the system roots are trusted', () => {
    const mtls = loadAppConfig({ KAFKA_BROKERS: 'kafka:9093', KAFKA_SECURITY_PROTOCOL: 'ssl', KAFKA_SSL_CA_FILE: ca, KAFKA_SSL_CERT_FILE: clientCert, KAFKA_SSL_KEY_FILE: clientKey });
    expect(mtls.kafka.ssl).toMatchObject({ cert: fs.readFileSync(clientCert, 'utf8'), key: fs.readFileSync(clientKey, 'utf8') });
    expect(mtls.kafka.sasl).toBeUndefined();
    expect(loadAppConfig({ KAFKA_BROKERS: 'SSL://kafka:9093' }).kafka.ssl).toBe(true);
  });

  it('given the password in a file, then it is read from there (trimmed)', () => {
    const file = path.join(dir, 'password');
    fs.writeFileSync(file, 'from-file\n');
    const config = loadAppConfig({ KAFKA_BROKERS: 'SASL_SSL://k:9094', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD_FILE: file });
    expect(config.kafka.sasl).toEqual({ mechanism: 'plain', username: 'u', password: 'from-file' });
  });

  it('given SASL_SSL without an account, then each missing variable is named, in Chinese and English', () => {
    const message = configError({ KAFKA_BROKERS: 'SASL_SSL://k:9094' });
    expect(message).toMatch(/KAFKA_SASL_MECHANISM: 协议 SASL_SSL 须设置.* \/ required with SASL_SSL/);
    expect(message).toMatch(/KAFKA_SASL_USERNAME: 协议 SASL_SSL 须设置 \/ required with SASL_SSL/);
    expect(message).toMatch(/KAFKA_SASL_PASSWORD: /);
    expect(message).toMatch(/^配置有误 \/ invalid configuration:/);
  });

  it('given contradictions, then they are refused by name', () => {
    expect(configError({ KAFKA_BROKERS: 'SSL://a:1,SASL_SSL://b:2' })).toMatch(/KAFKA_BROKERS: 各 broker 的协议不一致.*a client speaks one/);
    expect(configError({ KAFKA_BROKERS: 'SSL://a:1', KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toMatch(
      /KAFKA_SECURITY_PROTOCOL: 为 SASL_SSL，而 KAFKA_BROKERS 写的是 SSL:\/\//,
    );
    expect(configError({ KAFKA_SSL_CA_FILE: ca })).toMatch(/KAFKA_SSL_CA_FILE: Kafka 协议为 PLAINTEXT.*set KAFKA_SECURITY_PROTOCOL/);
    expect(configError({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p', KAFKA_SASL_MECHANISM: 'plain' })).toMatch(/KAFKA_SECURITY_PROTOCOL: SASL 账号已设置/);
    expect(configError({ KAFKA_BROKERS: 'SSL://a:1', KAFKA_SSL_CERT_FILE: clientCert })).toMatch(/KAFKA_SSL_KEY_FILE: 设置了 KAFKA_SSL_CERT_FILE 时也须设置/);
    expect(configError({ KAFKA_BROKERS: 'SASL_SSL://a:1', KAFKA_SASL_MECHANISM: 'GSSAPI', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toMatch(/KAFKA_SASL_MECHANISM: 应为 PLAIN、SCRAM-SHA-256 或 SCRAM-SHA-512/);
    expect(configError({ KAFKA_BROKERS: 'TLS://a:1' })).toMatch(/KAFKA_BROKERS\.0: expected host:port/);
  });

  it('given a certificate file that cannot be read or is not PEM, then the variable and the path are named', () => {
    expect(configError({ KAFKA_BROKERS: 'SSL://a:1', KAFKA_SSL_CA_FILE: path.join(dir, 'missing.crt') })).toMatch(/KAFKA_SSL_CA_FILE: 无法读取文件 .*missing\.crt（ENOENT）.*cannot read the file/);
    expect(configError({ KAFKA_BROKERS: 'SSL://a:1', KAFKA_SSL_CA_FILE: notPem })).toMatch(/KAFKA_SSL_CA_FILE: .*不是 PEM 格式.*is not a PEM certificate or key/);
  });
});

describe('Temporal', () => {
  it('given a CA, a client certificate, a server name and an API key, then mTLS options and the key are set', () => {
    const config = loadAppConfig({
      TEMPORAL_ADDRESS: 'ns.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'ns.a1b2c',
      TEMPORAL_TLS_CA_FILE: ca,
      TEMPORAL_TLS_CERT_FILE: clientCert,
      TEMPORAL_TLS_KEY_FILE: clientKey,
      TEMPORAL_TLS_SERVER_NAME: 'ns.a1b2c.tmprl.cloud',
      TEMPORAL_API_KEY: 'key-1',
    });
    expect(config.temporal).toMatchObject({ address: 'ns.a1b2c.tmprl.cloud:7233', namespace: 'ns.a1b2c', apiKey: 'key-1', tls: { serverNameOverride: 'ns.a1b2c.tmprl.cloud' } });
    expect(config.temporal.tls?.serverRootCACertificate?.toString()).toBe(fs.readFileSync(ca, 'utf8'));
    expect(config.temporal.tls?.clientCertPair?.key.toString()).toBe(fs.readFileSync(clientKey, 'utf8'));
  });

  it('given only an API key, then TLS is on with the system roots (as the SDK does), unless TEMPORAL_TLS=false', () => {
    expect(loadAppConfig({ TEMPORAL_API_KEY: 'k' }).temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', tls: {}, apiKey: 'k' });
    expect(loadAppConfig({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }).temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', apiKey: 'k' });
    expect(loadAppConfig({ TEMPORAL_TLS: 'true' }).temporal.tls).toEqual({});
  });

  it('given mistakes, then each is named', () => {
    expect(configError({ TEMPORAL_TLS_KEY_FILE: clientKey })).toMatch(/TEMPORAL_TLS_CERT_FILE: 设置了 TEMPORAL_TLS_KEY_FILE 时也须设置/);
    expect(configError({ TEMPORAL_TLS: 'maybe' })).toMatch(/TEMPORAL_TLS: 应为 true 或 false \/ expected true or false/);
    expect(configError({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA_FILE: ca })).toMatch(/TEMPORAL_TLS: 为 false/);
    expect(configError({ TEMPORAL_API_KEY: 'a', TEMPORAL_API_KEY_FILE: ca })).toMatch(/TEMPORAL_API_KEY_FILE: 与 TEMPORAL_API_KEY 只能设置一个/);
  });
});

describe('PostgreSQL', () => {
  it('given verify-full and a CA, then the pool verifies the chain and the host name', () => {
    const ssl = loadAppConfig({ DATABASE_URL: 'postgres://db.example/m', DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: ca }).postgresSsl;
    expect(ssl).toEqual({ rejectUnauthorized: true, ca: fs.readFileSync(ca, 'utf8') });
  });

  it('given verify-ca, then the chain is checked but not the host name; require encrypts without checking', () => {
    const verifyCa = loadAppConfig({ DATABASE_SSL_MODE: 'verify-ca', DATABASE_SSL_CA_FILE: ca }).postgresSsl;
    expect(verifyCa).toMatchObject({ rejectUnauthorized: true });
    expect(typeof (verifyCa as { checkServerIdentity?: unknown }).checkServerIdentity).toBe('function');
    expect(loadAppConfig({ DATABASE_SSL_MODE: 'require' }).postgresSsl).toEqual({ rejectUnauthorized: false });
    expect(loadAppConfig({ DATABASE_SSL_MODE: 'disable' }).postgresSsl).toBe(false);
  });

  it('given mistakes, then each is named', () => {
    expect(configError({ DATABASE_SSL_MODE: 'verify-full' })).toMatch(/DATABASE_SSL_CA_FILE: DATABASE_SSL_MODE=verify-full 须设置签发服务器证书的 CA/);
    expect(configError({ DATABASE_SSL_CA_FILE: ca })).toMatch(/DATABASE_SSL_MODE: 设置了 DATABASE_SSL_\* 证书/);
    expect(configError({ DATABASE_URL: 'postgres://h/d?sslmode=require', DATABASE_SSL_MODE: 'require' })).toMatch(/DATABASE_SSL_MODE: 与 DATABASE_URL 中的 sslmode 只能设置一个/);
    expect(configError({ DATABASE_SSL_MODE: 'prefer' })).toMatch(/DATABASE_SSL_MODE: 应为 disable、require、verify-ca 或 verify-full/);
  });
});

describe('the audit CLI', () => {
  it('given a bad secured-connection variable, then it exits 2 naming it, before connecting anywhere', async () => {
    const err: string[] = [];
    const code = await runAudit(['replay', 'MC-1'], { out: () => undefined, err: (l) => err.push(l) }, { env: { KAFKA_BROKERS: 'SASL_SSL://k:9094' } });
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/KAFKA_SASL_MECHANISM: 协议 SASL_SSL 须设置/);
  });
});

describe('the stack scripts (npm start against existing clusters)', () => {
  it('given SASL_SSL:// brokers, then they are accepted and handed to the processes as written', async () => {
    const { loadStackConfig } = await import('../../ops/config.js');
    const config = loadStackConfig('dev', { KAFKA_BROKERS: 'SASL_SSL://b-1.example:9096,SASL_SSL://b-2.example:9096' });
    expect(config.kafka).toMatchObject({ external: true, brokers: ['b-1.example:9096', 'b-2.example:9096'], brokersSetting: 'SASL_SSL://b-1.example:9096,SASL_SSL://b-2.example:9096' });
    expect(() => loadStackConfig('dev', { KAFKA_BROKERS: 'b-1 9096' })).toThrow(/KAFKA_BROKERS/);
  });

  it('opens the secured test listeners in the test profile only', async () => {
    const { loadStackConfig } = await import('../../ops/config.js');
    expect(loadStackConfig('test', {}).kafka.secureListeners).toEqual({ sslPort: 19094, saslSslPort: 19095 });
    expect(loadStackConfig('dev', {}).kafka.secureListeners).toBeUndefined();
    expect(loadStackConfig('dev', {}).tlsDir).toBeUndefined();
  });
});
