#!/usr/bin/env node
// `npm start`: build, then open the lab in Electron's window. Where Electron's binary cannot be had
// (it is fetched on first launch, which needs GitHub) or there is no display, say so in one line and
// start the web host instead, passing the same arguments (`npm start -- --port 8080 --data DIR`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const args = process.argv.slice(2);
const run = (cmd, argv) =>
  new Promise((resolve) => spawn(cmd, argv, { stdio: 'inherit' }).on('exit', (code) => resolve(code ?? 1)));

const built = await run(process.execPath, [
  'node_modules/electron-vite/bin/electron-vite.js',
  'build',
  '--logLevel',
  'warn',
]);
if (built !== 0) process.exit(built);

function electronBinary() {
  // Requiring `electron` from Node returns the binary's path, downloading it on first use.
  const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (probe.status === 0 && probe.stdout && existsSync(probe.stdout)) return { path: probe.stdout };
  const last = (probe.stderr || '').trim().split('\n').filter(Boolean).at(-1) ?? 'no binary';
  return { reason: probe.error ? String(probe.error.message) : last };
}

const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const electron = noDisplay ? { reason: 'no display (DISPLAY is not set)' } : electronBinary();
if (electron.path) {
  process.exit(await run(electron.path, ['.', ...args]));
} else {
  console.log(
    `Electron is not available here (${electron.reason}); starting the web host instead: open the address below.`,
  );
  process.exit(await run(process.execPath, ['out/main/serve.js', ...args]));
}
