import { existsSync } from 'node:fs';
import { EXTENSION_DIR, findChromium } from './harness';

export default function globalSetup(): void {
  if (!existsSync(`${EXTENSION_DIR}/manifest.json`)) {
    throw new Error(`No built extension in ${EXTENSION_DIR}: run "npm run build" first (npm test does).`);
  }
  const chromium = findChromium();
  if (!chromium) {
    const message = 'No Chromium found (set CHROMIUM_PATH or install Debian\'s "chromium" package).';
    if (process.env.CI) throw new Error(`${message} End-to-end tests never skip in CI.`);
    console.warn(`\n${'!'.repeat(100)}\n!!! SKIPPING END-TO-END TESTS: ${message}\n${'!'.repeat(100)}\n`);
  }
}
