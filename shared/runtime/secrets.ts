import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { ConfigError } from '../errors.js'
import { type AwsClients, clientConfig } from './aws-clients.js'

/**
 * A secret's string value, as the authorizer's shared-secret mode keeps it. The SDK package is
 * loaded on first use only, so an authorizer verifying against a JWKS never pays for it.
 */
export async function readSecret(aws: AwsClients, arn: string): Promise<string> {
  const sdk = await import('@aws-sdk/client-secrets-manager')
  const client = aws.client<SecretsManagerClient>(
    'secrets',
    () => new sdk.SecretsManagerClient(clientConfig(aws, 'secretsmanager')),
  )
  const { SecretString } = await client.send(new sdk.GetSecretValueCommand({ SecretId: arn }))
  if (!SecretString) throw new ConfigError(`secret ${arn} has no string value`)
  return SecretString
}
