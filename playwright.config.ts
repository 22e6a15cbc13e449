import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './tests/e2e/chromium';

// End-to-end tests drive Debian's Chromium (never a downloaded browser) against the web host.
export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 180_000,
  workers: 1,
  reporter: [['list']],
  use: { launchOptions: chromiumLaunchOptions(), trace: 'retain-on-failure' },
});
