// The Electron entry (electron-vite's main entry): one window, the Lab behind IPC, run processes as
// Electron utility processes. Kept small: everything else lives in lab/ and is shared with the web host.
import { app, utilityProcess } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab } from './lab/lab';
import type { RunProcessLauncher } from './lab/protocol';
import { createWindow } from './hosts/electron/window';
import { forwardEvents, registerIpc } from './hosts/electron/ipc';

const workerPath = join(fileURLToPath(new URL('.', import.meta.url)), 'worker.js');

/** Run processes under Electron: utilityProcess, the Node-only child Electron recommends. */
const launch: RunProcessLauncher = () => {
  const child = utilityProcess.fork(workerPath, [], { serviceName: 'alignment-lab run', stdio: 'inherit' });
  let exited = false;
  return {
    get pid() {
      return child.pid;
    },
    send: (m) => {
      if (!exited) child.postMessage(m);
    },
    onMessage: (l) => child.on('message', l),
    onExit: (l) =>
      child.once('exit', (code) => {
        exited = true;
        l(code, null);
      }),
    kill: () => void child.kill(),
  };
};

if (!app.requestSingleInstanceLock()) app.quit();

app.whenReady().then(() => {
  const lab = new Lab({
    dataDir: app.getPath('userData'),
    host: 'electron',
    launch,
    version: app.getVersion(),
  });
  const win = createWindow();
  registerIpc(
    lab,
    (e) =>
      e.senderFrame?.url !== undefined &&
      e.sender === win.webContents &&
      e.senderFrame === win.webContents.mainFrame,
  );
  forwardEvents(lab, win);
  app.on('before-quit', () => void lab.close());
  app.on('window-all-closed', () => app.quit());
});

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (e) => e.preventDefault());
});
