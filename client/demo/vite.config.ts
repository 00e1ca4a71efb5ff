import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

/** The demo dashboard, built into dist/demo and served by `npm start`. */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  logLevel: 'warn',
  build: { outDir: resolve(import.meta.dirname, '../../dist/demo'), emptyOutDir: true },
})
