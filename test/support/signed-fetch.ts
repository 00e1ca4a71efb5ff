import { Hash } from '@smithy/hash-node'
import { SignatureV4 } from '@smithy/signature-v4'
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/defaults.js'

/**
 * `fetch`, signed with SigV4 as every AWS client signs (the AWS CLI, boto3, the SDK): a raw HTTP
 * call to a twin, which, like AWS, refuses an unsigned one.
 */
export async function signedFetch(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  service: 'sns' | 'execute-api' = 'execute-api',
): Promise<Response> {
  const target = new URL(url)
  const signer = new SignatureV4({
    service,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    sha256: Hash.bind(null, 'sha256'),
  })
  const signed = await signer.sign({
    method: init.method ?? 'GET',
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port),
    path: target.pathname,
    query: Object.fromEntries(target.searchParams),
    headers: { host: target.host, ...init.headers },
    body: init.body,
  })
  return fetch(url, { method: init.method, body: init.body, headers: signed.headers })
}
