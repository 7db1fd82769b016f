// The staff console's build. Shared code (zod schemas, vocabularies, message catalogues) is imported from
// the engine's own modules through the `@engine` alias: the browser parses with the same schemas as the
// API, and nothing is declared twice. Only browser-safe modules (events/, domain/) may be imported; type
// imports from elsewhere are erased.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  resolve: { alias: { '@engine': path.resolve(here, '..') } },
  build: {
    outDir: path.resolve(here, '..', 'dist', 'console'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  logLevel: 'warn',
});
