// Builds the till screen (renderer/) into build/renderer. The same files are served by the
// Electron shell over app:// and by `pos-companion serve` over loopback HTTP, so every URL in
// the output is relative (base './') and nothing is inlined: the pages run under a strict
// Content-Security-Policy with no 'unsafe-inline' scripts. No source maps unless built with
// `--mode development`: they carry the whole source and would be served with the screen (browser
// mode refuses .map files anyway, see main/web/static-files.ts).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig(({ mode }) => ({
  root: resolve(here, 'renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: resolve(here, 'build/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    // Small assets inlined as data: URLs would need a looser CSP (img-src data:); keep them files.
    assetsInlineLimit: 0,
    sourcemap: mode === 'development',
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod's comments confuse Rollup's annotation parser; harmless, and not ours to fix.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
        warn(warning);
      },
    },
  },
  server: { host: '127.0.0.1', strictPort: true },
  clearScreen: false,
}));
