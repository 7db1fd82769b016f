// The engine's own processes (worker/main.ts, api/main.ts) started as child processes of a test, from
// configuration as an operator starts them, on the servers `npm test` started. A test kills them
// (SIGKILL: a crash; SIGTERM: an orderly stop) and starts more, to see what a real deployment sees.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { repoRoot } from '../../ops/config.js';
import { TEST_PAYLOAD_KEYS_FILE, testMasterKeysFile } from '../../testkit/payload-keys.js';
import { stack } from './stack.js';

/** How a process ended: an orderly stop exits with code 0 (signal null), a SIGKILL has signal SIGKILL. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface EngineProcess {
  name: string;
  child: ChildProcess;
  /** The last lines it wrote (stdout and stderr), for a failure message. */
  tail(): string;
  /** Resolves with the first line that matches, or rejects when the process exits or the time is up. */
  waitForLine(pattern: RegExp, ms?: number): Promise<string>;
  /** Sends the signal and waits for the exit: its exit code, or the signal it died of. */
  stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<Exit>;
}

/** Starts `node --import tsx <entry>` with the stack's addresses and the test keys, plus `env`. */
export function startEngineProcess(name: string, entry: string, env: NodeJS.ProcessEnv): EngineProcess {
  // `node --import tsx`, not the tsx CLI: the CLI runs the script in a second process that a SIGKILL of
  // the CLI would leave running.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, entry)], {
    cwd: repoRoot,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: stack!.temporalAddress,
      KAFKA_BROKERS: stack!.kafkaBrokers.join(','),
      PAYLOAD_KEYS_FILE: TEST_PAYLOAD_KEYS_FILE,
      PERSONAL_DATA_MASTER_KEYS_FILE: testMasterKeysFile(),
      COMMAND_SIGNING_KEY_FILE: path.join(repoRoot, 'test', 'fixtures', 'command-signing-key.json'),
      COMMAND_VERIFY_KEYS_FILE: path.join(repoRoot, 'test', 'fixtures', 'command-verify-keys.json'),
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const take = (chunk: Buffer, carry: { rest: string }) => {
    const text = carry.rest + chunk.toString('utf8');
    const parts = text.split('\n');
    carry.rest = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      if (lines.length > 200) lines.shift();
      for (const l of listeners) l(line);
    }
  };
  const out = { rest: '' };
  const err = { rest: '' };
  child.stdout!.on('data', (c: Buffer) => take(c, out));
  child.stderr!.on('data', (c: Buffer) => take(c, err));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  return {
    name,
    child,
    tail: () => lines.slice(-40).join('\n'),
    waitForLine(pattern, ms = 120_000) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`${name}: no line matching ${pattern} within ${ms} ms; its last lines:\n${lines.slice(-40).join('\n')}`)), ms);
        const onLine = (line: string) => {
          if (pattern.test(line)) finish(undefined, line);
        };
        const onExit = () => finish(new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before a line matching ${pattern}; its last lines:\n${lines.slice(-40).join('\n')}`));
        const finish = (error: Error | undefined, line?: string) => {
          clearTimeout(timer);
          listeners.delete(onLine);
          child.off('exit', onExit);
          if (error) reject(error);
          else resolve(line!);
        };
        listeners.add(onLine);
        child.once('exit', onExit);
      });
    },
    async stop(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
      child.kill(signal);
      return exited;
    },
  };
}

/** A worker process on its own task queue and topic, serving the SDK's Prometheus metrics at `metricsAddress`. */
export async function startWorkerProcess(name: string, opts: { taskQueue: string; topic: string; metricsAddress: string }): Promise<EngineProcess> {
  const worker = startEngineProcess(name, 'worker/main.ts', { KAFKA_TOPIC: opts.topic, TASK_QUEUE: opts.taskQueue, WORKER_METRICS_ADDRESS: opts.metricsAddress });
  await worker.waitForLine(/"msg":"worker started"/);
  return worker;
}

/**
 * An API process (with its projector) on the test stack's PostgreSQL, listening on `port`; resolves once it
 * answers /health/live. `groupId` is the projector's consumer group, `schema` the read models'.
 */
export async function startApiProcess(
  name: string,
  opts: { port: number; taskQueue: string; topic: string; groupId: string; schema: string; accessLogSchema?: string; keyStoreSchema?: string },
): Promise<EngineProcess & { base: string }> {
  const api = startEngineProcess(name, 'api/main.ts', {
    DATABASE_URL: stack!.postgresUrl,
    READMODEL_SCHEMA: opts.schema,
    ...(opts.accessLogSchema ? { ACCESS_LOG_SCHEMA: opts.accessLogSchema } : {}),
    ...(opts.keyStoreSchema ? { KEY_STORE_SCHEMA: opts.keyStoreSchema } : {}),
    KAFKA_TOPIC: opts.topic,
    TASK_QUEUE: opts.taskQueue,
    PROJECTOR_GROUP_ID: opts.groupId,
    API_HOST: '127.0.0.1',
    API_PORT: String(opts.port),
    // Many commands from one test account in a minute: the per-user write limit is not what is tested.
    API_WRITE_RATE_LIMIT: '100000',
    API_READ_RATE_LIMIT: '100000',
  });
  await api.waitForLine(/"msg":"API listening"/);
  return { ...api, base: `http://127.0.0.1:${opts.port}` };
}

/** A port nothing listens on now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}
