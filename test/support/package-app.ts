import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const root = resolve(import.meta.dirname, '../..')

interface LockEntry {
  version?: string
  resolved?: string
  integrity?: string
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  [key: string]: unknown
}

/** Where Node would find `name` from the package at `from`, among the lock's paths. */
function resolveIn(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`
    if (packages[candidate]) return candidate
    if (!base) return undefined
    const at = base.lastIndexOf('/node_modules/')
    base = at === -1 ? '' : base.slice(0, at)
  }
}

/**
 * A lock file for an app needing `dependencies` (names at the versions this repository locks),
 * cut from this repository's: `npm ci --offline` then installs it from the cache `npm ci` filled,
 * with no registry metadata needed.
 */
async function lockFor(app: string, tarball: string, dependencies: string[]) {
  const lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>
  }
  const heraldDeps = (
    JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
  ).dependencies
  const kept: Record<string, LockEntry> = {}
  const visit = (path: string) => {
    if (kept[path]) return
    const entry = lock.packages[path] as LockEntry
    kept[path] = Object.fromEntries(
      Object.entries(entry).filter(([key]) => !['dev', 'devOptional', 'peer'].includes(key)),
    )
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      const found = resolveIn(lock.packages, path, name)
      if (found) visit(found)
    }
  }
  for (const name of [...dependencies, ...Object.keys(heraldDeps)]) visit(`node_modules/${name}`)
  const versions = Object.fromEntries(
    dependencies.map((name) => [name, kept[`node_modules/${name}`]?.version as string]),
  )
  return {
    manifest: {
      name: app,
      private: true,
      type: 'module',
      dependencies: { herald: `file:${tarball}`, ...versions },
    },
    lock: {
      name: app,
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: app, dependencies: { herald: `file:${tarball}`, ...versions } },
        'node_modules/herald': { version: '0.2.0', resolved: `file:${tarball}`, dependencies: heraldDeps },
        ...kept,
      },
    },
  }
}

/** A fresh app folder with `files`, the packed tarball and `dependencies`, installed offline. */
export async function installApp(
  name: string,
  tarball: string,
  files: Record<string, string>,
  dependencies: string[],
) {
  const dir = await mkdtemp(join(tmpdir(), `herald-${name}-`))
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true })
    await writeFile(join(dir, path), text)
  }
  const { manifest, lock } = await lockFor(name, tarball, dependencies)
  await writeFile(join(dir, 'package.json'), JSON.stringify(manifest, null, 2))
  await writeFile(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2))
  await run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: dir,
    timeout: 240_000,
  })
  return dir
}
