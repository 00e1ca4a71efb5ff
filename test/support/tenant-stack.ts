import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { RejectedNotification } from '../../shared/fan-out/rejections.js'
import { NOTIFICATION_TYPES } from '../../shared/protocol/notifications.js'
import type { PublishInput } from '../../shared/protocol/publish-body.js'
import { withLocalStack } from './local-stack.js'
import { root, tsx } from './npm-start.js'
import type { TestClient } from './ws-client.js'

export const run = promisify(execFile)

/** Who holds a token: the same user ids in every tenant, so only the tenant tells them apart. */
export interface Member {
  tenant: string
  user: string
  groups: string[]
  stream?: 'logs'
}

export const MEMBERS: Member[] = [
  { tenant: 'acme', user: '1', groups: ['oncall', 'admins'] },
  { tenant: 'acme', user: '2', groups: ['oncall'] },
  { tenant: 'acme', user: '3', groups: [] },
  { tenant: 'acme', user: 'ops', groups: ['oncall'], stream: 'logs' },
  { tenant: 'globex', user: '1', groups: ['oncall'] },
  { tenant: 'globex', user: '2', groups: ['finance'] },
  { tenant: 'globex', user: '3', groups: ['admins'] },
  { tenant: 'globex', user: 'ops', groups: [], stream: 'logs' },
  { tenant: 'initech', user: '1', groups: [] },
  { tenant: 'initech', user: '2', groups: ['admins', 'finance'] },
  { tenant: 'initech', user: '3', groups: ['oncall'] },
  { tenant: 'ops', user: 'sre', groups: ['oncall'] },
]

export const alert = (title: string) => ({ severity: 'high' as const, title, message: title })
export const system = (title: string) => ({ title, message: title })
export const log = (message: string) => ({ level: 'error' as const, message, source: 'api' })

/** What a member is entitled to, by the contract (docs/architecture.md, Tenants and groups). */
export function entitled(member: Member, body: PublishInput): boolean {
  if (body.tenant !== '*' && body.tenant !== member.tenant) return false
  if (body.type === 'log_event') return member.stream === 'logs'
  if (member.stream === 'logs') return false
  if ('userId' in body && body.userId !== undefined) return body.userId === member.user
  if ('group' in body && body.group !== undefined) return member.groups.includes(String(body.group))
  return true
}

export const nameOf = (data: Record<string, unknown>) => String(data.title ?? data.filename ?? data.message)
export const label = (member: Member) => `${member.tenant}/${member.user}${member.stream ? ' (logs)' : ''}`

/**
 * A multi-tenant local stack (tenant claim `tenant`, operator tenant `ops`, one EventBridge mapping
 * that reads tenant and group from the event) with MEMBERS' sockets and the CLI pointed at it.
 */
export function withTenantStack() {
  const rejected: RejectedNotification[] = []
  const configFile = join(mkdtempSync(join(tmpdir(), 'herald-tenants-')), 'local.json')
  const herald = withLocalStack({
    env: {
      HERALD_TENANT_CLAIM: 'tenant',
      HERALD_OPERATOR_TENANT: 'ops',
      HERALD_EVENT_MAPPINGS: JSON.stringify([
        {
          source: 'app.billing',
          type: 'alert',
          tenant: '{detail.tenant}',
          group: '{detail.team}',
          title: '{detail.title}',
        },
      ]),
    },
    configFile,
    onRejected: (notification) => rejected.push(notification),
  })
  /** `npm run herald -- …` against this stack. */
  const cli = async (...args: string[]) =>
    (await run(tsx, [join(root, 'cli/herald.ts'), ...args, '--config', configFile])).stdout.trim()

  function connectAll(): Promise<[Member, TestClient][]> {
    return Promise.all(
      MEMBERS.flatMap((member) =>
        [0, 1].map(
          async (): Promise<[Member, TestClient]> => [
            member,
            await herald.connect(member.user, member.stream ? 'stream=logs' : undefined, {
              tenant: member.tenant,
              groups: member.groups,
            }),
          ],
        ),
      ),
    )
  }

  /** Names of the notifications a socket got, after everything published has been delivered. */
  async function notificationsOf(sockets: [Member, TestClient][], from = new Map<TestClient, number>()) {
    await herald.stack.idle()
    // A pong comes after every frame the gateway sent before it, on the same socket.
    await Promise.all(
      sockets.map(async ([, socket]) => {
        socket.send({ type: 'ping' })
        await socket.next('pong')
      }),
    )
    return sockets.map(([member, socket]) => ({
      member,
      got: socket.frames
        .slice(from.get(socket) ?? 0)
        .filter((frame) => NOTIFICATION_TYPES.includes(frame.type as never))
        .map((frame) => nameOf(frame.data as Record<string, unknown>))
        .sort(),
    }))
  }

  return { herald, rejected, configFile, cli, connectAll, notificationsOf }
}
