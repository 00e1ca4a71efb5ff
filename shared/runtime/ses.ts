import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2'
import type { OutgoingEmail } from '../escalation/escalation.js'
import { type AwsClients, clientConfig } from './aws-clients.js'

/** Sends plain-text e-mail from `from`, a verified SES identity, through SESv2 `SendEmail`. */
export function emailSender(aws: AwsClients, from: string): (email: OutgoingEmail) => Promise<void> {
  const client = aws.client('ses', () => new SESv2Client(clientConfig(aws, 'ses')))
  return async (email) => {
    await client.send(
      new SendEmailCommand({
        FromEmailAddress: from,
        Destination: { ToAddresses: [email.to] },
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: email.text, Charset: 'UTF-8' } },
          },
        },
      }),
    )
  }
}
