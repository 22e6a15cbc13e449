// `npm run serve -- [--port N] [--data DIR]`: the lab in a browser. Prints the URL (with its token)
// as the first line of stdout.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { resolveDataDir } from '../../lab/paths';
import { openLab } from '../node';
import { startWebHost } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    data: { type: 'string' },
    pool: { type: 'string' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port: "${values.port}" is not a port number (0–65535; 0 picks a free one)`);
  process.exit(2);
}
const dataDir = resolveDataDir(values.data);
const lab = openLab(dataDir, 'web', import.meta.url, values.pool ? Number(values.pool) : undefined);
const host = await startWebHost(lab, {
  port,
  staticDir: fileURLToPath(new URL('../renderer', import.meta.url)),
});
process.stdout.write(`${host.url}\n`);
console.error(`Alignment Lab is running at the address above (data: ${dataDir}). Press Ctrl+C to stop.`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await host.close();
  await lab.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
