import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { localFunctionName } from '../../local/defaults.js'
import { credentialsOf } from '../../local/iam.js'
import type { ManagementCall } from '../../local/management-api.js'
import { withLocalStack } from '../support/local-stack.js'

const herald = withLocalStack()
const userOf = (event: unknown) =>
  (event as { requestContext: { authorizer?: { principalId?: string } } }).requestContext.authorizer
    ?.principalId

/** Resolves with the first Management API call that `matches`. */
function nextCall(matches: (call: ManagementCall) => boolean): Promise<ManagementCall> {
  return new Promise((resolve) => {
    const stop = herald.stack.gateway.onManagementCall((call) => {
      if (!matches(call)) return
      stop()
      resolve(call)
    })
  })
}

// API Gateway answers 410 to a post for a connection whose `$connect` has not returned yet. A
// notification published in that moment finds the stored connection, and its post is refused.
describe('A notification published while a socket is still opening', () => {
  it('reaches the socket once it opens, exactly once, though its first post was answered 410', async () => {
    const fanOut = credentialsOf('fanout').accessKeyId
    let published: { id: string } | undefined
    herald.stack.lambda.wrap(localFunctionName('connect'), (connect) => async (event) => {
      const result = await connect(event)
      if (userOf(event) !== 'nia') return result
      const { connectionId } = (event as APIGatewayProxyWebsocketEventV2).requestContext
      const refused = nextCall(
        (call) => call.connectionId === connectionId && call.accessKeyId === fanOut && call.status === 410,
      )
      published = await herald.publisher.sendAlertNotification('nia', {
        severity: 'high',
        title: 'Deploy started',
        message: 'while you were connecting',
      })
      // `$connect` returns only once the fan-out has been told the connection is gone.
      await refused
      return result
    })

    const client = await herald.connect('nia')
    await herald.stack.idle()
    await client.caughtUp()

    // It may come before the welcome: the client's resume cursor allows for it (client/core/resume-cursor.ts).
    expect(client.received('alert').map((frame) => frame.id)).toEqual([published?.id])
    expect((await herald.storedItems()).some((item) => item.connectionId === client.connectionId)).toBe(true)
  })
})

// A browser on a flapping network gives up while its socket is opening. API Gateway answers 410 to
// the welcome's posts either way, so only the store can tell "left" from "not yet".
describe('A socket that leaves while it is opening', () => {
  it('ends its welcome once $disconnect has removed it, not after the 5 s opening deadline', async () => {
    const welcome = localFunctionName('welcome')
    const ended = new Promise<{ delivered: boolean }>((resolve) => {
      herald.stack.lambda.wrap(welcome, (handler) => async (event) => {
        const result = (await handler(event)) as { delivered: boolean }
        if ((event as { userId: string }).userId === 'flaky') resolve(result)
        return result
      })
    })
    const socket = new WebSocket(`${herald.stack.websocketUrl}/?token=${await herald.token('flaky')}`)
    socket.on('error', () => {})
    herald.stack.lambda.wrap(localFunctionName('connect'), (connect) => async (event) => {
      const result = await connect(event)
      if (userOf(event) === 'flaky') {
        const closed = new Promise((resolve) => socket.once('close', resolve))
        socket.terminate()
        await closed
      }
      return result
    })
    const refused: ManagementCall[] = []
    const stop = herald.stack.gateway.onManagementCall((call) => {
      if (call.status === 410 && call.accessKeyId === credentialsOf('welcome').accessKeyId) refused.push(call)
    })

    expect(await ended).toEqual({ delivered: false })
    stop()
    // Three tries, then one read per try until $disconnect's removal shows: the whole deadline would be 29.
    expect(refused.length).toBeGreaterThanOrEqual(3)
    expect(refused.length).toBeLessThan(10)
  })
})
