// The staff console in a real browser: Debian's Chromium driven by playwright-core, against the whole
// stack (Temporal dev server, Kafka, the projector, the API serving the built console, the local OpenID
// provider). Each role signs in on the provider's own page; the case goes from intake to closing through
// the console only. Every screen is screenshotted into artifacts/console/ and checked with axe-core.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createApi, type Api } from '../../api/server.js';
import { CONSOLE_CLIENT_ID } from '../../ops/oidc/accounts.js';
import { startProjector, type RunningProjector } from '../../readmodels/consumer.js';
import { openDb, type Db } from '../../readmodels/db.js';
import { testDataConverter, testPersonalDataKeys } from '../../testkit/payload-keys.js';
import { stackVerifier } from '../support/api.js';
import { launchChromium, signInOnProvider } from '../support/browser.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { createTopic, startCaseWorker, type RunningWorker } from '../support/temporal.js';

const ARTIFACTS = path.resolve(import.meta.dirname, '..', '..', 'artifacts', 'console');
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// A valid resident ID number and credit code (check digits right), and one of each with a wrong check.
const ID_NUMBER = '11010519491231002X';
const CREDIT_CODE = '91330100MA2XXXXX1B';
/** Another person (check digit right): the same enterprise, another complainant. */
const OTHER_ID_NUMBER = '110105198001010016';

describeWithStack('the staff console in Chromium, through the whole lifecycle', () => {
  const taskQueue = uniqueName('tq_console');
  const topic = uniqueName('case_events_console');
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let worker: RunningWorker;
  let projector: RunningProjector;
  let db: Db;
  let admin: Admin;
  let api: Api;
  let base: string;
  let browser: Browser;
  const contexts = new Map<string, { context: BrowserContext; page: Page }>();
  const firstPaints: Record<string, number> = {};
  /** Milliseconds from navigation until the sign-in button can be clicked (the console's code loaded and run). */
  const signInReady: Record<string, number> = {};
  const axeFindings: string[] = [];
  let caseId = '';
  /** The second case: the same complainant again, linked to the first at intake; kept open for the liaisons and the supervisor. */
  let secondCaseId = '';

  beforeAll(async () => {
    const { temporalAddress, kafkaBrokers } = stack!;
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await createTopic(kafkaBrokers, topic, 3);
    nativeConnection = await NativeConnection.connect({ address: temporalAddress });
    worker = await startCaseWorker({ connection: nativeConnection, taskQueue, brokers: kafkaBrokers, topic });
    db = await openDb({ memory: true });
    const log = pino({ level: 'warn' });
    projector = await startProjector({ db, schema: 'rm', brokers: kafkaBrokers, topic, groupId: uniqueName('projector'), log });
    connection = await Connection.connect({ address: temporalAddress });
    admin = new Kafka({ clientId: 'browser-test', brokers: kafkaBrokers, logLevel: logLevel.ERROR }).admin();
    await admin.connect();
    const issuer = process.env.OIDC_ISSUER!;
    api = await createApi({
      temporal: new Client({ connection, dataConverter: testDataConverter }),
      taskQueue,
      kafkaAdmin: admin,
      db,
      schema: 'rm',
      projectorLag: projector.lag,
      log,
      verify: await stackVerifier(),
      personalDataKeys: testPersonalDataKeys(db),
      oidc: { issuer, consoleClientId: CONSOLE_CLIENT_ID },
    });
    // The provider sends the browser back to the console's registered callback: one of the ports npm test
    // registers (ops/config.ts consolePorts). API_PORT belongs to the Web UI codec test, which runs beside this.
    base = await api.listen({ port: Number(process.env.CONSOLE_TEST_PORT ?? 18081), host: '127.0.0.1' });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    for (const { context } of contexts.values()) await context.close().catch(() => undefined);
    await browser?.close();
    await api?.close();
    await projector?.stop();
    await worker?.stop();
    await admin?.disconnect();
    await connection?.close();
    await nativeConnection?.close();
    await db?.close();
    if (axeFindings.length) process.stdout.write(`axe (serious/critical):\n  ${axeFindings.join('\n  ')}\n`);
    if (Object.keys(firstPaints).length) process.stdout.write(`console first contentful paint (ms): ${JSON.stringify(firstPaints)}; sign-in button ready (ms): ${JSON.stringify(signInReady)}\n`);
  });

  // A failed step leaves a picture of every open window, to see what the user would have seen.
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    for (const [who, { page }] of contexts) await page.screenshot({ path: path.join(ARTIFACTS, `failed-${ctx.task.name.slice(0, 20)}-${who}.png`) }).catch(() => undefined);
  });

  /** A browser window for a seeded account, signed in through the provider's login form. */
  async function as(username: string): Promise<Page> {
    const known = contexts.get(username);
    if (known) return known.page;
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    contexts.set(username, { context, page });
    await page.goto(`${base}/work`);
    const fcp = await page.evaluate(async () => {
      for (let i = 0; i < 50; i++) {
        const entry = performance.getEntriesByName('first-contentful-paint')[0];
        if (entry) return entry.startTime;
        await new Promise((r) => setTimeout(r, 100));
      }
      return -1;
    });
    firstPaints[username] = Math.round(fcp);
    await page.getByRole('button', { name: '登录' }).waitFor();
    signInReady[username] = Math.round(await page.evaluate(() => performance.now()));
    await page.getByRole('button', { name: '登录' }).click();
    await signInOnProvider(page, username);
    await expect.poll(() => page.getByTestId('who').textContent(), { timeout: 20_000 }).toContain(username);
    return page;
  }

  async function screen(page: Page, name: string): Promise<void> {
    // Best effort before the screenshot: the screens poll their queries, and on a loaded machine the polls
    // can overlap so that the network is never idle for long. What the test checks, it waits for itself.
    await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
    // Evaluated through the debugging protocol: the console's CSP (script-src 'self') rightly refuses inline scripts.
    if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axeSource);
    const result = await page.evaluate(() => (globalThis as unknown as { axe: { run: (o: unknown) => Promise<{ violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] }> } }).axe.run({ runOnly: ['wcag2a', 'wcag2aa'] }));
    for (const v of result.violations) {
      if (v.impact === 'serious' || v.impact === 'critical') axeFindings.push(`${name}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
    }
  }

  /** An antd Select, by keyboard as a clerk would: type the option's words, then Enter. */
  async function choose(page: Page, label: string, option: string, opts: { multiple?: boolean } = {}): Promise<void> {
    const box = page.getByLabel(label, { exact: true });
    await box.click();
    await box.fill(option);
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).first().waitFor();
    await page.keyboard.press('Enter');
    // A multiple select stays open over the form (Tab would toggle the option off again): click beside it.
    if (opts.multiple) await page.getByRole('dialog').locator('.ant-modal-title').click();
  }

  async function act(page: Page, action: string, fill: () => Promise<void> = async () => undefined): Promise<void> {
    await page.locator(`[data-action=${action}]`).first().click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    // As a person would: only once the form has finished opening. On a loaded machine a click during antd's
    // opening animation was lost (CI: the dialog stayed open, its button never busy, no command sent).
    await expect.poll(() => page.locator('.ant-zoom-appear, .ant-zoom-enter').count(), { timeout: 10_000 }).toBe(0);
    await fill();
    await dialog.getByRole('button', { name: '提交' }).click();
    await expect.poll(() => dialog.isVisible(), { timeout: 20_000 }).toBe(false);
  }

  async function openCase(page: Page): Promise<void> {
    expect(caseId, 'the clerk received no case').not.toBe('');
    await page.goto(`${base}/case/${caseId}`);
    await expect.poll(() => page.getByTestId('case-title').textContent(), { timeout: 15_000 }).toContain(caseId);
  }

  it('a clerk receives a case: the form is checked as they type, and the receipt names the reply deadline', async () => {
    const page = await as('clerk');
    await page.goto(`${base}/intake`);
    await page.getByLabel('姓名 1').fill('王五');
    await page.getByLabel('身份证号').fill('110105194912310021'); // wrong check digit
    await page.getByLabel('电话', { exact: true }).fill('13800000000');
    await page.getByLabel('企业名称').fill('某某机械有限公司');
    await page.getByLabel('统一社会信用代码').fill(CREDIT_CODE);
    await choose(page, '所在镇街', '城关镇');
    await page.getByLabel('行业').fill('machinery');
    await choose(page, '分管部门', '经信局');
    await choose(page, '争议类型', '拖欠工资');
    await page.getByLabel('诉求摘要').fill('拖欠两个月工资');
    await page.getByLabel('诉求金额（元）').fill('9000');
    // The core's check-digit rule, in Chinese, at the field — before anything is sent.
    const idError = page.locator('.ant-form-item', { has: page.getByLabel('身份证号') }).locator('.ant-form-item-explain-error');
    await expect.poll(() => idError.textContent(), { timeout: 10_000 }).toMatch(/校验|身份证/);
    await screen(page, '01-intake-checked');
    await page.getByLabel('身份证号').fill(ID_NUMBER);
    await expect.poll(() => idError.count(), { timeout: 10_000 }).toBe(0);
    await page.getByRole('button', { name: '登记', exact: true }).click();
    await expect.poll(() => page.getByTestId('receipt-case-id').textContent().catch(() => ''), { timeout: 20_000 }).toMatch(/^MC-\d{8}-[0-9A-F]{6}$/);
    caseId = (await page.getByTestId('receipt-case-id').textContent())!;
    expect(await page.getByTestId('receipt-deadline').textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    await screen(page, '02-receipt');
  }, 150_000);

  it('a clerk is warned at intake that the same complainant has an open case against the enterprise, and links the new case to it', async () => {
    const page = await as('clerk');
    await page.goto(`${base}/intake`);
    await page.getByLabel('姓名 1').fill('王五');
    await page.getByLabel('身份证号').fill(OTHER_ID_NUMBER);
    await page.getByLabel('电话', { exact: true }).fill('13800000000');
    await page.getByLabel('企业名称').fill('某某机械有限公司');
    await page.getByLabel('统一社会信用代码').fill(CREDIT_CODE);
    await choose(page, '所在镇街', '城关镇');
    await page.getByLabel('行业').fill('machinery');
    await choose(page, '分管部门', '经信局');
    await choose(page, '争议类型', '拖欠工资');
    await page.getByLabel('诉求摘要').fill('仍未支付加班费');
    // Another person at the same enterprise: a warning about the enterprise only.
    await expect.poll(() => page.getByTestId('same-enterprise').textContent().catch(() => ''), { timeout: 15_000 }).toContain(caseId);
    expect(await page.getByTestId('same-complainant').count()).toBe(0);
    // The same person (the ID number is compared by its blind index on the server): the stronger warning, with merge offered.
    await page.getByLabel('身份证号').fill(ID_NUMBER);
    await expect.poll(() => page.getByTestId('same-complainant').textContent().catch(() => ''), { timeout: 15_000 }).toContain(caseId);
    expect(await page.getByTestId('same-enterprise').count()).toBe(0);
    expect(await page.getByTestId('same-complainant').getByTestId('merge-duplicate').count()).toBe(1);
    expect(await page.getByTestId('same-complainant').textContent()).toMatch(/同一投诉人/);
    await screen(page, '01b-intake-duplicate-warning');
    await page.getByTestId('same-complainant').getByTestId('link-duplicate').click();
    await expect.poll(() => page.getByTestId('receipt-case-id').textContent().catch(() => ''), { timeout: 20_000 }).toMatch(/^MC-\d{8}-[0-9A-F]{6}$/);
    secondCaseId = (await page.getByTestId('receipt-case-id').textContent())!;
    expect(secondCaseId).not.toBe(caseId);
    // The link is the core's CaseLinked event, on the new case's timeline.
    await page.goto(`${base}/case/${secondCaseId}`);
    await expect.poll(() => page.locator('.ant-timeline').textContent(), { timeout: 20_000 }).toContain('关联案件');
  }, 150_000);

  it('the clerk finds it in 待办, accepts, classifies and routes it', async () => {
    const page = await as('clerk');
    await page.goto(`${base}/work`);
    await expect.poll(async () => (await page.locator('tr', { hasText: caseId }).count()) > 0, { timeout: 20_000 }).toBe(true);
    expect(await page.locator('tr', { hasText: caseId }).locator('[data-light]').getAttribute('data-light')).toBe('green');
    await screen(page, '03-my-work');
    await openCase(page);
    await act(page, 'AcceptCase');
    await act(page, 'ClassifyCase', () => choose(page, '争议类型', '拖欠工资'));
    await act(page, 'RouteCase');
    await expect.poll(() => page.getByTestId('case-status').textContent(), { timeout: 15_000 }).toBe('已分流');
    await expect.poll(() => page.locator('.ant-timeline').textContent(), { timeout: 15_000 }).toContain('分流交办');
    await screen(page, '04-case-routed');
  }, 150_000);

  it('a liaison accepts the referral from the queue; a liaison of another department cannot open the case', async () => {
    const page = await as('liaison-hr');
    await page.goto(`${base}/queue`);
    await expect.poll(async () => (await page.locator('tr', { hasText: caseId }).count()) > 0, { timeout: 20_000 }).toBe(true);
    await screen(page, '05-liaison-queue');
    await openCase(page);
    await act(page, 'AcceptReferral');
    await expect.poll(() => page.locator('.ant-card', { hasText: '部门协办' }).textContent(), { timeout: 15_000 }).toContain('已接收');

    const other = await as('liaison-justice');
    await other.goto(`${base}/case/${caseId}`);
    await expect.poll(() => other.getByTestId('case-error').textContent(), { timeout: 15_000 }).toContain('不在您的职责范围内');
    await screen(other, '06-other-department-refused');
  }, 150_000);

  it('a mediator is refused a session in the past (in Chinese), then schedules and holds one and records the agreement', async () => {
    const page = await as('mediator');
    await openCase(page);
    const chinaLocal = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19);
    // Refused by the core: the reason comes back in Chinese and the form stays open.
    await page.locator('[data-action=ScheduleSession]').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('调解时间（北京时间）').fill(chinaLocal(Date.now() - 3_600_000));
    await dialog.getByLabel('地点').fill('城关镇调解室');
    await choose(page, '参加部门', '工会', { multiple: true });
    await dialog.getByRole('button', { name: '提交' }).click();
    await expect.poll(() => dialog.getByTestId('refusal').textContent(), { timeout: 15_000 }).toMatch(/[\u4e00-\u9fff]/);
    await screen(page, '07-refused-in-chinese');
    const sessionAt = Date.now() + 8_000;
    await dialog.getByLabel('调解时间（北京时间）').fill(chinaLocal(sessionAt));
    await dialog.getByRole('button', { name: '提交' }).click();
    await expect.poll(() => dialog.isVisible(), { timeout: 20_000 }).toBe(false);
    await expect.poll(() => page.getByTestId('case-status').textContent(), { timeout: 15_000 }).toBe('调解中');

    // The session can be recorded as held once its time has come: the action appears then.
    await new Promise((r) => setTimeout(r, Math.max(0, sessionAt - Date.now() + 1_000)));
    await page.reload();
    await act(page, 'HoldSession', async () => {
      await choose(page, '结果', '有进展');
      await page.getByRole('dialog').getByLabel('调解笔录').fill('双方陈述，企业同意分期支付');
    });
    await act(page, 'RecordAgreement', async () => {
      const d = page.getByRole('dialog');
      await d.getByLabel('协议总金额（分）').fill('900000');
      await d.getByRole('button', { name: '添加协议事项' }).click();
      await choose(page, '类别', '工资');
      await d.getByLabel('金额（分）', { exact: true }).first().fill('900000');
      await d.getByRole('button', { name: '添加履行计划' }).click();
      await d.getByLabel('履行日期').fill(new Date(Date.now() + 8 * 3_600_000 + 10 * 86_400_000).toISOString().slice(0, 10));
      await d.getByLabel('金额（分）', { exact: true }).nth(1).fill('900000');
      await d.getByLabel('协议内容').fill('企业于十日内一次付清拖欠工资');
    });
    await expect.poll(() => page.getByTestId('case-status').textContent(), { timeout: 15_000 }).toBe('达成协议');
    await screen(page, '08-case-agreement');
  }, 150_000);

  it('the reply and the feedback are sent, and the case is closed', async () => {
    const page = await as('mediator');
    await openCase(page);
    await act(page, 'SendReply', async () => {
      await choose(page, '答复方式', '书面');
      await page.getByRole('dialog').getByLabel('答复内容').fill('已达成调解协议，企业十日内付清');
    });
    await act(page, 'RecordFeedback', () => page.getByRole('dialog').getByLabel('满意度（1–5）').fill('5'));
    await act(page, 'CloseCase');
    await expect.poll(() => page.getByTestId('case-status').textContent(), { timeout: 15_000 }).toBe('已结案');
    await expect.poll(() => page.locator('.ant-timeline').textContent(), { timeout: 15_000 }).toContain('结案');
    await screen(page, '09-case-closed');
  }, 150_000);

  it('a supervisor finds the case in the KPIs and on the boards', async () => {
    const page = await as('supervisor-county');
    await page.goto(`${base}/dashboard`);
    await expect.poll(async () => Number(await page.getByTestId('kpi-received').locator('.ant-statistic-content-value').textContent()), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    await page.locator('[data-testid=kpi-table] button', { hasText: '工会' }).first().click();
    await expect.poll(() => page.getByTestId('drill-down').textContent(), { timeout: 15_000 }).toContain(caseId);
    await screen(page, '10-dashboard');
    // Drill-down by level and by dispute type, to the cases.
    await page.locator('.ant-segmented-item', { hasText: '层级' }).click();
    await expect.poll(() => page.getByTestId('drill-down').count()).toBe(0);
    await page.locator('[data-testid=kpi-table] button[data-group]').first().click();
    await expect.poll(() => page.getByTestId('drill-down').textContent(), { timeout: 15_000 }).toMatch(/层级「.+」的案件/);
    expect(await page.getByTestId('drill-down').textContent()).toContain(caseId);
    await page.locator('.ant-segmented-item', { hasText: '类型' }).click();
    await page.locator('[data-testid=kpi-table] button', { hasText: '拖欠工资' }).first().click();
    await expect.poll(() => page.getByTestId('drill-down').textContent(), { timeout: 15_000 }).toContain(caseId);
    expect(await page.getByTestId('drill-down').textContent()).toContain(secondCaseId);
    expect(await page.getByTestId('drill-down').textContent()).toContain('拖欠工资');
    await screen(page, '10b-dashboard-drill-down-by-type');
    // English on request, Chinese again after.
    await page.getByText('English', { exact: true }).click();
    await expect.poll(() => page.locator('main h2').first().textContent()).toBe('Dashboard');
    await screen(page, '10-dashboard-en');
    await page.getByText('中文', { exact: true }).click();
    await expect.poll(() => page.locator('main h2').first().textContent()).toBe('驾驶舱');
    await page.goto(`${base}/board`);
    await screen(page, '11-supervision-board');
    await page.goto(`${base}/warnings`);
    await expect.poll(() => page.locator('.ant-table').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    // Two complaints against the enterprise in 30 days: it is warned, and its trend is drawn by ECharts.
    await expect.poll(() => page.getByTestId('warning-trend').locator('canvas').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('warning-trend').getByRole('img').getAttribute('aria-label')).toMatch(/某某机械有限公司 近30天 [2-9]\d* 件/);
    await screen(page, '12-early-warning');
  }, 150_000);

  it('an auditor opens its history, sees the chain verified and moves the as-of slider back to intake', async () => {
    const page = await as('auditor');
    await page.goto(`${base}/audit/${caseId}`);
    await expect.poll(() => page.getByTestId('verification').textContent(), { timeout: 20_000 }).toContain('哈希链校验通过');
    await expect.poll(() => page.getByTestId('comparison').textContent()).toContain('一致');
    expect(await page.getByTestId('as-of-status').textContent()).toBe('已结案');
    const all = Number(await page.getByTestId('events-applied').textContent());
    const handle = page.getByRole('slider');
    await handle.focus();
    await handle.press('Home');
    await expect.poll(async () => Number(await page.getByTestId('events-applied').textContent()), { timeout: 15_000 }).toBeLessThan(all);
    expect(await page.getByTestId('as-of-status').textContent()).toMatch(/已登记|无/);
    await screen(page, '13-audit-as-of');
    // The dossier as a JSON file: the whole verified history of this case, personal data redacted.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出卷宗 JSON' }).click()]);
    expect(download.suggestedFilename()).toBe(`dossier-${caseId}.json`);
    const text = fs.readFileSync((await download.path())!, 'utf8');
    const dossier = JSON.parse(text) as { caseId: string; verification: { ok: boolean }; events: { event: { type: string } }[]; timeline: unknown[] };
    expect(dossier.caseId).toBe(caseId);
    expect(dossier.verification.ok).toBe(true);
    expect(dossier.events.map((e) => e.event.type)).toEqual(expect.arrayContaining(['CaseReceived', 'CaseClosed']));
    expect(dossier.timeline.length).toBeGreaterThan(5);
    expect(text).not.toContain('王五');
    expect(text).not.toContain(ID_NUMBER);
    await page.goto(`${base}/dossier/${caseId}`);
    await expect.poll(() => page.locator('.print-page').textContent(), { timeout: 15_000 }).toContain('校验通过');
    expect(await page.locator('.print-page').textContent()).toContain(caseId);
    // The printable page has a print stylesheet: printed, the console's menus are gone.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.print-page').isVisible()).toBe(true);
    await screen(page, '14-dossier-print');
    await page.emulateMedia({ media: 'screen' });
  }, 150_000);

  it('on the second case, a liaison answers the referral and another objects to mis-routing', async () => {
    expect(secondCaseId, 'the clerk received no second case').not.toBe('');
    const clerk = await as('clerk');
    await clerk.goto(`${base}/case/${secondCaseId}`);
    await expect.poll(() => clerk.getByTestId('case-title').textContent(), { timeout: 15_000 }).toContain(secondCaseId);
    await act(clerk, 'AcceptCase');
    await act(clerk, 'ClassifyCase', () => choose(clerk, '争议类型', '拖欠工资'));
    await act(clerk, 'RouteCase');
    await expect.poll(() => clerk.getByTestId('case-status').textContent(), { timeout: 15_000 }).toBe('已分流');

    const hr = await as('liaison-hr');
    await hr.goto(`${base}/case/${secondCaseId}`);
    await expect.poll(() => hr.locator('[data-action=AcceptReferral]').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await act(hr, 'AcceptReferral');
    await act(hr, 'AnswerReferral', () => hr.getByRole('dialog').getByLabel('意见').fill('经核查，企业确欠加班费，建议调解'));
    const referrals = (p: Page) => p.locator('.ant-card', { hasText: '部门协办' });
    await expect.poll(() => referrals(hr).textContent(), { timeout: 15_000 }).toContain('已答复');
    await expect.poll(() => hr.locator('.ant-timeline').textContent(), { timeout: 15_000 }).toContain('部门答复协办');
    await screen(hr, '15-liaison-answered');

    const court = await as('liaison-court');
    await court.goto(`${base}/case/${secondCaseId}`);
    await expect.poll(() => court.locator('[data-action=ObjectToReferral]').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await act(court, 'ObjectToReferral', () => court.getByRole('dialog').getByLabel('理由').fill('企业已付清工资，无需申请支付令，不属本院协办'));
    await expect.poll(() => referrals(court).textContent(), { timeout: 15_000 }).toContain('已提异议');
    await expect.poll(() => court.locator('.ant-timeline').textContent(), { timeout: 15_000 }).toContain('部门提出异议');
    await screen(court, '16-liaison-objected');
  }, 150_000);

  it('a supervisor issues a supervision notice (督办) on the second case and finds it on the board with its due moment', async () => {
    const page = await as('supervisor-county');
    await page.goto(`${base}/case/${secondCaseId}`);
    await expect.poll(() => page.getByTestId('case-title').textContent(), { timeout: 15_000 }).toContain(secondCaseId);
    await act(page, 'IssueSupervision', () => page.getByRole('dialog').getByLabel('备注').fill('请七日内报告调处进展'));
    await expect.poll(() => page.locator('.ant-timeline').textContent(), { timeout: 15_000 }).toContain('督办');
    await page.goto(`${base}/board`);
    await page.getByRole('tab', { name: /督办单/ }).click();
    const row = page.locator('tr', { hasText: secondCaseId });
    await expect.poll(() => row.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await row.first().textContent()).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    await screen(page, '17-supervision-notice-on-board');
  }, 150_000);

  it('works from the keyboard: Tab reaches an action of the case page, Enter opens its form with the focus inside, Escape closes it', async () => {
    const page = await as('supervisor-county');
    await page.goto(`${base}/case/${secondCaseId}`);
    await expect.poll(() => page.getByTestId('case-title').textContent(), { timeout: 15_000 }).toContain(secondCaseId);
    await page.locator('body').focus();
    // Tab through the page as a person would, until an action button has the focus.
    let action: string | null = null;
    for (let i = 0; i < 80 && !action; i++) {
      await page.keyboard.press('Tab');
      action = await page.evaluate(() => (globalThis as unknown as FocusGlobals).document.activeElement?.closest('[data-action]')?.getAttribute('data-action') ?? null);
    }
    expect(action, 'no action button is reachable with Tab').not.toBeNull();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    // The focus moves into the form and stays there while tabbing (the modal keeps it).
    const focusInDialog = () => page.evaluate(() => !!(globalThis as unknown as FocusGlobals).document.activeElement?.closest('[role=dialog], .ant-modal-wrap'));
    await expect.poll(focusInDialog).toBe(true);
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      expect(await focusInDialog()).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
  }, 120_000);

  it('every screen loads in under 2 s (first contentful paint) and has no serious accessibility violation', () => {
    expect(Object.keys(firstPaints).length).toBeGreaterThanOrEqual(6);
    for (const [who, ms] of Object.entries(firstPaints)) {
      expect(ms, `first paint for ${who}`).toBeGreaterThan(0);
      expect(ms, `first paint for ${who}`).toBeLessThan(2_000);
    }
    expect(axeFindings).toEqual([]);
  });
});

/** What the keyboard test reads in the page (the test's own types know no DOM). */
interface FocusGlobals {
  document: { activeElement: { closest(selector: string): { getAttribute(name: string): string | null } | null } | null };
}
