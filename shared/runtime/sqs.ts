import { SQSClient } from '@aws-sdk/client-sqs'
import { type AwsClients, clientConfig } from './aws-clients.js'

export function sqsOf(aws: AwsClients): SQSClient {
  return aws.client('sqs', () => new SQSClient(clientConfig(aws, 'sqs')))
}
