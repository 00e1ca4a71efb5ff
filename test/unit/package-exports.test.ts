import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = resolve(import.meta.dirname, '../..')

describe('Package exports', () => {
  it('lets an app import herald/client and herald/react by package name', async () => {
    const script = `
      const client = await import('herald/client')
      const react = await import('herald/react')
      console.log(JSON.stringify([typeof client.WebSocketService, client.ConnectionState.Open, typeof react.useNotifications, typeof react.NotificationCenter, typeof react.LogStream]))`
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root })
    expect(JSON.parse(stdout)).toEqual(['function', 'open', 'function', 'function', 'function'])
  })

  it('ships type declarations that a strict TypeScript app compiles against', async () => {
    const tsc = resolve(root, 'node_modules/.bin/tsc')
    await expect(
      run(tsc, ['-p', resolve(root, 'test/fixtures/consumer/tsconfig.json')], { cwd: root }),
    ).resolves.toBeDefined()
  })

  it('ships declarations for herald/cdk and herald/publisher that a strict TypeScript app compiles against', async () => {
    const tsc = resolve(root, 'node_modules/.bin/tsc')
    await expect(
      run(tsc, ['-p', resolve(root, 'test/fixtures/node-consumer/tsconfig.json')], { cwd: root }),
    ).resolves.toBeDefined()
  })
})
