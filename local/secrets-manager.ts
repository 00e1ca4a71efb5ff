import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { jsonObjectOf, readBody, send, sendAwsError } from './http.js'
import { HttpTwin } from './http-twin.js'

/**
 * The twin of Secrets Manager's `GetSecretValue` (JSON 1.1 protocol), holding the secrets it is
 * given, so the local authorizer reads its key by ARN as the deployed one does.
 */
export class LocalSecretsManager extends HttpTwin {
  readonly #secrets = new Map<string, { value: string; version: string; created: number }>()

  /** Stores `value` under `arn`. */
  put(arn: string, value: string): void {
    this.#secrets.set(arn, { value, version: randomUUID(), created: Date.now() })
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = String(request.headers['x-amz-target'] ?? '')
    const input = jsonObjectOf(await readBody(request, 64 * 1024), '{}')
    if (!input) return sendAwsError(response, 400, 'SerializationException', 'Invalid JSON in the request')
    if (target !== 'secretsmanager.GetSecretValue')
      return sendAwsError(response, 400, 'UnknownOperationException', `${target} is not supported locally`)
    const arn = String(input.SecretId ?? '')
    const denial = this.guard?.(request.headers.authorization, 'secretsmanager:GetSecretValue', arn)
    if (denial) return sendAwsError(response, 400, denial.type, denial.message)
    const secret = this.#secrets.get(arn)
    if (!secret)
      return sendAwsError(
        response,
        400,
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      )
    send(
      response,
      200,
      JSON.stringify({
        ARN: arn,
        Name: arn.split(':').at(-1),
        SecretString: secret.value,
        VersionId: secret.version,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: secret.created / 1000,
      }),
      { 'content-type': 'application/x-amz-json-1.1' },
    )
  }
}
