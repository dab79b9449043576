// Builds the trace viewer: `npx vite build web` (output web/dist, served by `mmlife view`).
// The worker bundles src/engine, src/kernel and src/scenarios: they must stay free of Node APIs.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  logLevel: 'warn',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2023', reportCompressedSize: false },
  worker: { format: 'es' },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});
