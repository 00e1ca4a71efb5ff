// `npm run smoke -- --config .herald/outputs.json`: after `cdk deploy`, proves the path a user
// relies on, end to end: a browser connects, a publish reaches it, and a CloudWatch alarm reaches it.
import { parseArgs } from 'node:util'
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch'
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns'
import { LOCAL_CREDENTIALS, LOCAL_JWT_SECRET } from '../local/defaults.js'
import { signLocalToken } from '../shared/auth/local-token.js'
import { ConfigError } from '../shared/errors.js'
import { SMOKE_USER } from '../shared/integrations/smoke.js'
import { EVERY_TENANT } from '../shared/protocol/audience.js'
import { createPublisher } from '../shared/publisher/publisher.js'
import { alarmStateChange } from './alarm-message.js'
import { SmokeSocket } from './smoke-socket.js'
import { loadTarget, type Target } from './target.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const { values: flags } = parseArgs({
  options: { config: { type: 'string' }, token: { type: 'string' }, timeout: { type: 'string' } },
})
const timeoutMs = Number(flags.timeout ?? 30) * 1000

/**
 * The smoke user's tenant: the one Herald's own alarms go to. The smoke alarm is routed to the
 * smoke user alone, and with `"*"` there is no one tenant to find that user in: the fan-out would
 * refuse the alarm's alert (invalid_audience), so the smoke test says so before it starts.
 */
function smokeTenant(target: Target): string | undefined {
  if (!target.tenantClaim) return undefined
  if (!target.operatorTenant)
    throw new ConfigError('the stack names no operatorTenant, the tenant the smoke alarm goes to')
  if (target.operatorTenant === EVERY_TENANT)
    throw new ConfigError(
      'the smoke alarm goes to one user, in the operator tenant; with operatorTenant "*" there is no one tenant to find that user in (smoke-test a stack whose operatorTenant names a tenant)',
    )
  return target.operatorTenant
}

/** A token for the smoke user: given, signed with the local secret, or with the stack's key. */
async function tokenFor(target: Target): Promise<string> {
  if (flags.token) return flags.token
  const claims = { userId: SMOKE_USER, tenant: smokeTenant(target), tenantClaim: target.tenantClaim }
  if (target.local)
    return signLocalToken({ ...claims, secret: process.env.HERALD_JWT_SECRET ?? LOCAL_JWT_SECRET })
  if (!target.tokenSecretArn)
    throw new ConfigError('this stack verifies OIDC tokens: pass --token with one whose sub is herald-smoke')
  const secrets = new SecretsManagerClient({ region: target.region })
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: target.tokenSecretArn }))
  secrets.destroy()
  return signLocalToken({ ...claims, secret: SecretString ?? '' })
}

/** Sets the smoke alarm's state on AWS; locally, publishes what CloudWatch would for that change. */
async function setAlarmState(target: Target, sns: SNSClient, state: 'ALARM' | 'OK'): Promise<void> {
  const name = target.smokeAlarmName as string
  const reason = `Herald smoke test: ${state}`
  if (target.local) {
    const message = alarmStateChange({ name, region: target.region, state, reason })
    await sns.send(new PublishCommand({ TopicArn: target.topicArn, Message: message }))
    return
  }
  const cloudwatch = new CloudWatchClient({ region: target.region })
  await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: reason }))
  cloudwatch.destroy()
}

async function main(): Promise<boolean> {
  const target = await loadTarget(flags.config)
  if (!target.smokeAlarmName)
    throw new ConfigError('this config names no SmokeAlarmName (redeploy, or restart npm start)')
  const sns = new SNSClient({
    region: target.region,
    ...(target.local ? { endpoint: target.snsEndpoint, credentials: LOCAL_CREDENTIALS } : {}),
  })
  const publisher = createPublisher({ client: sns, topicArn: target.topicArn, tenant: smokeTenant(target) })
  let socket: SmokeSocket | undefined
  const steps: [string, () => Promise<string>][] = [
    [
      'connect',
      async () => {
        socket = await SmokeSocket.open(
          `${target.websocketUrl}?token=${encodeURIComponent(await tokenFor(target))}`,
          timeoutMs,
        )
        return `welcomed as ${SMOKE_USER}`
      },
    ],
    [
      'publish → receive',
      async () => {
        const title = `Smoke test ${new Date().toISOString()}`
        const { id } = await publisher.sendAlertNotification(SMOKE_USER, {
          severity: 'low',
          title,
          message: 'through SNS',
        })
        await socket?.waitFor((frame) => frame.id === id, timeoutMs)
        return `alert ${id} arrived`
      },
    ],
    [
      'alarm → alert',
      async () => {
        await setAlarmState(target, sns, 'ALARM')
        await socket?.waitFor(
          (frame) => frame.type === 'alert' && frame.data.title === target.smokeAlarmName,
          timeoutMs,
        )
        await setAlarmState(target, sns, 'OK')
        return `${target.smokeAlarmName} ALARM arrived as an alert${target.local ? ' (local: sent as CloudWatch would)' : ''}`
      },
    ],
  ]
  let passed = true
  for (const [name, step] of steps) {
    const started = Date.now()
    try {
      const detail = await step()
      console.log(`ok    ${name.padEnd(18)} ${String(Date.now() - started).padStart(6)} ms  ${detail}`)
    } catch (error) {
      console.log(
        `FAIL  ${name.padEnd(18)} ${String(Date.now() - started).padStart(6)} ms  ${(error as Error).message}`,
      )
      passed = false
      break
    }
  }
  socket?.close()
  sns.destroy()
  return passed
}

main().then(
  (passed) => process.exit(passed ? 0 : 1),
  (error: unknown) => {
    console.error(`smoke: ${(error as Error).message}`)
    process.exit(2)
  },
)
