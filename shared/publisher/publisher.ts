import { PublishCommand, SNSClient } from '@aws-sdk/client-sns'
import { InvalidNotificationError } from '../errors.js'
import { newId } from '../protocol/ids.js'
import { byteLength, SNS_MAX_MESSAGE_BYTES } from '../protocol/limits.js'
import {
  type AlertInput,
  canonicalWord,
  type LogEventInput,
  type SystemNoticeInput,
  type UploadStatusInput,
} from '../protocol/notifications.js'
import {
  messageAttributesOf,
  type PublishInput,
  parsePublishBody,
  toEnvelope,
} from '../protocol/publish-body.js'
import { required } from '../runtime/config.js'

/** A user id: the token's `sub`, or an integer that is matched as its decimal string. */
export type UserId = string | number

/** Who within a tenant, for the seed-shaped calls (docs/architecture.md, Tenants and groups). */
export interface Recipients {
  /** The tenant; `"*"` is every tenant. @default the publisher's `tenant` */
  tenant?: string | number
  /** A group of the tenant instead of one user or everyone. */
  group?: string | number
  /** The inbox thread it joins: a user's notifications with one key are one entry. */
  threadKey?: string
}

export interface PublisherOptions {
  /** An SNS client; by default one for the ambient region, honouring AWS_ENDPOINT_URL_SNS. */
  client?: SNSClient
  /** @default process.env.HERALD_TOPIC_ARN */
  topicArn?: string
  /** The tenant of every publish that names none; a multi-tenant deployment needs one. @default process.env.HERALD_TENANT */
  tenant?: string | number
}

export interface Published {
  /** The envelope id browsers will see, usable as a `resume` cursor. */
  id: string
  /** SNS's id for the message. */
  messageId: string
}

/** What {@link createPublisher} returns: the seed's calls, and `publish` for any notification type. */
export interface Publisher {
  /** Validates and publishes one notification of any type; the seed-shaped calls below build on it. */
  publish(input: PublishInput): Promise<Published>
  /**
   * An alert for one user's connections, or for every `alerts` subscriber (or `to.group`'s) when
   * `userId` is null. A Django integer primary key works as it is: it is matched as the token's `sub`.
   */
  sendAlertNotification(
    userId: UserId | null | undefined,
    alert: AlertInput,
    to?: Recipients,
  ): Promise<Published>
  /** A log event for every `logs` subscriber whose filters match it, within `to.tenant`. */
  sendLogStream(log: LogEventInput, to?: Pick<Recipients, 'tenant'>): Promise<Published>
  /** A notice for every `system` subscriber (or `to.group`'s); severity `info` unless given. */
  sendSystemNotification(notice: SystemNoticeInput, to?: Recipients): Promise<Published>
  /** Upload progress for one user's connections, or for every `uploads` subscriber (or `to.group`'s) when `userId` is null. */
  sendUploadStatus(
    userId: UserId | null | undefined,
    status: UploadStatusInput,
    to?: Recipients,
  ): Promise<Published>
  /**
   * What the seed's ingestion pipeline called per stored log: streams it, and raises a broadcast
   * alert when it is critical, so people who are not watching the log stream still hear of it.
   */
  notifyLogIngested(log: LogEventInput, to?: Pick<Recipients, 'tenant'>): Promise<Published[]>
}

/**
 * The publisher SDK, with the seed's names. Every call validates before anything is sent: a bad
 * notification throws {@link InvalidNotificationError} and nothing reaches SNS.
 *
 * @example
 * const herald = createPublisher({ topicArn })
 * await herald.sendAlertNotification('alice', { severity: 'high', title: 'Disk 91% full', message: 'db-1' })
 */
export function createPublisher(options: PublisherOptions = {}): Publisher {
  const client = options.client ?? new SNSClient({})
  const topicArn = options.topicArn ?? required(process.env, 'HERALD_TOPIC_ARN')
  const tenant = options.tenant ?? (process.env.HERALD_TENANT || undefined)

  async function publish(input: PublishInput): Promise<Published> {
    // Callers in plain JavaScript can pass anything; refuse it as clearly as a bad field.
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new InvalidNotificationError(
        'not_an_object',
        'a notification must be an object with "type" and "data"',
      )
    }
    const now = Date.now()
    const body = parsePublishBody({
      ...(tenant === undefined ? {} : { tenant }),
      ...input,
      id: input.id ?? newId(now),
      timestamp: input.timestamp ?? new Date(now).toISOString(),
    })
    const envelope = toEnvelope(body, { id: body.id as string, timestamp: body.timestamp as string })
    const message = JSON.stringify(body)
    if (byteLength(message) > SNS_MAX_MESSAGE_BYTES) {
      throw new InvalidNotificationError(
        'too_large',
        `message is larger than SNS's ${SNS_MAX_MESSAGE_BYTES} bytes`,
      )
    }
    const attributes = Object.entries(messageAttributesOf(body)).map(([name, value]) => [
      name,
      { DataType: 'String', StringValue: value },
    ])
    const result = await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: message,
        MessageAttributes: Object.fromEntries(attributes),
      }),
    )
    return { id: envelope.id, messageId: result.MessageId ?? '' }
  }

  const tenantOf = (to: Recipients): Pick<Recipients, 'tenant'> =>
    to.tenant === undefined ? {} : { tenant: to.tenant }

  return {
    publish,
    sendAlertNotification: (userId: UserId | null | undefined, alert: AlertInput, to: Recipients = {}) =>
      publish({ type: 'alert', data: alert, ...to, ...(userId != null ? { userId } : {}) }),
    sendLogStream: (log: LogEventInput, to: Pick<Recipients, 'tenant'> = {}) =>
      publish({ type: 'log_event', data: log, ...tenantOf(to) }),
    sendSystemNotification: (notice: SystemNoticeInput, to: Recipients = {}) =>
      publish({ type: 'system', data: notice, ...to }),
    sendUploadStatus: (userId: UserId | null | undefined, status: UploadStatusInput, to: Recipients = {}) =>
      publish({ type: 'upload_status', data: status, ...to, ...(userId != null ? { userId } : {}) }),
    async notifyLogIngested(log: LogEventInput, to: Pick<Recipients, 'tenant'> = {}): Promise<Published[]> {
      const streamed = await publish({ type: 'log_event', data: log, ...tenantOf(to) })
      if (canonicalWord(log.level) !== 'critical') return [streamed]
      const alert = await publish({
        type: 'alert',
        ...tenantOf(to),
        data: {
          severity: 'critical',
          title: `Critical log${log.source ? ` from ${log.source}` : ''}`,
          message: log.message.slice(0, 16_384),
          source: log.source,
          metadata: { logId: log.id ?? streamed.id, environment: log.environment },
        },
      })
      return [streamed, alert]
    },
  }
}
