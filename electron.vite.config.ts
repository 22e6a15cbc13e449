import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// Three builds, as electron-vite's template lays them out. The main build has several entries:
// the Electron entry, the web host, the CLI and the run process, all plain Node code sharing chunks.
export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          serve: resolve('src/main/hosts/web/serve.ts'),
          cli: resolve('src/main/hosts/cli/main.ts'),
          worker: resolve('src/main/lab/worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    build: {
      minify: true,
      // One bundle, loaded from disk (or localhost): echarts and React make it ~0.9 MB, and splitting buys nothing here.
      chunkSizeWarningLimit: 1200,
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
    plugins: [react()],
  },
});
