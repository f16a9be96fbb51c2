// Vite build of the dashboard SPA: src/web/ui → dist/web/ui, relative asset paths so the same
// build serves /view/ and /admin/, no source maps, nothing external. Run with
// `vite build --config src/web/ui/vite.config.ts`. Vite requires a default export here.

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [solid()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../../dist/web/ui', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    reportCompressedSize: false,
  },
});
