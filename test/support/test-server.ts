// A Java time-skipping test server of the test's own, started here rather than by the SDK. The SDK's
// createTimeSkipping gives the server a fixed five seconds to answer (sdk-core ephemeral_server: 50 tries,
// 100 ms apart). The server answers in about half a second on a quiet machine, but under
// `npm run test:dates` every clock read of the JVM goes through libfaketime and the start takes 3–8 s on
// two busy cores: a test must not fail for that. So the wrapper (ops/bin/temporal-test-server) is started
// here with a generous wait, and the environment connects to it as to an existing server that supports
// time skipping — what createTimeSkipping does after its own start.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { testDataConverter } from '../../testkit/payload-keys.js';

const START_TIMEOUT_MS = 60_000;

export interface OwnTestServer {
  env: TestWorkflowEnvironment;
  /** Closes the connections and stops the server process. */
  teardown(): Promise<void>;
}

// TestWorkflowEnvironment.create is private in @temporalio/testing (pinned at 1.24.0 in package.json); it is
// what createTimeSkipping and createFromExistingServer both call. The shape is checked at run time below.
type CreateEnvironment = (opts: { server: { type: 'existing' }; address: string; supportsTimeSkipping: boolean; namespace?: string; client?: { dataConverter?: typeof testDataConverter } }) => Promise<TestWorkflowEnvironment>;

export async function startTestServer(wrapperPath: string): Promise<OwnTestServer> {
  const create = (TestWorkflowEnvironment as unknown as { create?: CreateEnvironment }).create;
  if (typeof create !== 'function') throw new Error('@temporalio/testing no longer has TestWorkflowEnvironment.create: see test/support/test-server.ts');
  const port = await freePort();
  const child = spawn(wrapperPath, [String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  try {
    await waitForPort(port, child, () => stderr);
    const env = await create.call(TestWorkflowEnvironment, { server: { type: 'existing' }, address: `127.0.0.1:${port}`, supportsTimeSkipping: true, namespace: 'default', client: { dataConverter: testDataConverter } });
    return {
      env,
      async teardown() {
        await env.teardown();
        await stop(child);
      },
    };
  } catch (err) {
    await stop(child);
    throw err;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the time-skipping test server exited (${child.exitCode ?? child.signalCode}) before it answered on port ${port}:\n${output()}`);
    }
    if (await canConnect(port)) return;
    if (Date.now() > deadline) throw new Error(`the time-skipping test server did not answer on port ${port} within ${START_TIMEOUT_MS / 1000} s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// The wrapper execs java, so the signal reaches the JVM itself.
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}
