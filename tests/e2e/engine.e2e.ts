/**
 * The download engine under faults, in Chromium against the sandbox: a 60-attachment document saved exactly once
 * per file with the right bytes while the service worker is stopped again and again; bursts of rate limits, server
 * errors and dropped connections; links that expire mid-job; one attachment that always fails, then "Retry failed";
 * pause, resume and cancel; the CSV report.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { BULK, BULK_FILES, createDemoWorld, startSandbox, TOKENS, type Sandbox } from '../sandbox';
import { expect, test } from './fixtures';
import { fileSha256, launchExtensionBrowser, listFiles, sha256, type ExtensionBrowser } from './harness';
import { expectPlatformRulesKept } from './invariants';
import { openDocument, openTabList, saveFeishuSettings } from './steps';

let sandbox: Sandbox;
let browser: ExtensionBrowser;

const FOLDER = 'Feishu/批量附件 60';
const DOC_URL = `https://acme.feishu.cn/docx/${BULK.doc60}`;

test.afterEach(async () => {
  await browser?.close();
  await sandbox?.close();
});

async function start(throttleBytesPerSecond?: number): Promise<Page> {
  sandbox = await startSandbox({ world: createDemoWorld(), ...(throttleBytesPerSecond ? { throttleBytesPerSecond } : {}) });
  browser = await launchExtensionBrowser({ sandbox });
  await saveFeishuSettings(browser, { token: TOKENS.feishuUser });
  const { tabId } = await openDocument(browser, DOC_URL);
  const list = await openTabList(browser, tabId);
  await expect(list.getByRole('listitem')).toHaveCount(BULK_FILES.length);
  return list;
}

/** Every file exactly once, with its bytes, and nothing else anywhere. */
function expectAllSavedOnce(except: readonly string[] = []): void {
  const expected = BULK_FILES.filter((f) => !except.includes(f.name)).map((f) => `${FOLDER}/${f.name}`);
  expect(listFiles(browser.downloadsDir)).toEqual([...expected].sort());
  for (const file of BULK_FILES) {
    if (except.includes(file.name)) continue;
    expect(fileSha256(path.join(browser.downloadsDir, FOLDER, file.name)), file.name).toBe(sha256(file.media.bytes));
  }
}

const rowsIn = (list: Page, state: RegExp | string) => list.getByRole('listitem').filter({ hasText: state });

/** Stops every service worker as Chrome does when idle (see e2e-chromium.md): globals are lost, storage is not. */
async function stopServiceWorker(): Promise<void> {
  const cdp = await browser.context.newCDPSession(browser.context.pages()[0]!);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
}

test('a 60-attachment job survives its service worker being stopped again and again: every file once, right bytes', async () => {
  const list = await start(60_000);
  await list.getByRole('button', { name: /^Download all/ }).click();
  for (const reached of [8, 20, 35, 50]) {
    await expect.poll(() => rowsIn(list, 'Done').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(reached);
    await browser.worker.evaluate(() => Object.assign(globalThis, { beforeStop: true }));
    await stopServiceWorker();
    // The popup's next message (or Chrome's next download event) wakes the worker, which picks the job up.
    await list.reload();
    expect(await browser.worker.evaluate(() => 'beforeStop' in globalThis), 'the worker really restarted').toBe(false);
  }
  await expect(rowsIn(list, 'Done')).toHaveCount(BULK_FILES.length, { timeout: 90_000 });
  expectAllSavedOnce();
  expect(sandbox.log.filter((r) => r.endpoint === 'drive.media.tmp-url').length).toBeLessThanOrEqual(Math.ceil(BULK_FILES.length / 5) + 8);
  expectPlatformRulesKept(sandbox);
});

test('bursts of rate limits, server errors and dropped connections: everything saved, no call before the reset allowed', async () => {
  const list = await start();
  sandbox.faults.rateLimitBurst('drive.media.tmp-url', 3, 2);
  sandbox.faults.serverErrors('drive.media.tmp-url', 2);
  sandbox.faults.dropConnections('drive.media.tmp-url', 2);
  sandbox.faults.dropConnections('stream', 3);
  await list.getByRole('button', { name: /^Download all/ }).click();
  // Half-way, another wave.
  await expect.poll(() => rowsIn(list, 'Done').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(30);
  sandbox.faults.rateLimitBurst('drive.media.tmp-url', 2, 1);
  sandbox.faults.serverErrors('drive.media.tmp-url', 1);
  sandbox.faults.dropConnections('stream', 2);
  await expect(rowsIn(list, 'Done')).toHaveCount(BULK_FILES.length, { timeout: 90_000 });

  expectAllSavedOnce();
  const faulted = sandbox.log.filter((r) => r.fault);
  expect(faulted.filter((r) => r.fault === 'rate-limit').length).toBeGreaterThanOrEqual(5);
  expect(faulted.filter((r) => r.fault === 'server-error').length).toBe(3);
  expect(faulted.filter((r) => r.fault === 'dropped' && r.host.startsWith('internal-api-drive-stream.')).length).toBe(5);
  expectPlatformRulesKept(sandbox, { injectedFaults: true });
});

test('links that expire mid-job are asked for again, not retried as they are', async () => {
  const list = await start(40_000);
  // One download at a time: the other four links of each batch of five wait, unused, while it runs.
  const options = await browser.context.newPage();
  await options.goto(browser.extensionUrl('options.html'));
  await options.getByLabel('Parallel downloads').selectOption('1');
  await options.getByRole('button', { name: 'Save' }).click();
  await expect(options.getByText('Saved', { exact: true })).toBeVisible();
  await options.close();
  await list.getByRole('button', { name: /^Download all/ }).click();
  await expect.poll(() => rowsIn(list, 'Done').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(11);
  // Expire them while some wait unused: a poll that lands just after a batch's last link was used would otherwise
  // expire nothing (the next batch is fetched a moment later, fresh).
  const waitingLinks = () => {
    const used = new Set(sandbox.log.filter((r) => r.path.endsWith('/authcode/')).map((r) => r.query.find(([k]) => k === 'code')?.[1]));
    return [...sandbox.api.state.streamLinks.keys()].filter((code) => !used.has(code)).length;
  };
  await expect.poll(waitingLinks, { timeout: 30_000, intervals: [20] }).toBeGreaterThan(0);
  sandbox.faults.expireStreamLinks();
  await expect(rowsIn(list, 'Done')).toHaveCount(BULK_FILES.length, { timeout: 90_000 });
  expectAllSavedOnce();
  const expired = sandbox.log.filter((r) => r.fault === 'expired');
  expect(expired.length, 'links used after they expired').toBeGreaterThan(0);
  // Each refused link's code is never asked for again: a fresh link is.
  const codes = expired.map((r) => r.query.find(([k]) => k === 'code')?.[1]);
  expect(sandbox.log.filter((r) => r.fault !== 'expired' && codes.includes(r.query.find(([k]) => k === 'code')?.[1]))).toEqual([]);
  expectPlatformRulesKept(sandbox);
});

test('one attachment that always fails: the job ends, its row says why, "Retry failed" retries only it; the CSV report', async () => {
  const failing = BULK_FILES[17]!;
  const list = await start();
  sandbox.faults.failMedia(failing.media.token);
  await list.getByRole('button', { name: /^Download all/ }).click();
  await expect(rowsIn(list, /Done|Failed/)).toHaveCount(BULK_FILES.length, { timeout: 90_000 });
  const row = rowsIn(list, failing.name);
  await expect(row).toContainText('Failed');
  await expect(row).toContainText('The download stopped:');
  await expect(list.getByRole('status').filter({ hasText: 'saved' })).toContainText(`${BULK_FILES.length - 1} of ${BULK_FILES.length} saved · 1 failed`);
  expectAllSavedOnce([failing.name]);

  // The report, as a person exports it.
  const exported = list.waitForEvent('download');
  await list.getByRole('button', { name: 'Export report (CSV)' }).click();
  const reportFile = path.join(browser.downloadsDir, (await exported).suggestedFilename());
  expect(path.basename(reportFile)).toMatch(/^批量附件 60 \d{4}-\d{2}-\d{2}\.csv$/);
  await expect.poll(() => existsSync(reportFile)).toBe(true);
  const csv = readFileSync(reportFile, 'utf8');
  rmSync(reportFile);
  expect(csv.startsWith('\uFEFFName,Folder,Size (bytes),Source,State,Reason\r\n')).toBe(true);
  expect(csv.split('\r\n').filter(Boolean)).toHaveLength(BULK_FILES.length + 1);
  expect(csv).toContain(`${failing.name},${FOLDER},`);
  expect(csv).toMatch(new RegExp(`${failing.name.replace('.', '\\.')},[^\\r]*,Failed,The download stopped`));

  sandbox.faults.healMedia(failing.media.token);
  const before = sandbox.log.length;
  await list.getByRole('button', { name: 'Retry failed (1)' }).click();
  await expect(rowsIn(list, 'Done')).toHaveCount(BULK_FILES.length, { timeout: 60_000 });
  const retried = sandbox.log.slice(before);
  const tokensAsked = retried.filter((r) => r.endpoint === 'drive.media.tmp-url').flatMap((r) => r.query.filter(([k]) => k === 'file_tokens').map(([, v]) => v));
  expect(tokensAsked).toEqual([failing.media.token]);
  expect(retried.filter((r) => r.host.startsWith('internal-api-drive-stream.') && r.method === 'GET').length).toBe(1);
  expectAllSavedOnce();
  expectPlatformRulesKept(sandbox);
});

test('pause holds the job, resume goes on, cancel stops it and lists what was not saved', async () => {
  const list = await start(30_000);
  await list.getByRole('button', { name: /^Download all/ }).click();
  await expect.poll(() => rowsIn(list, 'Done').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
  await list.getByRole('button', { name: 'Pause' }).click();
  await expect(list.getByText('Paused. Press Resume to go on.')).toBeVisible();
  const held = await rowsIn(list, 'Done').count();
  await list.waitForTimeout(1500);
  // What Chrome was already saving may finish; nothing new starts.
  expect(await rowsIn(list, 'Done').count()).toBeLessThanOrEqual(held + 3);
  const startedWhilePaused = await rowsIn(list, /Downloading|Preparing/).count();
  expect(startedWhilePaused).toBeLessThanOrEqual(3);

  await list.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(() => rowsIn(list, 'Done').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(held + 6);
  await list.getByRole('button', { name: 'Cancel' }).click();
  await expect(rowsIn(list, /Done|Failed/)).toHaveCount(BULK_FILES.length, { timeout: 30_000 });
  const cancelled = await rowsIn(list, 'Cancelled before it was saved.').count();
  expect(cancelled).toBeGreaterThan(0);
  const done = await rowsIn(list, 'Done').count();
  expect(done + cancelled).toBe(BULK_FILES.length);
  // Only whole files stay: as many as are Done, no partial downloads.
  await expect.poll(() => listFiles(browser.downloadsDir).length).toBe(done);
  expect(listFiles(browser.downloadsDir).every((f) => !f.endsWith('.crdownload'))).toBe(true);
  await expect(list.getByRole('button', { name: /^Retry failed/ })).toBeVisible();
});
