import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { hasPeer, peerTest } from './peers.js'

const run = promisify(execFile)
const root = resolve(import.meta.dirname, '../..')
/** Debian's interpreter, where python3-boto3 is installed (`python3` on PATH may be another). */
export const PYTHON = '/usr/bin/python3'

export const pythonTest = peerTest(
  hasPeer(PYTHON, ['-c', 'import boto3, pip, wheel']),
  'apt-get install -y python3-boto3 python3-pip',
)

// The seed's own modules, migrated by the one line the README shows.
const MIGRATED = {
  'api/__init__.py': '',
  'api/websocket_utils.py':
    'from herald_publisher import send_alert_notification, send_log_stream, send_system_notification, send_upload_status\n',
  'api/signals.py': 'from herald_publisher import notify_log_ingested\n',
}

// The same names, recording each call's arguments instead of publishing: what the seed's code passes.
const RECORDING = `import json, sys
def _recorder(name):
    def record(*args, **kwargs):
        print(json.dumps({"fn": name, "args": list(args), "kwargs": kwargs}), flush=True)
    return record
send_alert_notification = _recorder("send_alert_notification")
send_log_stream = _recorder("send_log_stream")
notify_log_ingested = _recorder("notify_log_ingested")
`

// Runs a seed block as its reader would: the block, with `datetime` imported as Django code has it.
const RUNNER = `import sys
code = sys.stdin.read()
exec(compile("from datetime import datetime\\n" + code, "seed-example", "exec"), {})
`

export interface PythonPublisher {
  /** Runs `code` (stdin) with herald_publisher installed and the seed's modules migrated. */
  run(code: string, env: Record<string, string>): Promise<string>
  /** Runs a seed block against recording stand-ins; one `{fn, args, kwargs}` per call. */
  record(code: string): Promise<{ fn: string; args: unknown[]; kwargs: Record<string, unknown> }[]>
}

async function writeTree(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true })
    await writeFile(join(dir, path), text)
  }
}

function withStdin(command: string, args: string[], stdin: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = execFile(command, args, { env }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolveRun(stdout),
    )
    child.stdin?.end(stdin)
  })
}

/**
 * `pip install ./python` into a folder of its own (offline: the package needs nothing beyond the
 * boto3 Debian ships), then a Python with that folder and the migrated seed modules on its path.
 */
export async function installPythonPublisher(): Promise<PythonPublisher> {
  const base = await mkdtemp(join(tmpdir(), 'herald-python-'))
  const site = join(base, 'site')
  // Built from a copy: an in-tree build would leave build/ and *.egg-info in the repository.
  const source = join(base, 'source')
  await cp(join(root, 'python'), source, {
    recursive: true,
    filter: (path) => !/(^|\/)(build|[^/]*\.egg-info|__pycache__)$/.test(path),
  })
  await run(PYTHON, [
    ...['-m', 'pip', 'install', '--quiet', '--no-index', '--no-deps', '--no-build-isolation'],
    ...['--target', site, source],
  ])
  await writeTree(join(base, 'migrated'), MIGRATED)
  await writeTree(join(base, 'recording'), {
    'api/__init__.py': '',
    'api/websocket_utils.py': RECORDING,
    'api/signals.py': RECORDING,
  })
  // A shell with no AWS profile: the publisher must still reach the local stack.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')))
  return {
    run: (code, env) =>
      withStdin(PYTHON, ['-c', RUNNER], code, {
        ...clean,
        HOME: base,
        PYTHONPATH: `${site}:${join(base, 'migrated')}`,
        ...env,
      }),
    async record(code) {
      const out = await withStdin(PYTHON, ['-c', RUNNER], code, {
        ...clean,
        PYTHONPATH: join(base, 'recording'),
      })
      return out
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
    },
  }
}
