/** Renders docs/icon.svg into public/icon/<size>.png with Chromium (run after changing the icon; PNGs are committed). */
import { chromium } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { findChromium } from '../tests/e2e/harness';

const svg = readFileSync('docs/icon.svg', 'utf8');
const executablePath = findChromium();
if (!executablePath) throw new Error('No Chromium: set CHROMIUM_PATH');
const browser = await chromium.launch({ executablePath, headless: true });
const page = await browser.newPage();
for (const size of [16, 32, 48, 128]) {
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`);
  await page.screenshot({ path: `public/icon/${size}.png`, omitBackground: true });
  console.log(`public/icon/${size}.png`);
}
await browser.close();
