/**
 * `npm run demo`: builds the extension, starts the sandbox (a local fake of Feishu), opens Chromium with the
 * extension on a sample document, presses "Download all" in the list and prints where the files went.
 * Headless where there is no display; with a display the browser stays open until Ctrl+C.
 */
import { expect } from '@playwright/test';
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { findChromium, launchExtensionBrowser, listFiles } from '../tests/e2e/harness';
import { openDocument, openTabList, saveFeishuSettings } from '../tests/e2e/steps';
import { DOCS, startSandbox, TOKENS } from '../tests/sandbox';

function step(text: string): void {
  console.log(`\n▶ ${text}`);
}

function ensureChromium(): void {
  if (findChromium()) return;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && spawnSync('which', ['apt-get']).status === 0) {
    step("Chromium not found: installing Debian's chromium package (apt-get install -y chromium)");
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    return;
  }
  console.error('Chromium is needed for the demo. Install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH.');
  process.exit(1);
}

step('Building the extension (wxt build)');
execFileSync('wxt', ['build'], { stdio: 'inherit' });
ensureChromium();

const headless = !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const downloadsDir = path.resolve('.demo/Downloads');
rmSync(downloadsDir, { recursive: true, force: true });

step('Starting the sandbox: fake Feishu web pages, Open API and file hosts on 127.0.0.1');
const sandbox = await startSandbox({ throttleBytesPerSecond: headless ? 0 : 400_000 });
console.log(`  listening on ${sandbox.origin}; Chromium resolves *.feishu.cn and *.larksuite.com there`);

step(`Opening Chromium${headless ? ' (headless: no display found)' : ''} with the extension from .output/chrome-mv3`);
const browser = await launchExtensionBrowser({ sandbox, downloadsDir, headless });

step('Saving a sandbox access token in the options page');
await saveFeishuSettings(browser, { token: TOKENS.feishuUser });

const url = `https://acme.feishu.cn/docx/${DOCS.weekly}`;
step(`Opening the sample document ${url}`);
const { page, tabId } = await openDocument(browser, url);

step('Opening the attachment list and pressing "Download all"');
const list = await openTabList(browser, tabId);
const rows = list.getByRole('listitem');
await expect(rows.first()).toBeVisible({ timeout: 30_000 });
const total = await rows.count();
console.log(`  ${total} attachments listed`);
await list.getByRole('button', { name: /^Download all/ }).click();
await expect(rows.filter({ hasText: /Done|Failed/ })).toHaveCount(total, { timeout: 120_000 });
const failed = await rows.filter({ hasText: 'Failed' }).count();

step(`${total - failed} of ${total} attachments saved${failed ? `, ${failed} failed` : ''}. Files are in ${downloadsDir}:`);
for (const file of listFiles(downloadsDir)) {
  console.log(`  ${file}  (${statSync(path.join(downloadsDir, file)).size.toLocaleString()} bytes)`);
}

if (headless) {
  await browser.close();
  await sandbox.close();
} else {
  await page.bringToFront();
  await list.bringToFront();
  console.log('\nThe browser stays open: try the popup and the right-click menu. Press Ctrl+C to quit.');
  process.on('SIGINT', () => {
    void browser.close().then(() => sandbox.close()).then(() => process.exit(0));
  });
}
