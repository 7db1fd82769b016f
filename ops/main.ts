// The two README commands. `npm start` runs `start`, `npm test` runs `test`:
//   start    install what is missing, start Temporal, Kafka, the worker, the projector and the HTTP API;
//            Ctrl-C stops everything, data under .data/dev survives.
//   test     the same set-up on separate ports with throw-away data, then the whole vitest suite;
//            everything started is stopped afterwards, on failure too.
//   test-dates  the same set-up, then the date-sensitive suites once for each hard "today" of
//            ops/fake-clock.ts (the test processes' clocks shifted with libfaketime); `npm run test:dates`.
//   install  only the installs, with what each cost.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { devProviderRefusal, loadStackConfig, repoRoot, type StackConfig } from './config.js';
import { DATE_SENSITIVE_SUITES, fakeClockEnvironment, HARD_DATES, type HardDate } from './fake-clock.js';
import { installStack, InstallError, type Installed, type InstallReport } from './install.js';
import { createLogger } from '../runtime/log.js';
import { loadAppConfig } from '../runtime/config.js';
import { workerMemory } from '../runtime/worker-cache.js';
import { portIsOpen, StartError, stopService, waitFor, type Service } from './proc.js';
import { ensureTopics, startKafka, startPostgres, startTemporal } from './services.js';
import { appEnvironment, httpOk, startApp, startOidcProvider, startServers, stopInReverse, stopStaleServers } from './apps.js';
import { ensureTestCertificates } from './tls.js';
import { createSupervisor, type Supervisor } from './supervise.js';
import { buildConsole } from './console-build.js';
import { CONSOLE_CLIENT_ID, DEV_PASSWORD, seedAccounts, serviceClients, type SeedAccount } from './oidc/accounts.js';

const log = createLogger('stack');
let vitestChild: ChildProcess | undefined;

async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  switch (command) {
    case 'start':
      return start();
    case 'test':
      return test(rest);
    case 'test-dates':
      return test(rest, { dates: HARD_DATES });
    case 'install':
      return installOnly();
    case 'bench':
      return bench(rest);
    default:
      process.stdout.write('usage: tsx ops/main.ts start | test [vitest args] | test-dates [vitest args] | bench [bench args] | install\n');
      return command === 'help' || command === '--help' ? 0 : 2;
  }
}

// --- start -----------------------------------------------------------------------------------------------

async function start(): Promise<number> {
  const config = loadStackConfig('dev');
  // Before anything starts: the development provider's public passwords must not guard a reachable or real stack.
  const refusal = devProviderRefusal(config);
  if (refusal) {
    process.stderr.write(`${refusal}\n`);
    return 1;
  }
  const running: Service[] = [];
  let stopping = false;
  let supervisor: Supervisor | undefined;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    supervisor?.stop();
    log.info('stopping the stack');
    await stopInReverse(supervisor ? supervisor.services() : running);
    log.info('stopped; data kept in ' + config.dataDir);
    process.exit(code);
  };
  // Ctrl-C in a terminal signals the whole group; a process manager signals our pid (npm passes it on:
  // the start script execs node, so no shell stands between).
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    const databaseUrl = await localDatabaseToStart(config);
    const { installed } = await install(config, {
      temporalCli: !config.temporal.external,
      testServer: false,
      kafka: !config.kafka.external,
      postgres: databaseUrl !== undefined,
    });
    await startServers(config, installed, running, databaseUrl);
    if (!config.oidc.external) running.push(await startOidcProvider(config));
    const consoleBuild = await buildConsole(log);
    log.info({ cached: consoleBuild.cached, seconds: consoleBuild.seconds, entryKiB: Math.round(consoleBuild.entryBytes / 1024) }, 'staff console ready');
    // An existing cluster is reached as the processes will reach it (SSL, SASL: runtime/secure-connections.ts).
    await ensureTopics(config.kafka.external ? loadAppConfig().kafka : config.kafka.brokers, 6, log);
    const appEnv = appEnvironment(config, config.database.url);
    // The workflow thread inherits the heap limit; it bounds the worker's memory (runtime/worker-cache.ts).
    const workerHeap = workerMemory(Number(process.env.WORKER_MEMORY_MIB ?? 2048)).heapMiB;
    const startWorker = () => startApp('worker', 'worker/main.ts', config, appEnv, [`--max-old-space-size=${workerHeap}`]);
    running.push(await startWorker());
    const apiUrl = `http://${config.host}:${config.api.port}`;
    const startApi = async () => {
      const api = await startApp('api', 'api/main.ts', config, appEnv);
      await waitFor('HTTP API', () => httpOk(`${apiUrl}/health/live`), { timeoutMs: 60_000, service: api });
      return api;
    };
    running.push(await startApi());
    await waitFor('HTTP API ready', () => httpOk(`${apiUrl}/health`), { timeoutMs: 60_000 });

    // From here on a piece that stops by itself is started again.
    const restarters: Record<string, () => Promise<Service>> = {
      temporal: () => startTemporal(config, installed, log),
      kafka: () => startKafka(config, installed, log),
      ...(databaseUrl ? { postgresql: () => startPostgres(config, installed, new URL(databaseUrl), log) } : {}),
      oidc: () => startOidcProvider(config),
      worker: startWorker,
      api: startApi,
    };
    supervisor = createSupervisor({ log, onGiveUp: () => void stopAll(1) });
    for (const s of running) {
      const restart = restarters[s.name];
      if (restart) supervisor.watch(s, restart);
      else watchForCrash(s, () => void stopAll(1));
    }
    printWhereEverythingIs(config, apiUrl);
    await new Promise(() => undefined); // until Ctrl-C
    return 0;
  } catch (err) {
    reportFailure(err, 'npm start');
    await stopInReverse(running);
    return 1;
  }
}

// --- bench -----------------------------------------------------------------------------------------------

// `npm run bench`: the benchmark suite (bench/main.ts) against servers of its own — Temporal (dev server,
// real timers), Kafka and PostgreSQL — in its own data directory (.data/bench), thrown away afterwards. TEMPORAL_ADDRESS / KAFKA_BROKERS / DATABASE_URL point it at running
// servers instead (e.g. the `npm start` stack).
// Ports: the dev ports + 20,000 unless TEMPORAL_PORT etc. say otherwise.
async function bench(benchArgs: string[]): Promise<number> {
  const config = loadStackConfig('bench');
  await stopStaleServers(config);
  fs.rmSync(config.dataDir, { recursive: true, force: true });
  const running: Service[] = [];
  let child: ChildProcess | undefined;
  const onSignal = () => {
    child?.kill('SIGTERM');
    void stopInReverse(running).then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const postgresUrl = config.database.url ?? `postgres://postgres@${config.host}:${config.database.localPostgresPort}/mediation_bench`;
    const startLocalPostgres = config.database.url === undefined;
    const { installed } = await install(config, { temporalCli: !config.temporal.external, testServer: false, kafka: !config.kafka.external, postgres: startLocalPostgres });
    await startServers(config, installed, running, startLocalPostgres ? postgresUrl : undefined);
    const env = { ...appEnvironment(config, postgresUrl), MEDIATION_STACK: 'bench' };
    if (benchArgs[0] === '--servers-only') {
      // Keep the servers up for runs by hand (e.g. the same bench on two checkouts): Ctrl-C stops them.
      process.stdout.write(`TEMPORAL_ADDRESS=${config.temporal.address} KAFKA_BROKERS=${config.kafka.brokers.join(',')} DATABASE_URL=${postgresUrl}\n`);
      await new Promise(() => undefined);
    }
    child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bench', 'main.ts'), ...benchArgs], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: 'inherit',
    });
    const running_ = child;
    return await new Promise<number>((resolve) => running_.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  } catch (err) {
    reportFailure(err, 'npm run bench');
    return 1;
  } finally {
    await stopInReverse(running);
  }
}

// --- test ------------------------------------------------------------------------------------------------

async function test(vitestArgs: string[], opts: { dates?: readonly HardDate[] } = {}): Promise<number> {
  const config = loadStackConfig('test');
  const t0 = Date.now();
  // Test data is thrown away: every run starts from empty servers. A run killed hard left its servers
  // running, with their pid files in the data directory: stop them before the files go.
  await stopStaleServers(config);
  fs.rmSync(config.dataDir, { recursive: true, force: true });
  const running: Service[] = [];
  const onSignal = () => {
    vitestChild?.kill('SIGTERM');
    void stopInReverse(running).then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // The read-model tests run on PGlite and on a real PostgreSQL server; the latter is local unless
    // DATABASE_URL names one.
    const postgresUrl = config.database.url ?? `postgres://postgres@${config.host}:${config.database.localPostgresPort}/mediation_test`;
    const startLocalPostgres = config.database.url === undefined;
    const { installed, reports } = await install(config, {
      temporalCli: !config.temporal.external,
      testServer: true,
      kafka: !config.kafka.external,
      postgres: startLocalPostgres,
      fakeTime: opts.dates !== undefined,
      browser: opts.dates === undefined,
      openssl: config.tlsDir !== undefined,
    });
    // The browser tests open the console as the API serves it: built now when its sources changed.
    const consoleBuild = opts.dates === undefined ? await buildConsole(log) : undefined;
    if (consoleBuild) reports.push({ step: 'console build', version: `${Math.round(consoleBuild.entryBytes / 1024)} KiB`, cached: consoleBuild.cached, seconds: consoleBuild.seconds });
    const tServers = Date.now();
    // The secured listeners' certificates (ops/tls.ts), made before the servers that use them start.
    if (config.tlsDir) ensureTestCertificates(config.tlsDir, config.host);
    await startServers(config, installed, running, startLocalPostgres ? postgresUrl : undefined);
    if (!config.oidc.external) running.push(await startOidcProvider(config));
    const serversSeconds = (Date.now() - tServers) / 1000;
    log.info({ seconds: serversSeconds }, 'test servers started');

    const env = {
      ...appEnvironment(config, undefined),
      MEDIATION_STACK: 'test',
      TEST_DATABASE_URL: postgresUrl,
      TEMPORAL_TEST_SERVER_PATH: installed.testServerWrapper,
      // The secured listeners of the test broker and PostgreSQL, and the certificates (ops/tls.ts).
      ...(config.tlsDir ? { TEST_TLS_DIR: config.tlsDir } : {}),
      ...(config.kafka.secureListeners && !config.kafka.external
        ? {
            TEST_KAFKA_SSL_BROKERS: `${config.host}:${config.kafka.secureListeners.sslPort}`,
            TEST_KAFKA_SASL_SSL_BROKERS: `${config.host}:${config.kafka.secureListeners.saslSslPort}`,
          }
        : {}),
      ...(config.tlsDir && startLocalPostgres ? { TEST_POSTGRES_SSL: 'on' } : {}),
      MEDIATION_CACHE_DIR: config.cacheDir,
      ...(installed.browser ? { CHROMIUM_PATH: installed.browser } : {}),
      // The browser tests: the console test's API port (the codec test's is API_PORT) and the Web UI.
      CONSOLE_TEST_PORT: String(config.api.consolePorts[1] ?? config.api.port),
      ...(config.temporal.ui && !config.temporal.external ? { TEMPORAL_UI_URL: `http://${config.host}:${config.temporal.uiPort}` } : {}),
    };
    const tTests = Date.now();
    // On each hard date the local OpenID provider restarts on the test processes' clock: it stamps the
    // tokens, and on the real time every token would look expired (or not yet issued) to the API under test.
    const onDate = async (clock: NodeJS.ProcessEnv) => {
      const provider = running.findIndex((s) => s.name === 'oidc');
      if (provider < 0) return;
      await stopService(running[provider]!);
      running.splice(provider, 1);
      running.push(await startOidcProvider(config, clock));
    };
    const vitest = opts.dates
      ? await runVitestOnDates(opts.dates, vitestArgs.length > 0 ? vitestArgs : [...DATE_SENSITIVE_SUITES], env, config.dataDir, installed.fakeTimeLib!, onDate)
      : await runVitest(vitestArgs, env, config.dataDir);
    // The whole suite includes the lint (determinism rules for domain/, events/, workflows/); a run of
    // chosen files does not (`npm run lint` runs it alone).
    const lint = vitestArgs.length === 0 && !opts.dates;
    const lintCode = lint ? await runLint() : 0;
    if (lint) process.stdout.write(`\neslint: ${lintCode === 0 ? 'clean' : 'errors (see above)'}\n`);
    const code = vitest.code || lintCode;
    // Alone on the last line, in the plain form CI reads.
    const closingLine = vitest.closingLine;
    log.info(
      {
        installs: reports.map((r) => `${r.step}: ${r.cached ? 'cached' : `${r.seconds}s`}`),
        serversSeconds,
        testsSeconds: (Date.now() - tTests) / 1000,
        totalSeconds: (Date.now() - t0) / 1000,
      },
      code === 0 ? 'tests passed' : 'tests failed',
    );
    process.stdout.write(`\n${closingLine}\n`);
    return code;
  } catch (err) {
    reportFailure(err, 'npm test');
    return 1;
  } finally {
    await stopInReverse(running);
  }
}

// vitest's own summary, plus one plain closing line ("vitest: N passed, N failed, N skipped") that CI
// and people can read without colours or a vitest-specific parser.
async function runVitest(args: string[], env: NodeJS.ProcessEnv, dataDir: string, reportName = 'vitest-report.json'): Promise<{ code: number; closingLine: string; counts?: VitestCounts }> {
  const vitest = path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');
  const report = path.join(dataDir, reportName);
  const child = spawn(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
  vitestChild = child;
  const code = await new Promise<number>((resolve) => child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  try {
    const r = JSON.parse(fs.readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
    const counts = { passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests };
    return { code, closingLine: closingLineOf(counts), counts };
  } catch {
    return { code: code === 0 ? 1 : code, closingLine: `vitest: no report was written (exit code ${code})` };
  }
}

interface VitestCounts {
  passed: number;
  failed: number;
  skipped: number;
}

const closingLineOf = (c: VitestCounts) => `vitest: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;

// One vitest run per hard date against the same servers. The closing line adds the runs up; above it, one
// line per date says how that day went.
async function runVitestOnDates(
  dates: readonly HardDate[],
  args: string[],
  env: NodeJS.ProcessEnv,
  dataDir: string,
  fakeTimeLib: string,
  onDate: (clock: NodeJS.ProcessEnv) => Promise<void>,
): Promise<{ code: number; closingLine: string }> {
  const total: VitestCounts = { passed: 0, failed: 0, skipped: 0 };
  const lines: string[] = [];
  let code = 0;
  for (const [i, date] of dates.entries()) {
    log.info({ today: date.at, why: date.why, run: `${i + 1} of ${dates.length}` }, 'running the date-sensitive suites as if today were this day');
    const clock = fakeClockEnvironment(fakeTimeLib, date.at);
    await onDate(clock);
    const result = await runVitest(args, { ...env, ...clock }, dataDir, `vitest-report-${i + 1}.json`);
    if (result.code !== 0) code = result.code;
    if (result.counts) {
      total.passed += result.counts.passed;
      total.failed += result.counts.failed;
      total.skipped += result.counts.skipped;
    } else {
      total.failed += 1;
    }
    lines.push(`${date.at}  ${result.closingLine}  (${date.why})`);
  }
  process.stdout.write(`\ndates:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  return { code, closingLine: closingLineOf(total) };
}

async function runLint(): Promise<number> {
  const eslint = path.join(repoRoot, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const child = spawn(process.execPath, [eslint, '.'], { cwd: repoRoot, stdio: 'inherit' });
  return new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
}

// --- install ---------------------------------------------------------------------------------------------

async function installOnly(): Promise<number> {
  const config = loadStackConfig('dev');
  try {
    const { reports } = await install(config, { temporalCli: true, testServer: true, kafka: true, postgres: true });
    for (const r of reports) process.stdout.write(`${r.step.padEnd(28)} ${r.version.padEnd(10)} ${r.cached ? 'cached' : `${r.seconds} s`}\n`);
    return 0;
  } catch (err) {
    reportFailure(err, 'npm run stack -- install');
    return 1;
  }
}

async function install(config: StackConfig, needs: Parameters<typeof installStack>[2]): Promise<{ installed: Installed; reports: InstallReport[] }> {
  const t0 = Date.now();
  const result = await installStack(config, log, needs);
  log.info({ seconds: (Date.now() - t0) / 1000, cacheDir: config.cacheDir }, 'installs ready');
  return result;
}

// --- shared ----------------------------------------------------------------------------------------------

// DATABASE_URL naming a server on this machine that does not answer: the scripts start one there.
async function localDatabaseToStart(config: StackConfig): Promise<string | undefined> {
  if (!config.database.url) return undefined;
  const url = new URL(config.database.url);
  const local = ['127.0.0.1', 'localhost', '::1'].includes(url.hostname);
  if (!local) return undefined;
  return (await portIsOpen(url.hostname, Number(url.port || 5432))) ? undefined : config.database.url;
}

function watchForCrash(service: Service, onCrash: () => void): void {
  service.child.once('exit', (code, signal) => {
    log.error({ service: service.name, code, signal, log: service.logFile }, `${service.name} stopped unexpectedly; stopping the stack`);
    onCrash();
  });
}

function printWhereEverythingIs(config: StackConfig, apiUrl: string): void {
  const lines = [
    '',
    'mediation-engine is running',
    `  Staff console     ${apiUrl}/   (sign in with an account below)`,
    `  HTTP API          ${apiUrl}   (reference: ${apiUrl}/docs, contract: ${apiUrl}/openapi.json)`,
    `  OpenID provider   ${config.oidc.issuer}${config.oidc.external ? '   (OIDC_ISSUER)' : ''}`,
    `  Temporal          ${config.temporal.address}   namespace ${config.temporal.namespace}`,
    ...(config.temporal.ui && !config.temporal.external ? [`  Temporal Web UI   http://${config.host}:${config.temporal.uiPort}   (payloads encrypted; decoded for a county supervisor, auditor or data-protection officer — see below)`] : []),
    `  Kafka             ${config.kafka.brokers.join(',')}`,
    `  Metrics           ${apiUrl}/metrics (API and projector), http://${config.host}:${config.workerMetrics.port}/metrics (worker)   (Prometheus)`,
    `  Read models       ${config.database.url ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.database.pglitePath}`}`,
    `  Logs and data     ${config.dataDir}`,
    `  Keys              ${path.join(config.dataDir, 'keys')}   (the mediation CLI needs PAYLOAD_KEYS_FILE=${path.join(config.dataDir, 'keys', 'payload-keys.json')} for audit compare)`,
    '',
    ...(config.temporal.ui && !config.temporal.external ? webUiCodecHelp(config, apiUrl) : []),
    ...(config.oidc.external ? [] : signOnHelp(config, apiUrl)),
    'Press Ctrl-C to stop everything; data survives a restart.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

// The staff procedure for reading decoded payloads in the Web UI (docs/personal-data.md, "Reading decoded
// payloads in the Temporal Web UI"): the console sets the codec cookie; the UI must be told, once per browser,
// to send it.
function webUiCodecHelp(config: StackConfig, apiUrl: string): string[] {
  return [
    '',
    'Decoded payloads in the Temporal Web UI (once per browser):',
    `  1. sign in on the console ${apiUrl}/ (sets the codec cookie) as a supervisor-county, auditor or dpo`,
    `  2. open http://${config.host}:${config.temporal.uiPort} (always ${config.host}, never localhost: another site, no cookie)`,
    `  3. Codec Server icon (top right) → "Use my browser setting…"; endpoint ${apiUrl}/codec;`,
    '     Include cross-origin credentials ON; Pass the user access token OFF; Apply',
  ];
}

function signOnHelp(config: StackConfig, apiUrl: string): string[] {
  const who = (a: SeedAccount) => [a.role, a.department, a.level, a.town].filter(Boolean).join(' ');
  return [
    '',
    `Staff accounts (development only; password ${DEV_PASSWORD}) — sign in on ${apiUrl}/docs ("Authorize", client ${CONSOLE_CLIENT_ID}, PKCE):`,
    ...seedAccounts.map((a) => `  ${a.username.padEnd(18)} ${who(a)}`),
    'Service clients (client credentials):',
    ...serviceClients.map((c) => `  ${c.clientId.padEnd(24)} secret ${c.secret}   acts as ${c.role}`),
    '',
    'A token for a script, and a call with it:',
    `  TOKEN=$(curl -s -u mediation-intake-bridge:mediation-intake-dev-secret -d grant_type=client_credentials ${config.oidc.issuer}/token | jq -r .access_token)`,
    `  curl -s -H "authorization: Bearer $TOKEN" ${apiUrl}/queues/union | jq`,
    '',
  ];
}

function reportFailure(err: unknown, retry: string): void {
  if (err instanceof StartError) process.stderr.write(err.report(retry) + '\n');
  else if (err instanceof InstallError) process.stderr.write(`install failed: ${err.message}\nretry with: ${retry}\n`);
  else process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\nretry with: ${retry}\n`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    reportFailure(err, 'npm start');
    process.exit(1);
  },
);
