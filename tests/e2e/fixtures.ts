import { test as base } from '@playwright/test';
import { findChromium } from './harness';

/**
 * The tests' `test`: every browser test is skipped (loudly, see global-setup.ts) when this machine has no Chromium,
 * except in CI, where a missing Chromium fails the run instead.
 */
export const test = base.extend<{ chromiumRequired: undefined }>({
  chromiumRequired: [
    // Playwright reads fixture dependencies from this destructuring, so it must be an (empty) object pattern.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use, testInfo) => {
      testInfo.skip(!findChromium() && !process.env.CI, 'no Chromium on this machine (see the warning above)');
      await use(undefined);
    },
    { auto: true },
  ],
});

export { expect } from '@playwright/test';
