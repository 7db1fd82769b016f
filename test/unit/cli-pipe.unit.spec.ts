// `mediation audit … | head` closes the pipe early: the command ends quietly (exit 0), no EPIPE stack trace.
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { endQuietlyOnClosedPipe } from '../../cli/main.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('a closed output pipe', () => {
  it('ends the command with exit code 0 on EPIPE, and still throws any other stream error', () => {
    const stream = new EventEmitter();
    const exits: number[] = [];
    endQuietlyOnClosedPipe(stream, (code) => exits.push(code));
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(exits).toEqual([0]);
    expect(() => stream.emit('error', Object.assign(new Error('disk full'), { code: 'ENOSPC' }))).toThrow('disk full');
  });

  it('lets `mediation deadline --help | head -c 1` end without a stack trace', () => {
    const result = spawnSync('sh', ['-c', 'node bin/mediation.mjs deadline --help | head -c 1 >/dev/null; node bin/mediation.mjs --help | true'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stderr).not.toMatch(/EPIPE|Error/);
  });
});
