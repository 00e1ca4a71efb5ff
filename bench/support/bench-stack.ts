import { SNSClient } from '@aws-sdk/client-sns'
import { LOCAL_CREDENTIALS, LOCAL_JWT_SECRET } from '../../local/defaults.js'
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.js'
import { createPublisher, type Publisher } from '../../shared/publisher/publisher.js'
import { Fleet } from './fleet-client.js'

export interface BenchStack {
  stack: LocalStack
  publisher: Publisher
  fleet: Fleet
  secret: string
  close(): Promise<void>
}

/** The local stack on free ports, a publisher pointed at its SNS endpoint, and a socket fleet. */
export async function startBenchStack(options: LocalStackOptions = {}): Promise<BenchStack> {
  const stack = await startLocalStack({ port: 0, ...options })
  const sns = new SNSClient({
    endpoint: stack.snsEndpoint,
    region: stack.region,
    credentials: LOCAL_CREDENTIALS,
  })
  const fleet = new Fleet()
  return {
    stack,
    publisher: createPublisher({ client: sns, topicArn: stack.topicArn }),
    fleet,
    secret: LOCAL_JWT_SECRET,
    async close() {
      await fleet.stop()
      sns.destroy()
      await stack.close()
    },
  }
}
