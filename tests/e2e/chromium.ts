// How the e2e tests launch Chromium: Debian's build (never a downloaded browser), headless.
import type { LaunchOptions } from '@playwright/test';

export function chromiumLaunchOptions(): LaunchOptions {
  const args = [
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  // Chromium refuses to start its sandbox as root (CI containers); it is only a test browser.
  if (process.getuid?.() === 0) args.unshift('--no-sandbox');
  return { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args };
}
