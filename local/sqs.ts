import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import { withDefaults } from '../shared/options.js'
import { functionPayer, payerOf, unitsOf } from './bill-meter.js'
import { LOCAL_REGION } from './defaults.js'
import { readBody, send } from './http.js'
import { HttpTwin } from './http-twin.js'
import { localArn } from './iam.js'
import type { LocalLambda } from './lambda-runtime.js'
import {
  SQS_MAX_MESSAGE_BYTES as MAX_BYTES,
  type QueuedMessage as Message,
  PassiveQueue,
  type PassiveQueueOptions,
  queuedMessage,
  SQS_MAX_RETENTION_SECONDS,
  SqsError,
} from './passive-queue.js'

export interface LocalSqsOptions {
  lambda: LocalLambda
  queueName: string
  /** The function the event source mapping invokes. */
  consumer: string
  /** Messages per invocation. @default 10 */
  batchSize?: number
  /** Invocations at once (the mapping's maximum concurrency). @default 2 */
  maxConcurrency?: number
  /** How long a failed message stays invisible before it is tried again. @default 1000 */
  visibilityTimeoutMs?: number
  /** Receives before a message goes to the dead-letter queue. @default 3 */
  maxReceiveCount?: number
  /** Other queues on the same endpoint that nothing consumes automatically, by name. @default {} */
  passiveQueues?: Record<string, PassiveQueueOptions>
}

/**
 * The twin of an SQS queue and its Lambda event source mapping: `SendMessage` and
 * `SendMessageBatch` in the JSON protocol the SDK speaks (with the MD5 digests it checks), delays,
 * batches of up to `batchSize` to the consumer, partial batch failures retried after the visibility
 * timeout, and a dead-letter list after `maxReceiveCount`.
 */
export class LocalSqs extends HttpTwin {
  readonly #options: Required<LocalSqsOptions>
  readonly #messages: Message[] = []
  readonly #deadLetterQueue = new PassiveQueue({ retentionSeconds: SQS_MAX_RETENTION_SECONDS })
  /** The passive queues by name (the dead-letter queue is `<queueName>-dead-letters`). */
  readonly passive = new Map<string, PassiveQueue>()
  readonly #byUrl = new Map<string, PassiveQueue>()
  /** What went through the queue: messages sent to it, and batches handed to its consumer. */
  readonly stats = { sent: 0, invocations: 0 }
  #inFlight = 0
  #timer: NodeJS.Timeout | undefined
  #idleWaiters: (() => void)[] = []
  queueUrl = ''
  /** Where redriven messages and Lambda on-failure records go; readable with ReceiveMessage. */
  deadLetterQueueUrl = ''

  constructor(options: LocalSqsOptions) {
    super()
    const { lambda, queueName, consumer } = options
    this.#options = withDefaults(
      {
        lambda,
        queueName,
        consumer,
        batchSize: 10,
        maxConcurrency: 2,
        visibilityTimeoutMs: 1000,
        maxReceiveCount: 3,
        passiveQueues: {},
      },
      options,
    )
    this.passive.set(`${options.queueName}-dead-letters`, this.#deadLetterQueue)
    for (const [name, queueOptions] of Object.entries(this.#options.passiveQueues))
      this.passive.set(name, new PassiveQueue(queueOptions))
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const body = await readBody(request, 2 * MAX_BYTES)
      if (!body)
        throw new SqsError('BatchRequestTooLong', 'Batch requests cannot be longer than 262144 bytes')
      const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>
      const action = String(request.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '')
      // IAM names a batch call after its single form: SendMessageBatch needs sqs:SendMessage.
      const denial = this.guard?.(
        request.headers.authorization,
        `sqs:${action.replace(/Batch$/, '')}`,
        localArn.queue(String(input.QueueUrl ?? '')),
      )
      if (denial) throw new SqsError(denial.type, denial.message)
      this.billMeter?.add(payerOf(request.headers.authorization), 'sqs.requests', billedRequests(input))
      const passive = this.#byUrl.get(String(input.QueueUrl))
      if (passive) return this.#reply(response, passive.action(action, input))
      if (input.QueueUrl !== this.queueUrl)
        throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.')
      if (action === 'SendMessage')
        return this.#reply(response, this.#enqueue(input as { MessageBody: string; DelaySeconds?: number }))
      if (action === 'SendMessageBatch')
        return this.#reply(response, this.#enqueueBatch(input.Entries as BatchEntry[]))
      throw new SqsError(
        'UnsupportedOperation',
        `${action || 'this operation'} is not supported by the local queue`,
      )
    } catch (error) {
      const failure = error instanceof SqsError ? error : new SqsError('InternalError', String(error))
      send(
        response,
        400,
        JSON.stringify({ __type: `com.amazonaws.sqs#${failure.code}`, message: failure.message }),
        {
          'content-type': 'application/x-amz-json-1.0',
        },
      )
    }
  }

  override async listen(port = 0): Promise<string> {
    const endpoint = await super.listen(port)
    this.queueUrl = `${endpoint}/000000000000/${this.#options.queueName}`
    this.deadLetterQueueUrl = `${this.queueUrl}-dead-letters`
    for (const [name, queue] of this.passive) this.#byUrl.set(`${endpoint}/000000000000/${name}`, queue)
    return endpoint
  }

  /** The URL of a passive queue, by name. */
  urlOf(name: string): string {
    return this.queueUrl.replace(/[^/]+$/, name)
  }

  /** What waits in the dead-letter queue. */
  get deadLetters(): readonly Message[] {
    return this.#deadLetterQueue.messages
  }

  /** Resolves when the queue is empty and no invocation is running. */
  idle(): Promise<void> {
    if (this.#messages.length === 0 && this.#inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  override async close(): Promise<void> {
    clearTimeout(this.#timer)
    await super.close()
  }

  /** Puts a message straight on the dead-letter queue, as a Lambda on-failure destination does. */
  addDeadLetter(body: string): void {
    this.#deadLetterQueue.add(body)
  }

  #reply(response: ServerResponse, result: unknown): void {
    send(response, 200, JSON.stringify(result), { 'content-type': 'application/x-amz-json-1.0' })
  }

  #enqueue(input: { MessageBody: string; DelaySeconds?: number }) {
    const message = queuedMessage(input.MessageBody, (input.DelaySeconds ?? 0) * 1000)
    this.stats.sent++
    this.#messages.push(message)
    this.#pump()
    return { MessageId: message.messageId, MD5OfMessageBody: message.md5 }
  }

  #enqueueBatch(entries: BatchEntry[] | undefined) {
    if (!entries?.length)
      throw new SqsError('EmptyBatchRequest', 'The batch request doesn’t contain any entries.')
    if (entries.length > 10)
      throw new SqsError('TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10.')
    const total = entries.reduce((sum, entry) => sum + Buffer.byteLength(entry.MessageBody ?? ''), 0)
    if (total > MAX_BYTES)
      throw new SqsError('BatchRequestTooLong', 'Batch requests cannot be longer than 262144 bytes')
    return {
      Successful: entries.map((entry) => ({ Id: entry.Id, ...this.#enqueue(entry) })),
      Failed: [],
    }
  }

  /** Starts invocations while there is room and visible work; wakes itself for delayed messages. */
  #pump(): void {
    clearTimeout(this.#timer)
    const now = Date.now()
    while (this.#inFlight < this.#options.maxConcurrency) {
      const batch: Message[] = []
      for (let i = 0; i < this.#messages.length && batch.length < this.#options.batchSize; ) {
        const message = this.#messages[i] as Message
        if (message.visibleAt <= now) batch.push(...this.#messages.splice(i, 1))
        else i++
      }
      if (batch.length === 0) break
      void this.#invoke(batch)
    }
    const next = Math.min(...this.#messages.map((message) => message.visibleAt))
    if (Number.isFinite(next)) this.#timer = setTimeout(() => this.#pump(), Math.max(1, next - now))
    if (this.#messages.length === 0 && this.#inFlight === 0)
      for (const resolve of this.#idleWaiters.splice(0)) resolve()
  }

  async #invoke(batch: Message[]): Promise<void> {
    this.#inFlight++
    this.stats.invocations++
    // The event source mapping's ReceiveMessage and DeleteMessageBatch, billed to the account.
    this.billMeter?.add(functionPayer(this.#options.consumer), 'sqs.requests', 2)
    for (const message of batch) message.receiveCount++
    let failed = new Set(batch.map((message) => message.messageId))
    try {
      const result = (await this.#options.lambda.invoke(this.#options.consumer, this.#event(batch))) as
        | SQSBatchResponse
        | undefined
      failed = new Set((result?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier))
    } catch {
      // The whole batch failed: every message is retried.
    }
    const retryAt = Date.now() + this.#options.visibilityTimeoutMs
    for (const message of batch) {
      if (!failed.has(message.messageId)) continue
      if (message.receiveCount >= this.#options.maxReceiveCount) this.#deadLetterQueue.messages.push(message)
      else this.#messages.push({ ...message, visibleAt: retryAt })
    }
    this.#inFlight--
    this.#pump()
  }

  #event(batch: Message[]): SQSEvent {
    const arn = `arn:aws:sqs:${LOCAL_REGION}:000000000000:${this.#options.queueName}`
    return {
      Records: batch.map(
        (message): SQSRecord => ({
          messageId: message.messageId,
          receiptHandle: `${message.messageId}#${message.receiveCount}`,
          body: message.body,
          attributes: {
            ApproximateReceiveCount: String(message.receiveCount),
            SentTimestamp: String(message.sentAt),
            SenderId: '000000000000',
            ApproximateFirstReceiveTimestamp: String(Date.now()),
          },
          messageAttributes: {},
          md5OfBody: message.md5,
          eventSource: 'aws:sqs',
          eventSourceARN: arn,
          awsRegion: LOCAL_REGION,
        }),
      ),
    }
  }
}

interface BatchEntry {
  Id: string
  MessageBody: string
  DelaySeconds?: number
}

/** SQS bills a request per 64 KB of the message bodies it carries; any other request is one. */
function billedRequests(input: { MessageBody?: unknown; Entries?: unknown }): number {
  const bodies = Array.isArray(input.Entries)
    ? input.Entries.map((entry: { MessageBody?: unknown }) => entry.MessageBody)
    : [input.MessageBody]
  const bytes = bodies.reduce<number>(
    (sum, body) => sum + (typeof body === 'string' ? Buffer.byteLength(body) : 0),
    0,
  )
  return unitsOf(bytes, 64 * 1024)
}
