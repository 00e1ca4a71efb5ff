import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { SESv2Client, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BillMeter } from '../../local/bill-meter.js'
import type { Guard } from '../../local/iam.js'
import { LocalSes, type SentEmail } from '../../local/ses.js'

// The SES twin as the real SDK and the real AWS CLI reach it, over HTTP, with nothing mocked.
const run = promisify(execFile)
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }
const cliEnv = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_DEFAULT_REGION: 'us-east-1',
}
const ses = new LocalSes({ verifiedIdentities: ['alerts@herald.dev', 'example.org'] })
const meter = new BillMeter()
let endpoint: string
let client: SESv2Client

beforeAll(async () => {
  ses.meter(meter)
  endpoint = await ses.listen()
  client = new SESv2Client({ region: 'us-east-1', endpoint, credentials })
})
afterAll(async () => {
  client.destroy()
  await ses.close()
})

const email = (overrides: Partial<SendEmailCommandInput> = {}): SendEmailCommandInput => ({
  FromEmailAddress: 'alerts@herald.dev',
  Destination: { ToAddresses: ['alice@example.com'] },
  Content: { Simple: { Subject: { Data: 'Disk' }, Body: { Text: { Data: '91% full' } } } },
  ...overrides,
})

describe('Class: LocalSes', () => {
  it('sends from a verified address to To, Cc and Bcc, into outbox(), GET /outbox and onSent', async () => {
    // Prepare
    const sent: SentEmail[] = []
    const stop = ses.onSent((email) => sent.push(email))
    const before = meter.usage().operator?.['ses.emails'] ?? 0

    // Act
    const { MessageId } = await client.send(
      new SendEmailCommand(
        email({
          Destination: {
            ToAddresses: ['alice@example.com'],
            CcAddresses: ['bob@example.com'],
            BccAddresses: ['carol@example.com'],
          },
        }),
      ),
    )
    stop()

    // Assess
    const expected = {
      from: 'alerts@herald.dev',
      to: ['alice@example.com', 'bob@example.com', 'carol@example.com'],
      subject: 'Disk',
      text: '91% full',
      messageId: MessageId,
    }
    expect(ses.outbox().at(-1)).toMatchObject(expected)
    expect(sent).toEqual([expect.objectContaining(expected)])
    const listed = (await (await fetch(`${endpoint}/outbox`)).json()) as SentEmail[]
    expect(listed.at(-1)).toMatchObject(expected)
    expect(Date.parse(listed.at(-1)?.sentAt ?? '')).toBeGreaterThan(Date.now() - 60_000)
    expect(meter.usage().operator?.['ses.emails']).toBe(before + 3)
  })

  it('lets a domain identity cover any address at it, display name included, and sends Html as the text', async () => {
    await client.send(
      new SendEmailCommand(
        email({
          FromEmailAddress: '"Herald Ops" <ops@example.org>',
          Content: { Simple: { Subject: { Data: 'Up' }, Body: { Html: { Data: '<p>back</p>' } } } },
        }),
      ),
    )

    expect(ses.outbox().at(-1)).toMatchObject({ from: '"Herald Ops" <ops@example.org>', text: '<p>back</p>' })
  })

  it('sends what the AWS CLI sends', async () => {
    const { stdout } = await run(
      'aws',
      [
        'sesv2',
        'send-email',
        '--from-email-address',
        'alerts@herald.dev',
        '--destination',
        JSON.stringify({ ToAddresses: ['cli@example.com'] }),
        '--content',
        JSON.stringify({ Simple: { Subject: { Data: 'From the CLI' }, Body: { Text: { Data: 'hello' } } } }),
        '--endpoint-url',
        endpoint,
      ],
      { env: cliEnv },
    )

    const { MessageId } = JSON.parse(stdout) as { MessageId: string }
    expect(ses.outbox().at(-1)).toMatchObject({
      messageId: MessageId,
      to: ['cli@example.com'],
      subject: 'From the CLI',
      text: 'hello',
    })
  })

  it('refuses a From no verified identity covers with MessageRejected', async () => {
    const sent = ses.outbox().length

    await expect(
      client.send(new SendEmailCommand(email({ FromEmailAddress: 'stranger@nowhere.dev' }))),
    ).rejects.toMatchObject({
      name: 'MessageRejected',
      message:
        'Email address is not verified. The following identities failed the check in region US-EAST-1: stranger@nowhere.dev',
    })
    expect(ses.outbox()).toHaveLength(sent)
  })

  const fifty = Array.from({ length: 50 }, (_, i) => `user${i}@example.com`)
  it.each<[string, Partial<SendEmailCommandInput>, string]>([
    ['no FromEmailAddress', { FromEmailAddress: undefined }, 'FromEmailAddress is required.'],
    [
      'an invalid From',
      { FromEmailAddress: 'alerts-at-herald.dev' },
      'Illegal address: alerts-at-herald.dev',
    ],
    ['no recipients', { Destination: {} }, 'Destination needs at least one'],
    [
      'more than 50 recipients',
      { Destination: { ToAddresses: fifty, BccAddresses: ['one-more@example.com'] } },
      'Recipient count exceeds 50.',
    ],
    ['an invalid recipient', { Destination: { CcAddresses: ['bob@'] } }, 'Illegal address: bob@'],
    ['no Content', { Content: undefined }, 'Content is required.'],
    [
      'Raw content',
      { Content: { Raw: { Data: new TextEncoder().encode('Subject: x\r\n\r\nbody') } } },
      'supports Simple content only',
    ],
    [
      'Template content',
      { Content: { Template: { TemplateName: 'welcome', TemplateData: '{}' } } },
      'supports Simple content only',
    ],
    [
      'no Subject.Data',
      { Content: { Simple: { Subject: undefined, Body: { Text: { Data: 'x' } } } } as never },
      'Content.Simple.Subject.Data is required.',
    ],
    [
      'a Body with neither Text nor Html',
      { Content: { Simple: { Subject: { Data: 'x' }, Body: {} } } },
      'needs Text or Html',
    ],
  ])('refuses %s with BadRequestException', async (_, overrides, message) => {
    const sent = ses.outbox().length

    await expect(client.send(new SendEmailCommand(email(overrides)))).rejects.toMatchObject({
      name: 'BadRequestException',
      message: expect.stringContaining(message),
    })
    expect(ses.outbox()).toHaveLength(sent)
  })

  it.each([
    ['JSON that does not parse', '{"FromEmailAddress":', 'not a JSON object'],
    [
      'a body over 10 MB',
      JSON.stringify({ ...email(), pad: 'x'.repeat(10 * 1024 * 1024) }),
      'larger than 10 MB',
    ],
  ])('refuses %s with BadRequestException', async (_, body, message) => {
    const response = await fetch(`${endpoint}/v2/email/outbound-emails`, { method: 'POST', body })

    expect(response.status).toBe(400)
    expect(response.headers.get('x-amzn-errortype')).toBe('BadRequestException')
    expect(await response.json()).toMatchObject({ message: expect.stringContaining(message) })
  })

  it('answers an operation it does not support with 404 UnknownOperationException', async () => {
    const response = await fetch(`${endpoint}/v2/email/identities`, { method: 'POST', body: '{}' })

    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' })
  })
})

describe('Class: LocalSes, enforcing IAM', () => {
  it('refuses ses:SendEmail on the identity ARN with AccessDeniedException, and sends nothing', async () => {
    // Prepare
    const guarded = new LocalSes({ verifiedIdentities: ['example.org'] })
    const asked: [string, string][] = []
    const guard: Guard = (_, action, resource) => {
      asked.push([action, resource])
      return { type: 'AccessDeniedException', message: `not authorized to perform: ${action}` }
    }
    guarded.enforce(guard)
    const denied = new SESv2Client({ region: 'us-east-1', endpoint: await guarded.listen(), credentials })

    // Act
    const sending = denied.send(new SendEmailCommand(email({ FromEmailAddress: 'ops@example.org' })))

    // Assess
    await expect(sending).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: 'not authorized to perform: ses:SendEmail',
      $metadata: { httpStatusCode: 403 },
    })
    expect(asked).toEqual([['ses:SendEmail', 'arn:aws:ses:us-east-1:000000000000:identity/example.org']])
    expect(guarded.outbox()).toEqual([])
    denied.destroy()
    await guarded.close()
  })

  it('answers an unsigned call with 403, as the guard decides', async () => {
    const guarded = new LocalSes({ verifiedIdentities: ['alerts@herald.dev'] })
    guarded.enforce((authorization) =>
      authorization
        ? undefined
        : { type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' },
    )
    const endpoint = await guarded.listen()

    const response = await fetch(`${endpoint}/v2/email/outbound-emails`, {
      method: 'POST',
      body: JSON.stringify(email()),
    })

    expect(response.status).toBe(403)
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException')
    expect(guarded.outbox()).toEqual([])
    await guarded.close()
  })
})
