import { expect, test } from './fixtures';
import path from 'node:path';
import { createDemoWorld, DOCS, startSandbox, TOKENS, type Sandbox } from '../sandbox';
import { fileSha256, launchExtensionBrowser, listFiles, sha256, type ExtensionBrowser } from './harness';
import { expectPlatformRulesKept } from './invariants';
import { openDocument, openTabList, saveFeishuSettings } from './steps';

let sandbox: Sandbox;
let browser: ExtensionBrowser;

test.afterEach(async () => {
  await browser?.close();
  await sandbox?.close();
});

/** Stops every service worker as Chrome does when idle (see e2e-chromium.md): globals are lost, storage is not. */
async function stopServiceWorker(): Promise<void> {
  const page = browser.context.pages()[0]!;
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
}

test('a job keeps going when the service worker is stopped in the middle of it', async () => {
  const world = createDemoWorld();
  sandbox = await startSandbox({ world, throttleBytesPerSecond: 200_000 });
  browser = await launchExtensionBrowser({ sandbox });
  await saveFeishuSettings(browser, { token: TOKENS.feishuUser });
  const { tabId } = await openDocument(browser, `https://acme.feishu.cn/docx/${DOCS.weekly}`);
  const popup = await openTabList(browser, tabId);
  const rows = popup.getByRole('listitem');
  await expect(rows).toHaveCount(16);
  await popup.getByRole('button', { name: /^Download all/ }).click();
  await expect.poll(() => rows.filter({ hasText: 'Done' }).count()).toBeGreaterThanOrEqual(2);

  await browser.worker.evaluate(() => Object.assign(globalThis, { beforeStop: true }));
  await stopServiceWorker();
  // The popup's next message (or Chrome's next download event) wakes the worker, which picks the job up from storage.
  await popup.reload();
  expect(await browser.worker.evaluate(() => 'beforeStop' in globalThis), 'the worker really restarted').toBe(false);
  await expect(rows.filter({ hasText: 'Done' })).toHaveCount(16, { timeout: 90_000 });

  const f = world.files;
  const folder = 'Feishu/项目周报 2026-W47';
  const files = listFiles(browser.downloadsDir);
  expect(files).toHaveLength(16);
  expect(files.every((file) => file.startsWith(`${folder}/`))).toBe(true);
  expect(fileSha256(path.join(browser.downloadsDir, folder, 'image-01.png'))).toBe(sha256(f.photo.bytes));
  expect(fileSha256(path.join(browser.downloadsDir, folder, '会议纪要 (2).txt'))).toBe(sha256(f.minutesB.bytes));
  expectPlatformRulesKept(sandbox);
});
