// Certificates and accounts for the test stack's secured listeners (Kafka SSL and SASL_SSL, PostgreSQL
// ssl=on): made by `npm test` itself with openssl, in the throw-away data directory, so a fresh machine (CI)
// needs nothing by hand. A second, unrelated CA is made too: the tests show that a server it did not sign is
// refused. Nothing here is for production; there the operator's own PKI issues the files the
// *_CA_FILE / *_CERT_FILE / *_KEY_FILE variables name.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { StartError } from './proc.js';

export interface TestCertificates {
  dir: string;
  /** The CA that signed the servers' and the client's certificates. */
  caCert: string;
  /** A CA that signed nothing here: trusting it alone must fail. */
  otherCaCert: string;
  /** One server certificate (SAN: localhost and the stack's IP) for Kafka, PostgreSQL and the Temporal relay. */
  serverCert: string;
  serverKey: string;
  /** A client certificate (CN=mediation-test-client) for mutual TLS. */
  clientCert: string;
  clientKey: string;
  /** The server key and certificate in one PEM file: Kafka's PEM keystore. */
  serverKeystore: string;
}

/** The SASL accounts of the test broker's SASL_SSL listener (test-only secrets). */
export const testKafkaAccounts = {
  'scram-sha-256': { username: 'mediation-scram256', password: 'scram256-test-secret' },
  'scram-sha-512': { username: 'mediation-scram512', password: 'scram512-test-secret' },
  plain: { username: 'mediation-plain', password: 'plain-test-secret' },
} as const;

/** Makes (or finds, from an earlier start in the same data directory) the test certificates. */
export function ensureTestCertificates(dir: string, host: string): TestCertificates {
  const at = (f: string) => path.join(dir, f);
  const certs: TestCertificates = {
    dir,
    caCert: at('ca.crt'),
    otherCaCert: at('other-ca.crt'),
    serverCert: at('server.crt'),
    serverKey: at('server.key'),
    clientCert: at('client.crt'),
    clientKey: at('client.key'),
    serverKeystore: at('server-keystore.pem'),
  };
  if (fs.existsSync(certs.serverKeystore)) return certs;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const openssl = (...args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      const logFile = at('openssl.log');
      fs.writeFileSync(logFile, `openssl ${args.join(' ')}\n${r.error?.message ?? ''}${r.stdout}\n${r.stderr}`);
      throw new StartError('certificates', `openssl failed (${r.error ? 'is openssl installed? apt-get install openssl' : `exit ${r.status}`})`, logFile);
    }
  };
  // Made at every fresh test start, so a month is plenty.
  const days = '30';
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', days, '-subj', '/CN=mediation-test-ca');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other-ca.key', '-out', 'other-ca.crt', '-days', days, '-subj', '/CN=mediation-untrusted-ca');
  const san = [...new Set(['DNS:localhost', /^[\d.]+$/.test(host) ? `IP:${host}` : `DNS:${host}`, 'IP:127.0.0.1'])].join(',');
  fs.writeFileSync(at('server.ext'), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
  fs.writeFileSync(at('client.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', days, '-extfile', 'server.ext');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=mediation-test-client');
  openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', days, '-extfile', 'client.ext');
  fs.writeFileSync(certs.serverKeystore, fs.readFileSync(certs.serverKey, 'utf8') + fs.readFileSync(certs.serverCert, 'utf8'));
  for (const f of fs.readdirSync(dir)) fs.chmodSync(at(f), 0o600);
  return certs;
}
