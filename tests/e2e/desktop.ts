/**
 * Chrome asks the user before granting an extension access to a new host, in a dialog of the browser itself that
 * Playwright cannot reach and that headless Chromium never shows. Tests that need it run Chromium headed on a
 * virtual display (Xvfb) and answer the dialog with the keyboard (xdotool), as a person would: Tab to "Allow", Enter.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export function desktopToolsMissing(): string | null {
  if (!existsSync('/usr/bin/xdotool')) return 'xdotool is not installed';
  if (!process.env.DISPLAY && !existsSync('/usr/bin/Xvfb')) return 'no display and no Xvfb';
  return null;
}

/** A display for a headed browser: the current one, or a fresh Xvfb server (stopped by the returned function). */
export async function ensureDisplay(): Promise<{ display: string; stop: () => void }> {
  if (process.env.DISPLAY) return { display: process.env.DISPLAY, stop: () => undefined };
  const display = `:${90 + Math.floor(Math.random() * 9)}`;
  const server: ChildProcess = spawn('/usr/bin/Xvfb', [display, '-screen', '0', '1280x900x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 600));
  return { display, stop: () => server.kill() };
}

/** Answers Chrome's permission dialog with "Allow" (focus starts on "Deny": Tab, then Enter). */
export function allowPermissionPrompt(display: string): void {
  const env = { ...process.env, DISPLAY: display };
  const windows = execFileSync('xdotool', ['search', '--name', 'Chromium'], { env }).toString().trim().split('\n').filter(Boolean);
  const window = windows.at(-1);
  if (window) execFileSync('xdotool', ['windowfocus', '--sync', window], { env });
  execFileSync('xdotool', ['key', 'Tab'], { env });
  execFileSync('xdotool', ['key', 'Return'], { env });
}
