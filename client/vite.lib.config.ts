import { resolve } from 'node:path'
import { defineConfig } from 'vite'

/** `herald/client` and `herald/react` as ES modules; React and valibot stay the app's own. */
export default defineConfig({
  logLevel: 'warn',
  build: {
    outDir: resolve(import.meta.dirname, '../dist/lib'),
    emptyOutDir: true,
    sourcemap: true,
    lib: {
      entry: {
        client: resolve(import.meta.dirname, 'index.ts'),
        react: resolve(import.meta.dirname, 'react/index.ts'),
      },
      formats: ['es'],
    },
    rolldownOptions: { external: [/^react($|\/)/, /^react-dom($|\/)/, 'valibot'] },
  },
  oxc: { jsx: { runtime: 'automatic', development: false } },
})
