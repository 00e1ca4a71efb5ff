import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadTarget } from '../../cli/target.js'

async function file(content: unknown): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'herald-cli-')), 'config.json')
  await writeFile(path, JSON.stringify(content))
  return path
}

describe('Function: loadTarget', () => {
  // What `npm start` writes (local/endpoints-file.ts).
  const endpoints = {
    websocketUrl: 'ws://127.0.0.1:3001',
    managementUrl: 'http://127.0.0.1:3001/local',
    snsEndpoint: 'http://127.0.0.1:3003',
    dynamodbEndpoint: 'http://127.0.0.1:3002',
    lambdaEndpoint: 'http://127.0.0.1:3004',
    sqsEndpoint: 'http://127.0.0.1:3005',
    deliveryQueueUrl: 'http://127.0.0.1:3005/000000000000/herald-local-deliveries',
    deadLetterQueueUrl: 'http://127.0.0.1:3005/000000000000/herald-local-deliveries-dead-letters',
    rejectedQueueUrl: 'http://127.0.0.1:3005/000000000000/herald-local-rejected',
    smokeAlarmName: 'herald-local-smoke',
    topicArn: 'arn:aws:sns:us-east-1:000000000000:herald-local',
    region: 'us-east-1',
  }

  it('reads the local stack’s endpoints file', async () => {
    expect(await loadTarget(await file(endpoints))).toEqual({ ...endpoints, local: true })
  })

  it('names the field an endpoints file lacks or has wrong, rather than failing later', async () => {
    const { topicArn: _, ...withoutTopic } = endpoints
    await expect(loadTarget(await file(withoutTopic))).rejects.toThrow(/topicArn/)
    await expect(loadTarget(await file({ ...endpoints, snsEndpoint: 'not a url' }))).rejects.toThrow(
      /snsEndpoint/,
    )
  })

  it('reads the outputs file of `cdk deploy --outputs-file` for a deployed stack', async () => {
    const path = await file({
      Herald: {
        WebSocketUrl: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod',
        TopicArn: 'arn:aws:sns:eu-west-1:123456789012:Herald-Topic',
        Region: 'eu-west-1',
        ConnectionsTable: 'Herald-Connections',
        RejectedQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/Herald-Rejected',
      },
    })
    expect(await loadTarget(path)).toEqual({
      websocketUrl: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod',
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:Herald-Topic',
      region: 'eu-west-1',
      rejectedQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/Herald-Rejected',
      local: false,
    })
  })

  it('says what is wrong with a file that is neither', async () => {
    await expect(loadTarget(await file({ Other: { Url: 'x' } }))).rejects.toThrow(
      'stack output named WebSocketUrl',
    )
    await expect(loadTarget('/nonexistent/outputs.json')).rejects.toThrow(
      'cannot read /nonexistent/outputs.json',
    )
  })
})
