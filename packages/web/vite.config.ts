import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The dev server proxies the server's endpoints to a Samizdat server (SAMIZDAT_SERVER, default
 * http://127.0.0.1:8080), so the app talks to it on its own origin, as it does when the server
 * serves the built app.
 */
const server = process.env['SAMIZDAT_SERVER'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/ws': { target: server.replace(/^http/, 'ws'), ws: true },
      '/files': server,
      '/healthz': server,
      '/transparency': server,
    },
  },
  build: {
    outDir: 'dist',
    target: 'es2022',
    // Hashed file names under assets/: the server caches them as immutable.
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1024,
  },
});
