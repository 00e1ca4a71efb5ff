import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    // The package (and the prebuilt bundles the construct deploys) from the sources, before any test.
    globalSetup: ['test/support/build-package.ts'],
    // One file per core, not Vitest's default of one fewer: most files wait on sockets and timers,
    // so on CI's two cores this cuts npm test from about 450 s to about 320 s.
    maxWorkers: '100%',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
  },
})
