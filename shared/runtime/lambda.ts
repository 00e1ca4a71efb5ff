import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda'
import { type AwsClients, clientConfig } from './aws-clients.js'

/** Starts a function without waiting for it, as Lambda's asynchronous invocation does. */
export function invokeAsync(aws: AwsClients, functionName: string) {
  const client = aws.client('lambda', () => new LambdaClient(clientConfig(aws, 'lambda')))
  return async (payload: unknown): Promise<void> => {
    await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: JSON.stringify(payload),
      }),
    )
  }
}
