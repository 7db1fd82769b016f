// Installs what the local stack needs, from the package registries only: the Temporal CLI from the Go
// module proxy, the Java test server and Kafka from Maven Central, PostgreSQL and any missing toolchain
// from Debian's packages. Every install lands in the cache directory (outside the repository) under a
// versioned folder with a marker written last, so a second run only checks markers and takes seconds.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../runtime/log.js';
import { commandExists, portIsOpen, sleep, tailOf } from './proc.js';
import { repoRoot, versions, type StackConfig } from './config.js';

export interface InstallReport {
  step: string;
  version: string;
  cached: boolean;
  seconds: number;
}

export class InstallError extends Error {}

export interface Installed {
  temporalCli: string;
  testServerWrapper: string;
  kafkaLibs: string;
  postgresBin?: string;
  /** libfaketime, for `npm run test:dates` (the test processes' clocks shifted to a chosen day). */
  fakeTimeLib?: string;
  /** Debian's Chromium, for the console's browser tests (playwright-core drives it). */
  browser?: string;
}

export async function installStack(
  config: StackConfig,
  log: Logger,
  needs: { temporalCli: boolean; testServer: boolean; kafka: boolean; postgres: boolean; fakeTime?: boolean; browser?: boolean; openssl?: boolean },
): Promise<{ installed: Installed; reports: InstallReport[] }> {
  const reports: InstallReport[] = [];
  const installed: Installed = {
    temporalCli: path.join(config.cacheDir, `temporal-cli-${versions.temporalCli}`, 'temporal'),
    testServerWrapper: path.join(repoRoot, 'ops', 'bin', 'temporal-test-server'),
    kafkaLibs: path.join(config.cacheDir, `kafka-${versions.kafka}`, 'libs'),
  };
  if (needs.testServer || needs.kafka) await ensureDebianCommand('java', 'openjdk-17-jre-headless', log);
  if (needs.testServer || needs.kafka) await ensureDebianCommand('mvn', 'maven', log);
  // The test stack's certificates for its secured listeners (ops/tls.ts).
  if (needs.openssl) await ensureDebianCommand('openssl', 'openssl', log);
  if (needs.temporalCli) reports.push(await installTemporalCli(config, installed.temporalCli, log));
  if (needs.testServer) reports.push(...(await installTestServer(config, log)));
  if (needs.kafka) reports.push(await installKafka(config, installed.kafkaLibs, log));
  if (needs.postgres) {
    const r = await ensurePostgresBinaries(log);
    installed.postgresBin = r.bin;
    reports.push(r.report);
  }
  if (needs.fakeTime) {
    const r = await ensureFakeTimeLib(log);
    installed.fakeTimeLib = r.lib;
    reports.push(r.report);
    if (needs.testServer) reports.push(await buildTestServerClock(config, log));
  }
  if (needs.browser) {
    const r = await ensureBrowser(log);
    installed.browser = r.browser;
    reports.push(r.report);
  }
  return { installed, reports };
}

// --- Chromium and CJK fonts (Debian), for the console's browser tests -----------------------------------

const CHROMIUM = '/usr/bin/chromium';
// Without a CJK font Chinese renders as empty boxes (and the screenshots show nothing readable).
const CJK_FONT_DIR = '/usr/share/fonts/opentype/noto';
const hasCjkFont = () => fs.existsSync(CJK_FONT_DIR) && fs.readdirSync(CJK_FONT_DIR).some((f) => f.startsWith('NotoSansCJK'));

async function ensureBrowser(log: Logger): Promise<{ browser: string; report: InstallReport }> {
  const t0 = Date.now();
  if (isExecutable(CHROMIUM) && hasCjkFont()) return { browser: CHROMIUM, report: { step: 'chromium', version: 'debian', cached: true, seconds: 0 } };
  await aptInstall(['chromium', 'fonts-noto-cjk'], log);
  if (!isExecutable(CHROMIUM)) throw new InstallError(`apt-get installed chromium but ${CHROMIUM} is missing`);
  return { browser: CHROMIUM, report: { step: 'chromium', version: 'debian', cached: false, seconds: secondsSince(t0) } };
}

// --- Temporal CLI (dev server + Web UI), built from source by `go install` -------------------------------

async function installTemporalCli(config: StackConfig, binary: string, log: Logger): Promise<InstallReport> {
  const step = 'temporal-cli';
  const t0 = Date.now();
  if (isExecutable(binary)) return { step, version: versions.temporalCli, cached: true, seconds: 0 };
  if (!commandExists('go')) {
    throw new InstallError(
      'the Temporal CLI is built with Go, and `go` is not on PATH: install Go 1.25 or newer, or set ' +
        'TEMPORAL_ADDRESS to use an existing Temporal server',
    );
  }
  log.info({ step, version: versions.temporalCli }, 'building the Temporal CLI with go install (the first build takes several minutes)');
  await runLogged(
    step,
    'go',
    ['install', `github.com/temporalio/cli/cmd/temporal@v${versions.temporalCli}`],
    {
      // Later tags carry a `replace` directive that `go install` refuses; v1.5.1 builds without cgo.
      env: { ...process.env, CGO_ENABLED: '0', GOBIN: path.dirname(binary), GOFLAGS: '-buildvcs=false' },
      logFile: installLog(config, step),
      log,
    },
  );
  if (!isExecutable(binary)) throw new InstallError(`go install finished but ${binary} is missing; see ${installLog(config, step)}`);
  return { step, version: versions.temporalCli, cached: false, seconds: secondsSince(t0) };
}

// --- Temporal Java time-skipping test server -------------------------------------------------------------

async function installTestServer(config: StackConfig, log: Logger): Promise<InstallReport[]> {
  const step = 'temporal-test-server';
  const dir = path.join(config.cacheDir, `temporal-test-server-${versions.temporalTestServer}`);
  const reports: InstallReport[] = [];
  reports.push(await mavenFetch(config, step, versions.temporalTestServer, 'temporal-test-server', path.join(dir, 'lib'), log));
  reports.push(await buildTestServerClassArchive(config, dir, log));
  return reports;
}

// The test server with its clock at an offset, for `npm run test:dates` (ops/java/TestServerAt.java),
// compiled against the fetched jars. Rebuilt when the source changes.
async function buildTestServerClock(config: StackConfig, log: Logger): Promise<InstallReport> {
  const step = 'temporal-test-server-clock';
  const t0 = Date.now();
  const dir = path.join(config.cacheDir, `temporal-test-server-${versions.temporalTestServer}`);
  const source = path.join(repoRoot, 'ops', 'java', 'TestServerAt.java');
  const out = path.join(dir, 'clock');
  const marker = path.join(out, 'source.sha256');
  const digest = crypto.createHash('sha256').update(fs.readFileSync(source)).digest('hex');
  if (fs.existsSync(path.join(out, 'TestServerAt.class')) && fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === digest) {
    return { step, version: versions.temporalTestServer, cached: true, seconds: 0 };
  }
  await ensureDebianCommand('javac', 'openjdk-17-jdk-headless', log);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  await runLogged(step, 'javac', ['-d', out, '-cp', `${path.join(dir, 'lib')}/*`, source], { logFile: installLog(config, step), log });
  fs.writeFileSync(marker, digest);
  return { step, version: versions.temporalTestServer, cached: false, seconds: secondsSince(t0) };
}

// The SDK gives the test server about 5 s to answer gRPC. A class-data archive of the server's own
// classes (AppCDS) makes the JVM start well inside that on two busy cores.
async function buildTestServerClassArchive(config: StackConfig, dir: string, log: Logger): Promise<InstallReport> {
  const step = 'temporal-test-server-cds';
  const archive = path.join(dir, 'test-server.jsa');
  const t0 = Date.now();
  if (fs.existsSync(archive)) return { step, version: versions.temporalTestServer, cached: true, seconds: 0 };
  log.info({ step }, 'building a class-data archive for a fast test-server start');
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(
    'java',
    ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', `-XX:ArchiveClassesAtExit=${archive}`, '-cp', `${path.join(dir, 'lib')}/*`, 'io.temporal.testserver.TestServer', String(port)],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !(await portIsOpen('127.0.0.1', port))) await sleep(100);
  await sleep(500);
  child.kill('SIGTERM'); // a normal JVM exit writes the archive
  await exited;
  if (!fs.existsSync(archive)) log.warn({ step }, 'no class-data archive was written; the test server will start without it');
  return { step, version: versions.temporalTestServer, cached: false, seconds: secondsSince(t0) };
}

// --- Apache Kafka (KRaft) from Maven Central jars --------------------------------------------------------

async function installKafka(config: StackConfig, libs: string, log: Logger): Promise<InstallReport> {
  return mavenFetch(config, 'kafka', versions.kafka, 'kafka', libs, log);
}

// Copies a fetch POM's runtime dependencies into `outDir`. The marker holds a hash of the POM, so an
// edited POM fetches again; Maven's own cache (~/.m2) makes that quick.
async function mavenFetch(
  config: StackConfig,
  step: string,
  version: string,
  pomFolder: string,
  outDir: string,
  log: Logger,
): Promise<InstallReport> {
  const t0 = Date.now();
  const pom = path.join(repoRoot, 'ops', 'maven', pomFolder, 'pom.xml');
  const pomHash = crypto.createHash('sha256').update(fs.readFileSync(pom)).digest('hex').slice(0, 16);
  const marker = path.join(outDir, '.installed');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').trim() === pomHash) {
    return { step, version, cached: true, seconds: 0 };
  }
  log.info({ step, version }, 'fetching jars from Maven Central');
  fs.rmSync(outDir, { recursive: true, force: true });
  await runLogged(
    step,
    'mvn',
    ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${outDir}`],
    { logFile: installLog(config, step), log },
  );
  fs.writeFileSync(marker, pomHash + '\n');
  return { step, version, cached: false, seconds: secondsSince(t0) };
}

// --- PostgreSQL (Debian package) -------------------------------------------------------------------------

export function findPostgresBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return undefined;
  const majors = fs
    .readdirSync(base)
    .filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? path.join(base, majors[0], 'bin') : undefined;
}

async function ensurePostgresBinaries(log: Logger): Promise<{ bin: string; report: InstallReport }> {
  const t0 = Date.now();
  const found = findPostgresBin();
  if (found) return { bin: found, report: { step: 'postgresql', version: path.basename(path.dirname(found)), cached: true, seconds: 0 } };
  await aptInstall(['postgresql'], log);
  const bin = findPostgresBin();
  if (!bin) throw new InstallError('apt-get installed postgresql but no initdb was found under /usr/lib/postgresql');
  return { bin, report: { step: 'postgresql', version: path.basename(path.dirname(bin)), cached: false, seconds: secondsSince(t0) } };
}

// --- libfaketime (Debian), only for the dates run ---------------------------------------------------------

// The thread-safe build: Node, the JVM and the Temporal core SDK all read the clock from several threads.
function findFakeTimeLib(): string | undefined {
  const lib = '/usr/lib';
  if (!fs.existsSync(lib)) return undefined;
  for (const dir of fs.readdirSync(lib)) {
    const candidate = path.join(lib, dir, 'faketime', 'libfaketimeMT.so.1');
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function ensureFakeTimeLib(log: Logger): Promise<{ lib: string; report: InstallReport }> {
  const t0 = Date.now();
  const found = findFakeTimeLib();
  if (found) return { lib: found, report: { step: 'libfaketime', version: 'debian', cached: true, seconds: 0 } };
  await aptInstall(['libfaketime'], log);
  const lib = findFakeTimeLib();
  if (!lib) throw new InstallError('apt-get installed libfaketime but no libfaketimeMT.so.1 was found under /usr/lib/*/faketime');
  return { lib, report: { step: 'libfaketime', version: 'debian', cached: false, seconds: secondsSince(t0) } };
}

// --- helpers ---------------------------------------------------------------------------------------------

async function ensureDebianCommand(command: string, pkg: string, log: Logger): Promise<void> {
  if (commandExists(command)) return;
  await aptInstall([pkg], log);
  if (!commandExists(command)) throw new InstallError(`installed ${pkg} but \`${command}\` is still not on PATH`);
}

let aptUpdated = false;
async function aptInstall(packages: string[], log: Logger): Promise<void> {
  if (!commandExists('apt-get')) {
    throw new InstallError(`${packages.join(', ')} missing and this machine has no apt-get: install it with your package manager and run again`);
  }
  const asRoot = process.getuid?.() === 0;
  const sudo = asRoot ? [] : ['sudo', '-n'];
  const run = (args: string[]) => {
    const [cmd, ...rest] = [...sudo, ...args] as [string, ...string[]];
    const r = spawnSync(cmd, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) {
      throw new InstallError(`\`${[cmd, ...rest].join(' ')}\` failed (exit ${r.status}); run it yourself as root, then run again`);
    }
  };
  log.info({ packages }, 'installing Debian packages');
  if (!aptUpdated) {
    run(['apt-get', 'update', '-q']);
    aptUpdated = true;
  }
  run(['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...packages]);
}

// Runs an install command with its output in a log file and a progress line every 30 s, because a
// `go install` of the Temporal CLI is silent for minutes.
function runLogged(
  step: string,
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; logFile: string; log: Logger },
): Promise<void> {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const out = fs.openSync(opts.logFile, 'w');
  const child = spawn(command, args, { env: opts.env ?? process.env, stdio: ['ignore', out, out], cwd: repoRoot });
  fs.closeSync(out);
  const t0 = Date.now();
  const progress = setInterval(() => opts.log.info({ step, elapsedSeconds: secondsSince(t0) }, 'still installing'), 30_000);
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      clearInterval(progress);
      reject(new InstallError(`${step}: could not run ${command}: ${err.message}`));
    });
    child.once('exit', (code) => {
      clearInterval(progress);
      if (code === 0) resolve();
      else
        reject(
          new InstallError(
            `${step}: \`${command} ${args.join(' ')}\` exited with ${code}.\nlast lines of ${opts.logFile}:\n${tailOf(opts.logFile, 20)}\n` +
              `check the network to the package registries, then run again`,
          ),
        );
    });
  });
}

function installLog(config: StackConfig, step: string): string {
  return path.join(config.cacheDir, 'logs', `install-${step}.log`);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const secondsSince = (t0: number) => Math.round((Date.now() - t0) / 100) / 10;
