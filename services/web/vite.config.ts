// The storefront's build: one entry (the storefront) with the admin console and its charts in lazy chunks.
// `npm start` and the browser tests build it through packages/devstack/src/web.ts when its sources changed.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // dist/.vite/manifest.json: what the entry loads up front, so its gzipped size can be measured.
    manifest: true,
    // No inline modulepreload polyfill: the CSP allows this origin's scripts only.
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
