// What the browser tests share: Debian's Chromium (installed by `npm test`, ops/install.ts) driven by
// playwright-core, and signing in on the local OpenID provider's own login form.
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEV_PASSWORD } from '../../ops/oidc/accounts.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: npm test installs it (ops/install.ts), or set CHROMIUM_PATH`);
  return chromium.launch({ executablePath: CHROMIUM });
}

/** On the provider's login page (the console's 登录 sent the browser there): a seeded account signs in. */
export async function signInOnProvider(page: Page, username: string): Promise<void> {
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(DEV_PASSWORD);
  await page.getByRole('button', { name: /登录/ }).click();
}
