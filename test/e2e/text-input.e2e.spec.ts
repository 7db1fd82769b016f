// What a caller may put in a text field, through the real stack (issue 21 §2 and §3): plain text only (the
// edge encrypts; an encrypted-looking object from outside is a 400 and writes nothing), no refused character
// in any name or free text (checked on the plain text before encryption, for intake and every command), and a
// stored value that cannot be decrypted reads as 无法解密 without failing the read.
import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { textSubjectOf } from '../../events/index.js';
import type { PersonalDataKeys } from '../../runtime/personal-data-keys.js';
import type { caseWorkflow } from '../../workflows/case-workflow.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { clerk as clerkActor, request } from '../../testkit/cases.js';
import { testPersonalDataKeys } from '../../testkit/payload-keys.js';
import { describeWithStack } from '../support/stack.js';

const newCase = (over: { complainantName?: string; respondentName?: string; summary?: unknown; caseNumber?: string } = {}) => ({
  ...(over.caseNumber ? { caseNumber: over.caseNumber } : {}),
  channel: 'walk-in',
  complainants: [{ name: over.complainantName ?? '王五', phone: '13800000000' }],
  workerCount: 1,
  respondent: { name: over.respondentName ?? '某某机械有限公司', creditCode: '91330100MA2XXXXX1B', town: '城关镇', industry: 'machinery', responsibleDepartment: '经信局', level: 'enterprise' },
  claim: { disputeTypeHint: 'wage-arrears', summary: over.summary ?? '拖欠两个月工资', amountClaimedFen: 900_000 },
});

/** A case number the API takes (letters, digits and dashes), new each run. */
const caseNumber = (prefix: string) => `${prefix}-${crypto.randomBytes(6).toString('hex').toUpperCase()}`;

type Problem = { code: string; detail: string; errors?: { field: string; message: string }[] };

describeWithStack('text from a caller: plain, checked before encryption, and read safely', () => {
  let s: ApiStack;
  let keys: PersonalDataKeys;
  let caseId = '';

  const view = async (id: string) => s.call('auditor', 'GET', `/cases/${id}/state`);
  const version = async (id: string) => ((await view(id)).body as { state: { version: number } }).state.version;
  const waitForReadModel = async (id: string) => {
    for (let i = 0; i < 150; i++) {
      if ((await s.call('auditor', 'GET', `/cases/${id}`)).status === 200) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`case ${id} did not reach the read model`);
  };
  const expectRefused = (res: { status: number; body: unknown }, field: string, message: RegExp) => {
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    const problem = res.body as Problem;
    expect(problem.code).toBe('validation');
    expect(problem.errors?.map((e) => e.field)).toEqual([field]);
    expect(problem.errors?.[0]?.message).toMatch(message);
  };

  beforeAll(async () => {
    s = await startApiStack('text-input');
    keys = testPersonalDataKeys(s.db);
    const created = await s.call('clerk', 'POST', '/cases', newCase({ summary: '拖欠工资：\n一月、二月' }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    caseId = (created.body as { caseId: string }).caseId;
    expect((await s.call('clerk', 'POST', `/cases/${caseId}/commands/AcceptCase`, {})).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await s?.stop();
  });

  it('refuses a client-made encrypted object on a command, even with the case’s real key id, and writes nothing', async () => {
    // The case's real text key: the edge made it when it encrypted the claim summary.
    const real = await keys.encrypt(textSubjectOf(caseId), '占位');
    const before = await version(caseId);
    for (const keyId of ['dk-fake', real.keyId]) {
      const forged = { pii: true, ref: textSubjectOf(caseId), keyId, nonce: real.nonce, ciphertext: Buffer.from('客户端自制的密文').toString('base64') };
      expectRefused(await s.call('supervisor-town', 'POST', `/cases/${caseId}/commands/IssueSupervision`, { note: forged }), 'note', /只接受纯文本/);
      expectRefused(await s.call('clerk', 'POST', `/cases/${caseId}/commands/SendReply`, { method: 'written', summary: forged }), 'summary', /只接受纯文本/);
    }
    expect(await version(caseId)).toBe(before);
    // The timeline still answers.
    expect((await s.call('mediator', 'GET', `/cases/${caseId}/timeline`)).status).toBe(200);
  });

  it('refuses a client-made encrypted claim summary on POST /cases, and starts no case', async () => {
    const number = caseNumber('MC-FORGED');
    const forged = { pii: true, ref: 'person-someone-else', keyId: 'dk-fake', nonce: 'AAAAAAAAAAAAAAAA', ciphertext: Buffer.from('明文').toString('base64') };
    const res = await s.call('clerk', 'POST', '/cases', newCase({ caseNumber: number, summary: forged }));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect((res.body as Problem).errors?.map((e) => e.field)).toEqual(['claim.summary']);
    expect((await view(number)).status).toBe(404);
  });

  it('refuses NUL in an IssueSupervision note and a SendReply summary, naming the field, and writes nothing', async () => {
    const before = await version(caseId);
    expectRefused(await s.call('supervisor-town', 'POST', `/cases/${caseId}/commands/IssueSupervision`, { note: '请尽快处理\u0000' }), 'note', /不得包含空字符或其他控制字符/);
    expectRefused(await s.call('clerk', 'POST', `/cases/${caseId}/commands/SendReply`, { method: 'written', summary: '已电话告知\u0000' }), 'summary', /控制字符/);
    expectRefused(await s.call('clerk', 'POST', `/cases/${caseId}/commands/SendReply`, { method: 'written', summary: '已告知\u202E果结' }), 'summary', /双向文本控制字符/);
    expect(await version(caseId)).toBe(before);
  });

  it('refuses U+202E in a respondent name and in a complainant name at intake, naming the field, and starts no case', async () => {
    for (const [body, field] of [
      [newCase({ respondentName: '嘉兴\u202E司公某', caseNumber: caseNumber('MC-BIDI-R') }), 'respondent.name'],
      [newCase({ complainantName: '张\u202E三', caseNumber: caseNumber('MC-BIDI-C') }), 'complainants.0.name'],
    ] as const) {
      expectRefused(await s.call('clerk', 'POST', '/cases', body), field, /双向文本控制字符.*U\+202E/);
      expect((await view(body.caseNumber!)).status).toBe(404);
    }
  });

  it('passes ordinary Chinese text with newlines in free text', async () => {
    const note = '督办意见：\n1. 三日内联系企业；\n2. 回报进展。';
    const res = await s.call('supervisor-town', 'POST', `/cases/${caseId}/commands/IssueSupervision`, { note });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const reply = await s.call('clerk', 'POST', `/cases/${caseId}/commands/SendReply`, { method: 'phone', summary: '已电话告知申请人：\n案件已受理。' });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    await waitForReadModel(caseId);
    for (let i = 0; i < 50; i++) {
      const text = JSON.stringify((await s.call('mediator', 'GET', `/cases/${caseId}/timeline`)).body);
      if (text.includes(JSON.stringify(note).slice(1, -1))) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect.fail('the note did not reach the timeline');
  });

  it('reads a stored value it cannot decrypt as 无法解密, and the rest of the case as it is', async () => {
    // Written past the edge (a Temporal client of its own), as a value would be from before this check: the
    // case's real text key id, a ciphertext that key never made.
    const id = caseNumber('MC-UNREADABLE');
    const personId = `${id}-p1`;
    const name = await keys.encrypt(personId, '李四');
    const real = await keys.encrypt(textSubjectOf(id), '占位');
    const summary = { ...real, ciphertext: Buffer.from('不是这把密钥加密的').toString('base64') };
    const input = {
      caseId: id,
      receive: request(
        {
          type: 'ReceiveCase' as const,
          caseId: id,
          data: {
            channel: 'walk-in' as const,
            complainants: [{ personId, name, isRepresentative: true }],
            workerCount: 1,
            respondent: { name: '某某纺织有限公司', creditCode: '91330100MA2XXXXX1B', town: '城关镇', industry: 'textiles', responsibleDepartment: '经信局', level: 'enterprise' as const },
            claim: { disputeTypeHint: 'wage-arrears' as const, summary, amountClaimedFen: 1_000 },
          },
        },
        clerkActor,
      ),
    };
    await s.client.workflow.start<typeof caseWorkflow>('caseWorkflow', { workflowId: id, taskQueue: s.taskQueue, args: [input] });
    await waitForReadModel(id);

    const timeline = await s.call('mediator', 'GET', `/cases/${id}/timeline`);
    expect(timeline.status, JSON.stringify(timeline.body)).toBe(200);
    const received = (timeline.body as Array<{ type: string }>).find((e) => e.type === 'CaseReceived');
    expect(JSON.stringify(received)).toContain('无法解密');
    expect(JSON.stringify(received)).toContain('某某纺织有限公司');

    const people = await s.call('clerk', 'GET', `/cases/${id}/complainants`);
    expect(people.status, JSON.stringify(people.body)).toBe(200);
    expect(people.body).toMatchObject({ claimSummary: '无法解密', complainants: [{ name: '李四', erased: false }] });
    const english = await s.call('clerk', 'GET', `/cases/${id}/complainants`, undefined, { 'accept-language': 'en' });
    expect(english.body).toMatchObject({ claimSummary: 'unreadable' });
  });
});
