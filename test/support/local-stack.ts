import { SNSClient } from '@aws-sdk/client-sns'
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, inject } from 'vitest'
import { LOCAL_CREDENTIALS, LOCAL_JWT_SECRET } from '../../local/defaults.js'
import { localDynamoClient } from '../../local/dynamodb.js'
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.js'
import { signLocalToken } from '../../shared/auth/local-token.js'
import { createPublisher, type Publisher } from '../../shared/publisher/publisher.js'
import { noteBundlesRan } from './bundles-ran.js'
import { signedFetch } from './signed-fetch.js'
import { TestClient } from './ws-client.js'

export interface StackFixture {
  stack: LocalStack
  publisher: Publisher
  token(userId: string, options?: TokenClaims): Promise<string>
  /** A client of `userId`, welcomed; `query` is added to the URL (e.g. `stream=logs`). */
  connect(userId: string, query?: string, claims?: TokenClaims): Promise<TestClient>
  /** A raw SNS Publish, as any HTTP client that signs (the AWS CLI, curl --aws-sigv4) would send it. */
  rawPublish(form: Record<string, string>): Promise<{ status: number; body: string }>
  /** Every item in the connections table. */
  storedItems(): Promise<Record<string, unknown>[]>
}

/** What a test token may carry besides its user: the claim names are the local stack's defaults. */
export interface TokenClaims {
  scope?: string
  ttlSeconds?: number
  tenant?: string
  groups?: string[]
  /** The `email` claim: where escalations go. */
  email?: string
}

/** A local stack on free ports for the test file, and the clients that talk to it. */
export function withLocalStack(options: LocalStackOptions = {}): StackFixture {
  const fixture = {} as StackFixture
  const clients: TestClient[] = []
  let sns: SNSClient
  let dynamo: DynamoDBDocumentClient
  beforeAll(async () => {
    const stack = await startLocalStack({
      port: 0,
      lambda: { retryDelaysMs: [50, 100] },
      // `npm run test:bundles`: the same tests against the esbuild bundles, run as Lambda runs them.
      ...(process.env.HERALD_TEST_BUNDLES ? { bundles: process.env.HERALD_TEST_BUNDLES } : {}),
      ...options,
    })
    sns = new SNSClient({ endpoint: stack.snsEndpoint, region: stack.region, credentials: LOCAL_CREDENTIALS })
    dynamo = DynamoDBDocumentClient.from(localDynamoClient(stack.dynamodbEndpoint))
    fixture.stack = stack
    fixture.publisher = createPublisher({ client: sns, topicArn: stack.topicArn })
    fixture.token = (userId, extra = {}) => signLocalToken({ userId, secret: LOCAL_JWT_SECRET, ...extra })
    fixture.connect = async (userId, query, claims) => {
      const token = await fixture.token(userId, claims)
      const client = await TestClient.connect(
        `${stack.websocketUrl}/?token=${token}${query ? `&${query}` : ''}`,
      )
      clients.push(client)
      return client
    }
    fixture.rawPublish = async (form) => {
      const response = await signedFetch(
        stack.snsEndpoint,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(form).toString(),
        },
        'sns',
      )
      return { status: response.status, body: await response.text() }
    }
    fixture.storedItems = async () =>
      (await dynamo.send(new ScanCommand({ TableName: stack.env.HERALD_CONNECTIONS_TABLE }))).Items ?? []
  })
  afterAll(async () => {
    for (const client of clients) client.socket.terminate()
    sns?.destroy()
    dynamo?.destroy()
    await fixture.stack?.close()
    const bundlesRan = inject('bundlesRan')
    if (bundlesRan && fixture.stack) noteBundlesRan(bundlesRan, fixture.stack)
  })
  return fixture
}
