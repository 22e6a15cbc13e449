// The preload: exposes LabApi on `window.lab` through contextBridge, built from the shared method
// and event tables. Nothing else crosses; the renderer never sees ipcRenderer.
import { contextBridge, ipcRenderer } from 'electron';
import { IPC_EVENT_CHANNEL, createLabClient, ipcChannel, type Envelope, type LabEvent } from '../shared/api';

const listeners = new Map<LabEvent, Set<(payload: unknown) => void>>();
ipcRenderer.on(IPC_EVENT_CHANNEL, (_e, message: { event: LabEvent; payload: unknown }) => {
  for (const l of listeners.get(message.event) ?? []) l(message.payload);
});

const lab = createLabClient(
  (method, input) => ipcRenderer.invoke(ipcChannel(method), input) as Promise<Envelope>,
  (event, listener) => {
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    set.add(listener);
    return () => set.delete(listener);
  },
  { plainErrors: true },
);

contextBridge.exposeInMainWorld('lab', lab);
