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
  it('reads the local stack’s endpoints file', async () => {
    const path = await file({
      websocketUrl: 'ws://127.0.0.1:3001',
      snsEndpoint: 'http://127.0.0.1:3003',
      topicArn: 'arn:aws:sns:us-east-1:000000000000:herald-local',
      region: 'us-east-1',
    })
    expect(await loadTarget(path)).toEqual({
      websocketUrl: 'ws://127.0.0.1:3001',
      snsEndpoint: 'http://127.0.0.1:3003',
      topicArn: 'arn:aws:sns:us-east-1:000000000000:herald-local',
      region: 'us-east-1',
      local: true,
    })
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
