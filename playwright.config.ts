import { defineConfig } from '@playwright/test';

// Each test starts its own Chromium with the built extension and its own sandbox; one at a time fits a 2-core CI.
export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.e2e.ts',
  globalSetup: './tests/e2e/global-setup.ts',
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
});
