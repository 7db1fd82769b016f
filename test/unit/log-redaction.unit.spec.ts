// Logs redact personal data by structure, at any depth: a marked field never shows its value or ciphertext.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactPersonalFields } from '../../runtime/log.js';
import { personalValue } from '../../events/personal-data.js';

const SALT = '0123456789abcdef0123456789abcdef';
const encrypted = { pii: true, ref: 'person-9', keyId: 'dk-1', nonce: 'AAAAAAAAAAAAAAAA', ciphertext: 'Q0lQSEVSVEVYVA==' };

describe('log redaction by structure', () => {
  it('given marked fields five levels deep, in arrays, plain or encrypted, then only { pii, ref } remains', () => {
    const deep = { a: { b: { c: { d: [{ e: { name: personalValue('person-1', '独特姓名甲', SALT), phone: encrypted } }] } } } };
    const out = JSON.stringify(redactPersonalFields(deep));
    expect(out).not.toContain('独特姓名甲');
    expect(out).not.toContain(SALT);
    expect(out).not.toContain('Q0lQSEVSVEVYVA==');
    expect(out).toContain('"ref":"person-1"');
    expect(out).toContain('"ref":"person-9"');
  });

  it('leaves objects without personal fields untouched (same object) and errors as errors', () => {
    const plain = { a: { b: [1, 2, { c: 'x' }] } };
    expect(redactPersonalFields(plain)).toBe(plain);
    const err = new Error('boom');
    expect(redactPersonalFields({ err }) as { err: unknown }).toEqual({ err });
    const cyclic: Record<string, unknown> = { name: personalValue('p', '循环姓名', SALT) };
    cyclic.self = cyclic;
    expect(JSON.stringify((redactPersonalFields(cyclic) as { name: unknown }).name)).not.toContain('循环姓名');
  });

  it('applies to every line a process logger writes', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const log = createLogger('t', 'info', sink);
    log.info({ event: { data: { complainants: [{ name: personalValue('person-1', '日志里的姓名', SALT), phone: encrypted }] } } }, 'sealed');
    log.child({ component: 'x' }).warn({ request: { body: { deep: { deeper: { name: personalValue('person-2', '更深的姓名', SALT) } } } } }, 'failed');
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(2);
    expect(lines.join('')).not.toContain('更深的姓名');
    expect(lines.join('')).not.toContain('Q0lQSEVSVEVYVA==');
    expect(lines.join('')).toContain('person-1');
    expect(lines.join('')).not.toContain('日志里的姓名');
  });
});
