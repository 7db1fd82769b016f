// How the processes reach secured servers: TLS/mTLS and an API key for Temporal, SSL and SASL for Kafka,
// verified SSL for PostgreSQL. The variables are read with the rest of the configuration (runtime/config.ts)
// and turned here into one settings object per server, which every client of that server is built from
// (worker, API, projector, rebuild, audit CLI). Left unset, every connection is plaintext, as the local
// stack expects. Errors name the variable, in Chinese and English: an operator meets them at start-up.
import fs from 'node:fs';
import tls, { type ConnectionOptions as TlsOptions } from 'node:tls';
import { z } from 'zod';

/** One message for an operator: Chinese first, then English. */
export const bilingual = (zh: string, en: string) => `${zh} / ${en}`;

// --- field types -------------------------------------------------------------------------------------------

/** A PEM file named by a variable, read at start-up so a wrong path fails then, not at the first connection. */
const pemFile = z
  .string()
  .min(1)
  .transform((file, ctx) => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      ctx.addIssue({ code: 'custom', message: bilingual(`无法读取文件 ${file}（${code}）`, `cannot read the file ${file} (${code})`) });
      return z.NEVER;
    }
    if (!text.includes('-----BEGIN ')) {
      ctx.addIssue({ code: 'custom', message: bilingual(`${file} 不是 PEM 格式的证书或密钥`, `${file} is not a PEM certificate or key`) });
      return z.NEVER;
    }
    return text;
  });

/** A secret given directly or as a file (…_FILE), so it need not sit in the process environment. */
const secretFile = z
  .string()
  .min(1)
  .transform((file, ctx) => {
    try {
      return fs.readFileSync(file, 'utf8').trim();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      ctx.addIssue({ code: 'custom', message: bilingual(`无法读取文件 ${file}（${code}）`, `cannot read the file ${file} (${code})`) });
      return z.NEVER;
    }
  });

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: bilingual('应为 true 或 false', 'expected true or false') })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const kafkaSecurityProtocols = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type KafkaSecurityProtocol = (typeof kafkaSecurityProtocols)[number];

/** KAFKA_BROKERS: host:port[,host:port…], each optionally prefixed by its listener's protocol (SASL_SSL://…). */
export const kafkaBrokerList = z
  .string()
  .default('127.0.0.1:9092')
  .transform((s) => s.split(',').map((b) => b.trim()))
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^(?:(?:PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL):\/\/)?[^\s:,/]+:\d+$/i, 'expected host:port[,host:port…], each optionally as PROTOCOL://host:port (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)'),
      )
      .min(1),
  )
  .transform((entries, ctx) => {
    const protocols = new Set<KafkaSecurityProtocol>();
    const brokers = entries.map((entry) => {
      const m = /^([A-Za-z_]+):\/\/(.*)$/.exec(entry);
      if (!m) return entry;
      protocols.add(m[1]!.toUpperCase() as KafkaSecurityProtocol);
      return m[2]!;
    });
    if (protocols.size > 1) {
      ctx.addIssue({ code: 'custom', message: bilingual(`各 broker 的协议不一致（${[...protocols].join('、')}）`, `the brokers name different protocols (${[...protocols].join(', ')}); a client speaks one`) });
      return z.NEVER;
    }
    return { brokers, protocol: [...protocols][0] };
  });

/** The variables of this module, merged into the application's configuration schema. */
export const secureConnectionVariables = {
  // Temporal: TLS (server verified against a CA, or the system’s roots), mTLS (a client certificate), an API key.
  TEMPORAL_TLS: flag.optional().describe('Connect to Temporal over TLS (true when any TEMPORAL_TLS_* file or an API key is set).'),
  TEMPORAL_TLS_CA_FILE: pemFile.optional().describe('PEM file of the CA that signed the Temporal server’s certificate (default: the system’s roots).'),
  TEMPORAL_TLS_CERT_FILE: pemFile.optional().describe('PEM client certificate for mTLS to Temporal (needs TEMPORAL_TLS_KEY_FILE).'),
  TEMPORAL_TLS_KEY_FILE: pemFile.optional().describe('PEM private key of TEMPORAL_TLS_CERT_FILE.'),
  TEMPORAL_TLS_SERVER_NAME: z.string().regex(/^[A-Za-z0-9.-]+$/, bilingual('应为主机名', 'expected a host name')).optional().describe('Host name to verify the Temporal server’s certificate against, when it differs from the address.'),
  TEMPORAL_API_KEY: z.string().min(1).optional().describe('API key for Temporal Cloud (implies TLS).'),
  TEMPORAL_API_KEY_FILE: secretFile.optional().describe('File holding the Temporal API key (instead of TEMPORAL_API_KEY).'),
  // Kafka: the listener's protocol, the CA and client certificate for SSL, the SASL mechanism and account.
  KAFKA_SECURITY_PROTOCOL: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(kafkaSecurityProtocols, { message: bilingual('应为 PLAINTEXT、SSL、SASL_PLAINTEXT 或 SASL_SSL', 'expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL') }))
    .optional().describe('Kafka listener protocol: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (default: PLAINTEXT, or as the broker list’s PROTOCOL:// prefix says).'),
  KAFKA_SSL_CA_FILE: pemFile.optional().describe('PEM file of the CA that signed the brokers’ certificates.'),
  KAFKA_SSL_CERT_FILE: pemFile.optional().describe('PEM client certificate for SSL to Kafka (needs KAFKA_SSL_KEY_FILE).'),
  KAFKA_SSL_KEY_FILE: pemFile.optional().describe('PEM private key of KAFKA_SSL_CERT_FILE.'),
  KAFKA_SASL_MECHANISM: z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(['plain', 'scram-sha-256', 'scram-sha-512'], { message: bilingual('应为 PLAIN、SCRAM-SHA-256 或 SCRAM-SHA-512', 'expected PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512') }))
    .optional().describe('SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.'),
  KAFKA_SASL_USERNAME: z.string().min(1).optional().describe('SASL account name.'),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional().describe('SASL password.'),
  KAFKA_SASL_PASSWORD_FILE: secretFile.optional().describe('File holding the SASL password (instead of KAFKA_SASL_PASSWORD).'),
  // PostgreSQL: libpq's sslmode names; verify-full checks the chain and the host name, verify-ca the chain only.
  DATABASE_SSL_MODE: z
    .enum(['disable', 'require', 'verify-ca', 'verify-full'], { message: bilingual('应为 disable、require、verify-ca 或 verify-full', 'expected disable, require, verify-ca or verify-full') })
    .optional().describe('PostgreSQL TLS, as libpq’s sslmode: disable, require, verify-ca or verify-full (default: as DATABASE_URL says).'),
  DATABASE_SSL_CA_FILE: pemFile.optional().describe('PEM file of the CA that signed the PostgreSQL server’s certificate.'),
  DATABASE_SSL_CERT_FILE: pemFile.optional().describe('PEM client certificate for PostgreSQL (needs DATABASE_SSL_KEY_FILE).'),
  DATABASE_SSL_KEY_FILE: pemFile.optional().describe('PEM private key of DATABASE_SSL_CERT_FILE.'),
};

type SecureVariables = { [K in keyof typeof secureConnectionVariables]?: z.output<(typeof secureConnectionVariables)[K]> } & {
  KAFKA_BROKERS: z.output<typeof kafkaBrokerList>;
  TEMPORAL_ADDRESS: string;
  DATABASE_URL?: string | undefined;
};

type Issue = { path: string; message: string };

/** The rules between variables (a key needs its certificate, SASL needs an account…). */
export function secureConnectionIssues(v: SecureVariables): Issue[] {
  const issues: Issue[] = [];
  const pair = (cert: keyof SecureVariables, key: keyof SecureVariables) => {
    if (v[cert] !== undefined && v[key] === undefined) issues.push({ path: key, message: bilingual(`设置了 ${cert} 时也须设置`, `required when ${cert} is set (a client certificate needs its key)`) });
    if (v[key] !== undefined && v[cert] === undefined) issues.push({ path: cert, message: bilingual(`设置了 ${key} 时也须设置`, `required when ${key} is set (a key needs its certificate)`) });
  };
  pair('TEMPORAL_TLS_CERT_FILE', 'TEMPORAL_TLS_KEY_FILE');
  pair('KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE');
  pair('DATABASE_SSL_CERT_FILE', 'DATABASE_SSL_KEY_FILE');
  if (v.TEMPORAL_API_KEY !== undefined && v.TEMPORAL_API_KEY_FILE !== undefined) {
    issues.push({ path: 'TEMPORAL_API_KEY_FILE', message: bilingual('与 TEMPORAL_API_KEY 只能设置一个', 'set either TEMPORAL_API_KEY or TEMPORAL_API_KEY_FILE, not both') });
  }
  if (v.TEMPORAL_TLS === false && (v.TEMPORAL_TLS_CA_FILE ?? v.TEMPORAL_TLS_CERT_FILE ?? v.TEMPORAL_TLS_SERVER_NAME) !== undefined) {
    issues.push({ path: 'TEMPORAL_TLS', message: bilingual('为 false，但设置了 TEMPORAL_TLS_* 证书变量', 'is false but TEMPORAL_TLS_* settings are given; remove them or set TEMPORAL_TLS=true') });
  }

  const named = v.KAFKA_BROKERS.protocol;
  if (named && v.KAFKA_SECURITY_PROTOCOL && named !== v.KAFKA_SECURITY_PROTOCOL) {
    issues.push({ path: 'KAFKA_SECURITY_PROTOCOL', message: bilingual(`为 ${v.KAFKA_SECURITY_PROTOCOL}，而 KAFKA_BROKERS 写的是 ${named}://`, `is ${v.KAFKA_SECURITY_PROTOCOL} but KAFKA_BROKERS says ${named}://`) });
  }
  const protocol = v.KAFKA_SECURITY_PROTOCOL ?? named ?? 'PLAINTEXT';
  const ssl = protocol === 'SSL' || protocol === 'SASL_SSL';
  const sasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  if (!ssl) {
    for (const name of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE'] as const) {
      if (v[name] !== undefined) issues.push({ path: name, message: bilingual(`Kafka 协议为 ${protocol}，不使用 SSL；请把协议设为 SSL 或 SASL_SSL`, `Kafka's protocol is ${protocol}, without SSL: set KAFKA_SECURITY_PROTOCOL (or the brokers' prefix) to SSL or SASL_SSL`) });
    }
  }
  const password = v.KAFKA_SASL_PASSWORD ?? v.KAFKA_SASL_PASSWORD_FILE;
  if (sasl) {
    if (!v.KAFKA_SASL_MECHANISM) issues.push({ path: 'KAFKA_SASL_MECHANISM', message: bilingual(`协议 ${protocol} 须设置（PLAIN、SCRAM-SHA-256 或 SCRAM-SHA-512）`, `required with ${protocol} (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)`) });
    if (!v.KAFKA_SASL_USERNAME) issues.push({ path: 'KAFKA_SASL_USERNAME', message: bilingual(`协议 ${protocol} 须设置`, `required with ${protocol}`) });
    if (password === undefined) issues.push({ path: 'KAFKA_SASL_PASSWORD', message: bilingual(`协议 ${protocol} 须设置（或 KAFKA_SASL_PASSWORD_FILE）`, `required with ${protocol} (or KAFKA_SASL_PASSWORD_FILE)`) });
  } else if (v.KAFKA_SASL_MECHANISM ?? v.KAFKA_SASL_USERNAME ?? password) {
    issues.push({ path: 'KAFKA_SECURITY_PROTOCOL', message: bilingual(`SASL 账号已设置，但协议为 ${protocol}；请设为 SASL_SSL`, `a SASL account is set but the protocol is ${protocol}: set it to SASL_SSL (or SASL_PLAINTEXT)`) });
  }
  if (v.KAFKA_SASL_PASSWORD !== undefined && v.KAFKA_SASL_PASSWORD_FILE !== undefined) {
    issues.push({ path: 'KAFKA_SASL_PASSWORD_FILE', message: bilingual('与 KAFKA_SASL_PASSWORD 只能设置一个', 'set either KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both') });
  }

  const mode = v.DATABASE_SSL_MODE;
  if (mode && v.DATABASE_URL && /[?&]sslmode=/.test(v.DATABASE_URL)) {
    issues.push({ path: 'DATABASE_SSL_MODE', message: bilingual('与 DATABASE_URL 中的 sslmode 只能设置一个', 'DATABASE_URL carries an sslmode already: set one of the two') });
  }
  if ((mode === undefined || mode === 'disable') && (v.DATABASE_SSL_CA_FILE ?? v.DATABASE_SSL_CERT_FILE) !== undefined) {
    issues.push({ path: 'DATABASE_SSL_MODE', message: bilingual('设置了 DATABASE_SSL_* 证书，须设为 verify-full（或 verify-ca、require）', 'DATABASE_SSL_* certificates are set: set verify-full (or verify-ca, require)') });
  }
  if ((mode === 'verify-ca' || mode === 'verify-full') && v.DATABASE_SSL_CA_FILE === undefined) {
    issues.push({ path: 'DATABASE_SSL_CA_FILE', message: bilingual(`DATABASE_SSL_MODE=${mode} 须设置签发服务器证书的 CA`, `required with DATABASE_SSL_MODE=${mode}: the CA that signed the server’s certificate`) });
  }
  return issues;
}

// --- the settings objects -----------------------------------------------------------------------------------

/** kafkajs's SASL options for the three mechanisms the engine supports. */
export type KafkaSasl = { [M in 'plain' | 'scram-sha-256' | 'scram-sha-512']: { mechanism: M; username: string; password: string } }['plain' | 'scram-sha-256' | 'scram-sha-512'];

/** Everything a Kafka client needs to connect: the producer, consumers, admin and the audit CLI use this. */
export interface KafkaConnection {
  brokers: string[];
  protocol: KafkaSecurityProtocol;
  /** kafkajs's `ssl`: `true` trusts the system’s roots. */
  ssl?: TlsOptions | true;
  sasl?: KafkaSasl;
}

/** Everything a Temporal connection needs (Connection.connect and NativeConnection.connect take the same). */
export interface TemporalConnection {
  address: string;
  namespace: string;
  tls?: { serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer }; serverNameOverride?: string };
  /** Sent as `authorization: Bearer <key>` by the SDK (the `apiKey` connection option). */
  apiKey?: string;
}

/** The `ssl` option of a pg Pool; undefined leaves it to DATABASE_URL (plaintext unless its sslmode says). */
export type PostgresSsl = TlsOptions | false | undefined;

export function kafkaConnection(v: SecureVariables): KafkaConnection {
  const protocol = v.KAFKA_SECURITY_PROTOCOL ?? v.KAFKA_BROKERS.protocol ?? 'PLAINTEXT';
  const connection: KafkaConnection = { brokers: v.KAFKA_BROKERS.brokers, protocol };
  if (protocol === 'SSL' || protocol === 'SASL_SSL') {
    const custom = v.KAFKA_SSL_CA_FILE !== undefined || v.KAFKA_SSL_CERT_FILE !== undefined;
    connection.ssl = custom
      ? {
          rejectUnauthorized: true,
          ...(v.KAFKA_SSL_CA_FILE ? { ca: [v.KAFKA_SSL_CA_FILE] } : {}),
          ...(v.KAFKA_SSL_CERT_FILE ? { cert: v.KAFKA_SSL_CERT_FILE, key: v.KAFKA_SSL_KEY_FILE } : {}),
        }
      : true;
  }
  if (protocol === 'SASL_SSL' || protocol === 'SASL_PLAINTEXT') {
    connection.sasl = { mechanism: v.KAFKA_SASL_MECHANISM!, username: v.KAFKA_SASL_USERNAME!, password: (v.KAFKA_SASL_PASSWORD ?? v.KAFKA_SASL_PASSWORD_FILE)! };
  }
  return connection;
}

export function temporalConnection(v: SecureVariables & { TEMPORAL_NAMESPACE: string }): TemporalConnection {
  const apiKey = v.TEMPORAL_API_KEY ?? v.TEMPORAL_API_KEY_FILE;
  // Like the SDK: an API key implies TLS unless TEMPORAL_TLS=false says otherwise.
  const anyTls = v.TEMPORAL_TLS_CA_FILE ?? v.TEMPORAL_TLS_CERT_FILE ?? v.TEMPORAL_TLS_SERVER_NAME;
  const tls = v.TEMPORAL_TLS ?? (anyTls !== undefined || apiKey !== undefined);
  return {
    address: v.TEMPORAL_ADDRESS,
    namespace: v.TEMPORAL_NAMESPACE,
    ...(tls
      ? {
          tls: {
            ...(v.TEMPORAL_TLS_CA_FILE ? { serverRootCACertificate: Buffer.from(v.TEMPORAL_TLS_CA_FILE) } : {}),
            ...(v.TEMPORAL_TLS_CERT_FILE ? { clientCertPair: { crt: Buffer.from(v.TEMPORAL_TLS_CERT_FILE), key: Buffer.from(v.TEMPORAL_TLS_KEY_FILE!) } } : {}),
            ...(v.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: v.TEMPORAL_TLS_SERVER_NAME } : {}),
          },
        }
      : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
  };
}

export function postgresSsl(v: SecureVariables): PostgresSsl {
  const mode = v.DATABASE_SSL_MODE;
  if (mode === undefined) return undefined;
  if (mode === 'disable') return false;
  const client = v.DATABASE_SSL_CERT_FILE ? { cert: v.DATABASE_SSL_CERT_FILE, key: v.DATABASE_SSL_KEY_FILE } : {};
  if (mode === 'require') return { rejectUnauthorized: false, ...client };
  return {
    rejectUnauthorized: true,
    ca: v.DATABASE_SSL_CA_FILE,
    ...client,
    // verify-ca: the chain is checked, the host name is not (libpq's meaning).
    ...(mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  };
}

/** The options Connection.connect (client) and NativeConnection.connect (worker) take from the settings. */
export function temporalConnectOptions(t: TemporalConnection): { address: string; tls?: TemporalConnection['tls']; apiKey?: string } {
  return { address: t.address, ...(t.tls ? { tls: t.tls } : {}), ...(t.apiKey !== undefined ? { apiKey: t.apiKey } : {}) };
}

/** The address for a message, with how it is secured (never the key). */
export function describeTemporal(t: TemporalConnection): string {
  const how = [t.tls ? (t.tls.clientCertPair ? 'mTLS' : 'TLS') : undefined, t.apiKey !== undefined ? 'API key' : undefined].filter(Boolean);
  return how.length > 0 ? `${t.address} (${how.join(', ')})` : t.address;
}

/**
 * Why a TLS connection to Temporal fails, in the TLS layer's words ("self-signed certificate in certificate
 * chain", "alert certificate required"…), or undefined when a TLS session opens and stays open. The SDK
 * only says "Failed to connect before the deadline" when the handshake fails; this probe, with the same
 * CA, client certificate and server name, tells an operator what to fix.
 */
export function probeTemporalTls(t: TemporalConnection, timeoutMs = 3_000): Promise<string | undefined> {
  if (!t.tls) return Promise.resolve(undefined);
  const at = t.address.lastIndexOf(':');
  const host = t.address.slice(0, at);
  const settings = t.tls;
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port: Number(t.address.slice(at + 1)),
      servername: settings.serverNameOverride ?? (/^[\d.]+$/.test(host) ? undefined : host),
      ALPNProtocols: ['h2'],
      ...(settings.serverRootCACertificate ? { ca: settings.serverRootCACertificate } : {}),
      ...(settings.clientCertPair ? { cert: settings.clientCertPair.crt, key: settings.clientCertPair.key } : {}),
      ...(settings.serverNameOverride ? { checkServerIdentity: (_h: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(settings.serverNameOverride!, cert) } : {}),
    });
    const done = (reason: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', (err) => done(err.message));
    // With TLS 1.3 the server refuses a client certificate after the handshake: wait a moment for its alert.
    socket.on('secureConnect', () => setTimeout(() => done(undefined), 300));
  });
}

/** A failed Temporal connection, explained by the TLS probe when TLS is configured. */
export async function explainTemporalConnectError(t: TemporalConnection, error: unknown): Promise<Error> {
  const message = error instanceof Error ? error.message : String(error);
  const reason = await probeTemporalTls(t).catch(() => undefined);
  if (!reason) return error instanceof Error ? error : new Error(message);
  return new Error(`${message}: TLS to ${t.address} failed: ${reason} (check TEMPORAL_TLS_CA_FILE, TEMPORAL_TLS_CERT_FILE/KEY_FILE, TEMPORAL_TLS_SERVER_NAME)`);
}

/** Connects with `connect` (Connection.connect or NativeConnection.connect); a failure says why TLS failed. */
export async function connectTemporal<C>(t: TemporalConnection, connect: (options: ReturnType<typeof temporalConnectOptions>) => Promise<C>): Promise<C> {
  try {
    return await connect(temporalConnectOptions(t));
  } catch (error) {
    throw await explainTemporalConnectError(t, error);
  }
}
