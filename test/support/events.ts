import type { SNSEvent } from 'aws-lambda'
import type { WebSocketEvent } from '../../functions/websocket-event.js'
import { requestTimeOf } from '../../local/gateway-events.js'

/** A WebSocket route event as API Gateway sends it after our authorizer allowed the connection. */
export function webSocketEvent(
  routeKey: string,
  connectionId: string,
  options: {
    userId?: string
    body?: string
    query?: Record<string, string>
    canReadLogs?: boolean
    binary?: boolean
  } = {},
): WebSocketEvent {
  const now = Date.now()
  return {
    requestContext: {
      routeKey,
      eventType: routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
      messageId: 'm',
      extendedRequestId: 'x',
      requestTime: requestTimeOf(now),
      messageDirection: 'IN',
      stage: 'local',
      connectedAt: now,
      requestTimeEpoch: now,
      requestId: 'r',
      domainName: 'localhost',
      connectionId,
      apiId: 'local',
      authorizer: options.userId
        ? {
            principalId: options.userId,
            userId: options.userId,
            canReadLogs: String(options.canReadLogs ?? true),
          }
        : undefined,
    },
    body: options.body,
    isBase64Encoded: options.binary ?? false,
    queryStringParameters: options.query,
  }
}

/** An SNS event with one record per message, as the SNS → Lambda subscription delivers it. */
export function snsEvent(
  ...messages: { message: string; messageId?: string; timestamp?: string }[]
): SNSEvent {
  return {
    Records: messages.map((m, i) => ({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:herald:sub',
      Sns: {
        Type: 'Notification',
        MessageId: m.messageId ?? `msg-${i}-${Math.random()}`,
        TopicArn: 'arn:aws:sns:us-east-1:000000000000:herald',
        Subject: '',
        Message: m.message,
        Timestamp: m.timestamp ?? new Date().toISOString(),
        SignatureVersion: '1',
        Signature: '',
        SigningCertUrl: '',
        UnsubscribeUrl: '',
        MessageAttributes: {},
      },
    })),
  }
}
