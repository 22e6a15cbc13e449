// The preload bridge (Electron) puts the LabApi on window.lab; in a plain browser it is absent.
import type { LabApi } from '../../shared/api';

declare global {
  interface Window {
    lab?: LabApi;
  }
}

export {};
