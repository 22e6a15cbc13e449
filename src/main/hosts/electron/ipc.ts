// The Electron IPC adapter, generated from LabApi's method and event tables: one `handle` per method,
// one event channel; every sender is checked to be our own window's main frame.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { IPC_EVENT_CHANNEL, LAB_METHODS, dispatch, ipcChannel, type Envelope } from '../../../shared/api';
import type { Lab } from '../../lab/lab';

export function registerIpc(lab: Lab, isTrustedSender: (e: IpcMainInvokeEvent) => boolean): () => void {
  for (const method of LAB_METHODS) {
    ipcMain.handle(ipcChannel(method), async (e, input: unknown): Promise<Envelope> => {
      if (!isTrustedSender(e))
        return { ok: false, error: { code: 'unauthorized', message: 'untrusted IPC sender', issues: [] } };
      return dispatch(lab, method, input);
    });
  }
  return () => LAB_METHODS.forEach((m) => ipcMain.removeHandler(ipcChannel(m)));
}

/** Forwards Lab events to a window. */
export function forwardEvents(lab: Lab, win: BrowserWindow): () => void {
  return lab.subscribe((event, payload) => {
    if (!win.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, { event, payload });
  });
}
