/**
 * Runs the built extension in a real Chromium (Debian's package) against the sandbox, with downloads saved where
 * the extension says: the recipe of ../shared/reference/e2e-chromium.md.
 */
import { chromium, type BrowserContext, type Page, type Worker } from '@playwright/test';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Sandbox } from '../sandbox';

export const EXTENSION_DIR = path.resolve('.output/chrome-mv3');

export function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(p)) ?? null;
}

export interface ExtensionBrowser {
  readonly context: BrowserContext;
  readonly worker: Worker;
  readonly extensionId: string;
  readonly downloadsDir: string;
  /**
   * Everything the extension logged so far, one string a line: the service worker's console and uncaught errors, and
   * the console and uncaught errors of its pages and content scripts. Tests check that no credential ever shows here.
   */
  readonly logs: string[];
  /** chrome-extension://<id>/<page> */
  extensionUrl(page: string): string;
  /** The id of the tab showing `page`. */
  tabIdOf(page: Page): Promise<number>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  readonly sandbox: Sandbox;
  readonly lang?: string;
  /** Keep downloads here (and leave them on close); a fresh temporary folder otherwise. */
  readonly downloadsDir?: string;
  readonly headless?: boolean;
  /** X display for a headed browser. */
  readonly display?: string;
}

export async function launchExtensionBrowser({ sandbox, lang = 'en-US', downloadsDir: keepIn, headless = true, display }: LaunchOptions): Promise<ExtensionBrowser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('No Chromium: set CHROMIUM_PATH');
  const profileDir = mkdtempSync(path.join(tmpdir(), 'ad-profile-'));
  const downloadsDir = keepIn ?? mkdtempSync(path.join(tmpdir(), 'ad-downloads-'));
  mkdirSync(downloadsDir, { recursive: true });
  mkdirSync(path.join(profileDir, 'Default'), { recursive: true });
  writeFileSync(
    path.join(profileDir, 'Default', 'Preferences'),
    JSON.stringify({ download: { default_directory: downloadsDir, prompt_for_download: false, directory_upgrade: true } }),
  );

  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless,
    locale: lang,
    ...(display ? { env: { ...process.env, DISPLAY: display } } : {}),
    args: [
      `--disable-extensions-except=${EXTENSION_DIR}`,
      `--load-extension=${EXTENSION_DIR}`,
      `--host-resolver-rules=${sandbox.hostResolverRules}, EXCLUDE localhost`,
      '--ignore-certificate-errors',
      `--lang=${lang}`,
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-features=DownloadBubble,DownloadBubbleV2',
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const extensionId = new URL(worker.url()).host;
  const logs = collectLogs(context, worker, `chrome-extension://${extensionId}/`);
  await reportUncaughtErrors(worker);

  // Let Chrome itself decide where files go (the profile's download directory and the extension's file names).
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'default' });
  await cdp.detach();

  return {
    context,
    worker,
    extensionId,
    downloadsDir,
    logs,
    extensionUrl: (file) => `chrome-extension://${extensionId}/${file}`,
    async tabIdOf(target) {
      const url = target.url();
      const ids = await worker.evaluate(async (u) => (await chrome.tabs.query({})).filter((t) => t.url === u).map((t) => t.id), url);
      if (ids.length !== 1 || ids[0] === undefined) throw new Error(`expected one tab showing ${url}, found ${ids.length}`);
      return ids[0];
    },
    async close() {
      await context.close();
      rmSync(profileDir, { recursive: true, force: true });
      if (!keepIn) rmSync(downloadsDir, { recursive: true, force: true });
    },
  };
}

/**
 * Collects what the extension logs: its service workers' console (a restarted worker included), and console messages and
 * uncaught errors of its own pages and of scripts it runs in web pages (content scripts), but not the web pages' own.
 */
function collectLogs(context: BrowserContext, first: Worker, extensionOrigin: string): string[] {
  const logs: string[] = [];
  const ours = (url: string | undefined) => url?.startsWith(extensionOrigin) ?? false;
  const watched = new WeakSet<Worker>();
  const watch = (worker: Worker) => {
    if (!ours(worker.url()) || watched.has(worker)) return;
    watched.add(worker);
    worker.on('console', (message) => logs.push(`[worker ${message.type()}] ${message.text()}`));
  };
  watch(first);
  context.on('serviceworker', (worker) => {
    watch(worker);
    void reportUncaughtErrors(worker).catch(() => undefined);
  });
  context.on('console', (message) => {
    if (message.worker()) return;
    if (ours(message.page()?.url()) || ours(message.location().url)) logs.push(`[page ${message.type()}] ${message.text()}`);
  });
  context.on('weberror', (error) => {
    if (ours(error.page()?.url()) || ours(error.location().url)) logs.push(`[page uncaught] ${error.error().stack ?? error.error().message}`);
  });
  return logs;
}

/** A service worker's uncaught errors and unhandled rejections do not reach its console by themselves: send them there. */
async function reportUncaughtErrors(worker: Worker): Promise<void> {
  await worker.evaluate(() => {
    const report = (kind: string, reason: unknown) => console.error(`${kind}: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
    self.addEventListener('error', (event) => report('uncaught', event.error ?? event.message));
    self.addEventListener('unhandledrejection', (event) => report('unhandled rejection', event.reason));
  });
}

/** Every file under `dir`, as paths relative to it with '/' separators. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (current: string) => {
    for (const name of readdirSync(current)) {
      const full = path.join(current, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(path.relative(dir, full).split(path.sep).join('/'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

export function sha256(data: Buffer | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function fileSha256(file: string): string {
  return sha256(readFileSync(file));
}

/** Files under `folder` (relative to the downloads directory) must be exactly `expected`, with exactly these bytes. */
export function expectedFolderContents(downloadsDir: string, folder: string): string[] {
  return listFiles(path.join(downloadsDir, folder));
}

/** Names as the extension makes duplicates unique within a folder: "a.pdf", "a (2).pdf", ... in order. */
export function uniquified(names: readonly string[]): string[] {
  const used = new Map<string, number>();
  return names.map((name) => {
    const count = (used.get(name) ?? 0) + 1;
    used.set(name, count);
    if (count === 1) return name;
    const dot = name.lastIndexOf('.');
    return dot > 0 ? `${name.slice(0, dot)} (${count})${name.slice(dot)}` : `${name} (${count})`;
  });
}
