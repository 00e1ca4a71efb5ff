import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { localFunctionName } from '../../local/defaults.js'
import { credentialsOf } from '../../local/iam.js'
import type { ManagementCall } from '../../local/management-api.js'
import { withLocalStack } from '../support/local-stack.js'

const herald = withLocalStack()

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

    // It may come before the welcome: the client keeps the welcome's cursor rule (see websocket-service.ts).
    expect(client.received('alert').map((frame) => frame.id)).toEqual([published?.id])
    expect((await herald.storedItems()).some((item) => item.connectionId === client.connectionId)).toBe(true)
  })
})
