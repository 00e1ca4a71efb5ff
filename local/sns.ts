import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SNSEvent, SNSMessageAttributes } from 'aws-lambda'
import { HeraldError } from '../shared/errors.js'
import { SNS_MAX_MESSAGE_BYTES } from '../shared/protocol/limits.js'
import { payerOf, unitsOf } from './bill-meter.js'
import { readBody, send } from './http.js'
import { HttpTwin } from './http-twin.js'
import type { LocalLambda } from './lambda-runtime.js'

export interface LocalSnsOptions {
  lambda: LocalLambda
  topicArn: string
  /** The function subscribed to the topic. */
  subscriber: string
}

interface PublishEntry {
  message: string
  subject?: string
  attributes: SNSMessageAttributes
}

/** An SNS error as the awsQuery protocol reports it: the HTTP status and SNS's error code. */
class SnsError extends HeraldError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message)
  }
}

const MAX_BATCH = 10
const escapeXml = (text: string) =>
  text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string,
  )

/**
 * The twin of an SNS topic with one Lambda subscription: `Publish` and `PublishBatch` in the
 * awsQuery protocol the SDK and the AWS CLI speak (form-encoded request, XML reply). It answers
 * first, then invokes the subscriber asynchronously with an SNS event, one record per message.
 */
export class LocalSns extends HttpTwin {
  readonly #options: LocalSnsOptions

  constructor(options: LocalSnsOptions) {
    super()
    this.#options = options
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID()
    try {
      const body = await readBody(request, 2 * SNS_MAX_MESSAGE_BYTES * MAX_BATCH)
      if (request.method !== 'POST' || !body) throw new SnsError(400, 'InvalidParameter', 'Invalid request')
      const form = new URLSearchParams(body.toString('utf8'))
      const action = form.get('Action')
      // IAM authorizes PublishBatch as sns:Publish.
      const denial = this.guard?.(
        request.headers.authorization,
        `sns:${(action ?? '').replace(/Batch$/, '')}`,
        form.get('TopicArn') ?? '',
      )
      // SNS's own names for the two refusals, in its awsQuery error codes.
      if (denial)
        throw new SnsError(
          403,
          denial.type === 'AccessDeniedException' ? 'AuthorizationError' : 'MissingAuthenticationToken',
          denial.message,
        )
      // SNS bills a publish, or a batch, per 64 KB of the messages it carries.
      const bytes = [...form].reduce(
        (sum, [key, value]) => sum + (/(^|\.)Message$/.test(key) ? Buffer.byteLength(value) : 0),
        0,
      )
      this.billMeter?.add(payerOf(request.headers.authorization), 'sns.requests', unitsOf(bytes, 64 * 1024))
      if (action === 'Publish') this.#publish(form, requestId, response)
      else if (action === 'PublishBatch') this.#publishBatch(form, requestId, response)
      else
        throw new SnsError(
          400,
          'InvalidAction',
          `The action ${action ?? '(none)'} is not valid for this endpoint.`,
        )
    } catch (error) {
      const failure = error instanceof SnsError ? error : new SnsError(500, 'InternalError', String(error))
      sendXml(
        response,
        failure.status,
        `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${failure.status < 500 ? 'Sender' : 'Receiver'}</Type><Code>${failure.code}</Code><Message>${escapeXml(failure.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      )
    }
  }

  #publish(form: URLSearchParams, requestId: string, response: ServerResponse): void {
    this.#checkTopic(form.get('TopicArn') ?? form.get('TargetArn'))
    const entry = parseEntry(form, '')
    const messageId = randomUUID()
    sendXml(
      response,
      200,
      `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
    )
    this.#deliver(messageId, entry)
  }

  #publishBatch(form: URLSearchParams, requestId: string, response: ServerResponse): void {
    this.#checkTopic(form.get('TopicArn'))
    const entries: { id: string; entry: PublishEntry }[] = []
    for (let n = 1; form.has(`PublishBatchRequestEntries.member.${n}.Id`); n++) {
      const prefix = `PublishBatchRequestEntries.member.${n}.`
      entries.push({ id: form.get(`${prefix}Id`) as string, entry: parseEntry(form, prefix) })
    }
    if (entries.length === 0)
      throw new SnsError(400, 'EmptyBatchRequest', 'The batch request doesn\u2019t contain any entries.')
    if (entries.length > MAX_BATCH)
      throw new SnsError(
        400,
        'TooManyEntriesInBatchRequest',
        'The batch request contains more entries than permissible.',
      )
    if (new Set(entries.map((e) => e.id)).size !== entries.length) {
      throw new SnsError(
        400,
        'BatchEntryIdsNotDistinct',
        'Two or more batch entries in the request have the same Id.',
      )
    }
    const published = entries.map(({ id, entry }) => ({ id, entry, messageId: randomUUID() }))
    const members = published.map(
      (p) => `<member><Id>${escapeXml(p.id)}</Id><MessageId>${p.messageId}</MessageId></member>`,
    )
    sendXml(
      response,
      200,
      `<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult><Successful>${members.join('')}</Successful><Failed/></PublishBatchResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishBatchResponse>`,
    )
    for (const p of published) this.#deliver(p.messageId, p.entry)
  }

  #checkTopic(arn: string | null): void {
    if (arn !== this.#options.topicArn) throw new SnsError(404, 'NotFound', 'Topic does not exist')
  }

  #deliver(messageId: string, entry: PublishEntry): void {
    const event: SNSEvent = {
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: `${this.#options.topicArn}:${randomUUID()}`,
          Sns: {
            Type: 'Notification',
            MessageId: messageId,
            TopicArn: this.#options.topicArn,
            Subject: entry.subject ?? '',
            Message: entry.message,
            Timestamp: new Date().toISOString(),
            SignatureVersion: '1',
            Signature: 'local',
            SigningCertUrl: '',
            UnsubscribeUrl: '',
            MessageAttributes: entry.attributes,
          },
        },
      ],
    }
    this.#options.lambda.invokeAsync(this.#options.subscriber, event)
  }
}

function parseEntry(form: URLSearchParams, prefix: string): PublishEntry {
  const message = form.get(`${prefix}Message`)
  if (!message) throw new SnsError(400, 'InvalidParameter', 'Invalid parameter: Empty message')
  if (Buffer.byteLength(message) > SNS_MAX_MESSAGE_BYTES) {
    throw new SnsError(400, 'InvalidParameter', 'Invalid parameter: Message too long')
  }
  const attributes: SNSMessageAttributes = {}
  for (let n = 1; form.has(`${prefix}MessageAttributes.entry.${n}.Name`); n++) {
    const at = `${prefix}MessageAttributes.entry.${n}.`
    const name = form.get(`${at}Name`) as string
    const type = form.get(`${at}Value.DataType`)
    const value = form.get(`${at}Value.StringValue`) ?? form.get(`${at}Value.BinaryValue`)
    if (!type || value === null) {
      throw new SnsError(
        400,
        'ParameterValueInvalid',
        `The message attribute '${name}' must contain non-empty message attribute value.`,
      )
    }
    attributes[name] = { Type: type, Value: value }
  }
  const subject = form.get(`${prefix}Subject`) ?? undefined
  return { message, attributes, ...(subject ? { subject } : {}) }
}

function sendXml(response: ServerResponse, status: number, xml: string): void {
  send(response, status, xml, { 'content-type': 'text/xml' })
}
