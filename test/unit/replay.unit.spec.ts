// Replays every recorded workflow history (test/fixtures/histories/, recorded by
// test/fixtures/record-histories.ts) against the current workflow code. A change to the workflows that
// would break a running case — a different command order, a timer or activity added or removed without
// patched(), a retired patch's deprecatePatch() moved or dropped too early — fails here with the
// nondeterminism error, without any server. histories/archived/<set>/ holds the recordings of earlier
// workflow code whose runs may still be open (recorded-by-main-<commit>: by the code before the patches
// were retired, workflows/retired-patches.ts), replayed as well.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleWorkflowCode, Worker, type ReplayResult } from '@temporalio/worker';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { historyFromJSON } from '../support/history-json.js';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { workflowBundle } from '../support/temporal.js';
import { testDataConverter } from '../../testkit/payload-keys.js';
import { PATH_NAMES } from '../support/paths.js';
import { HISTORIES_DIR, MANIFEST, type RecordedHistory } from '../fixtures/record-histories.js';

const ARCHIVED_DIR = path.join(HISTORIES_DIR, 'archived');

interface Recorded {
  manifest: RecordedHistory[];
  files: string[];
  histories: { workflowId: string; file: string; history: History }[];
}

/** The histories of one directory, as its manifest lists them. */
function recordedIn(dir: string): Recorded {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json') && f !== MANIFEST).sort() : [];
  const manifestFile = path.join(dir, MANIFEST);
  const manifest: RecordedHistory[] = fs.existsSync(manifestFile) ? JSON.parse(fs.readFileSync(manifestFile, 'utf8')) : [];
  const histories = manifest.map((entry) => ({
    workflowId: entry.workflowId,
    file: path.relative(HISTORIES_DIR, path.join(dir, entry.file)),
    history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, entry.file), 'utf8'))),
  }));
  return { manifest, files, histories };
}

// Histories recorded by earlier versions of the workflows: running cases of those versions must go on
// replaying.
const archivedDirs = fs.existsSync(ARCHIVED_DIR)
  ? fs.readdirSync(ARCHIVED_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(ARCHIVED_DIR, d.name))
  : [];

async function replayAll(histories: HistoryAndWorkflowId[], bundle: { code: string }): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'recorded-histories', dataConverter: testDataConverter }, histories)) results.push(result);
  return results;
}

describe('replay of the recorded workflow histories', () => {
  const current = recordedIn(HISTORIES_DIR);
  const archived = archivedDirs.map(recordedIn);
  const all = [current, ...archived].flatMap((r) => r.histories);

  it('has a recorded history for every lifecycle path, each file listed in its manifest', () => {
    expect(current.files.length, `no recorded histories in ${HISTORIES_DIR}: run npm run record-histories`).toBeGreaterThan(0);
    for (const r of [current, ...archived]) expect(r.manifest.map((m) => m.file).sort()).toEqual(r.files);
    for (const name of PATH_NAMES) expect(current.manifest.filter((m) => m.path === name && m.workflowType === 'caseWorkflow').length, name).toBeGreaterThan(0);
    expect(current.manifest.some((m) => m.workflowType === 'referralWorkflow'), 'a referral child history').toBe(true);
    // Each history is a whole run from its start, not an empty or truncated file.
    for (const { file, history } of all) {
      expect(history.events?.[0]?.workflowExecutionStartedEventAttributes, file).toBeTruthy();
      expect(history.events?.length ?? 0, file).toBeGreaterThan(3);
    }
  });

  it('holds the current recordings encrypted, as the server stores them, and decodes them with the test keyring', async () => {
    const codec = testDataConverter.payloadCodecs![0]!;
    for (const { file, history } of current.histories) {
      const inputs = (history.events ?? []).flatMap((e) => [
        ...(e.workflowExecutionStartedEventAttributes?.input?.payloads ?? []),
        ...(e.activityTaskScheduledEventAttributes?.input?.payloads ?? []),
      ]) as Payload[];
      expect(inputs.length, file).toBeGreaterThan(0);
      for (const p of inputs) expect(Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString(), file).toBe('binary/encrypted');
      const [started] = await codec.decode([inputs[0]!]);
      expect(Buffer.from(started!.metadata!.encoding!).toString(), file).toBe('json/plain');
      expect(JSON.parse(Buffer.from(started!.data!).toString()), file).toHaveProperty('caseId');
    }
  });

  it('replays every recorded history against the current workflow code without nondeterminism', { timeout: 120_000 }, async () => {
    expect(all.length).toBeGreaterThan(0);
    const results = await replayAll(all, await workflowBundle());
    expect(results.map((r, i) => [all[i]?.file, r.workflowId, r.error ? `${r.error.name}: ${r.error.message}` : null])).toEqual(
      all.map((h) => [h.file, h.workflowId, null]),
    );
  });

  // Tracing turned on for a worker (runtime/tracing.ts) while cases recorded without it are running: the
  // tracing workflow interceptors and the trace context the outbox keeps change no command.
  it('replays every recorded history with the tracing workflow interceptors in the bundle', { timeout: 180_000 }, async () => {
    const results: ReplayResult[] = [];
    const exported: unknown[] = [];
    const sinks = { exporter: { export: { fn: (_info: unknown, spans: unknown[]) => void exported.push(...spans) } } };
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle({ traced: true }), replayName: 'recorded-histories-traced', dataConverter: testDataConverter, sinks }, all)) results.push(result);
    expect(results.map((r, i) => [all[i]?.file, r.workflowId, r.error ? `${r.error.name}: ${r.error.message}` : null])).toEqual(all.map((h) => [h.file, h.workflowId, null]));
    // Replay exports nothing (the spans were the original run's business).
    expect(exported).toEqual([]);
  });

  it('fails the replay against workflow code that decides differently (the control)', { timeout: 120_000 }, async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../fixtures/replay-mismatch-workflow.ts', import.meta.url)),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    const some = current.histories.slice(0, 2);
    const results = await replayAll(some, { code });
    expect(results).toHaveLength(some.length);
    for (const r of results) expect(r.error?.name, r.workflowId).toBe('DeterminismViolationError');
  });
});
