// `tsx bench/profile-summary.ts DIR`: where the CPU time of each profile in DIR went, by part of the
// stack (profiles from `HERALD_BENCH_PROFILE=DIR npm run bench -- --only end-to-end`).
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { table } from './support/stats.js'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string }
  hitCount?: number
}
interface Profile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
}

// The first rule whose pattern the frame's script matches names its part.
const PARTS: [string, RegExp][] = [
  [
    'DynamoDB twin (dynalite, LevelDB)',
    /node_modules\/(dynalite|levelup|leveldown|memdown|abstract-leveldown|level-|lazy|big\.js|once|async)/,
  ],
  ['WebSocket frames (ws)', /node_modules\/ws\//],
  ['request signing (SigV4, hashing)', /signature-v4|sha256|crc32|@aws-crypto/],
  ['AWS SDK (serialising, middleware)', /node_modules\/@(aws-sdk|smithy)\//],
  ['Lambda twin and gateway (local/)', /\/local\//],
  ['Herald functions (functions/, shared/)', /\/(functions|shared)\//],
  ['validation (valibot), tokens (jose)', /node_modules\/(valibot|jose)\//],
  ['other packages', /node_modules\//],
  ['Node.js HTTP, net, streams', /^node:/],
]

function partOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame
  if (!url) return functionName.startsWith('(') ? functionName : `built-ins (${functionName || 'anonymous'})`
  return PARTS.find(([, pattern]) => pattern.test(url))?.[0] ?? 'other'
}

async function summarise(file: string) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const hits = new Map<string, number>()
  for (const sample of profile.samples) {
    const node = byId.get(sample) as ProfileNode
    let part = partOf(node)
    // Fold the many built-ins (JSON, Buffer, crypto bindings) into one line each.
    if (part.startsWith('built-ins ('))
      part = /JSON|stringify|parse/.test(part) ? 'built-ins: JSON' : 'built-ins: other'
    hits.set(part, (hits.get(part) ?? 0) + 1)
  }
  const total = profile.samples.length
  const seconds = (profile.endTime - profile.startTime) / 1e6
  const rows = [...hits.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([part, count]) => ({
      part,
      'share of samples %': (count / total) * 100,
      'CPU s': (count / total) * seconds,
    }))
  table(`${file.split('/').pop()}: ${seconds.toFixed(1)} s profiled`, rows)
}

const dir = process.argv[2] ?? '.'
for (const file of (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile')).sort())
  await summarise(join(dir, file))
