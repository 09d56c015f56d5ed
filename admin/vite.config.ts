import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is served by the gateway under /admin (src/services/gateway/admin-console.ts) and
// talks to the same origin's /api/v1. `vite` (dev server) proxies the API to a running platform.
export default defineConfig({
  root: import.meta.dirname,
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: { proxy: { '/api': process.env.ORDERLINE_URL ?? 'http://localhost:8080' } },
});
