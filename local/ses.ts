import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { payerOf } from './bill-meter.js'
import { LOCAL_REGION } from './defaults.js'
import { isObject, jsonObjectOf, readBody, send, sendAwsError, valueAt } from './http.js'
import { HttpTwin } from './http-twin.js'

export interface LocalSesOptions {
  /** The e-mail addresses and domains the account may send from. */
  verifiedIdentities: readonly string[]
  /** @default LOCAL_REGION */
  region?: string
}

/** An e-mail as SES accepted it: `to` holds every recipient, Cc and Bcc included. */
export interface SentEmail {
  from: string
  to: string[]
  subject: string
  text: string
  /** ISO 8601. */
  sentAt: string
  messageId: string
}

/** SES's limit on a message, and on its recipients, To, Cc and Bcc together. */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024
const MAX_RECIPIENTS = 50
/** A simple `local@domain` check: SES refuses what this refuses, and more. */
const ADDRESS = /^[^\s@<>(),;:"]+@[a-z0-9-]+(\.[a-z0-9-]+)*$/i
/** SES's display-name form, `"Name" <address>` or `Name <address>`. */
const DISPLAY_NAME = /^(?:"[^"]*"\s*|[^<>"]*)<([^<>]+)>$/

/**
 * The twin of SES v2's `SendEmail` (REST-JSON), sending only from its verified identities and
 * keeping what it sends in an outbox instead of delivering it. Its own `GET /outbox` route, which
 * AWS does not have, answers that outbox as JSON for tests and the CLI.
 */
export class LocalSes extends HttpTwin {
  readonly #region: string
  readonly #verified: Set<string>
  readonly #outbox: SentEmail[] = []
  readonly #listeners = new Set<(email: SentEmail) => void>()

  constructor(options: LocalSesOptions) {
    super()
    this.#region = options.region ?? LOCAL_REGION
    this.#verified = new Set(options.verifiedIdentities.map(normalized))
  }

  /** Every e-mail sent so far, oldest first (a copy). */
  outbox(): SentEmail[] {
    return structuredClone(this.#outbox)
  }

  /** Calls `listener` with each e-mail as it is sent; returns a function that stops listening. */
  onSent(listener: (email: SentEmail) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const route = `${request.method} ${new URL(request.url ?? '/', 'http://twin').pathname}`
    if (route === 'GET /outbox') return send(response, 200, JSON.stringify(this.#outbox))
    if (route !== 'POST /v2/email/outbound-emails')
      return sendAwsError(
        response,
        404,
        'UnknownOperationException',
        `The local SES twin supports SendEmail only, not ${route}`,
      )
    const body = await readBody(request, MAX_MESSAGE_BYTES)
    if (!body) return badRequest(response, 'The message is larger than 10 MB, the most SES accepts.')
    const input = jsonObjectOf(body)
    if (input === undefined) return badRequest(response, 'The request body is not a JSON object.')
    const from = valueAt(input, 'FromEmailAddress')
    if (typeof from !== 'string' || !from) return badRequest(response, 'FromEmailAddress is required.')
    const sender = addressOf(from)
    if (!sender) return badRequest(response, `Illegal address: ${from}`)
    const identity = this.#identityOf(sender)
    const identityArn = `arn:aws:ses:${this.#region}:000000000000:identity/${identity}`
    const denial = this.guard?.(request.headers.authorization, 'ses:SendEmail', identityArn)
    if (denial) return sendAwsError(response, 403, denial.type, denial.message)
    const draft = draftOf(input)
    if (typeof draft === 'string') return badRequest(response, draft)
    if (!this.#verified.has(identity))
      return sendAwsError(
        response,
        400,
        'MessageRejected',
        `Email address is not verified. The following identities failed the check in region ${this.#region.toUpperCase()}: ${from}`,
      )
    const email: SentEmail = { from, ...draft, sentAt: new Date().toISOString(), messageId: randomUUID() }
    this.#outbox.push(email)
    this.billMeter?.add(payerOf(request.headers.authorization), 'ses.emails', email.to.length)
    send(response, 200, JSON.stringify({ MessageId: email.messageId }))
    // After the answer: a listener that throws cannot turn a sent e-mail into a failed call.
    for (const listener of this.#listeners) listener(structuredClone(email))
  }

  /** The verified identity that covers `address`: itself, else its domain, else (unverified) itself. */
  #identityOf(address: string): string {
    const exact = normalized(address)
    const domain = exact.slice(exact.lastIndexOf('@') + 1)
    return this.#verified.has(exact) || !this.#verified.has(domain) ? exact : domain
  }
}

/** An identity as SES compares it: domains are case-insensitive, an address's local part is not. */
function normalized(identity: string): string {
  const at = identity.lastIndexOf('@')
  return identity.slice(0, at + 1) + identity.slice(at + 1).toLowerCase()
}

/** The bare address in `"Name" <address>` or `address`, or none when it is not a valid address. */
function addressOf(written: string): string | undefined {
  const address = (DISPLAY_NAME.exec(written.trim())?.[1] ?? written).trim()
  return ADDRESS.test(address) ? address : undefined
}

/** The recipients, subject and text of a request, or why SES refuses it. */
function draftOf(input: unknown): Pick<SentEmail, 'to' | 'subject' | 'text'> | string {
  const lists = ['To', 'Cc', 'Bcc'].map((kind) => valueAt(input, `Destination.${kind}Addresses`))
  if (lists.some((list) => list !== undefined && !isStrings(list)))
    return 'Destination addresses must be lists of strings.'
  const to = (lists as (string[] | undefined)[]).flatMap((list) => list ?? [])
  if (to.length === 0) return 'Destination needs at least one of ToAddresses, CcAddresses or BccAddresses.'
  if (to.length > MAX_RECIPIENTS) return `Recipient count exceeds ${MAX_RECIPIENTS}.`
  const illegal = to.find((address) => !addressOf(address))
  if (illegal !== undefined) return `Illegal address: ${illegal}`
  const content = valueAt(input, 'Content')
  if (!isObject(content)) return 'Content is required.'
  if (!isObject(content.Simple))
    return 'The local SES twin supports Simple content only, not Raw or Template.'
  const subject = valueAt(content, 'Simple.Subject.Data')
  if (typeof subject !== 'string') return 'Content.Simple.Subject.Data is required.'
  const text = valueAt(content, 'Simple.Body.Text.Data') ?? valueAt(content, 'Simple.Body.Html.Data')
  if (typeof text !== 'string') return 'Content.Simple.Body needs Text or Html, each with its Data.'
  return { to, subject, text }
}

function badRequest(response: ServerResponse, message: string): void {
  sendAwsError(response, 400, 'BadRequestException', message)
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}
