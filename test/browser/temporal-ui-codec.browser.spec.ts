// The Temporal Web UI of the test stack's dev server (started with --ui-codec-endpoint pointing at API_PORT)
// shows a real case workflow's input decoded for an auditor signed in on the console, and ciphertext for
// everyone else (issue 11). The console puts the auditor's access token in the API's HttpOnly codec cookie
// (POST /codec/session); the UI, switched once per browser to "use my browser setting" + "Include cross-
// origin credentials" (the localStorage keys below, exactly what its Codec Server dialog writes), sends that
// cookie with its /codec/decode calls. docs/research/temporal-ui-codec.md §1–§4 has the why of every selector.
//
// The control: the same signed-in auditor without the browser setting gets 401 from the same endpoint
// (the UI's default fetch sends no cookie to another origin), so the cookie is what decodes.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { CODEC_COOKIE } from '../../api/routes/codec.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { launchChromium, signInOnProvider } from '../support/browser.js';
import { describeWithStack } from '../support/stack.js';

const ARTIFACTS = path.resolve(import.meta.dirname, '..', '..', 'artifacts', 'temporal-ui-codec');
/** base64 of `binary/encrypted`, the encoding our payload codec writes: ciphertext on screen. */
const CIPHERTEXT = 'YmluYXJ5L2VuY3J5cHRlZA==';
const NAMESPACE = process.env.TEMPORAL_NAMESPACE ?? 'default';
/** The page's Web Storage, for code evaluated in the page (this file is type-checked without the DOM library). */
type PageStorage = { clear(): void; getItem(key: string): string | null; setItem(key: string, value: string): void };
type PageGlobals = { localStorage: PageStorage; sessionStorage: PageStorage };

describeWithStack('the Temporal Web UI decodes through the codec cookie for authorised staff only', () => {
  const uiUrl = process.env.TEMPORAL_UI_URL;
  let s: ApiStack;
  let browser: Browser;
  let caseId = '';
  let historyUrl = '';
  const contexts: Array<{ name: string; context: BrowserContext }> = [];

  beforeAll(async () => {
    if (!uiUrl) throw new Error('TEMPORAL_UI_URL is not set: npm test starts the dev server with its Web UI (ops/config.ts) and sets it');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    // On API_PORT: the UI's own --ui-codec-endpoint (the control uses it) and a registered console callback.
    s = await startApiStack('ui_codec', { port: Number(process.env.API_PORT ?? 18080), console: true, codecCorsOrigins: [uiUrl] });
    const created = await s.call('mediation-intake-bridge', 'POST', '/cases', {
      channel: 'walk-in',
      complainants: [{ name: '韩梅梅', idNumber: '11010519491231002X', phone: '13900000003' }],
      workerCount: 1,
      respondent: { name: '城关镇某五金厂', creditCode: '91330100MA2XXXXX1B', town: '城关镇', industry: 'hardware', responsibleDepartment: '经信局', level: 'enterprise' },
      claim: { disputeTypeHint: 'wage-arrears', summary: '拖欠两个月工资', amountClaimedFen: 800_000 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    caseId = (created.body as { caseId: string }).caseId;
    const { runId } = await s.client.workflow.getHandle(caseId).describe();
    historyUrl = `${uiUrl}/namespaces/${NAMESPACE}/workflows/${encodeURIComponent(caseId)}/${runId}/history`;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    for (const { context } of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await s?.stop();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    for (const { name, context } of contexts) {
      for (const [i, page] of context.pages().entries()) await page.screenshot({ path: path.join(ARTIFACTS, `failed-${name}-${i}.png`) }).catch(() => undefined);
    }
  });

  /** A browser profile; with `browserSetting`, the UI's Codec Server dialog was applied in it once (localStorage). */
  async function profile(name: string, browserSetting: boolean): Promise<BrowserContext> {
    const apiBase = s.base.replace('localhost', '127.0.0.1');
    const context = await browser.newContext({
      locale: 'en-US',
      viewport: { width: 1366, height: 900 },
      storageState: {
        cookies: [],
        origins: browserSetting
          ? [
              {
                origin: uiUrl!,
                localStorage: [
                  // JSON text, as the UI's persisted stores read and write them.
                  { name: 'overrideRemoteCodecConfiguration', value: 'true' },
                  { name: 'endpoint', value: JSON.stringify(`${apiBase}/codec`) },
                  { name: 'includeCredentials', value: 'true' },
                  { name: 'passAccessToken', value: 'false' },
                ],
              },
            ]
          : [],
      },
    });
    contexts.push({ name, context });
    return context;
  }

  /** Signs in on the console (same browser profile), and returns what POST /codec/session answered. */
  async function signInOnConsole(context: BrowserContext, username: string): Promise<{ page: Page; session: Response }> {
    const page = await context.newPage();
    await page.goto(`${s.base}/work`);
    await page.getByRole('button', { name: /登录|Sign in/ }).click();
    const session = page.waitForResponse((r) => r.url().endsWith('/codec/session') && r.request().method() === 'POST', { timeout: 30_000 });
    await signInOnProvider(page, username);
    await expect.poll(() => page.getByTestId('who').textContent(), { timeout: 20_000 }).toContain(username);
    return { page, session: await session };
  }

  /** Opens the case's history in the UI; the statuses of every /codec/decode the page made, and the input card's text. */
  async function openInUi(page: Page, screenshot: string): Promise<{ statuses: number[]; input: string }> {
    const statuses: number[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/codec/decode') && r.request().method() === 'POST') statuses.push(r.status());
    });
    const firstDecode = page.waitForResponse((r) => r.url().endsWith('/codec/decode') && r.request().method() === 'POST', { timeout: 30_000 });
    await page.goto(historyUrl);
    await firstDecode;
    const input = page.locator('[data-testid="input-and-result"] .cm-content').first();
    await input.waitFor({ timeout: 20_000 });
    // The card first shows the raw payload and replaces it once the decode call answered: wait until its
    // text stays the same for a second. (Not 'networkidle': the UI keeps polling a running workflow, and
    // on a loaded machine its polls overlap, so the network is never idle for long.)
    let last = '';
    await expect
      .poll(
        async () => {
          const now = (await input.textContent()) ?? '';
          const settled = now !== '' && now === last;
          last = now;
          return settled;
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, `${screenshot}.png`) });
    return { statuses, input: (await input.textContent()) ?? '' };
  }

  const topNavStatus = (page: Page, status: 'success' | 'error') => page.locator(`[data-testid="top-nav"] [data-testid="data-encoder-status-${status}"]`);

  it('an auditor signed in on the console reads the decoded input; without the browser setting (the control) the same auditor gets 401 and ciphertext', async () => {
    const context = await profile('auditor', true);
    const { session } = await signInOnConsole(context, 'auditor');
    expect(session.status()).toBe(200);
    const setCookie = (await session.headerValue('set-cookie')) ?? '';
    expect(setCookie).toMatch(new RegExp(`^${CODEC_COOKIE}=[^;]+; Path=/codec; HttpOnly; SameSite=Strict; Max-Age=\\d+$`));

    const ui = await context.newPage();
    const decoded = await openInUi(ui, '01-auditor-decoded');
    expect(decoded.statuses.length).toBeGreaterThan(0);
    expect(decoded.statuses.every((status) => status === 200), `decode statuses ${decoded.statuses.join(',')}`).toBe(true);
    expect(decoded.input).toContain(caseId);
    expect(decoded.input).toContain('ReceiveCase');
    expect(decoded.input).not.toContain(CIPHERTEXT);
    await expect.poll(() => topNavStatus(ui, 'success').isVisible(), { timeout: 10_000 }).toBe(true);
    // The personal fields stay the edge's ciphertext even decoded: the codec opens Temporal's envelope only.
    expect(decoded.input).not.toContain('韩梅梅');

    // The control: the same profile, cookie and all, with the UI back on its cluster setting.
    await ui.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.clear());
    const control = await openInUi(ui, '02-auditor-without-browser-setting');
    expect(control.statuses.length).toBeGreaterThan(0);
    expect(control.statuses.every((status) => status === 401), `decode statuses ${control.statuses.join(',')}`).toBe(true);
    expect(control.input).toContain(CIPHERTEXT);
    expect(control.input).not.toContain(caseId);
  }, 150_000);

  it('nobody signed in: 401, the card shows ciphertext and the UI says the codec server could not connect', async () => {
    const context = await profile('anonymous', true);
    const ui = await context.newPage();
    const seen = await openInUi(ui, '03-anonymous-ciphertext');
    expect(seen.statuses.length).toBeGreaterThan(0);
    expect(seen.statuses.every((status) => status === 401), `decode statuses ${seen.statuses.join(',')}`).toBe(true);
    expect(seen.input).toContain(CIPHERTEXT);
    expect(seen.input).not.toContain(caseId);
    await expect.poll(() => topNavStatus(ui, 'error').isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => ui.getByRole('alert').filter({ hasText: 'Codec Server could not connect' }).count()).toBeGreaterThan(0);
  }, 90_000);

  it('a clerk signed in: the API refuses the codec cookie (403), so 401 and ciphertext; a clerk\'s token in the cookie anyway: 403 and ciphertext', async () => {
    const context = await profile('clerk', true);
    const { page: consolePage, session } = await signInOnConsole(context, 'clerk');
    expect(session.status()).toBe(403);
    // In the console's language (this profile's browser is English for the Temporal UI's strings). The refusal
    // is read by asking again from the page: reading the body of the no-store answer the console got never returns.
    const refusal = await consolePage.evaluate(async () => {
      const { sessionStorage } = globalThis as unknown as PageGlobals;
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'));
      const token = key ? (JSON.parse(sessionStorage.getItem(key)!) as { access_token: string }).access_token : '';
      const res = await fetch('/codec/session', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, detail: ((await res.json()) as { detail: string }).detail };
    });
    expect(refusal.status).toBe(403);
    expect(refusal.detail).toMatch(/may not temporal\.payloads|无权/);
    const ui = await context.newPage();
    const refused = await openInUi(ui, '04-clerk-no-cookie');
    expect(refused.statuses.every((status) => status === 401), `decode statuses ${refused.statuses.join(',')}`).toBe(true);
    expect(refused.input).toContain(CIPHERTEXT);

    // Should a clerk's token reach the cookie by any other way, decoding still checks the grant.
    const token = await consolePage.evaluate(() => {
      const { sessionStorage } = globalThis as unknown as PageGlobals;
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'));
      return key ? (JSON.parse(sessionStorage.getItem(key)!) as { access_token: string }).access_token : '';
    });
    expect(token).not.toBe('');
    await context.addCookies([{ name: CODEC_COOKIE, value: token, domain: '127.0.0.1', path: '/codec', httpOnly: true, sameSite: 'Strict' }]);
    const forbidden = await openInUi(ui, '05-clerk-token-forbidden');
    expect(forbidden.statuses.length).toBeGreaterThan(0);
    expect(forbidden.statuses.every((status) => status === 403), `decode statuses ${forbidden.statuses.join(',')}`).toBe(true);
    expect(forbidden.input).toContain(CIPHERTEXT);
    expect(forbidden.input).not.toContain(caseId);
    await expect.poll(() => topNavStatus(ui, 'error').isVisible(), { timeout: 10_000 }).toBe(true);
  }, 120_000);

  it('the console renews the token silently (refresh token) and the renewed token goes to the codec cookie; sign-out clears it', async () => {
    const context = await profile('auditor-renewal', true);
    const { page } = await signInOnConsole(context, 'auditor');
    const stored = () =>
      page.evaluate(() => {
        const { sessionStorage } = globalThis as unknown as PageGlobals;
        const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
        return { key, user: JSON.parse(sessionStorage.getItem(key)!) as { access_token: string; refresh_token?: string; expires_at: number } };
      });
    const before = await stored();
    expect(before.user.refresh_token, 'the provider issued no refresh token to the console').toBeTruthy();
    // As if the tab had been open for 14½ minutes: the token runs out in 30 s, inside the renewal window.
    await page.evaluate(({ key, user }) => (globalThis as unknown as PageGlobals).sessionStorage.setItem(key, JSON.stringify({ ...user, expires_at: Math.floor(Date.now() / 1000) + 30 })), before);
    const renewed = page.waitForRequest((r) => r.url().endsWith('/codec/session') && r.method() === 'POST' && r.headers().authorization !== `Bearer ${before.user.access_token}`, { timeout: 30_000 });
    await page.reload();
    const request = await renewed;
    expect((await request.response())?.status()).toBe(200);
    const after = await stored();
    expect(after.user.access_token).not.toBe(before.user.access_token);
    expect(after.user.expires_at).toBeGreaterThan(Math.floor(Date.now() / 1000) + 600);
    // Still on the console, not sent back to the login page.
    expect(new URL(page.url()).host).toBe(new URL(s.base).host);
    const ui = await context.newPage();
    const decoded = await openInUi(ui, '06-auditor-after-renewal');
    expect(decoded.statuses.every((status) => status === 200), `decode statuses ${decoded.statuses.join(',')}`).toBe(true);
    expect(decoded.input).toContain(caseId);

    const cleared = page.waitForResponse((r) => r.url().endsWith('/codec/session') && r.request().method() === 'DELETE', { timeout: 20_000 });
    await page.getByRole('button', { name: /退出|Sign out/ }).click();
    expect((await cleared).status()).toBe(204);
    expect((await context.cookies(`${s.base}/codec/decode`)).some((c) => c.name === CODEC_COOKIE)).toBe(false);
    const afterSignOut = await openInUi(ui, '07-after-sign-out');
    expect(afterSignOut.statuses.every((status) => status === 401), `decode statuses ${afterSignOut.statuses.join(',')}`).toBe(true);
    expect(afterSignOut.input).toContain(CIPHERTEXT);
  }, 150_000);
});
