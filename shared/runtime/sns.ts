import { SNSClient } from '@aws-sdk/client-sns'
import { type AwsClients, clientConfig } from './aws-clients.js'

export function snsOf(aws: AwsClients): SNSClient {
  return aws.client('sns', () => new SNSClient(clientConfig(aws, 'sns')))
}
