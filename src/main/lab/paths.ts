// Where the lab keeps its data when the host does not say (Electron passes its userData folder).
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `--data DIR`, else `LAB_DATA_DIR`, else the per-user default for this platform. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.LAB_DATA_DIR || defaultDataDir(env);
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = homedir();
  switch (process.platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'alignment-lab');
    case 'win32':
      return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'alignment-lab');
    default:
      return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'alignment-lab');
  }
}
