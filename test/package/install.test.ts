import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { FUNCTION_SPECS } from '../../functions/manifest.js'
import { withLocalStack } from '../support/local-stack.js'
import { installApp } from '../support/package-app.js'

const run = promisify(execFile)
const root = resolve(import.meta.dirname, '../..')
const herald = withLocalStack()
let tarball: string

beforeAll(async () => {
  const out = await mkdtemp(join(tmpdir(), 'herald-pack-'))
  // The global setup built the package; packing again would rebuild it under the other test files.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', out, '--json'], {
    cwd: root,
    timeout: 240_000,
  })
  tarball = join(out, (JSON.parse(stdout) as { filename: string }[])[0]?.filename as string)
}, 240_000)

describe('Installing the packed tarball into fresh apps', () => {
  it('a Node service publishes through herald/publisher and the notification arrives; only dist/ is installed', async () => {
    const dir = await installApp(
      'publisher-app',
      tarball,
      {
        'publish.js': `import { SNSClient } from '@aws-sdk/client-sns'
import { createPublisher } from 'herald/publisher'
const client = new SNSClient({ endpoint: process.env.SNS, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })
const herald = createPublisher({ client, topicArn: process.env.TOPIC })
console.log(JSON.stringify(await herald.sendAlertNotification('pkg-user', { severity: 'high', title: 'From the package', message: 'ok' })))
client.destroy()
`,
      },
      ['@aws-sdk/client-sns'],
    )
    const socket = await herald.connect('pkg-user')

    const { stdout } = await run(process.execPath, ['publish.js'], {
      cwd: dir,
      env: { ...process.env, SNS: herald.stack.snsEndpoint, TOPIC: herald.stack.topicArn },
    })

    const { id } = JSON.parse(stdout) as { id: string }
    expect((await socket.next('alert')).id).toBe(id)
    const installed = await readdir(join(dir, 'node_modules/herald'))
    expect(installed.sort()).toEqual(['CHANGELOG.md', 'README.md', 'dist', 'package.json'])
    expect(
      (await readdir(join(dir, 'node_modules'))).filter((name) =>
        /^(react|aws-cdk-lib|constructs)$/.test(name),
      ),
    ).toEqual([])
  }, 300_000)

  it('a Vite + React app builds with herald/react, and its bundle carries no CDK or AWS SDK code', async () => {
    const dir = await installApp(
      'react-app',
      tarball,
      {
        'index.html': '<!doctype html><div id="root"></div><script type="module" src="/main.jsx"></script>',
        'main.jsx': `import { createRoot } from 'react-dom/client'
import { HeraldProvider, NotificationCenter, useNotifications } from 'herald/react'
function Count() { const { unreadCount } = useNotifications(); return <p>{unreadCount} unread</p> }
createRoot(document.getElementById('root')).render(
  <HeraldProvider url="ws://localhost:3001" token="t"><NotificationCenter /><Count /></HeraldProvider>,
)
`,
      },
      ['react', 'react-dom', 'vite'],
    )

    await run(join(dir, 'node_modules/.bin/vite'), ['build', '--logLevel', 'error'], {
      cwd: dir,
      timeout: 120_000,
    })

    const assets = join(dir, 'dist/assets')
    const js = (
      await Promise.all(
        (
          await readdir(assets)
        )
          .filter((f) => f.endsWith('.js'))
          .map((f) => readFile(join(assets, f), 'utf8')),
      )
    ).join('\n')
    expect(js).toContain('connection_established')
    for (const foreign of ['aws-cdk-lib', 'AWS::Lambda', '@aws-sdk', 'SNSClient', 'SignatureV4'])
      expect(js.includes(foreign), foreign).toBe(false)
  }, 300_000)

  it('a CDK app synthesizes new Herald(...) from herald/cdk, with the nine functions and their code assets', async () => {
    const dir = await installApp(
      'cdk-app',
      tarball,
      {
        'app.js': `import { App, Stack } from 'aws-cdk-lib'
import { Herald } from 'herald/cdk'
const app = new App({ outdir: 'cdk.out' })
const stack = new Stack(app, 'Notifications')
new Herald(stack, 'Herald', { logsClaim: 'logs:read' })
app.synth()
`,
      },
      ['aws-cdk-lib', 'constructs'],
    )

    await run(process.execPath, ['app.js'], { cwd: dir, timeout: 120_000 })

    const template = JSON.parse(await readFile(join(dir, 'cdk.out/Notifications.template.json'), 'utf8')) as {
      Resources: Record<
        string,
        { Type: string; Properties: { Handler?: string; Code?: { S3Key?: unknown } } }
      >
    }
    const functions = Object.values(template.Resources).filter(
      (resource) =>
        resource.Type === 'AWS::Lambda::Function' && resource.Properties.Handler === 'index.handler',
    )
    expect(functions).toHaveLength(FUNCTION_SPECS.length)
    for (const fn of functions) expect(fn.Properties.Code?.S3Key).toBeDefined()
    const assets = (await readdir(join(dir, 'cdk.out'))).filter((name) => name.startsWith('asset.'))
    const bundled = await Promise.all(assets.map((asset) => readdir(join(dir, 'cdk.out', asset))))
    expect(bundled.filter((files) => files.includes('index.mjs'))).toHaveLength(FUNCTION_SPECS.length)
  }, 300_000)
})
